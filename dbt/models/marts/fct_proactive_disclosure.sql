{{ config(materialized='incremental', incremental_strategy='append', pre_hook="{{ delete_reloaded_reports() }}") }}

-- grain: one row per report x 表二 item x metric.
-- Metrics differ between gb2019 and gb2021 (suffix _2019); only 'decisions' is comparable.
with t2 as (
    select * from {{ ref('stg_cells') }}
    where table_name = 'table2' and {{ loaded_since_last_build() }}
),

arithmetic as (
    select * from {{ ref('int_report_arithmetic') }}
),

final as (
    select
        t2.report_id,
        t2.row_key as item_key,
        t2.col_key as metric_key,
        t2.value::decimal(18, 4) as value,
        t2.unit,
        t2.is_blank,
        t2.is_na_marker,
        list_contains(t2.flags, 'unit_converted') as unit_converted,
        coalesce(arithmetic.breaks_hard_rule, false) as breaks_hard_rule,
        t2.loaded_at,
        {{ build_time() }} as built_at
    from t2
    left join arithmetic on t2.report_id = arithmetic.report_id
)

select * from final
