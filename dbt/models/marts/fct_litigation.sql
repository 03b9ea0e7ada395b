-- grain: one row per report x route (direct: 未经复议直接起诉, after_review: 复议后起诉).
with t4 as (
    select * from {{ ref('stg_cells') }}
    where table_name = 'table4' and row_key in ('litigation_direct', 'litigation_after_review')
),

final as (
    select
        report_id,
        case row_key when 'litigation_direct' then 'direct' else 'after_review' end as route,
        max(value) filter (where col_key = 'upheld') as upheld,
        max(value) filter (where col_key = 'corrected') as corrected,
        max(value) filter (where col_key = 'other') as other_result,
        max(value) filter (where col_key = 'pending') as pending,
        max(value) filter (where col_key = 'total') as total
    from t4
    group by report_id, row_key
)

select * from final
