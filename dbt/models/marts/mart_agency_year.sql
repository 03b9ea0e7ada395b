{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_reloaded_reports() }}",
    )
}}

-- grain: one row per report (an agency's report for one year).
-- The headline figures analysts ask for; rates are null where the denominator is 0 or unknown.
with reports as (
    select * from {{ ref('dim_report') }}
    where {{ loaded_since_last_build() }}
),

agencies as (
    select * from {{ ref('dim_agency') }}
),

requests as (
    select * from {{ ref('fct_requests') }}
    where applicant_type_key = 'total' and {{ loaded_since_last_build() }}
),

disposals as (
    select
        report_id,
        (sum(requests) filter (where outcome_group_key = 'granted'))::bigint as granted,
        (sum(requests) filter (where outcome_group_key = 'partial'))::bigint as partial,
        (sum(requests) filter (where outcome_group_key = 'withheld'))::bigint as withheld,
        (sum(requests) filter (where outcome_group_key = 'unable'))::bigint as unable,
        (sum(requests) filter (where outcome_group_key = 'rejected'))::bigint as rejected,
        (sum(requests) filter (where outcome_group_key = 'other'))::bigint as other_handling
    from {{ ref('fct_disposals') }}
    where applicant_type_key = 'total' and {{ loaded_since_last_build() }}
    group by report_id
),

reviews as (
    select * from {{ ref('fct_reviews') }}
    where {{ loaded_since_last_build() }}
),

litigation as (
    select report_id, sum(total)::bigint as lawsuits_total
    from {{ ref('fct_litigation') }}
    where {{ loaded_since_last_build() }}
    group by report_id
),

final as (
    select
        reports.report_id,
        reports.agency_id,
        reports.agency_key,
        reports.agency_name,
        agencies.province_name,
        agencies.city_name,
        agencies.county_name,
        agencies.division_code,
        agencies.admin_level,
        agencies.agency_type,
        reports.report_year,
        reports.format_version,
        reports.breaks_hard_rule,
        requests.new_received as requests_new,
        requests.carried_over as requests_carried_over,
        requests.handled_total as requests_handled,
        requests.carried_to_next as requests_carried_to_next,
        disposals.granted,
        disposals.partial,
        disposals.withheld,
        disposals.unable,
        disposals.rejected,
        disposals.other_handling,
        (disposals.granted + disposals.partial) / nullif(requests.handled_total, 0)::double as disclosure_rate,
        reviews.total as reviews_total,
        reviews.corrected as reviews_corrected,
        litigation.lawsuits_total,
        reviews.corrected / nullif(reviews.total - reviews.pending, 0)::double as review_correction_rate,
        reports.loaded_at
    from reports
    left join agencies on reports.agency_id = agencies.agency_id
    left join requests on reports.report_id = requests.report_id
    left join disposals on reports.report_id = disposals.report_id
    left join reviews on reports.report_id = reviews.report_id
    left join litigation on reports.report_id = litigation.report_id
)

select * from final
