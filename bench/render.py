"""Render a report whose every number is known in advance, in the shapes real reports come in.

A ``Sample`` holds the truth (values as they must be extracted, in the shape of the truth files)
and what is printed in each cell (which may differ: '—' for an NA value, '251000元' for 25.1
万元, '3,985,758' for 3985758, '' for a blank). The renderers lay it out as an HTML page with real
merged cells, a filled national DOCX template, a tab-separated text export, a one-cell-per-line
web-page text, or a markdown table."""

from __future__ import annotations

import html as h
import re
from dataclasses import dataclass, field
from pathlib import Path

import docx

from extract.keys import T2_ITEMS, T2_METRIC_LABELS, T3_COLUMNS, T3_ROW_BY_KEY, T4_OUTCOMES, T4_PROCS
from extract.values import looks_like_value

TEMPLATE = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "templates" / "gb2021-blank-template.docx"
T2_TEMPLATE_ROWS = {
    2: "regulation",
    3: "normative_doc",
    6: "admin_license",
    9: "admin_penalty",
    10: "admin_coercion",
    13: "admin_fee",
}
T2_GROUPS = (
    ("（一）", ("regulation", "normative_doc")),
    ("（五）", ("admin_license", "other_external_service")),
    ("（六）", ("admin_penalty", "admin_coercion")),
    ("（八）", ("admin_fee",)),
    ("（九）", ("gov_procurement",)),
)
T2_LABELS = {spec.key: spec.label for spec in T2_ITEMS}
T3_GROUP_LABELS = {
    "withheld": "（三）不予公开",
    "unable": "（四）无法提供",
    "rejected": "（五）不予处理",
    "other": "（六）其他处理",
}
T3_HEADER_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
ORG_COLUMNS = ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")
T4_HEADS = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")


@dataclass
class Sample:
    truth: dict
    printed: dict[tuple[str, str, str], str] = field(default_factory=dict)
    halfwidth: bool = False  # '(一) 予以公开' instead of '（一）予以公开'
    wrap: bool = False  # line breaks inside long labels and header cells
    title_lines: int = 1
    # where agency and year are stated (see METADATA_PLACES); "title": the printed title, as most do
    placement: str = "title"
    published: str | None = None  # the page's 发布时间, when the shape prints one
    carrier: str = ""  # the format a "metadata" sample is printed as (html or docx)
    states_cases: bool = False  # the narrative also states the reviews and lawsuits, as many do

    def value(self, table: str, row: str, col: str) -> str:
        if (table, row, col) in self.printed:
            return self.printed[(table, row, col)]
        v = self.truth[table][row][col]
        return f"{v:.6f}".rstrip("0").rstrip(".") if isinstance(v, float) else str(v)

    def label(self, text: str, sep: str = "\n") -> str:
        if self.halfwidth:
            text = re.sub(r"（(.)）", r"(\1) ", text).replace("（", "(").replace("）", ")")
        if self.wrap and len(text) > 10:
            cut = len(text) // 2
            text = text[:cut] + sep + text[cut:]
        return text

    def title(self) -> list[str]:
        r = self.truth["report"]
        if self.title_lines == 2:
            return [r["agency"], f"{r['year']}年政府信息公开工作年度报告"]
        return [f"{r['agency']}{r['year']}年政府信息公开工作年度报告"]

    def full_title(self) -> str:
        return "".join(self.title())

    def printed_title(self) -> list[str]:
        """The title lines the body prints: none when the metadata is placed elsewhere; without
        the year when only the statistics period states it."""
        if self.placement == "period":
            return [f"{self.truth['report']['agency']}政府信息公开工作年度报告"]
        return self.title() if self.placement in ("title", "conflict") else []

    def decoy_title(self) -> str:
        """A different agency and year, for the places that lose to the printed title."""
        r = self.truth["report"]
        return f"{r['agency'][:2]}某某局{r['year'] - 1}年度政府信息公开工作年度报告"

    def t3_rows(self):
        """(row key, group label or None, item label, is first row of its group, group size)."""
        keys = list(self.truth["table3"])
        out = []
        for key in keys:
            spec = T3_ROW_BY_KEY[key]
            group = spec.group if spec.group in T3_GROUP_LABELS and key != "grp_other" else None
            members = [k for k in keys if T3_ROW_BY_KEY[k].group == group and k != "grp_other"] if group else []
            out.append((key, T3_GROUP_LABELS.get(group), spec.label, bool(members) and members[0] == key, len(members)))
        return out


