-- grain: one row per 表三 disposal outcome row (leaf, or the single gb2019 （六） row).
select
    outcome_key,
    label_zh,
    group_key,
    group_label_zh,
    group_no,
    is_leaf_gb2021,
    is_leaf_gb2019,
    sort_order
from {{ ref('disposal_outcomes') }}
