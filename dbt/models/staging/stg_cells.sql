with source as (
    select * from {{ source('raw', 'cells') }}
),

reports as (
    select report_id from {{ ref('stg_reports') }}
),

final as (
    select
        source.report_id || ':' || source.table_name || ':' || source.row_key || ':' || source.col_key as cell_id,
        source.report_id,
        source.table_name,
        source.row_key,
        source.col_key,
        source.raw_text,
        source.value,
        source.unit,
        source.flags,
        list_contains(source.flags, 'blank') as is_blank,
        list_contains(source.flags, 'na_marker') as is_na_marker,
        source.page,
        source.line_no,
        source.char_offset,
        source.bbox,
        source._loaded_at as loaded_at
    from source
    inner join reports on source.report_id = reports.report_id
)

select * from final
