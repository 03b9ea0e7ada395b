-- grain: one row per report. Administrative reviews (行政复议) by result.
with procedures as (
    select * from {{ ref('int_table4_by_procedure') }}
),

final as (
    select report_id, upheld, corrected, other_result, pending, total
    from procedures
    where proc_key = 'admin_review'
)

select * from final
