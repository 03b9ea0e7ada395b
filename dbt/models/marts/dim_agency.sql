-- grain: one row per agency name as printed in report titles (trimmed).
with reports as (
    select * from {{ ref('dim_report') }}
),

final as (
    select
        agency_id,
        any_value(agency_name) as agency_name,
        count(*) as n_reports,
        min(report_year) as first_year,
        max(report_year) as last_year
    from reports
    group by agency_id
)

select * from final