def _metric_label(metric: str) -> str:
    return T2_METRIC_LABELS[metric].replace("（万元）", "（单位：万元）")


def signature(sample: Sample) -> list[str]:
    """The signature block at the end: the agency and a date, when the metadata is placed there."""
    if sample.placement != "signature":
        return []
    return [sample.truth["report"]["agency"], f"{sample.truth['report']['year'] + 1}年1月20日"]


def _narrative(sample: Sample) -> dict[str, list[str]]:
    t3 = sample.truth["table3"]
    year = sample.truth["report"]["year"]
    period = (
        [f"本报告所列数据统计期限为{year}年1月1日至{year}年12月31日。"]
        if sample.placement
        in (
            "period",
            "signature",
        )
        else []
    )
    t4 = sample.truth["table4"]
    cases = []
    if sample.states_cases:
        lawsuits = (t4["litigation_direct"]["total"] or 0) + (t4["litigation_after_review"]["total"] or 0)
        cases = [f"因政府信息公开引发行政复议{t4['admin_review']['total'] or 0}件，行政诉讼{lawsuits}件。"]
    return {
        "一、总体情况": [*period, f"本年度共收到政府信息公开申请{t3['new_received']['total']}件。", *cases],
        "五、存在的主要问题及改进情况": ["工作人员培训不足，下一步加强培训。"],
        "六、其他需要报告的事项": ["本年度未收取信息处理费。"],
    }


# ---- HTML -----------------------------------------------------------------------------------


