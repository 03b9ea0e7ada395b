{#
  The data tests of the large incremental tables read only the rows the current build adds when
  it runs with `--vars '{test_new_rows_only: true}'` (the Dagster refresh does): before any model
  runs, the newest load and build times the rule operands hold are recorded in
  main.dbt_test_window, and the tests' `where` reads them. A plain `dbt build` or `dbt test`, and
  --full-refresh, record -infinity: every row is tested.
  A table rather than an environment variable in the YAML: dbt parses a YAML file again whenever
  a variable it reads changes, and these change at every build.
#}
{% macro record_test_window() -%}
    {%- set operands = adapter.get_relation(
        database=target.database, schema='intermediate', identifier='int_rule_operands') -%}
    create or replace table main.dbt_test_window as
    {% if var('test_new_rows_only', false) and not flags.FULL_REFRESH and operands is not none -%}
        select
            coalesce(max(loaded_at), '-infinity') as loaded_after,
            coalesce(max(built_at), '-infinity') as built_after
        from {{ operands }}
    {%- else -%}
        select '-infinity'::timestamp as loaded_after, '-infinity'::timestamp as built_after
    {%- endif %}
{%- endmacro %}
