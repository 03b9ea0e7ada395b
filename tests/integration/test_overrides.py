"""Reviewed overrides (data/report_overrides.csv): applied at load, shown as overridden, the
extracted values kept; a changed file is applied by the next incremental refresh."""

import shutil

import duckdb
import pytest

from tests.conftest import SAMPLES, run_ogi

HEADER = "file,sha256,agency,year,table,row,col,value,reviewed_by,note\n"
OVERRIDES = HEADER + (
    "hongze-2023.pdf,,淮安市洪泽区人民政府,,,,,,王审核,2024 renamed in its title\n"
    "pingtan-2025.txt,,,,table2,normative_doc,issued,58,李核对,read off the published web page\n"
)


def _refresh(root, overrides: str):
    (root / "overrides.csv").write_text(overrides, encoding="utf-8")
    return run_ogi(
        "refresh",
        "--landing",
        str(root / "landing"),
        "--warehouse",
        str(root / "w.duckdb"),
        env={"OGI_REPORT_OVERRIDES": str(root / "overrides.csv")},
    )


def _query(root, sql):
    with duckdb.connect(str(root / "w.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    root = tmp_path_factory.mktemp("overrides")
    (root / "landing").mkdir()
    for name in ("hongze-2023.pdf", "pingtan-2025.txt"):
        shutil.copy(SAMPLES / name, root / "landing")
    proc = _refresh(root, OVERRIDES)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return root


def test_report_override_is_applied_and_the_extracted_name_kept(root):
    rows = _query(
        root,
        "select agency_name, agency_name_extracted, report_year, is_overridden, override_reviewed_by "
        "from marts.dim_report where file_name = 'hongze-2023.pdf'",
    )
    assert rows == [("淮安市洪泽区人民政府", "洪泽区人民政府", 2023, True, "王审核")]
    assert _query(root, "select is_overridden from marts.dim_report where file_name = 'pingtan-2025.txt'") == [(False,)]


def test_cell_override_is_applied_flagged_and_the_extracted_value_kept(root):
    cell = _query(
        root,
        "select c.value, c.value_extracted, list_contains(c.flags, 'overridden'), list_contains(c.flags, "
        "'ambiguous_split') from staging.stg_cells c join marts.dim_report r using (report_id) "
        "where r.file_name = 'pingtan-2025.txt' and c.table_name = 'table2' and c.row_key = 'normative_doc' "
        "and c.col_key = 'issued'",
    )
    assert cell == [(58.0, None, True, True)]
    facts = _query(
        root,
        "select f.* from marts.fct_proactive_disclosure f join marts.dim_report r using (report_id) "
        "where r.file_name = 'pingtan-2025.txt' and f.item_key = 'normative_doc' and f.metric_key = 'issued'",
    )
    assert facts and 58 in facts[0]


def test_removing_an_override_restores_the_extracted_values(root):
    proc = _refresh(root, HEADER)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rows = _query(root, "select agency_name, is_overridden from marts.dim_report where file_name = 'hongze-2023.pdf'")
    assert rows == [("洪泽区人民政府", False)]
    cell = _query(
        root,
        "select c.value from staging.stg_cells c join marts.dim_report r using (report_id) "
        "where r.file_name = 'pingtan-2025.txt' and c.row_key = 'normative_doc' and c.col_key = 'issued'",
    )
    assert cell == [(None,)]


def test_a_bad_overrides_file_stops_the_refresh_saying_where(root):
    proc = _refresh(root, HEADER + "hongze-2023.pdf,,某某局,,,,,,,no reviewer\n")
    assert proc.returncode != 0
    assert "line 2: has no reviewed_by" in proc.stdout + proc.stderr
