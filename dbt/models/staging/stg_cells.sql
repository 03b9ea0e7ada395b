with source as (
    select * from {{ source('raw', 'cells') }}
),

reports as (
    select report_id from {{ ref('stg_reports') }}
),

overrides as (
    select * from {{ ref('stg_report_overrides') }}
    where is_cell
),

final as (
    select
        source.report_id || ':' || source.table_name || ':' || source.row_key || ':' || source.col_key as cell_id,
        source.report_id,
        source.table_name,
        source.row_key,
        source.col_key,
        source.raw_text,
        -- a reviewed override wins; the extracted value stays in value_extracted
        case when overrides.report_id is not null then overrides.value else source.value end as value,
        source.value as value_extracted,
        source.unit,
        case
            when overrides.report_id is not null then list_append(source.flags, 'overridden')
            else source.flags
        end as flags,
        list_contains(source.flags, 'blank') as is_blank,
        list_contains(source.flags, 'na_marker') as is_na_marker,
        source.page,
        source.line_no,
        source.char_offset,
        source.bbox,
        source._loaded_at as loaded_at
    from source
    inner join reports on source.report_id = reports.report_id
    left join overrides
        on
            source.report_id = overrides.report_id
            and source.table_name = overrides.table_name
            and source.row_key = overrides.row_key
            and source.col_key = overrides.col_key
)

select * from final
