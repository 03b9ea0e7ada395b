with source as (
    select * from {{ source('raw', 'files') }}
),

final as (
    select
        path,
        file_name,
        sha256 as report_id,
        size_bytes,
        status,
        quarantine_reason,
        present,
        _loaded_at as loaded_at
    from source
)

select * from final
