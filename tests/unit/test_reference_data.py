"""Reference data the marts join: 表二's labels (a seed that must say what extract/keys.py says),
the administrative divisions an agency's name is placed by, and findings in the form's words."""

import csv

from dagster_project.findings_zh import explain
from dagster_project.places import divisions, place_names
from extract.keys import MONEY_METRICS, T2_ITEMS, T2_METRIC_LABELS, T2_METRICS
from tests.conftest import ROOT


def test_the_proactive_item_seed_matches_the_canonical_keys():
    with (ROOT / "dbt" / "seeds" / "proactive_items.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    labels = {s.key: s.label for s in T2_ITEMS}
    expected = {(v, item, m) for v, items in T2_METRICS.items() for item, metrics in items.items() for m in metrics}
    assert {(r["format_version"], r["item_key"], r["metric_key"]) for r in rows} == expected
    for r in rows:
        assert r["item_label_zh"] == labels[r["item_key"]] and r["metric_label_zh"] == T2_METRIC_LABELS[r["metric_key"]]
        assert (r["unit"] == "万元") == (r["metric_key"] in MONEY_METRICS)


def _place(name: str) -> set[str]:
    index: dict[str, set[str]] = {}
    for p in place_names(ROOT / "data" / "place_aliases.csv"):
        index.setdefault(p["prefix"], set()).add(p["code"])
    for k in range(len(name), 1, -1):
        if name[:k] in index:
            return index[name[:k]]
    return set()


def test_agency_names_are_placed_by_the_division_they_begin_with():
    assert len(divisions()) > 3000  # 34 provinces, their cities and counties
    assert _place("淮安市洪泽区人民政府") == _place("江苏省淮安市洪泽区人民政府") == {"320813"}
    assert _place("金平县人民政府") == {"532530"}  # 金平苗族瑶族傣族自治县, printed short
    assert _place("红河州人民政府办公室") == {"532500"}
    assert _place("平潭综合实验区") == {"350128"}  # a reviewed alias: the zone governs 平潭县
    assert len(_place("鼓楼区人民政府")) == 4  # 南京, 徐州, 福州, 开封: unknown, never one of them
    assert _place("国家税务总局某某税务局") == set()


def test_a_printed_total_that_is_not_the_sum_is_named_as_the_likely_error():
    cells = {f"table3.out_total.{c}": v for c, v in (("natural_person", 7), ("total", 7))}
    cells |= {"table3.out_granted.natural_person": 4, "table3.out_partial.natural_person": 2}
    cells |= {"table3.new_received.natural_person": 9, "table3.carried_to_next.natural_person": 3}  # not outcomes
    said = explain("R03_t3_out_total_eq_leaf_sum", "natural_person", 6, 7, cells, "")
    assert said["text"] == "自然人列：予以公开 4 + 部分公开 2 = 6，但（七）总计印的是 7，相差 1"
    assert said["suspect"] == "table3.out_total.natural_person"
    row = {f"table3.new_received.{c}": 1 for c in ("natural_person", "commercial_enterprise")} | {
        "table3.new_received.total": 3
    }
    said = explain("R02_t3_total_col_eq_sum_applicants", "new_received", 2, 3, row, "")
    assert "总计列印的是 3，相差 1" in said["text"] and said["suspect"] == "table3.new_received.total"
