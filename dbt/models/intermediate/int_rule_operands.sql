{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook=["{{ list_reports_to_evaluate() }}", "{{ delete_reports_to_evaluate() }}"],
    )
}}

-- grain: one row per report x rule x scope x variant.
-- The operands (lhs, rhs) of the rules of the catalogue (expectations/rules.yml); Great
-- Expectations judges lhs - rhs against the rule's check and tolerance. Conventions:
--   lhs / rhs       operands with blank or NA cells counted as 0
--   lhs_blank, rhs_blank   a blank or NA cell went into that side (strict variant: see runner)
--   reason          set when the rule cannot be assessed for this scope (then lhs/rhs are null)
--   variant         strict, or blank_as_zero (emitted only where a blank went into an operand)
-- depends_on: {{ ref('int_agency_identity') }} (read by the pre-hook)
-- Incremental runs evaluate only the reports loaded since the last build and the other reports
-- of an agency with the same short name, whose operands the pre-hook deleted
-- (macros/incremental_by_report.sql).
with affected as (
    select report_id from {{ ref('stg_reports') }}
    where {{ among_affected('reports_to_evaluate') }}
),

pairs as (
    select * from {{ ref('int_report_pairs') }}
    where {{ among_affected() }}
),

-- the affected reports and their previous years: the cross-year rules (R08, R09) read both.
-- One list of reports, so that DuckDB skips the cells of other reports as it scans; read twice
-- and not materialized, so that each read is filtered before it scans.
read_reports as (
    select report_id from affected
    union all
    select previous_report_id from pairs
),

t3_read as not materialized (
    select * from {{ ref('int_table3_cells') }}
    where {{ among_affected('read_reports') }}
),

t3 as (
    select * from t3_read
    where {{ among_affected() }}
),

cells_read as not materialized (
    select * from {{ ref('stg_cells') }}
    where {{ among_affected('read_reports') }}
),

cells as (
    select * from cells_read
    where {{ among_affected() }}
),

reports as (
    select * from {{ ref('stg_reports') }}
    where {{ among_affected() }}
),

claim_rows as (
    select * from {{ ref('stg_claims') }}
    where {{ among_affected() }}
),

t4 as (
    select * from cells
    where table_name = 'table4'
),

t3_shape as (
    select
        report_id,
        bool_or(row_key = 'grp_other') as has_grp_other,
        count(*) as n_cells,
        count(value) as n_values,
        coalesce(sum(abs(value)), 0) = 0 as all_zero
    from t3
    group by report_id
),

claims as (
    select
        report_id,
        max(claimed_value) filter (where claim_key = 'requests') as requests_claim,
        max(claimed_value) filter (where claim_key = 'reviews') as reviews_claim,
        max(claimed_value) filter (where claim_key = 'lawsuits') as lawsuits_claim
    from claim_rows
    group by report_id
),

t3_totals as (
    select
        report_id,
        max(value) filter (where row_key = 'new_received') as new_received,
        max(value) filter (where row_key = 'carried_over') as carried_over
    from t3
    where is_total_column
    group by report_id
),

-- 表四 totals by procedure (rows of int_table4_by_procedure), from the affected cells: DuckDB
-- does not push the report filter through that view's aggregate
t4_totals as (
    select
        report_id,
        max(value) filter (where row_key = 'admin_review') as reviews_total,
        sum(value) filter (where row_key in ('litigation_direct', 'litigation_after_review')) as lawsuits_total
    from t4
    where col_key = 'total'
    group by report_id
),

sections as (
    select
        report_id,
        count(distinct section_key) as n_sections,
        max(section_text) filter (where section_key = 's5_problems') as s5_text,
        max(section_text) filter (where section_key = 's6_other') as s6_text
    from {{ ref('stg_sections') }}
    where {{ among_affected() }}
    group by report_id
),

-- the previous-year reports' cells the cross-year rules read (R08, R09)
t3_previous as (
    select * from t3_read
    where row_key = 'carried_to_next' and report_id in (select previous_report_id from pairs)
),

-- the four rows of the 表三 balance, per column (R01, R10)
balance as (
    select
        report_id,
        applicant_type_key,
        coalesce(max(value) filter (where row_key = 'new_received'), 0) as new_received,
        coalesce(max(value) filter (where row_key = 'carried_over'), 0) as carried_over,
        coalesce(max(value) filter (where row_key = 'out_total'), 0) as out_total,
        coalesce(max(value) filter (where row_key = 'carried_to_next'), 0) as carried_to_next,
        bool_or(value is null and row_key in ('new_received', 'carried_over')) as supply_blank,
        bool_or(value is null and row_key in ('out_total', 'carried_to_next')) as use_blank,
        case when count(*) < 4 then 'a row of the balance is missing' end as reason,
        list_sort(list('table3.' || row_key || '.' || applicant_type_key)) as source_cells
    from t3
    where row_key in ('new_received', 'carried_over', 'out_total', 'carried_to_next')
    group by report_id, applicant_type_key
),

