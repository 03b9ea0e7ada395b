-- Reviewed corrections (data/report_overrides.csv or OGI_REPORT_OVERRIDES), each resolved to the
-- report it names: by sha256, or by the file's name or path in the landing folder.
with source as (
    select * from {{ source('raw', 'report_overrides') }}
),

files as (
    select distinct path, file_name, sha256 from {{ source('raw', 'files') }}
),

final as (
    select distinct
        coalesce(source.sha256, files.sha256) as report_id,
        nullif(replace(trim(source.agency), ' ', ''), '') as agency_name,
        cast(source.report_year as integer) as report_year,
        source.table_name,
        source.row_key,
        source.col_key,
        cast(source.value as double) as value,
        source.table_name is not null as is_cell,
        source.reviewed_by,
        source.note
    from source
    left join files
        on source.sha256 is null and (source.file = files.file_name or source.file = files.path)
)

select * from final
where report_id is not null
