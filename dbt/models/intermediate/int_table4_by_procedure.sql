-- grain: one row per report x 表四 procedure (admin_review, litigation_direct, litigation_after_review).
with t4 as (
    select * from {{ ref('stg_cells') }}
    where table_name = 'table4'
),

final as (
    select
        report_id,
        row_key as proc_key,
        (max(value) filter (where col_key = 'upheld'))::bigint as upheld,
        (max(value) filter (where col_key = 'corrected'))::bigint as corrected,
        (max(value) filter (where col_key = 'other'))::bigint as other_result,
        (max(value) filter (where col_key = 'pending'))::bigint as pending,
        (max(value) filter (where col_key = 'total'))::bigint as total,
        loaded_at
    from t4
    group by report_id, row_key, loaded_at
)

select * from final