-- 表三 balance per column: new + carried over = handled total + carried to next year
r01 as (
    select
        report_id,
        'R01_t3_balance_per_column' as rule_id,
        applicant_type_key as scope,
        new_received + carried_over as lhs,
        out_total + carried_to_next as rhs,
        supply_blank as lhs_blank,
        use_blank as rhs_blank,
        reason,
        source_cells
    from balance
),

-- source cells listed in a fixed order (sorted after aggregating: an ordered aggregate over every
-- report ran out of memory): a report judged again with a new report of its agency must give
-- the same row, or the published snapshot writes its part again
r02 as (
    select
        report_id,
        'R02_t3_total_col_eq_sum_applicants' as rule_id,
        row_key as scope,
        coalesce(max(value) filter (where is_total_column), 0) as lhs,
        coalesce(sum(value) filter (where not is_total_column), 0) as rhs,
        bool_or(value is null and is_total_column) as lhs_blank,
        bool_or(value is null and not is_total_column) as rhs_blank,
        case when count(*) < 7 then 'a column of this row is missing' end as reason,
        list_sort(list('table3.' || row_key || '.' || applicant_type_key)) as source_cells
    from t3
    group by report_id, row_key
),

r03 as (
    select
        t3.report_id,
        'R03_t3_out_total_eq_leaf_sum' as rule_id,
        t3.applicant_type_key as scope,
        coalesce(max(t3.value) filter (where t3.row_key = 'out_total'), 0) as lhs,
        coalesce(sum(t3.value) filter (where t3.is_outcome), 0) as rhs,
        bool_or(t3.value is null and t3.row_key = 'out_total') as lhs_blank,
        bool_or(t3.value is null and t3.is_outcome) as rhs_blank,
        case
            when count(*) filter (where t3.row_key = 'out_total') = 0 then '（七）总计 is missing'
            when
                count(*) filter (where t3.is_outcome)
                != case when any_value(t3_shape.has_grp_other) then 19 else 21 end
                then 'an outcome row is missing'
        end as reason,
        list_sort(list('table3.' || t3.row_key || '.' || t3.applicant_type_key)) as source_cells
    from t3
    inner join t3_shape on t3.report_id = t3_shape.report_id
    where t3.is_outcome or t3.row_key = 'out_total'
    group by t3.report_id, t3.applicant_type_key
),

r05 as (
    select
        report_id,
        'R05_t4_total_eq_components' as rule_id,
        row_key as scope,
        coalesce(max(value) filter (where col_key = 'total'), 0) as lhs,
        coalesce(sum(value) filter (where col_key != 'total'), 0) as rhs,
        bool_or(value is null and col_key = 'total') as lhs_blank,
        bool_or(value is null and col_key != 'total') as rhs_blank,
        case when count(*) < 5 then 'a cell of this procedure is missing' end as reason,
        list_sort(list('table4.' || row_key || '.' || col_key)) as source_cells
    from t4
    group by report_id, row_key
),

bad_cells as (
    select
        *,
        list_has_any(flags, ['decimal_in_count', 'signed_in_unsigned', 'unparsed'])
        or (value < 0 and col_key != 'yoy_change_2019')
        or (value != floor(value) and col_key not in ('fee_amount_wan', 'procurement_amount_wan_2019')) as is_bad
    from cells
),

r06 as (
    -- counts are integers >= 0; only gb2019 本年增/减 may be signed, only money may be decimal
    select
        report_id,
        'R06_nonneg_integer_counts' as rule_id,
        table_name as scope,
        count(*) filter (where is_bad) as lhs,
        0 as rhs,
        false as lhs_blank,
        false as rhs_blank,
        null as reason,
        coalesce(list_sort(list(table_name || '.' || row_key || '.' || col_key) filter (where is_bad)), []) as source_cells
    from bad_cells
    group by report_id, table_name
),

