"""Cells that ran together, split by the form's arithmetic. Truth for the real dump comes from
its hand-checked truth file; the small cases are worked out by hand in each test."""

from pathlib import Path

from extract.arithmetic import make_run, split_groups, split_row
from extract.report import extract_file
from tests.conftest import SAMPLES, TRUTH, load_truth

DUMP = SAMPLES / "pingtan-2025.txt"


def test_a_row_total_leaves_one_split():
    assert split_row(make_run("15130000154"), 7) == [(151, 3, 0, 0, 0, 0, 154)]


def test_a_row_total_alone_can_leave_two_splits():
    # the corpus README's example: 33|0|… or 3|30|…, told apart only by the column sums
    assert sorted(split_row(make_run("330000033"), 7)) == [(3, 30, 0, 0, 0, 0, 33), (33, 0, 0, 0, 0, 0, 33)]


def test_table4_run_has_48_splits_and_one_that_keeps_its_totals():
    run = make_run("25380363300630003")
    assert len(split_groups(run, 3, 5, total_last=False)) == 48
    assert split_groups(run, 3, 5) == [(25, 3, 8, 0, 36, 3, 3, 0, 0, 6, 3, 0, 0, 0, 3)]


def test_printed_boundaries_are_kept_and_leading_zeros_refused():
    assert split_row(make_run("12 3"), 3, total_last=False) == [(1, 2, 3)]
    assert split_row(make_run("1 23"), 2, total_last=False) == [(1, 23)]
    assert split_row(make_run("105"), 2, total_last=False) == [(10, 5)]  # never 1|05


def test_search_is_capped():
    assert split_row(make_run("1" * 40), 7, total_last=False, limit=100) is None


def test_real_dump_tables_three_and_four_are_exact():
    truth = load_truth(TRUTH / "pingtan-2025-txt.json")
    got = extract_file(DUMP)
    assert got["table3"] == truth["table3"]
    assert got["table4"] == truth["table4"]
    t34 = [c for c in got["cells"] if c["table"] in ("table3", "table4")]
    assert len(t34) == 25 * 7 + 15
    assert all("recovered_by_arithmetic" in c["flags"] and c["identities"] for c in t34)


def test_real_dump_ambiguous_table2_cells_are_flagged_not_guessed():
    got = extract_file(DUMP)
    assert got["status"] == "flagged"
    assert got["table2"]["normative_doc"] == {"issued": None, "repealed": None, "in_force": None}
    assert got["table2"]["regulation"] == {"issued": 0, "repealed": 0, "in_force": 0}
    issue = next(i for i in got["issues"] if i["code"] == "ambiguous_split")
    assert issue["candidates"] == 15


def test_real_dump_cells_point_at_their_digits():
    lines = DUMP.read_text(encoding="utf-8").split("\n")
    for cell in extract_file(DUMP)["cells"]:
        if cell["value"] is not None:
            line = lines[cell["prov"]["line"] - 1]
            assert line[cell["prov"]["offset"] :].startswith(cell["raw"]), cell


def test_real_dump_narrative_counts_are_read():
    claims = {c["claim_key"]: c["value"] for c in extract_file(DUMP)["claims"]}
    assert claims == {"requests": 154, "reviews": 36, "lawsuits": 9}


def _broken_dump(tmp_path: Path, old: str, new: str) -> dict:
    text = DUMP.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "broken.txt"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return extract_file(path)


def test_a_printed_total_that_breaks_its_row_is_named_not_fitted(tmp_path):
    # 表四's 复议 总计 printed 35 instead of 36: no split keeps the three totals, and with one of them
    # let go the run still splits several ways (25|3|8|0|35 or 2|5|38|0|35 …), so 表四 is left
    # unread and the failing identity is named
    got = _broken_dump(tmp_path, "25380363300630003", "25380353300630003")
    assert got["status"] == "flagged"
    assert all(v is None for row in got["table4"].values() for v in row.values())
    issue = next(i for i in got["issues"] if i["code"] == "ambiguous_split" and i["message"].startswith("表四"))
    assert "总计 = 各项之和" in issue["message"] and issue["candidates"] > 1
    assert all(c["value"] is None for c in got["cells"] if c["table"] == "table4")


def test_cells_every_split_reads_alike_are_kept_the_others_stay_unread(tmp_path):
    # 复议 0110011 is 0|1|10|0|11 or 0|11|0|0|11: 维持, 尚未审结 and 总计 are the same digits in the
    # same place in both, 纠正 and 其他 are not; the two 诉讼 groups split one way
    got = _broken_dump(tmp_path, "25380363300630003", "01100113300630003")
    assert got["status"] == "flagged"
    review = got["table4"]["admin_review"]
    assert (review["upheld"], review["pending"], review["total"]) == (0, 0, 11)
    assert review["corrected"] is None and review["other"] is None
    assert got["table4"]["litigation_direct"] == {"upheld": 3, "corrected": 3, "other": 0, "pending": 0, "total": 6}
    kept = next(
        c for c in got["cells"] if c["table"] == "table4" and c["row"] == "admin_review" and c["col"] == "total"
    )
    assert "same_in_every_split" in kept["flags"] and kept["raw"] == "11"


def test_a_row_that_breaks_its_own_total_is_settled_by_the_columns(tmp_path):
    # 本年新收 printed 151|3|0|0|0|0|155 (总计 one too many): no split of that run sums to its total,
    # but the column identities leave exactly one split, and the report is flagged
    got = _broken_dump(tmp_path, "申请数量15130000154", "申请数量15130000155")
    assert got["status"] == "flagged"
    assert got["table3"]["new_received"]["natural_person"] == 151
    assert any(i["code"] == "row_total_mismatch" for i in got["issues"])


def test_a_broken_column_balance_flags_the_report(tmp_path):
    # 结转下年度 自然人 printed 5 (and 总计 7) instead of 4 and 6: every row still splits one way by
    # its own total, but 本年新收 + 上年结转 = 办理结果总计 + 结转下年度 fails for 自然人
    got = _broken_dump(tmp_path, "继续办理4200006", "继续办理5200007")
    assert got["status"] == "flagged"
    issue = next(i for i in got["issues"] if i["code"] == "recovery_identity_failed")
    assert "自然人" in issue["message"]
    assert got["table3"]["carried_to_next"]["natural_person"] == 5
