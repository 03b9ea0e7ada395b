{#
  Facts keyed by report are built incrementally: a run reads only the reports loaded into raw
  after the newest row the model holds (raw rows of a report are replaced together, with one
  load time). `dbt build --full-refresh` (ogi refresh --full) rebuilds them from scratch.
#}

{% macro last_build_watermark() -%}
    (select coalesce(max(loaded_at), '-infinity'::timestamp) from {{ this }})
{%- endmacro %}

{# Filter for the model's source rows: only what was loaded since the last build. #}
{% macro loaded_since_last_build(column='loaded_at') -%}
    {%- if is_incremental() -%}
        {{ column }} > {{ last_build_watermark() }}
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{# pre-hook: drop the rows of reports reloaded since the last build, including those that now
   have no rows in this model (a report re-extracted as quarantined, a table no longer found). #}
{% macro delete_reloaded_reports() -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where report_id in (
            select report_id from {{ source('raw', 'reports') }}
            where _loaded_at > {{ last_build_watermark() }}
        )
    {%- endif -%}
{%- endmacro %}

{# int_rule_operands: its pre-hook deletes the operands of the reports loaded since the last
   build and of every report of an agency that shares their short name (its cross-year rules read
   them, and a new name can change which reports are one agency: int_agency_identity); the model
   then evaluates every report without operands. #}
{% macro delete_reports_to_reevaluate() -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where report_id in (
            select family.report_id
            from {{ ref('int_agency_identity') }} as family
            inner join {{ ref('int_agency_identity') }} as changed
                on family.agency_short_name = changed.agency_short_name
            inner join {{ source('raw', 'reports') }} as loaded
                on changed.report_id = loaded.report_id and loaded._loaded_at > {{ last_build_watermark() }}
            union
            select report_id from {{ source('raw', 'reports') }}
            where _loaded_at > {{ last_build_watermark() }}
        )
    {%- endif -%}
{%- endmacro %}

{% macro reports_without_operands() -%}
    select report_id from {{ ref('stg_reports') }}
    {%- if is_incremental() %}
    where report_id not in (select distinct report_id from {{ this }})
    {%- endif %}
{%- endmacro %}

{% macro among_affected() -%}
    {%- if is_incremental() -%}
        report_id in (select report_id from affected)
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}
