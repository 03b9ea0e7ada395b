-- a table, not a view: its two tests and dim_agency each matched every agency's name again
{{ config(materialized='table') }}

-- grain: one row per agency_key: the administrative division its name begins with, its level and
-- its type. The longest division prefix of the name wins ('淮安市洪泽区' over '淮安市'); a prefix
-- that names several divisions ('鼓楼区') or none leaves the place unknown, never guessed.
with agencies as (
    select distinct agency_key from {{ ref('int_agency_identity') }}
    where agency_key is not null
),

places as (
    select * from {{ ref('stg_place_names') }}
),

-- every beginning of the name, joined on equality (a national warehouse has 10^5 agencies)
beginnings as (
    select agency_key, left(agency_key, n) as prefix
    from agencies, unnest(range(2, least(length(agency_key), 24) + 1)) as t (n)
),

matched as (
    select beginnings.agency_key, places.*
    from beginnings
    inner join places on beginnings.prefix = places.prefix
    qualify length(places.prefix) = max(length(places.prefix)) over (partition by beginnings.agency_key)
),

unique_match as (
    select
        agency_key,
        any_value(prefix) as prefix,
        any_value(division_code) as division_code,
        any_value(division_name) as division_name,
        any_value(division_level) as division_level,
        any_value(province_name) as province_name,
        any_value(city_name) as city_name,
        any_value(place_source) as place_source
    from matched
    group by agency_key
    having count(distinct division_code) = 1
),

final as (
    select
        agencies.agency_key,
        unique_match.division_code,
        unique_match.province_name,
        unique_match.city_name,
        case when unique_match.division_level = '县' then unique_match.division_name end as county_name,
        case
            -- a township or street office below the county the name begins with
            when regexp_matches(
                substr(agencies.agency_key, length(unique_match.prefix) + 1), '^[^局委办市县区]{1,10}(镇|乡|街道)(人民政府|办事处|$)'
            ) then '乡'
            else unique_match.division_level
        end as admin_level,
        case
            when regexp_matches(agencies.agency_key, '(人民政府|街道办事处)$') then '人民政府'
            when regexp_matches(agencies.agency_key, '人民政府(办公室|办公厅)$|^[^局委]*(办公室|办公厅)$') then '办公室'
            when regexp_matches(agencies.agency_key, '(局|委员会|委|厅|署|办|中心|院|所|站|队|馆|处)$') then '部门'
            else '其他'
        end as agency_type,
        unique_match.place_source
    from agencies
    left join unique_match on agencies.agency_key = unique_match.agency_key
)

select * from final
