-- grain: one row per report. A stable agency key across years, so that cross-year rules can
-- pair reports of the same body. Rules, in order:
--   1. a reviewed alias (stg_agency_aliases) replaces the printed name;
--   2. whitespace is removed;
--   3. a leading prefecture or province ('淮安市' in '淮安市洪泽区人民政府') is dropped when a
--      county-level name follows, since titles print it in some years and not in others.
with reports as (
    select report_id, agency_name, report_year, format_version from {{ ref('stg_reports') }}
),

aliases as (
    select * from {{ ref('stg_agency_aliases') }}
),

named as (
    select
        reports.*,
        coalesce(aliases.canonical_name, replace(reports.agency_name, ' ', '')) as canonical_name,
        aliases.alias_name is not null as matched_by_alias
    from reports
    left join aliases on replace(reports.agency_name, ' ', '') = aliases.alias_name
),

final as (
    select
        report_id,
        agency_name,
        report_year,
        format_version,
        matched_by_alias,
        case
            when regexp_matches(canonical_name, '^[^省市州]{2,6}(省|市|州)[^省市州]+(区|县|市|旗)')
                then regexp_replace(canonical_name, '^[^省市州]{2,6}(省|市|州)', '')
            else canonical_name
        end as agency_key
    from named
)

select * from final