r07 as (
    -- money is printed in 万元; a cell in another unit was converted and is reported
    select
        report_id,
        'R07_fee_decimal_wan' as rule_id,
        row_key || '.' || col_key as scope,
        case when list_has_any(flags, ['unit_converted', 'unexpected_unit']) or value < 0 then 1 else 0 end as lhs,
        0 as rhs,
        false as lhs_blank,
        false as rhs_blank,
        case when value is null then 'the amount is blank or an NA marker' end as reason,
        ['table2.' || row_key || '.' || col_key] as source_cells
    from cells
    where table_name = 'table2' and col_key in ('fee_amount_wan', 'procurement_amount_wan_2019')
),

r08 as (
    select
        pairs.report_id,
        'R08_cross_year_carryover' as rule_id,
        cur.applicant_type_key as scope,
        coalesce(prev.value, 0) as lhs,
        coalesce(cur.value, 0) as rhs,
        prev.value is null as lhs_blank,
        cur.value is null as rhs_blank,
        case when prev.report_id is null then 'the previous report prints no 结转下年度 for this column' end
            as reason,
        ['previous:table3.carried_to_next.' || cur.applicant_type_key, 'table3.carried_over.' || cur.applicant_type_key]
            as source_cells
    from pairs
    inner join t3 as cur
        on pairs.report_id = cur.report_id and cur.row_key = 'carried_over'
    left join t3_previous as prev
        on
            pairs.previous_report_id = prev.report_id
            and prev.row_key = 'carried_to_next'
            and cur.applicant_type_key = prev.applicant_type_key
    where pairs.pair_status = 'matched'
),

unpaired as (
    -- cross-year rules for reports without exactly one previous-year report of the same agency
    select
        report_id,
        unnest(['R08_cross_year_carryover', 'R09_t2_in_force_continuity']) as rule_id,
        'report' as scope,
        null::double as lhs,
        null::double as rhs,
        false as lhs_blank,
        false as rhs_blank,
        case pair_status
            when 'ambiguous' then 'several reports of this agency for ' || (report_year - 1) || ': pair not chosen'
            else 'no report of this agency (' || agency_key || ') for ' || (report_year - 1)
        end as reason,
        []::varchar[] as source_cells
    from pairs
    where pair_status != 'matched'
),

-- 表二 documents of the evaluated reports and of their previous-year reports
t2_docs_read as (
    select
        report_id,
        row_key as item_key,
        max(value) filter (where col_key = 'issued') as issued,
        max(value) filter (where col_key = 'repealed') as repealed,
        max(value) filter (where col_key = 'in_force') as in_force
    from cells_read
    where
        table_name = 'table2'
        and row_key in ('regulation', 'normative_doc')
        and col_key in ('issued', 'repealed', 'in_force')
    group by report_id, row_key
),

t2_docs as (
    select * from t2_docs_read
    where {{ among_affected() }}
),

r09 as (
    select
        pairs.report_id,
        'R09_t2_in_force_continuity' as rule_id,
        cur.item_key as scope,
        coalesce(prev.in_force, 0) + coalesce(cur.issued, 0) - coalesce(cur.repealed, 0) as lhs,
        coalesce(cur.in_force, 0) as rhs,
        prev.in_force is null or cur.issued is null or cur.repealed is null as lhs_blank,
        cur.in_force is null as rhs_blank,
        case when prev.report_id is null then 'the previous report has no gb2021 表二 for this item' end as reason,
        [
            'previous:table2.' || cur.item_key || '.in_force', 'table2.' || cur.item_key || '.issued',
            'table2.' || cur.item_key || '.repealed', 'table2.' || cur.item_key || '.in_force'
        ] as source_cells
    from pairs
    inner join t2_docs as cur on pairs.report_id = cur.report_id
    left join t2_docs_read as prev on pairs.previous_report_id = prev.report_id and cur.item_key = prev.item_key
    where pairs.pair_status = 'matched'
),

r10 as (
    -- carried to next year, and handled, never exceed the requests on hand
    select
        report_id,
        'R10_t3_carry_bounds' as rule_id,
        unnest(['carried_to_next.' || applicant_type_key, 'out_total.' || applicant_type_key]) as scope,
        unnest([carried_to_next, out_total]) as lhs,
        new_received + carried_over as rhs,
        false as lhs_blank,
        supply_blank as rhs_blank,
        reason,
        source_cells
    from balance
),

