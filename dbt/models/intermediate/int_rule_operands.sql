-- grain: one row per report x rule x scope.
-- The operands (lhs, rhs) of the arithmetic rules of the catalogue (expectations/rules.yml).
-- Great Expectations judges them; a null operand means a cell was blank, an NA marker or
-- missing, so the rule is not assessable for that scope (strict variant).
with t3 as (
    select * from {{ ref('int_table3_cells') }}
),

t4 as (
    select * from {{ ref('stg_cells') }}
    where table_name = 'table4'
),

all_cells as (
    select * from {{ ref('stg_cells') }}
),

r01 as (
    select
        report_id,
        'R01_t3_balance_per_column' as rule_id,
        applicant_type_key as scope,
        max(value) filter (where row_key = 'new_received')
        + max(value) filter (where row_key = 'carried_over') as lhs,
        max(value) filter (where row_key = 'out_total')
        + max(value) filter (where row_key = 'carried_to_next') as rhs,
        list('table3.' || row_key || '.' || applicant_type_key order by row_key) as source_cells
    from t3
    where row_key in ('new_received', 'carried_over', 'out_total', 'carried_to_next')
    group by report_id, applicant_type_key
),

r02 as (
    select
        report_id,
        'R02_t3_total_col_eq_sum_applicants' as rule_id,
        row_key as scope,
        max(value) filter (where is_total_column) as lhs,
        case
            when count(value) filter (where not is_total_column) = 6
                then sum(value) filter (where not is_total_column)
        end as rhs,
        list('table3.' || row_key || '.' || applicant_type_key) as source_cells
    from t3
    group by report_id, row_key
),

leaves as (
    select
        report_id,
        applicant_type_key,
        count(*) as n_cells,
        count(value) as n_values,
        sum(value) as leaf_sum,
        bool_or(row_key = 'grp_other') as has_grp_other
    from t3
    where is_outcome
    group by report_id, applicant_type_key
),

r03 as (
    select
        leaves.report_id,
        'R03_t3_out_total_eq_leaf_sum' as rule_id,
        leaves.applicant_type_key as scope,
        totals.value as lhs,
        case
            when leaves.n_values = leaves.n_cells
                and leaves.n_cells = case when leaves.has_grp_other then 19 else 21 end
                then leaves.leaf_sum
        end as rhs,
        ['table3.out_total.' || leaves.applicant_type_key, 'table3.<outcome leaves>.' || leaves.applicant_type_key]
            as source_cells
    from leaves
    left join t3 as totals
        on leaves.report_id = totals.report_id
        and leaves.applicant_type_key = totals.applicant_type_key
        and totals.row_key = 'out_total'
),

r05 as (
    select
        report_id,
        'R05_t4_total_eq_components' as rule_id,
        row_key as scope,
        max(value) filter (where col_key = 'total') as lhs,
        case
            when count(value) filter (where col_key != 'total') = 4
                then sum(value) filter (where col_key != 'total')
        end as rhs,
        list('table4.' || row_key || '.' || col_key) as source_cells
    from t4
    group by report_id, row_key
),

r06 as (
    -- counts are integers >= 0; only gb2019 本年增/减 may be signed, only money may be decimal
    select
        report_id,
        'R06_nonneg_integer_counts' as rule_id,
        table_name as scope,
        count(*) filter (
            where list_has_any(flags, ['decimal_in_count', 'signed_in_unsigned', 'unparsed'])
            or (value < 0 and col_key != 'yoy_change_2019')
            or (value != floor(value) and col_key not in ('fee_amount_wan', 'procurement_amount_wan_2019'))
        ) as lhs,
        0 as rhs,
        list(table_name || '.' || row_key || '.' || col_key) filter (
            where list_has_any(flags, ['decimal_in_count', 'signed_in_unsigned', 'unparsed'])
            or (value < 0 and col_key != 'yoy_change_2019')
            or (value != floor(value) and col_key not in ('fee_amount_wan', 'procurement_amount_wan_2019'))
        ) as source_cells
    from all_cells
    group by report_id, table_name
),

unioned as (
    select * from r01
    union all select * from r02
    union all select * from r03
    union all select * from r05
    union all select * from r06
),

final as (
    select
        report_id || '|' || rule_id || '|' || scope as evaluation_id,
        report_id,
        rule_id,
        scope,
        cast(lhs as double) as lhs,
        cast(rhs as double) as rhs,
        cast(lhs as double) - cast(rhs as double) as delta,
        coalesce(source_cells, []) as source_cells
    from unioned
)

select * from final
