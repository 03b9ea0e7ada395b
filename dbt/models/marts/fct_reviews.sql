{{ config(materialized='incremental', incremental_strategy='append', pre_hook="{{ delete_reloaded_reports() }}") }}

-- grain: one row per report. Administrative reviews (行政复议) by result.
with procedures as (
    select * from {{ ref('int_table4_by_procedure') }}
),

arithmetic as (
    select * from {{ ref('int_report_arithmetic') }}
),

final as (
    select
        procedures.report_id,
        procedures.upheld,
        procedures.corrected,
        procedures.other_result,
        procedures.pending,
        procedures.total,
        coalesce(arithmetic.breaks_hard_rule, false) as breaks_hard_rule,
        procedures.loaded_at,
        {{ build_time() }} as built_at
    from procedures
    left join arithmetic on procedures.report_id = arithmetic.report_id
    where procedures.proc_key = 'admin_review' and {{ loaded_since_last_build('procedures.loaded_at') }}
)

select * from final
