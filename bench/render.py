"""Render a report with known values (a truth dict) as a filled national DOCX template or as an
HTML page with real merged cells: test documents whose every number is known in advance."""

from __future__ import annotations

import html as h
from pathlib import Path

import docx

from extract.keys import T2_ITEMS, T2_METRIC_LABELS, T3_COLUMNS, T3_ROW_BY_KEY, T4_OUTCOMES, T4_PROCS

TEMPLATE = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "templates" / "gb2021-blank-template.docx"
T2_GB2021_ROWS = {
    2: "regulation",
    3: "normative_doc",
    6: "admin_license",
    9: "admin_penalty",
    10: "admin_coercion",
    13: "admin_fee",
}


def _fmt(v) -> str:
    if v is None:
        return ""
    return f"{v:g}" if isinstance(v, float) else str(v)


def title(truth: dict) -> str:
    r = truth["report"]
    return f"{r['agency']}{r['year']}年政府信息公开工作年度报告"


def render_docx(truth: dict, path: Path) -> None:
    """Fill the blank gb2021 template (three tables, merged cells as in the official form)."""
    assert truth["report"]["format_version"] == "gb2021" and "out_other_misc" in truth["table3"]
    d = docx.Document(str(TEMPLATE))
    d.paragraphs[0].text = title(truth)
    t2, t3, t4 = d.tables
    for r, item in T2_GB2021_ROWS.items():
        for tc_cell, value in zip(_unique_cells(t2.rows[r].cells[1:]), truth["table2"][item].values(), strict=True):
            tc_cell.text = _fmt(value)
    for row, key in zip(t3.rows[3:], truth["table3"], strict=True):
        for cell, col in zip(row.cells[3:], T3_COLUMNS, strict=True):
            cell.text = _fmt(truth["table3"][key][col])
    for cell, (p, o) in zip(t4.rows[3].cells, [(p, o) for p in T4_PROCS for o in T4_OUTCOMES], strict=True):
        cell.text = _fmt(truth["table4"][p][o])
    d.save(str(path))


def _unique_cells(cells):
    out, seen = [], set()
    for c in cells:
        if id(c._tc) not in seen:
            seen.add(id(c._tc))
            out.append(c)
    return out


def render_html(truth: dict, path: Path, encoding: str = "utf-8") -> None:
    """An HTML page in the national layout: rowspan/colspan headers, &nbsp; for blank cells."""

    def td(text, **attrs):
        a = "".join(f' {k}="{v}"' for k, v in attrs.items())
        return f"<td{a}>{h.escape(str(text)) if text not in ('', None) else '&nbsp;'}</td>"

    out = [
        f'<html><head><meta charset="{encoding}"><title>{title(truth)}</title></head><body>',
        '<div class="nav">首页 &gt; 政府信息公开年报</div>',
        f"<h1>{title(truth)}</h1>",
        "<p>一、总体情况</p><p>（略）</p><p>二、主动公开政府信息情况</p><table border=1>",
    ]
    version = truth["report"]["format_version"]
    for item in T2_ITEMS:
        if item.key not in truth["table2"]:
            continue
        metrics = truth["table2"][item.key]
        out.append(f"<tr>{td('信息内容')}{''.join(td(T2_METRIC_LABELS[m]) for m in metrics)}</tr>")
        out.append(
            f"<tr>{td(item.label if version == 'gb2021' or item.key != 'normative_doc' else '规范性文件')}"
            + "".join(td(_fmt(v)) for v in metrics.values())
            + "</tr>"
        )
    out.append("</table><p>三、收到和处理政府信息公开申请情况</p><table border=1>")
    out.append(
        f"<tr>{td('（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）', colspan=3, rowspan=3)}"
        f"{td('申请人情况', colspan=7)}</tr>"
    )
    out.append(f"<tr>{td('自然人', rowspan=2)}{td('法人或其他组织', colspan=5)}{td('总计', rowspan=2)}</tr>")
    out.append(
        "<tr>" + "".join(td(x) for x in ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")) + "</tr>"
    )
    for key, cols in truth["table3"].items():
        label = T3_ROW_BY_KEY[key].label
        out.append(f"<tr>{td(label, colspan=3)}" + "".join(td(_fmt(cols[c])) for c in T3_COLUMNS) + "</tr>")
    out.append("</table><p>四、政府信息公开行政复议、行政诉讼情况</p><table border=1>")
    out.append(f"<tr>{td('行政复议', colspan=5)}{td('行政诉讼', colspan=10)}</tr>")
    heads = "".join(td(x) for x in ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计"))
    out.append(f"<tr>{heads}{td('未经复议直接起诉', colspan=5)}{td('复议后起诉', colspan=5)}</tr>")
    out.append(f"<tr>{heads * 2}</tr>")
    out.append("<tr>" + "".join(td(_fmt(truth["table4"][p][o])) for p in T4_PROCS for o in T4_OUTCOMES) + "</tr>")
    out.append("</table><p>五、存在的主要问题及改进情况</p><p>（略）</p><p>六、其他需要报告的事项</p><p>无。</p>")
    out.append("</body></html>")
    path.write_bytes("\n".join(out).encode(encoding, errors="strict"))
