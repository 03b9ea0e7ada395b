{{ config(materialized='incremental', incremental_strategy='append', pre_hook="{{ delete_reloaded_reports() }}") }}

-- grain: one row per report x 表二 item x metric.
-- Metrics differ between gb2019 and gb2021 (suffix _2019); only 'decisions' is comparable.
with t2 as (
    select * from {{ ref('stg_cells') }}
    where table_name = 'table2' and {{ loaded_since_last_build() }}
),

final as (
    select
        report_id,
        row_key as item_key,
        col_key as metric_key,
        value,
        unit,
        is_blank,
        is_na_marker,
        list_contains(flags, 'unit_converted') as unit_converted,
        loaded_at
    from t2
)

select * from final
