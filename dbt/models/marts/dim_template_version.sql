-- grain: one row per national format version.
select
    format_version,
    document,
    issued_on,
    report_years,
    description
from {{ ref('template_versions') }}
