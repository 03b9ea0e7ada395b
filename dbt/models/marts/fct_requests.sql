{{ config(materialized='incremental', incremental_strategy='append', pre_hook="{{ delete_reloaded_reports() }}") }}

-- grain: one row per report x applicant type.
-- Requests received this year, carried over from last year, handled, and carried to next year.
with t3 as (
    select * from {{ ref('int_table3_cells') }}
    where {{ loaded_since_last_build() }}
),

arithmetic as (
    select * from {{ ref('int_report_arithmetic') }}
),

final as (
    select
        t3.report_id,
        t3.applicant_type_key,
        max(t3.value) filter (where t3.row_key = 'new_received') as new_received,
        max(t3.value) filter (where t3.row_key = 'carried_over') as carried_over,
        max(t3.value) filter (where t3.row_key = 'out_total') as handled_total,
        max(t3.value) filter (where t3.row_key = 'carried_to_next') as carried_to_next,
        coalesce(arithmetic.breaks_hard_rule, false) as breaks_hard_rule,
        t3.loaded_at,
        {{ build_time() }} as built_at
    from t3
    left join arithmetic on t3.report_id = arithmetic.report_id
    where t3.row_key in ('new_received', 'carried_over', 'out_total', 'carried_to_next')
    group by t3.report_id, t3.applicant_type_key, t3.loaded_at, arithmetic.breaks_hard_rule
)

select * from final
