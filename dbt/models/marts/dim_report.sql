-- grain: one row per report (content hash) that was read.
with reports as (
    select * from {{ ref('stg_reports') }}
),

identity as (
    select report_id, agency_key from {{ ref('int_agency_identity') }}
),

arithmetic as (
    select * from {{ ref('int_report_arithmetic') }}
),

sources as (
    select report_id, bool_or(present) as source_present, count(*) as n_source_files
    from {{ ref('stg_files') }}
    group by report_id
),

final as (
    select
        reports.report_id,
        md5(coalesce(identity.agency_key, '<unknown>')) as agency_id,
        identity.agency_key,
        agency_name,
        report_year,
        is_overridden,
        agency_name_extracted,
        report_year_extracted,
        override_reviewed_by,
        override_note,
        format_version,
        published_date,
        index_no,
        source_format,
        layout,
        status as extraction_status,
        file_name,
        extractor_version,
        coalesce(arithmetic.breaks_hard_rule, false) as breaks_hard_rule,
        coalesce(arithmetic.hard_rules_broken, []) as hard_rules_broken,
        sources.source_present,
        sources.n_source_files,
        reports.loaded_at
    from reports
    left join sources on reports.report_id = sources.report_id
    left join identity on reports.report_id = identity.report_id
    left join arithmetic on reports.report_id = arithmetic.report_id
)

select * from final
