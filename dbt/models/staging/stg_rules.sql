-- The rule catalogue (expectations/rules.yml) as loaded by the refresh.
with source as (
    select * from {{ source('raw', 'rules') }}
),

final as (
    select
        rule_id,
        rule_version,
        title_zh,
        title_en,
        rule_class,
        severity,
        scope,
        check_kind,
        tolerance,
        format_versions
    from source
)

select * from final