def render_html(sample: Sample, path: Path, encoding: str = "utf-8") -> None:
    def td(text, **attrs):
        a = "".join(f' {k}="{v}"' for k, v in attrs.items() if v != 1)
        body = "<br>".join(h.escape(part) for part in str(text).split("\n")) if text != "" else "&nbsp;"
        return f"<td{a}>{body}</td>"

    t = sample.truth
    narrative = _narrative(sample)
    place = sample.placement
    head_title = {"title": sample.full_title(), "html_title": sample.full_title() + "_年报_政府网站"}.get(place, "")
    if place == "conflict":
        head_title = sample.decoy_title()
    metas = ""
    if place in ("meta", "conflict"):
        article = sample.full_title() if place == "meta" else sample.decoy_title()
        metas = f'<meta name="ArticleTitle" content="{h.escape(article)}">'
    if sample.published:
        metas += f'<meta name="PubDate" content="{sample.published} 09:30">'
    fields = ["<p>索引号：</p>"]
    if place == "page_field":
        fields.append(f"<p>标题：{h.escape(sample.full_title())}</p>")
    out = [
        f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={encoding}">{metas}'
        f"<title>{h.escape(head_title)}</title></head><body>",
        '<div class="nav">首页 &gt; 政府信息公开 &gt; 年报</div><table class="layout"><tr><td>',
        *(f"<h2>{h.escape(x)}</h2>" for x in sample.printed_title()),
        *fields,
        *(f"<p>{x}</p>" for x in ["一、总体情况", *narrative["一、总体情况"]]),
        "<p>二、主动公开政府信息情况</p><table border=1>",
    ]
    for group, items in T2_GROUPS:
        items = [i for i in items if i in t["table2"]]
        if not items:
            continue
        metrics = list(t["table2"][items[0]])
        span = 3 // len(metrics) if len(metrics) < 3 else 1
        out.append(f"<tr>{td('第二十条第' + group + '项', colspan=len(metrics) + 1)}</tr>")
        out.append(
            f"<tr>{td('信息内容')}{''.join(td(sample.label(_metric_label(m)), colspan=span) for m in metrics)}</tr>"
        )
        for item in items:
            out.append(
                f"<tr>{td(T2_LABELS[item])}"
                + "".join(td(sample.value("table2", item, m), colspan=span) for m in metrics)
                + "</tr>"
            )
    out.append("</table><p>三、收到和处理政府信息公开申请情况</p><table border=1>")
    out.append(f"<tr>{td(sample.label(T3_HEADER_NOTE), colspan=3, rowspan=3)}{td('申请人情况', colspan=7)}</tr>")
    out.append(f"<tr>{td('自然人', rowspan=2)}{td('法人或其他组织', colspan=5)}{td('总计', rowspan=2)}</tr>")
    out.append("<tr>" + "".join(td(sample.label(x) if len(x) > 4 else x) for x in ORG_COLUMNS) + "</tr>")
    rows = sample.t3_rows()
    n_outcome = sum(1 for k, *_ in rows if k.startswith(("out_", "grp_")))
    for key, group, label, first, size in rows:
        cells = "".join(td(sample.value("table3", key, c)) for c in T3_COLUMNS)
        lead = td(sample.label("三、本年度办理结果"), rowspan=n_outcome) if key == "out_granted" else ""
        if key in ("new_received", "carried_over", "carried_to_next"):
            out.append(f"<tr>{td(sample.label(label), colspan=3)}{cells}</tr>")
        elif group:
            g = td(sample.label(group), rowspan=size) if first else ""
            out.append(f"<tr>{lead}{g}{td(sample.label(label))}{cells}</tr>")
        else:
            out.append(f"<tr>{lead}{td(sample.label(label), colspan=2)}{cells}</tr>")
    out.append("</table><p>四、政府信息公开行政复议、行政诉讼情况</p><table border=1>")
    out.append(f"<tr>{td('行政复议', colspan=5)}{td('行政诉讼', colspan=10)}</tr>")
    heads = "".join(td(x, rowspan=2) for x in T4_HEADS)
    out.append(f"<tr>{heads}{td('未经复议直接起诉', colspan=5)}{td('复议后起诉', colspan=5)}</tr>")
    out.append("<tr>" + "".join(td(x) for x in T4_HEADS) * 2 + "</tr>")
    out.append("<tr>" + "".join(td(sample.value("table4", p, o)) for p in T4_PROCS for o in T4_OUTCOMES) + "</tr>")
    out.append("</table>")
    for head in ("五、存在的主要问题及改进情况", "六、其他需要报告的事项"):
        out += [f"<p>{head}</p>", *(f"<p>{x}</p>" for x in narrative[head])]
    out += [f"<p>{h.escape(x)}</p>" for x in signature(sample)]
    out.append("</td></tr></table></body></html>")
    path.write_bytes("\n".join(out).encode(encoding))


# ---- DOCX (the national gb2021 template) ----------------------------------------------------


def _unique_cells(cells):
    out, seen = [], set()
    for c in cells:
        if id(c._tc) not in seen:
            seen.add(id(c._tc))
            out.append(c)
    return out


def render_docx(sample: Sample, path: Path) -> None:
    t = sample.truth
    assert t["report"]["format_version"] == "gb2021" and "out_other_misc" in t["table3"], "gb2021 template only"
    d = docx.Document(str(TEMPLATE))
    d.paragraphs[0].text = "\n".join(sample.printed_title())
    d.core_properties.title = sample.full_title() if sample.placement == "properties" else ""
    period = [x for x in _narrative(sample)["一、总体情况"] if x.startswith("本报告所列数据统计期限")]
    if period:
        d.paragraphs[1].insert_paragraph_before(period[0])
    for line in signature(sample):
        d.add_paragraph(line)
    t2, t3, t4 = d.tables
    for r, item in T2_TEMPLATE_ROWS.items():
        for cell, metric in zip(_unique_cells(t2.rows[r].cells[1:]), t["table2"][item], strict=True):
            cell.text = sample.value("table2", item, metric)
    for row, key in zip(t3.rows[3:], t["table3"], strict=True):
        for cell, col in zip(row.cells[3:], T3_COLUMNS, strict=True):
            cell.text = sample.value("table3", key, col)
    for cell, (p, o) in zip(t4.rows[3].cells, [(p, o) for p in T4_PROCS for o in T4_OUTCOMES], strict=True):
        cell.text = sample.value("table4", p, o)
    d.save(str(path))


