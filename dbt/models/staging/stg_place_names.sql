-- Name prefixes of China's administrative divisions (and reviewed aliases), one row per prefix and division.
with source as (
    select * from {{ source('raw', 'place_names') }}
),

final as (
    select
        prefix,
        code as division_code,
        name as division_name,
        level as division_level,
        province_code,
        province_name,
        city_code,
        city_name,
        source as place_source
    from source
)

select * from final
