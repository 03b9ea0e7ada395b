"""The whole pipeline on the bundled samples: real extraction, a real DuckDB file, real dbt and
Dagster runs. One refresh per module; the assertions come from the truth files."""

import re
import shutil
import subprocess

import duckdb
import pytest

from extract.readers.ocr import engine
from tests.conftest import FIXTURES, SAMPLES, TRUTH, load_truth, run_ogi

MARTS = (
    "fct_requests",
    "fct_disposals",
    "fct_reviews",
    "fct_litigation",
    "fct_proactive_disclosure",
    "mart_agency_year",
    "dim_report",
    "dim_agency",
    "dim_applicant_type",
    "dim_disposal_outcome",
    "dim_template_version",
    "dim_proactive_item",
    "dim_rule",
)


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory):
    root = tmp_path_factory.mktemp("refresh")
    landing = root / "landing"
    shutil.copytree(SAMPLES, landing)
    shutil.copy(FIXTURES / "hostile" / "garbled-text-layer.pdf", landing)
    warehouse = root / "w.duckdb"
    proc = run_ogi("refresh", "--landing", str(landing), "--warehouse", str(warehouse))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return landing, warehouse, proc


def _query(warehouse, sql, params=None):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def test_marts_are_filled(refreshed):
    _, warehouse, _ = refreshed
    for table in MARTS:
        assert _query(warehouse, f"select count(*) from marts.{table}")[0][0] > 0, table


def test_an_agency_is_one_across_its_names_and_placed_by_its_name(refreshed):
    _, warehouse, _ = refreshed
    rows = _query(
        warehouse,
        "select report_year, agency_name, agency_key, province_name, city_name, county_name, division_code, "
        "admin_level, agency_type from marts.mart_agency_year where agency_name like '%洪泽区%' order by 1",
    )
    assert [r[:2] for r in rows] == [(2023, "洪泽区人民政府"), (2024, "淮安市洪泽区人民政府")]
    assert len({r[2] for r in rows}) == 1
    # 洪泽区 of 淮安市, 江苏省: 行政区划代码 320813; a county-level government
    assert {r[3:] for r in rows} == {("江苏省", "淮安市", "洪泽区", "320813", "县", "人民政府")}
    places = dict(
        (r[0], r[1:])
        for r in _query(
            warehouse,
            "select agency_name, province_name, city_name, division_code, admin_level, agency_type "
            "from marts.mart_agency_year",
        )
    )
    assert places["邢台市人民政府办公室"] == ("河北省", "邢台市", "130500", "市", "办公室")
    assert places["济源市人民政府办公室"] == ("河南省", None, "419001", "县", "办公室")  # governed by the province
    assert places["金平县人民政府"][2] == "532530"  # printed short for 金平苗族瑶族傣族自治县


def test_every_landing_file_is_accounted_for(refreshed):
    landing, warehouse, _ = refreshed
    files = dict(_query(warehouse, "select file_name, status from raw.files"))
    assert set(files) == {p.name for p in landing.iterdir()}
    assert files["garbled-text-layer.pdf"] == "quarantined"
    reason, detail = _query(warehouse, "select reason, detail from raw.quarantine")[0]
    assert reason == "garbled_text_layer" and "CJK" in detail


def test_rule_failures_are_exactly_those_of_the_truth_files(refreshed):
    _, warehouse, proc = refreshed
    failures = _query(
        warehouse,
        """
        select r.file_name, d.rule_id, d.scope from main.dq_rule_results d join raw.reports r using (report_id)
        where d.status = 'fail' order by all""",
    )
    expected = []
    for path in sorted(TRUTH.glob("*.json")):
        truth = load_truth(path)
        for violation in truth["rule_violations"]:  # "R01_…: natural_person: …; total: …"
            rule_id, detail = violation.split(": ", 1)
            expected += [(truth["file"].split("/")[-1], rule_id, part.split(":")[0]) for part in detail.split("; ")]
    got = [tuple(row) for row in failures]
    assert sorted(got) == sorted(expected)
    assert ("001_65ea80a590272765.txt", "R01_t3_balance_per_column", "natural_person") in got
    assert "rule failures: 4, warnings: 1" in proc.stderr


