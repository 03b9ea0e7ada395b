-- grain: one row per report. Administrative reviews (行政复议) by result.
with t4 as (
    select * from {{ ref('stg_cells') }}
    where table_name = 'table4' and row_key = 'admin_review'
),

final as (
    select
        report_id,
        max(value) filter (where col_key = 'upheld') as upheld,
        max(value) filter (where col_key = 'corrected') as corrected,
        max(value) filter (where col_key = 'other') as other_result,
        max(value) filter (where col_key = 'pending') as pending,
        max(value) filter (where col_key = 'total') as total
    from t4
    group by report_id
)

select * from final
