-- The reviewed mapping of renamed or merged bodies (data/agency_aliases.csv or OGI_AGENCY_ALIASES).
with source as (
    select * from {{ source('raw', 'agency_aliases') }}
),

final as (
    select
        replace(trim(alias_name), ' ', '') as alias_name,
        replace(trim(canonical_name), ' ', '') as canonical_name,
        reason
    from source
)

select * from final
