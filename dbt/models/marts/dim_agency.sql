-- grain: one row per agency: its cross-year identity (int_agency_identity), so a body that prints
-- its name differently in different years ('洪泽区人民政府', '淮安市洪泽区人民政府') is one agency.
with reports as (
    select * from {{ ref('dim_report') }}
),

places as (
    select * from {{ ref('int_agency_places') }}
),

agencies as (
    select
        agency_id,
        any_value(agency_key) as agency_key,
        arg_max(agency_name, report_year) as agency_name,
        list_sort(list_distinct(list(agency_name))) as names_printed,
        count(*) as n_reports,
        min(report_year) as first_year,
        max(report_year) as last_year
    from reports
    group by agency_id
),

final as (
    select
        agencies.*,
        places.division_code,
        places.province_name,
        places.city_name,
        places.county_name,
        places.admin_level,
        places.agency_type,
        places.place_source
    from agencies
    left join places on agencies.agency_key = places.agency_key
)

select * from final
