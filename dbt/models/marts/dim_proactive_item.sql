-- grain: one row per 表二 item x metric of a format version, with the form's Chinese labels.
select
    format_version,
    item_key,
    item_label_zh,
    metric_key,
    metric_label_zh,
    unit,
    sort_order
from {{ ref('proactive_items') }}
