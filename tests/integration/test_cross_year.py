"""Cross-year rules (R08 carry-over, R09 现行有效 chain) on report pairs built from the samples
by changing the year and the numbers, and a renamed agency matched through the alias mapping."""

import duckdb
import pytest

from tests.conftest import SAMPLES, run_ogi

JIYUAN, MINQUAN = "000_7e78f6154f3411bd.txt", "003_53998b694067610d.txt"


def _next_year(text: str, replacements: dict[str, str]) -> str:
    text = text.replace("2022", "2023")
    for old, new in replacements.items():
        assert old in text, old
        text = text.replace(old, new)
    return text


@pytest.fixture(scope="module")
def pairs(tmp_path_factory):
    root = tmp_path_factory.mktemp("pairs")
    landing = root / "landing"
    landing.mkdir()
    for name in (JIYUAN, MINQUAN):
        (landing / name).write_bytes((SAMPLES / name).read_bytes())
    jiyuan = (SAMPLES / JIYUAN).read_text(encoding="utf-8")
    # 2023 under a new name; carried over 0 = 2022 carried to next 0; in force 211 + 26 - 34 = 203
    (landing / "jiyuan-2023.txt").write_text(
        _next_year(
            jiyuan,
            {
                "济源市人民政府办公室 2023 年": "济源市政府办公室 2023 年",
                "行政规范性文件\t26\t34\t211": "行政规范性文件\t26\t34\t203",
            },
        ),
        encoding="utf-8",
    )
    minquan = (SAMPLES / MINQUAN).read_text(encoding="utf-8")
    # 2023 claims 2 carried over from 2022, whose 结转下年度 was 0; 5 documents in force from nowhere
    (landing / "minquan-2023.txt").write_text(
        _next_year(
            minquan,
            {
                "上年结转政府信息公开申请数量\t\t0\t0": "上年结转政府信息公开申请数量\t\t2\t0",
                "\t0\t0\t0\t0\t0\t0\t\n三、本年度": "\t0\t0\t0\t0\t0\t2\t\n三、本年度",
                "行政规范性文件\t0\t0\t0": "行政规范性文件\t0\t0\t5",
            },
        ),
        encoding="utf-8",
    )
    aliases = root / "aliases.csv"
    aliases.write_text(
        "alias_name,canonical_name,reason\n济源市政府办公室,济源市人民政府办公室,renamed in the title\n",
        encoding="utf-8",
    )
    warehouse = root / "w.duckdb"
    # first without the mapping: the renamed 2023 report has no previous year; then the reviewed
    # mapping arrives and the incremental refresh pairs it
    before = run_ogi("refresh", "--landing", str(landing), "--warehouse", str(warehouse))
    assert before.returncode == 0, before.stderr
    with duckdb.connect(str(warehouse), read_only=True) as con:
        unpaired = con.execute(
            """select distinct d.status from main.dq_rule_results d join raw.reports r using (report_id)
               where r.file_name = 'jiyuan-2023.txt' and d.rule_id = 'R08_cross_year_carryover'"""
        ).fetchall()
    assert unpaired == [("not_assessable",)]
    proc = run_ogi(
        "refresh", "--landing", str(landing), "--warehouse", str(warehouse), env={"OGI_AGENCY_ALIASES": str(aliases)}
    )
    assert proc.returncode == 0, proc.stderr
    assert "0 to extract" in proc.stderr
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute("""
            select r.file_name, d.rule_id, d.scope, d.status, d.lhs, d.rhs
            from main.dq_rule_results d join raw.reports r using (report_id)
            where d.rule_id in ('R08_cross_year_carryover', 'R09_t2_in_force_continuity') and d.variant = 'strict'
        """).fetchall()
        matched = dict(
            con.execute(
                "select r.file_name, p.matched_by_alias from intermediate.int_report_pairs p "
                "join raw.reports r using (report_id)"
            ).fetchall()
        )
    return {(f, rule, scope): (status, lhs, rhs) for f, rule, scope, status, lhs, rhs in rows}, matched


def test_carry_over_and_in_force_chain_pass_for_the_renamed_agency(pairs):
    results, matched = pairs
    assert matched["jiyuan-2023.txt"] is True
    for col in ("natural_person", "total"):
        assert results[("jiyuan-2023.txt", "R08_cross_year_carryover", col)][0] == "pass"
    assert results[("jiyuan-2023.txt", "R09_t2_in_force_continuity", "normative_doc")] == ("pass", 203.0, 203.0)


def test_broken_carry_over_and_chain_are_reported(pairs):
    results, _ = pairs
    assert results[("minquan-2023.txt", "R08_cross_year_carryover", "natural_person")] == ("warn", 0.0, 2.0)
    assert results[("minquan-2023.txt", "R08_cross_year_carryover", "total")] == ("warn", 0.0, 2.0)
    assert results[("minquan-2023.txt", "R08_cross_year_carryover", "other_org")][0] == "pass"
    assert results[("minquan-2023.txt", "R09_t2_in_force_continuity", "normative_doc")] == ("warn", 0.0, 5.0)


def test_first_year_reports_are_not_assessable(pairs):
    results, _ = pairs
    assert results[(JIYUAN, "R08_cross_year_carryover", "report")][0] == "not_assessable"