per_report as (
    select
        reports.report_id,
        reports.report_year,
        reports.format_version,
        reports.published_date,
        claims.requests_claim,
        claims.reviews_claim,
        claims.lawsuits_claim,
        t3_totals.new_received,
        t3_totals.carried_over,
        t4_totals.reviews_total,
        t4_totals.lawsuits_total,
        t3_shape.all_zero,
        t3_shape.n_cells,
        t3_shape.n_values,
        t3_shape.has_grp_other,
        -- cells a complete 表三 prints (R17): 23 rows x 7 in gb2019 (其他处理 one row), 25 x 7 in gb2021
        case when t3_shape.has_grp_other then 161 else 175 end as n_expected_cells,
        coalesce(sections.n_sections, 0) as n_sections,
        sections.s5_text,
        sections.s6_text
    from reports
    left join claims on reports.report_id = claims.report_id
    left join t3_totals on reports.report_id = t3_totals.report_id
    left join t4_totals on reports.report_id = t4_totals.report_id
    left join t3_shape on reports.report_id = t3_shape.report_id
    left join sections on reports.report_id = sections.report_id
),

r11 as (
    -- the stated count may be new requests or new + carried over; either is accepted
    select
        report_id,
        'R11_narrative_requests' as rule_id,
        case
            when requests_claim = new_received + carried_over and requests_claim != new_received
                then 'new_received+carried_over'
            else 'new_received'
        end as scope,
        requests_claim as lhs,
        case
            when requests_claim = new_received + carried_over then new_received + carried_over
            else new_received
        end as rhs,
        false as lhs_blank,
        new_received is null as rhs_blank,
        case
            when requests_claim is null then 'the text states no count of requests'
            when new_received is null and carried_over is null then '表三 has no request totals'
        end as reason,
        ['claim:requests', 'table3.new_received.total', 'table3.carried_over.total'] as source_cells
    from per_report
),

r12 as (
    select
        report_id,
        'R12_narrative_review_litigation' as rule_id,
        unnest(['reviews', 'lawsuits']) as scope,
        unnest([reviews_claim, lawsuits_claim]) as lhs,
        unnest([coalesce(reviews_total, 0), coalesce(lawsuits_total, 0)]) as rhs,
        false as lhs_blank,
        unnest([reviews_total is null, lawsuits_total is null]) as rhs_blank,
        unnest([
            case when reviews_claim is null then 'the text states no count of reviews' end,
            case when lawsuits_claim is null then 'the text states no count of lawsuits' end
        ]) as reason,
        unnest([
            ['claim:reviews', 'table4.admin_review.total'],
            ['claim:lawsuits', 'table4.litigation_direct.total', 'table4.litigation_after_review.total']
        ])
            as source_cells
    from per_report
),

r13 as (
    -- 表二 counts stated in the text (claim key table2.<item>.<metric>) against the printed cell
    select
        claims.report_id,
        'R13_narrative_t2' as rule_id,
        substr(claims.claim_key, 8) as scope,
        claims.claimed_value as lhs,
        coalesce(cells.value, 0) as rhs,
        false as lhs_blank,
        cells.value is null as rhs_blank,
        case when cells.report_id is null then '表二 has no such cell' end as reason,
        ['claim:' || claims.claim_key, claims.claim_key] as source_cells
    from claim_rows as claims
    left join cells
        on
            claims.report_id = cells.report_id
            and claims.claim_key = cells.table_name || '.' || cells.row_key || '.' || cells.col_key
    where claims.claim_key like 'table2.%'
),

r21 as (
    select
        report_id,
        'R21_all_zero_consistency' as rule_id,
        'report' as scope,
        case
            when all_zero and requests_claim > 0 then 1
            when not all_zero and requests_claim = 0 then 1
            else 0
        end as lhs,
        0 as rhs,
        false as lhs_blank,
        false as rhs_blank,
        case
            when requests_claim is null then 'the text states no count of requests'
            when all_zero is null then 'no 表三'
        end as reason,
        ['claim:requests'] as source_cells
    from per_report
),

