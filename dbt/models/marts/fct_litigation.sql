{{ config(materialized='incremental', incremental_strategy='append', pre_hook="{{ delete_reloaded_reports() }}") }}

-- grain: one row per report x route (direct: 未经复议直接起诉, after_review: 复议后起诉).
with procedures as (
    select * from {{ ref('int_table4_by_procedure') }}
),

final as (
    select
        report_id,
        case proc_key when 'litigation_direct' then 'direct' else 'after_review' end as route,
        upheld,
        corrected,
        other_result,
        pending,
        total,
        loaded_at
    from procedures
    where proc_key in ('litigation_direct', 'litigation_after_review') and {{ loaded_since_last_build() }}
)

select * from final
