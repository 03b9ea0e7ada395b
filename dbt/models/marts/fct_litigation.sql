{{ config(materialized='incremental', incremental_strategy='append', pre_hook="{{ delete_reloaded_reports() }}") }}

-- grain: one row per report x route (direct: 未经复议直接起诉, after_review: 复议后起诉).
with procedures as (
    select * from {{ ref('int_table4_by_procedure') }}
),

arithmetic as (
    select * from {{ ref('int_report_arithmetic') }}
),

final as (
    select
        procedures.report_id,
        case procedures.proc_key when 'litigation_direct' then 'direct' else 'after_review' end as route,
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
    where
        procedures.proc_key in ('litigation_direct', 'litigation_after_review')
        and {{ loaded_since_last_build('procedures.loaded_at') }}
)

select * from final