# ---- plain text -------------------------------------------------------------------------------


def _text_blocks(sample: Sample):
    """(kind, payload) items in reading order: ('line', text) or ('row', [cells]) or
    ('t3', key, group label or None, item label, first)."""
    t = sample.truth
    narrative = _narrative(sample)
    yield from (("line", x) for x in sample.printed_title())
    yield from (("line", x) for x in ["一、总体情况", *narrative["一、总体情况"], "二、主动公开政府信息情况"])
    for group, items in T2_GROUPS:
        items = [i for i in items if i in t["table2"]]
        if not items:
            continue
        metrics = list(t["table2"][items[0]])
        yield "row", ["第二十条第" + group + "项"]
        yield "row", ["信息内容", *(sample.label(_metric_label(m)) for m in metrics)]
        for item in items:
            yield "row", [T2_LABELS[item], *(sample.value("table2", item, m) for m in metrics)]
    yield "line", "三、收到和处理政府信息公开申请情况"
    yield "row", [sample.label(T3_HEADER_NOTE), "申请人情况", "总计"]
    yield "row", ["自然人", "法人或其他组织"]
    yield "row", list(ORG_COLUMNS)
    for key, group, label, first, _ in sample.t3_rows():
        block = "三、本年度办理结果" if key == "out_granted" else None
        yield "t3", key, block, group if first else None, sample.label(label)
    yield "line", "四、政府信息公开行政复议、行政诉讼情况"
    yield "row", ["行政复议", "行政诉讼"]
    yield "row", [*T4_HEADS, "未经复议直接起诉", "复议后起诉"]
    yield "row", list(T4_HEADS) * 2
    yield "row", [sample.value("table4", p, o) for p in T4_PROCS for o in T4_OUTCOMES]
    for head in ("五、存在的主要问题及改进情况", "六、其他需要报告的事项"):
        yield from (("line", x) for x in [head, *narrative[head]])
    yield from (("line", x) for x in signature(sample))


def render_tsv(sample: Sample, path: Path, rng) -> None:
    """Tab-separated rows with drifting offsets and merged cells as empty cells (seeds 000, 002)."""
    lines = []
    for item in _text_blocks(sample):
        if item[0] == "line":
            lines.append(item[1])
        elif item[0] == "row":
            lines.append("\t".join(c.replace("\n", " ") for c in item[1]) + "\t" * rng.randint(0, 2))
        else:
            _, key, block, group, label = item
            lead = [x for x in (block, group) if x] or [""] * rng.randint(0, 2)
            values = [sample.value("table3", key, c) for c in T3_COLUMNS]
            cells = [*lead, label.replace("\n", " "), *[""] * rng.randint(0, 1), *values, *[""] * rng.randint(0, 1)]
            lines.append("\t".join(cells))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def render_cell_per_line(sample: Sample, path: Path) -> None:
    """One cell per line with blank lines between cells, as text copied from a web page (seed 001)."""
    lines = ["登录 | 注册", "  • 索引号", "  • 发布日期"]
    for item in _text_blocks(sample):
        if item[0] == "line":
            lines += [item[1], ""]
        elif item[0] == "row":
            for cell in item[1]:
                lines += [*cell.split("\n"), ""]
        else:
            _, key, block, group, label = item
            for cell in [x for x in (block, group) if x] + [label]:
                lines += [cell.replace("\n", ""), ""]
            for c in T3_COLUMNS:
                lines += [sample.value("table3", key, c), ""]
    path.write_text("\n".join(lines), encoding="utf-8")


