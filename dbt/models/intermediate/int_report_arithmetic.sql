-- materialized, not a view: the facts and dim_report all join it, and as a view each of them
-- computed it again over every report; incremental by report (macros/incremental_by_report.sql):
-- a build judges only the reports whose operands were rebuilt, not all 10^5 again
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='append_new_columns',
        pre_hook="{{ delete_rejudged_reports() }}",
    )
}}

-- grain: one row per report with rule operands: whether its own tables break one of the form's
-- hard rules (class hard in rules.yml, within the report: R01–R06, R10; the cross-year R08 needs
-- another report and is left out). The bounds are the ones the Great Expectations suites judge
-- (check and tolerance); a rule with a reason not to judge it (a missing or unread operand) is no
-- failure, as in dq_rule_results. A test holds the flag to the truth files' own violations.
with operands as (
    select * from {{ ref('int_rule_operands') }}
    where
        variant = 'strict' and lhs is not null and rhs is not null and reason is null
        and built_at > {{ arithmetic_watermark() }}
),

rules as (
    select * from {{ ref('stg_rules') }}
    where rule_class = 'hard' and scope not like '%pair%'
),

reports as (
    select report_id, format_version from {{ ref('stg_reports') }}
),

judged as (
    select
        operands.report_id,
        operands.rule_id,
        operands.built_at,
        case rules.check_kind
            when 'equal' then abs(operands.lhs - operands.rhs) > rules.tolerance
            when 'at_most' then operands.lhs - operands.rhs > rules.tolerance
            else operands.rhs - operands.lhs > rules.tolerance
        end as broken
    from operands
    inner join rules on operands.rule_id = rules.rule_id
    inner join reports on operands.report_id = reports.report_id
    where list_contains(rules.format_versions, reports.format_version)
),

final as (
    select
        report_id,
        bool_or(broken) as breaks_hard_rule,
        list_sort(list_distinct(list(rule_id) filter (where broken))) as hard_rules_broken,
        max(built_at) as operands_built_at,
        {{ hard_rules_key() }} as rules_key
    from judged
    group by report_id
)

select * from final
