-- grain: one row per 表三 applicant column.
select
    applicant_type_key,
    label_zh,
    label_en,
    is_legal_person_or_org,
    is_total,
    sort_order
from {{ ref('applicant_types') }}
