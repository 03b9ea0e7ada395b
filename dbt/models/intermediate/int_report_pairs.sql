-- grain: one row per report. The same agency's report for the previous year, when there is one.
with identity as (
    select * from {{ ref('int_agency_identity') }}
),

candidates as (
    select
        cur.report_id,
        prev.report_id as previous_report_id
    from identity as cur
    inner join identity as prev
        on
            cur.agency_key = prev.agency_key
            and prev.report_year = cur.report_year - 1
),

final as (
    select
        identity.report_id,
        identity.agency_key,
        identity.report_year,
        identity.matched_by_alias,
        min(candidates.previous_report_id) as previous_report_id,
        count(candidates.previous_report_id) as n_candidates,
        case
            when count(candidates.previous_report_id) = 0 then 'no_previous_year_report'
            when count(candidates.previous_report_id) > 1 then 'ambiguous'
            else 'matched'
        end as pair_status
    from identity
    left join candidates on identity.report_id = candidates.report_id
    group by all
)

select * from final