def test_facts_flag_the_reports_whose_own_arithmetic_is_broken(refreshed):
    _, warehouse, _ = refreshed
    expected = set()
    for path in sorted(TRUTH.glob("*.json")):
        truth = load_truth(path)
        hard = [v for v in truth["rule_violations"] if v.split("_")[0] in ("R01", "R02", "R03", "R05", "R06", "R10")]
        if hard:
            expected.add(truth["file"].split("/")[-1])
    assert expected  # 金平县 (R01) and 洪泽区 2023 (R05) print broken tables
    flagged = {f for (f,) in _query(warehouse, "select file_name from marts.dim_report where breaks_hard_rule")}
    assert flagged == expected
    for fact in ("fct_requests", "fct_disposals", "fct_reviews", "fct_litigation", "fct_proactive_disclosure"):
        rows = _query(
            warehouse,
            f"select distinct r.file_name from marts.{fact} f join marts.dim_report r using (report_id) "
            "where f.breaks_hard_rule",
        )
        assert {f for (f,) in rows} <= expected and rows, fact


def test_rule_results_carry_operands_and_source_cells(refreshed):
    _, warehouse, _ = refreshed
    row = _query(
        warehouse,
        """
        select d.lhs, d.rhs, d.delta, d.source_cells, d.rule_version from main.dq_rule_results d
        join raw.reports r using (report_id)
        where r.file_name like '001_%' and d.rule_id = 'R01_t3_balance_per_column' and d.scope = 'total'""",
    )[0]
    assert row[:3] == (6.0, 7.0, -1.0)
    assert "table3.carried_to_next.total" in row[3] and row[4] == 1


def test_facts_match_the_printed_cells(refreshed):
    _, warehouse, _ = refreshed
    truth = load_truth(TRUTH / "004_8146d103d9127068.json")
    got = dict(
        _query(
            warehouse,
            """
        select f.applicant_type_key, f.new_received from marts.fct_requests f join marts.dim_report r using (report_id)
        where r.file_name like '004_%'""",
        )
    )
    assert got == {k: float(v) for k, v in truth["table3"]["new_received"].items()}
    reviews = _query(
        warehouse,
        """select upheld, total from marts.fct_reviews join marts.dim_report using (report_id)
                                   where file_name like '004_%'""",
    )[0]
    assert reviews == (3.0, 3.0)


def test_refresh_is_idempotent(refreshed):
    landing, warehouse, _ = refreshed
    before = [_query(warehouse, f"select count(*) from raw.{t}")[0][0] for t in ("files", "reports", "cells")]
    proc = run_ogi("refresh", "--landing", str(landing), "--warehouse", str(warehouse))
    assert proc.returncode == 0, proc.stderr
    after = [_query(warehouse, f"select count(*) from raw.{t}")[0][0] for t in ("files", "reports", "cells")]
    assert before == after


def test_a_refresh_ends_without_warnings_from_its_processes(refreshed):
    """The refresh ends its processes without the interpreter's teardown: what they hold (named
    semaphores) is released first, or Python's resource tracker prints a warning at the end."""
    _, _, proc = refreshed
    assert "Warning" not in proc.stderr, proc.stderr[-2000:]


def test_bad_landing_folder_is_a_clear_error(tmp_path):
    proc = run_ogi("refresh", "--landing", str(tmp_path / "nope"), "--warehouse", str(tmp_path / "w.duckdb"))
    assert proc.returncode == 2
    assert "does not exist" in proc.stderr and "Traceback" not in proc.stderr


