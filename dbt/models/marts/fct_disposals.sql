{{ config(materialized='incremental', incremental_strategy='append', pre_hook="{{ delete_reloaded_reports() }}") }}

-- grain: one row per report x applicant type x disposal outcome as printed.
-- value is null where the cell was blank or an NA marker (is_blank / is_na_marker say which).
with t3 as (
    select * from {{ ref('int_table3_cells') }}
    where {{ loaded_since_last_build() }}
),

final as (
    select
        report_id || ':' || row_key || ':' || applicant_type_key as disposal_id,
        report_id,
        applicant_type_key,
        row_key as outcome_key,
        outcome_group_key,
        value as requests,
        is_blank,
        is_na_marker,
        loaded_at
    from t3
    where is_outcome
)

select * from final
