with source as (
    select * from {{ source('raw', 'reports') }}
),

final as (
    select
        report_id,
        file_name,
        source_format,
        layout,
        trim(agency) as agency_name,
        cast(report_year as integer) as report_year,
        coalesce(format_version, 'unknown') as format_version,
        cast(published_date as date) as published_date,
        index_no,
        status,
        extractor_version,
        _loaded_at as loaded_at
    from source
    -- a superseded report is an earlier content of a file that changed: kept in raw only
    where status in ('ok', 'flagged') and superseded_by is null
)

select * from final
