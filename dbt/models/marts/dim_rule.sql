-- grain: one row per rule of the catalogue (R01…R21): what each rule_id in dq_rule_results checks.
select
    rule_id,
    rule_version,
    title_zh,
    title_en,
    rule_class,
    rule_class = 'hard' as is_hard,
    severity,
    scope,
    check_kind,
    tolerance,
    format_versions
from {{ ref('stg_rules') }}
