-- grain: one row per report (content hash) that was read.
with reports as (
    select * from {{ ref('stg_reports') }}
),

final as (
    select
        report_id,
        md5(coalesce(agency_name, '<unknown>')) as agency_id,
        agency_name,
        report_year,
        format_version,
        published_date,
        index_no,
        source_format,
        layout,
        status as extraction_status,
        file_name,
        extractor_version
    from reports
)

select * from final