def render_run_together(sample: Sample, path: Path, rng, numbered: bool = True, one_line: bool = True) -> None:
    """A crawler's text dump (the shared corpus's text/pingtan-2025.txt): header fields, then the
    report with every table cell run into its neighbours, no separators; on one line, or one line
    per table row. Without ``numbered`` the item labels lose their '1.' numbers."""

    def label(text: str) -> str:
        text = text.replace("\n", "")
        return text if numbered or looks_like_value(text) else re.sub(r"^\d+[.．]", "", text)

    parts = []
    for item in _text_blocks(sample):
        if item[0] == "line":
            parts.append(item[1])
        elif item[0] == "row":
            parts.append("".join(label(c) for c in item[1]))
        else:
            _, key, block, group, text = item
            values = "".join(sample.value("table3", key, c) for c in T3_COLUMNS)
            parts.append("".join(x for x in (block, group) if x) + label(text) + values)
    r = sample.truth["report"]
    header = [
        f"标题: {sample.full_title() if sample.placement == 'title' else ''}",
        f"发布时间: {sample.published} 12:56" if sample.published else "发布时间: ",
        "文号: ",
        f"发布机构: {r['agency']}办公室",
        "==================== 正文 ====================",
    ]
    body = "".join(parts) if one_line else "\n".join(parts)
    path.write_text("\n".join(header) + "\n" + body + "\n", encoding="utf-8")


def render_markdown(sample: Sample, path: Path, rng=None) -> None:
    """Markdown tables (pipes), as produced by document converters. With ``rng``, as a PDF
    converter that ran pairs of 表三 rows into one line: both labels in one cell and 14 values
    where the form has 7 (at most two pairs); and, in a quarter of them, that let the 表四 heading
    and header drift above 表三's last one or two rows."""
    lines, width, merged = [], 0, 0
    pending = None
    for item in _text_blocks(sample):
        if item[0] == "line":
            lines += ["", item[1], ""]
            width = 0
            continue
        if item[0] == "row":
            cells = [c.replace("\n", " ") for c in item[1]]
        else:
            _, key, block, group, text = item
            text = text.replace("\n", " ")
            values = [sample.value("table3", key, c) for c in T3_COLUMNS]
            if pending is not None:
                p_block, p_group, p_text, p_values = pending
                pending = None
                cells = [p_block or block or "", p_group or group or "", f"{p_text} {text}", *p_values, *values]
                merged += 1
            elif rng and merged < 2 and key.startswith("out_") and key != "out_total" and rng.random() < 0.3:
                pending = (block, group, text, values)
                continue
            else:
                cells = [block or "", group or "", text, *values]
        lines.append("| " + " | ".join(cells) + " |")
        if width == 0:
            width = len(cells)
            lines.append("|" + "---|" * width)
    if rng and rng.random() < 0.25:
        heading = next(i for i, ln in enumerate(lines) if "行政复议、行政诉讼" in ln and not ln.startswith("|"))
        last = max(i for i in range(heading) if lines[i].startswith("|"))
        at = last + 1 - rng.choice((1, 2))
        lines[at:at] = lines[heading : heading + 4]  # heading, blank line, header row, rule
        del lines[heading + 4 : heading + 8]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def render_xlsx(sample: Sample, path: Path) -> None:
    """One worksheet holding the report as an office types it into Excel: title and section
    lines in the first column, the three tables as rows of cells, counts as numbers."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for item in _text_blocks(sample):
        if item[0] == "line":
            sheet.append([item[1]])
        elif item[0] == "row":
            sheet.append([_typed(c.replace("\n", "")) for c in item[1]])
        else:
            _, key, block, group, label = item
            values = [_typed(sample.value("table3", key, c)) for c in T3_COLUMNS]
            sheet.append([block or "", group or "", label.replace("\n", ""), *values])
    book.save(path)


def _typed(text: str):
    """A printed value as Excel holds it: plain numbers as numbers, anything else as text."""
    if re.fullmatch(r"\d+", text):
        return int(text)
    if re.fullmatch(r"\d+\.\d+", text):
        return float(text)
    return text
