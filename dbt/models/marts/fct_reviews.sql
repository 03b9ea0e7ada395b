{{ config(materialized='incremental', incremental_strategy='append', pre_hook="{{ delete_reloaded_reports() }}") }}

-- grain: one row per report. Administrative reviews (行政复议) by result.
with procedures as (
    select * from {{ ref('int_table4_by_procedure') }}
),

final as (
    select report_id, upheld, corrected, other_result, pending, total, loaded_at
    from procedures
    where proc_key = 'admin_review' and {{ loaded_since_last_build() }}
)

select * from final
