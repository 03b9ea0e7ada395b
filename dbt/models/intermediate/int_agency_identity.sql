-- grain: one row per report. A stable agency key across years, so that cross-year rules can
-- pair reports of the same body. Rules, in order:
--   1. a reviewed alias (stg_agency_aliases) replaces the printed name;
--   2. whitespace is removed;
--   3. titles print the prefecture or province ('淮安市' in '淮安市洪泽区人民政府') in some years
--      and not in others: a name without it joins the one prefixed name it abbreviates; when
--      several bodies share the short name ('鼓楼区' is in 南京, 福州, 徐州 and 开封) it joins none.
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

prefix_checked as (
    select
        *,
        regexp_matches(canonical_name, '^[^省市州]{2,6}(省|市|州)[^省市州]+(区|县|市|旗)') as has_prefix
    from named
),

short_named as (
    select
        *,
        case
            when has_prefix then regexp_replace(canonical_name, '^[^省市州]{2,6}(省|市|州)', '')
            else canonical_name
        end as short_name
    from prefix_checked
),

-- the prefixed names each short name stands for ('鼓楼区人民政府' stands for several)
prefixed as (
    select short_name, min(canonical_name) as full_name, count(distinct canonical_name) as n_full
    from short_named
    where has_prefix
    group by short_name
),

final as (
    select
        short_named.report_id,
        short_named.agency_name,
        short_named.report_year,
        short_named.format_version,
        short_named.matched_by_alias,
        short_named.short_name as agency_short_name,
        case
            when short_named.has_prefix then short_named.canonical_name
            when prefixed.n_full = 1 then prefixed.full_name
            else short_named.canonical_name
        end as agency_key
    from short_named
    left join prefixed on short_named.short_name = prefixed.short_name and not short_named.has_prefix
)

select * from final
