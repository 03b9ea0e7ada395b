{{ config(materialized='incremental', incremental_strategy='append', pre_hook="{{ delete_reloaded_reports() }}") }}

-- grain: one row per report x applicant type.
-- Requests received this year, carried over from last year, handled, and carried to next year.
with t3 as (
    select * from {{ ref('int_table3_cells') }}
    where {{ loaded_since_last_build() }}
),

final as (
    select
        report_id,
        applicant_type_key,
        max(value) filter (where row_key = 'new_received') as new_received,
        max(value) filter (where row_key = 'carried_over') as carried_over,
        max(value) filter (where row_key = 'out_total') as handled_total,
        max(value) filter (where row_key = 'carried_to_next') as carried_to_next,
        loaded_at
    from t3
    where row_key in ('new_received', 'carried_over', 'out_total', 'carried_to_next')
    group by report_id, applicant_type_key, loaded_at
)

select * from final
