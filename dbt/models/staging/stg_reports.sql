with source as (
    select * from {{ source('raw', 'reports') }}
),

overrides as (
    select * from {{ ref('stg_report_overrides') }}
    where not is_cell
),

final as (
    select
        source.report_id,
        source.file_name,
        source.source_format,
        source.layout,
        -- a reviewed override wins; the extracted values stay beside it
        coalesce(overrides.agency_name, trim(source.agency)) as agency_name,
        coalesce(overrides.report_year, cast(source.report_year as integer)) as report_year,
        trim(source.agency) as agency_name_extracted,
        cast(source.report_year as integer) as report_year_extracted,
        overrides.report_id is not null as is_overridden,
        overrides.reviewed_by as override_reviewed_by,
        overrides.note as override_note,
        coalesce(source.format_version, 'unknown') as format_version,
        cast(source.published_date as date) as published_date,
        source.index_no,
        source.status,
        source.extractor_version,
        source._loaded_at as loaded_at
    from source
    left join overrides on source.report_id = overrides.report_id
    -- a superseded report is an earlier content of a file that changed: kept in raw only
    where source.status in ('ok', 'flagged') and source.superseded_by is null
)

select * from final
