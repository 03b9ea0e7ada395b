with source as (
    select * from {{ source('raw', 'sections') }}
),

final as (
    select
        report_id,
        section_key,
        heading,
        section_text,
        line_no
    from source
)

select * from final