def test_great_expectations_data_docs_list_one_validation_per_suite(refreshed):
    """The rule step runs the GX checkpoint; its Data Docs sit beside the warehouse, one validation
    per rule suite, and the data-quality page links to them."""
    from expectations.catalogue import rules

    _, warehouse, _ = refreshed
    index = warehouse.with_suffix(".data_docs") / "index.html"
    page = index.read_text(encoding="utf-8")
    listed = re.findall(r"validations/([A-Za-z0-9_]+)/", page)
    assert sorted(listed) == sorted(r.id for r in rules())  # each suite once
    assert "w.data_docs/index.html" in warehouse.with_suffix(".dq.html").read_text(encoding="utf-8")
    # the table is drawn by scripts served beside the pages: it shows with no network at all
    from expectations.docs_assets import fetched

    if not fetched():  # `make install` could not reach the npm registry: the pages use the CDNs
        pytest.skip("Data Docs assets not fetched (python -m expectations.docs_assets)")
    assert "unpkg.com" not in page and "code.jquery.com" not in page and "great-expectations-web-assets" not in page
    rendered = subprocess.run(
        [shutil.which("chromium"), "--headless", "--no-sandbox", "--disable-gpu", "--proxy-server=127.0.0.1:9",
         "--virtual-time-budget=5000", "--dump-dom", index.as_uri()],
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout  # fmt: skip
    assert f"Showing 1 to 10 of {len(listed)} rows" in rendered  # the validations, ten to a page
    shown = re.findall(r'<tr class="clickable-row" data-href="validations/([A-Za-z0-9_]+)/', rendered)
    assert len(shown) == 10 and set(shown) <= set(listed)


def test_every_rule_is_evaluated_for_every_report(refreshed):
    from expectations.catalogue import rules

    _, warehouse, _ = refreshed
    reports = {r for (r,) in _query(warehouse, "select report_id from marts.dim_report")}
    got = set(_query(warehouse, "select report_id, rule_id from main.dq_rule_results"))
    assert got == {(r, rule.id) for r in reports for rule in rules()}
    unexplained = _query(
        warehouse, "select count(*) from main.dq_rule_results where status = 'not_assessable' and reason is null"
    )[0][0]
    assert unexplained == 0


def test_narrative_and_cross_year_rules_on_the_samples(refreshed):
    _, warehouse, _ = refreshed
    status = {
        (f, rule): s
        for f, rule, s in _query(
            warehouse,
            """
            select r.file_name, d.rule_id, d.status from main.dq_rule_results d join raw.reports r using (report_id)
            where d.variant = 'strict' and d.rule_id in ('R11_narrative_requests', 'R08_cross_year_carryover',
                                                         'R09_t2_in_force_continuity')""",
        )
    }
    for seed in (
        "000_7e78f6154f3411bd.txt",
        "001_65ea80a590272765.txt",
        "002_f6b3b7a6d887a97c.txt",
        "004_8146d103d9127068.txt",
    ):
        assert status[(seed, "R11_narrative_requests")] == "pass", seed  # the text states the count
    # the corpus notes: hongze-2024's text says 17 requests where 表三 has 95
    assert status[("hongze-2024.pdf", "R11_narrative_requests")] == "warn"
    # hongze 2023 -> 2024 is the same body under two title names (洪泽区 / 淮安市洪泽区)
    assert status[("hongze-2024.pdf", "R08_cross_year_carryover")] == "pass"
    assert status[("hongze-2024.pdf", "R09_t2_in_force_continuity")] == "pass"
    assert status[("hongze-2023.pdf", "R08_cross_year_carryover")] == "not_assessable"
    # 000 states 制发26/废止34/现行有效211 and 004 states 5 repealed and 2 regulations in force
    scopes = {
        (f, scope): s
        for f, scope, s in _query(
            warehouse,
            """
            select r.file_name, d.scope, d.status from main.dq_rule_results d join raw.reports r using (report_id)
            where d.rule_id = 'R13_narrative_t2' and d.variant = 'strict'""",
        )
    }
    assert {k: v for k, v in scopes.items() if v != "not_assessable"} == {
        ("000_7e78f6154f3411bd.txt", "normative_doc.issued"): "pass",
        ("000_7e78f6154f3411bd.txt", "normative_doc.repealed"): "pass",
        ("000_7e78f6154f3411bd.txt", "normative_doc.in_force"): "pass",
        ("004_8146d103d9127068.txt", "normative_doc.repealed"): "pass",
        ("004_8146d103d9127068.txt", "regulation.in_force"): "pass",
    }


def test_rule_results_point_back_to_source_cells(refreshed):
    _, warehouse, _ = refreshed
    [(prov,)] = _query(
        warehouse,
        """
        select d.source_provenance from main.dq_findings d join raw.reports r using (report_id)
        where r.file_name like '001_%' and d.rule_id = 'R01_t3_balance_per_column' and d.scope = 'total'""",
    )
    carried = next(p for p in prov if p["cell"] == "table3.carried_to_next.total")
    assert carried["raw"] == "1" and carried["line"] > 0


def test_data_quality_page_lists_findings_and_renders_in_chromium(refreshed, tmp_path):
    _, warehouse, proc = refreshed
    page = warehouse.with_suffix(".dq.html")
    assert str(page) in proc.stderr.replace("\n", "")
    text = page.read_text(encoding="utf-8")
    assert "金平县人民政府" in text and "R01_t3_balance_per_column" in text and "「1」" in text
    # the rule as its formula with the printed numbers (truth: 金平县 6 + 0 = 6 but 6 + 1 = 7;
    # 洪泽区 2023 prints 复议 维持 10, 纠正 1 beside 总计 0), and the cell most likely wrong
    assert "自然人列：本年新收 6 + 上年结转 0 = 6，但办理结果总计 6 + 结转下年度 1 = 7，相差 1" in text
    assert "表四行政复议：结果维持 10 + 结果纠正 1 + 其他结果 0 + 尚未审结 0 = 11，但总计印的是 0，相差 11" in text
    assert "最可能有误</b> 表四行政复议 总计 「0」" in text and "未通过" in text
    assert "受理政府信息公开申请 17 件" in text  # hongze-2024's R11 shows the sentence of the text
    # files the extractor could not read cleanly are listed with the problem in Chinese
    assert "garbled-text-layer.pdf" in text and "PDF 的文字层是乱码" in text
    assert "pingtan-2025.txt" in text and "可有多种拆分" in text
    shot = tmp_path / "dq.png"
    subprocess.run(
        [
            shutil.which("chromium"),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--window-size=1300,3200",  # the whole page, down to the files that could not be read
            f"--screenshot={shot}",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 50_000
    # what a reader sees: the Chinese labels, a filled formula and a quarantined file, read back by OCR
    seen = "".join(text for _, text, _ in engine()(str(shot))[0] or []).replace(" ", "")
    assert "数据质量报告" in seen and "未通过" in seen and "相差1" in seen, seen
    assert "文字层是乱码" in seen and "quarantined" in seen, seen  # the garbled PDF, not loaded


def test_a_selection_of_dbt_models_builds_only_those(refreshed, monkeypatch):
    """A refresh runs dbt in its own process; a selection (as made in the UI) goes to the dbt CLI
    with dagster-dbt's --select, and builds only what was selected."""
    import dagster as dg

    from dagster_project.definitions import defs

    _, warehouse, _ = refreshed
    monkeypatch.setenv("OGI_WAREHOUSE", str(warehouse))
    key = dg.AssetKey(["marts", "fct_requests"])
    with dg.DagsterInstance.ephemeral() as instance:
        result = defs.resolve_job_def("refresh").execute_in_process(
            asset_selection=[key], instance=instance, raise_on_error=False
        )
    assert result.success
    assert {e.asset_key for e in result.get_asset_materialization_events()} == {key}
    checks = [e.event_specific_data for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"]
    assert checks and all(c.asset_key == key and c.passed for c in checks)
    assert _query(warehouse, "select count(*) from marts.fct_requests")[0][0] > 0


def test_a_warehouse_whose_findings_were_a_view_gets_the_table_with_the_same_rows(refreshed, tmp_path):
    from dagster_project.rule_results import findings_sql, update_rule_results

    _, warehouse, _ = refreshed
    older = tmp_path / "older.duckdb"
    shutil.copy(warehouse, older)
    rows = "select * replace (list_sort(source_provenance) as source_provenance) from main.dq_findings order by 1"
    with duckdb.connect(str(older)) as con:
        expected = con.execute(rows).fetchall()
        assert expected  # the samples break rules: there are findings to keep
        con.execute("drop table main.dq_findings")
        con.execute(f"create view main.dq_findings as {findings_sql('true')}")  # as warehouses had it
        update_rule_results(con)
        kind = con.execute(
            "select table_type from information_schema.tables where table_name = 'dq_findings'"
        ).fetchall()
        assert kind == [("BASE TABLE",)]
        assert con.execute(rows).fetchall() == expected
