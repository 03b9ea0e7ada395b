-- 表三 cells with their applicant type and disposal outcome attributes.
with cells as (
    select * from {{ ref('stg_cells') }}
    where table_name = 'table3'
),

applicant_types as (
    select * from {{ ref('applicant_types') }}
),

outcomes as (
    select * from {{ ref('disposal_outcomes') }}
),

final as (
    select
        cells.report_id,
        cells.row_key,
        cells.col_key as applicant_type_key,
        cells.value::bigint as value,  -- counts: a decimal in a count cell is left unread upstream
        cells.is_blank,
        cells.is_na_marker,
        cells.raw_text,
        applicant_types.is_total as is_total_column,
        outcomes.outcome_key is not null as is_outcome,
        outcomes.group_key as outcome_group_key,
        cells.loaded_at
    from cells
    inner join applicant_types on cells.col_key = applicant_types.applicant_type_key
    left join outcomes on cells.row_key = outcomes.outcome_key
)

select * from final
