{{ config(materialized='incremental', incremental_strategy='append', pre_hook="{{ delete_reloaded_reports() }}") }}

-- grain: one row per report x applicant type x disposal outcome as printed.
-- value is null where the cell was blank or an NA marker (is_blank / is_na_marker say which).
with t3 as (
    select * from {{ ref('int_table3_cells') }}
    where {{ loaded_since_last_build() }}
),

arithmetic as (
    select * from {{ ref('int_report_arithmetic') }}
),

final as (
    select
        t3.report_id || ':' || t3.row_key || ':' || t3.applicant_type_key as disposal_id,
        t3.report_id,
        t3.applicant_type_key,
        t3.row_key as outcome_key,
        t3.outcome_group_key,
        t3.value as requests,
        t3.is_blank,
        t3.is_na_marker,
        coalesce(arithmetic.breaks_hard_rule, false) as breaks_hard_rule,
        t3.loaded_at,
        {{ build_time() }} as built_at
    from t3
    left join arithmetic on t3.report_id = arithmetic.report_id
    where t3.is_outcome
)

select * from final