structural as (
    select
        report_id,
        'R04_t3_group_subtotal' as rule_id,
        'report' as scope,
        null::double as lhs,
        null::double as rhs,
        false as lhs_blank,
        false as rhs_blank,
        'the report prints no subtotal rows; group totals are derived only' as reason,
        []::varchar[] as source_cells
    from per_report
    union all
    select
        report_id, 'R13_narrative_t2', 'report', null, null, false, false,
        'the text states no 表二 count (制发/废止/现行有效)', []
    from per_report
    where
        report_id not in (
            select report_id from claim_rows
            where claim_key like 'table2.%'
        )
    union all
    select
        report_id, 'R14_narrative_outcome_breakdown', 'report', null, null, false, false,
        'not evaluated: outcome percentages in the text are too loosely worded to check reliably', []
    from per_report
    union all
    select report_id, 'R15_six_sections_present', 'report', n_sections, 6, false, false, null, []
    from per_report
    union all
    select
        report_id,
        'R16_format_matches_year',
        'report',
        case
            when report_year >= 2021 and format_version = 'gb2021' then 1
            when report_year between 2019 and 2020 and format_version = 'gb2019' then 1
            when report_year <= 2018 and format_version = 'pre2019' then 1
            else 0
        end,
        1,
        false,
        false,
        case when report_year is null then 'the report year is unknown' end,
        []
    from per_report
    union all
    select
        report_id,
        'R17_t3_complete',
        'table3',
        n_values,
        n_expected_cells,
        false,
        false,
        case when n_cells is null then 'no 表三' end,
        []
    from per_report
    union all
    select
        report_id,
        'R18_publication_deadline',
        'report',
        date_diff('day', make_date(report_year + 1, 3, 31), published_date),
        0,
        false,
        false,
        case when published_date is null then 'no publication date is printed' end,
        []
    from per_report
    union all
    select
        report_id,
        'R19_section6_fee_reported',
        's6_other',
        case
            when regexp_matches(coalesce(s6_text, ''), '处理费|收费|费用') or trim(s6_text) in ('无', '无。') then 1
            else 0
        end,
        1,
        false,
        false,
        null,
        []
    from per_report
    union all
    select
        report_id,
        'R20_section5_nonempty',
        's5_problems',
        length(trim(coalesce(s5_text, ''))),
        10,
        false,
        false,
        null,
        []
    from per_report
),

-- cells left unread because their digits ran together (null, flagged ambiguous_split or no_split):
-- a rule that reads one cannot be judged, whatever the cells read beside it say
unread as (
    select report_id, list(table_name || '.' || row_key || '.' || col_key) as cells
    from cells
    where list_has_any(flags, ['ambiguous_split', 'no_split'])
    group by report_id
),

judged as (
    select * from r01
    union all
    select * from r02
    union all
    select * from r03
    union all
    select * from r05
    union all
    select * from r06
    union all
    select * from r07
    union all
    select * from r08
    union all
    select * from r09
    union all
    select * from unpaired
    union all
    select * from r10
    union all
    select * from r11
    union all
    select * from r12
    union all
    select * from r13
    union all
    select * from r21
    union all
    select * from structural
),

strict as (
    select
        judged.* replace (
            coalesce(
                judged.reason,
                case
                    when list_has_any(judged.source_cells, unread.cells)
                        then 'a cell it reads was left unread (its digits ran together and split several ways)'
                end
            ) as reason
        )
    from judged
    left join unread on judged.report_id = unread.report_id
),

-- every row once as strict; where a blank or NA cell went into an operand, once more as
-- blank_as_zero, the reading a publisher who leaves zeros blank intends. One pass: referring to
-- strict twice would make DuckDB materialize all of it (millions of rows at national scale).
variants as (
    select
        report_id,
        rule_id,
        scope,
        lhs,
        rhs,
        case when variant = 'strict' then lhs_blank else false end as lhs_blank,
        case when variant = 'strict' then rhs_blank else false end as rhs_blank,
        reason,
        source_cells,
        variant
    from (
        select
            *,
            unnest(
                case
                    when (lhs_blank or rhs_blank) and reason is null and rule_id not like 'R17%'
                        then ['strict', 'blank_as_zero']
                    else ['strict']
                end
            ) as variant
        from strict
    ) as strict_and_blank_as_zero
    union all
    -- R17 read with blanks as 0: every printed cell counts
    select
        report_id,
        'R17_t3_complete',
        'table3',
        n_cells,
        n_expected_cells,
        false,
        false,
        null,
        [],
        'blank_as_zero'
    from per_report
    where n_values < n_cells
),

final as (
    select
        variants.report_id || '|' || variants.rule_id || '|' || variants.scope || '|' || variants.variant
            as evaluation_id,
        variants.report_id,
        variants.rule_id,
        variants.scope,
        variants.variant,
        case when variants.reason is null then variants.lhs::double end as lhs,
        case when variants.reason is null then variants.rhs::double end as rhs,
        coalesce(variants.lhs_blank, false) as lhs_blank,
        coalesce(variants.rhs_blank, false) as rhs_blank,
        variants.reason,
        coalesce(variants.source_cells, []) as source_cells,
        reports.loaded_at,
        now()::timestamp as built_at
    from variants
    inner join reports on variants.report_id = reports.report_id
)

select * from final
