{#
  Facts keyed by report are built incrementally: a run reads only the reports loaded into raw
  after the newest row the model holds (raw rows of a report are replaced together, with one
  load time). `dbt build --full-refresh` (ogi refresh --full) rebuilds them from scratch.
#}

{# The newest load time the model holds, as a literal rendered when the model is compiled, before
   its pre-hook deletes the rows of reloaded reports: a subquery ran after that delete, and when
   the deleted rows held the newest load time the build read rows the model still had. A constant
   also lets DuckDB skip row groups of raw.cells by their min/max. #}
{% macro last_build_watermark() -%}
    {%- if execute -%}
        {%- set newest = run_query("select coalesce(max(loaded_at), '-infinity'::timestamp)::varchar from " ~ this) -%}
        '{{ newest.columns[0].values()[0] }}'::timestamp
    {%- else -%}
        '-infinity'::timestamp
    {%- endif -%}
{%- endmacro %}

{# When this run built a row (the run's start, one value for every row a run writes): a full
   refresh changes it on every row, an incremental run only on the reports it rebuilt. The
   published snapshot compares parts of a large table by it instead of hashing every row. #}
{% macro build_time() -%}
    '{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}'::timestamp
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

{# int_rule_operands: its pre-hooks list the reports to evaluate, those loaded since the last build
   and every report of an agency that shares their short name (its cross-year rules read them,
   and a new name can change which reports are one agency: int_agency_identity), in a temporary
   table the model reads, and delete their operands. #}
{% macro list_reports_to_evaluate() -%}
    {%- if is_incremental() -%}
        create or replace temporary table reports_to_evaluate as
        with loaded as (
            select report_id from {{ source('raw', 'reports') }}
            where _loaded_at > {{ last_build_watermark() }}
        ),

        identity as materialized (
            select report_id, agency_short_name from {{ ref('int_agency_identity') }}
        )

        select report_id from identity
        where agency_short_name in (
            select agency_short_name from identity
            where report_id in (select report_id from loaded)
        )
        union
        select report_id from loaded
    {%- endif -%}
{%- endmacro %}

{% macro delete_reports_to_evaluate() -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where report_id in (select report_id from reports_to_evaluate)
    {%- endif -%}
{%- endmacro %}

{# Filter of an incremental build to the reports listed in ``reports`` (a CTE or table with
   report_id); every report otherwise. #}
{% macro among_affected(reports='affected') -%}
    {%- if is_incremental() -%}
        report_id in (select report_id from {{ reports }})
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{# int_report_arithmetic is rebuilt by report too: the reports whose operands int_rule_operands
   built since the newest build the model holds, or every report when it holds none, or was built
   with other hard rules (a rule's new version, check or tolerance can change every verdict). #}
{% macro hard_rules_key() -%}
    (select md5(string_agg(
        concat_ws(':', rule_id, rule_version, check_kind, tolerance, scope, format_versions::varchar), ','
        order by rule_id
     ))
     from {{ ref('stg_rules') }} where rule_class = 'hard')
{%- endmacro %}

{# The operands' build time after which reports are judged again, as a literal; '-infinity' for all. #}
{% macro arithmetic_watermark() -%}
    {%- set since = "'-infinity'::timestamp" -%}
    {%- if is_incremental() and execute -%}
        {%- set columns = adapter.get_columns_in_relation(this) | map(attribute='name') | list -%}
        {%- if 'operands_built_at' in columns and 'rules_key' in columns -%}
            {%- set held = run_query(
                "select coalesce(max(operands_built_at), '-infinity'::timestamp)::varchar, "
                ~ "bool_and(rules_key = " ~ hard_rules_key() ~ ") from " ~ this
            ) -%}
            {%- if held.columns[1].values()[0] -%}
                {%- set since = "'" ~ held.columns[0].values()[0] ~ "'::timestamp" -%}
            {%- endif -%}
        {%- endif -%}
    {%- endif -%}
    {{ since }}
{%- endmacro %}

{# pre-hook: drop the rows of the reports judged again, and of reports no longer read (a file
   whose content changed: its earlier report is superseded). #}
{% macro delete_rejudged_reports() -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where report_id in (
            select report_id from {{ ref('int_rule_operands') }} where built_at > {{ arithmetic_watermark() }}
        )
        or report_id not in (select report_id from {{ ref('stg_reports') }})
    {%- endif -%}
{%- endmacro %}
