with source as (
    select * from {{ source('raw', 'claims') }}
),

final as (
    select
        report_id,
        claim_key,
        value as claimed_value,
        section_key,
        sentence,
        char_offset
    from source
)

select * from final
