"""A data-quality page per refresh: findings grouped by report, each with the rule, the two
sides of the comparison and the source cells as printed, with where they are in the document."""

from __future__ import annotations

import html
import json
import os
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from expectations.catalogue import rule as catalogue_rule
from extract.keys import cell_label

from .findings_zh import ISSUE_ZH, STATUS_ZH, explain
from .rule_results import findings_sql

MAX_REPORTS = 500  # a national warehouse has tens of thousands of reports with findings
TOTALS_SQL = """
select count(*), count(*) filter (where n_fail + n_warn > 0) from main.dq_report_summary
"""
REPORTS_SQL = f"""
select r.report_id, r.file_name, r.agency, r.report_year, r.format_version, r.status,
       s.n_fail, s.n_warn, s.n_pass, s.n_na
from main.dq_report_summary s join raw.reports r using (report_id)
where s.n_fail + s.n_warn > 0
order by s.n_fail desc, s.n_warn desc, r.file_name
limit {MAX_REPORTS}
"""
FINDINGS_SQL = f"""
with findings as ({findings_sql("variant = 'strict' and report_id in (select unnest($1))")}),
claims as (
    select report_id, 'claim:' || claim_key as ref, string_agg(sentence, ' / ') as sentence
    from raw.claims where report_id in (select unnest($1)) group by all
)
select d.report_id, d.rule_id, d.scope, d.lhs, d.rhs, d.status, to_json(d.source_provenance),
       (select string_agg(c.sentence, ' / ') from claims c
        where c.report_id = d.report_id and list_contains(d.source_cells, c.ref)) as claim
from findings d
order by d.report_id, d.rule_id, d.scope
"""
# reports the extractor could not read cleanly: flagged (loaded, some cells or fields doubtful)
# and quarantined (not loaded), with the problems it found
UNREAD_SQL = f"""
select r.report_id, r.file_name, r.agency, r.report_year, r.status,
       list(distinct i.code order by i.code), string_agg(i.message, ' / ' order by i.code)
from raw.reports r join raw.issues i using (report_id)
where r.superseded_by is null and r.status in ('flagged', 'quarantined') and i.severity in ('error', 'warning')
group by all
order by r.status, r.file_name
limit {MAX_REPORTS}
"""
SKIPPED_SQL = f"select path, reason from raw.skipped order by path limit {MAX_REPORTS}"
SKIP_ZH = {
    "hidden": "隐藏文件",
    "not_a_regular_file": "不是普通文件（管道、设备等），未打开",
    "link_outside_landing": "链接指向收件目录之外，未读取",
    "dangling_link": "链接指向的文件不存在",
    "link_to_folder": "指向目录的链接，未进入",
    "unreadable": "无法读取（权限或已被删除）",
}
STYLE = """
body{font-family:"Noto Sans CJK SC","WenQuanYi Zen Hei",sans-serif;margin:2em;color:#222}
h1{font-size:1.4em} h2{font-size:1.1em;margin-top:1.6em}
table{border-collapse:collapse;margin:.4em 0 1em} td,th{border:1px solid #bbb;padding:.25em .6em;text-align:left}
th{background:#f0f0f0} .fail{color:#b00020;font-weight:bold} .warn{color:#a05a00;font-weight:bold}
.muted{color:#777;font-size:.9em}
"""


def _e(value) -> str:
    return html.escape("" if value is None else str(value))


def _where(p: dict) -> str:
    if p.get("page"):
        return f"第{p['page']}页"
    if p.get("line"):
        return f"第{p['line']}行" + (f"，第{p['char_offset'] + 1}字" if p.get("char_offset") is not None else "")
    prov = json.loads(p.get("prov") or "{}")
    return ", ".join(f"{k} {v}" for k, v in prov.items())


def render(con: duckdb.DuckDBPyConnection, data_docs: str | None = None) -> str:
    """The page; ``data_docs``: a link to the Great Expectations Data Docs of the rule checks."""
    n_reports, n_with_findings = con.execute(TOTALS_SQL).fetchone()
    reports = con.execute(REPORTS_SQL).fetchall()
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    more = (
        f" · 另有 {n_with_findings - len(reports)} 份未列出 {n_with_findings - len(reports)} more not listed "
        "(main.dq_rule_results, alerts JSONL)"
        if n_with_findings > len(reports)
        else ""
    )
    out = [
        f"<!doctype html><html lang='zh'><head><meta charset='utf-8'><title>数据质量报告 Data quality</title>"
        f"<style>{STYLE}</style></head><body>",
        "<h1>政府信息公开年报数据质量报告 · Data-quality report</h1>",
        f"<p class='muted'>{now} · {n_reports} 份报告 reports · {n_with_findings} 份有问题 with findings{more}</p>",
        f"<p class='muted'>规则校验明细 Rule validations (Great Expectations Data Docs): <a href='{_e(data_docs)}'>"
        f"{_e(data_docs)}</a></p>"
        if data_docs
        else "",
        "<table><tr><th>报告 report</th><th>机构 agency</th><th>年度 year</th><th>格式 format</th>"
        "<th>未通过 fail</th><th>警告 warn</th><th>通过 pass</th><th>无法评估 n/a</th></tr>",
    ]
    for rid, file_name, agency, year, fmt, _status, n_fail, n_warn, n_pass, n_na in reports:
        cls = "fail" if n_fail else "warn"
        out.append(
            f"<tr><td><a href='#{rid}'>{_e(file_name)}</a></td><td>{_e(agency)}</td><td>{_e(year)}</td>"
            f"<td>{_e(fmt)}</td><td class='{cls}'>{n_fail}</td><td>{n_warn}</td><td>{n_pass}</td><td>{n_na}</td></tr>"
        )
    out.append("</table>")
    by_report: dict[str, list] = {}
    for rid, *row in con.execute(FINDINGS_SQL, [[r[0] for r in reports]]).fetchall():
        by_report.setdefault(rid, []).append(row)
    for rid, file_name, agency, year, *_ in reports:
        rows = by_report.get(rid)
        if not rows:
            continue
        out.append(f"<h2 id='{rid}'>{_e(agency)} {_e(year)} · {_e(file_name)}</h2>")
        out.append(
            "<table><tr><th>问题 finding</th><th>请核对 what to check</th><th>状态 status</th>"
            "<th>报告中印的数 source cells as printed</th></tr>"
        )
        for rule_id, scope, lhs, rhs, status, source_json, claim in rows:
            rule = catalogue_rule(rule_id)
            source = json.loads(source_json or "null") or []
            said = explain(rule_id, scope, lhs, rhs, {p["cell"]: p["value"] for p in source}, rule.title_zh)
            cells = "<br>".join(
                ("<b>★ 最可能有误</b> " if p["cell"] == said["suspect"] else "")
                + f"{_e(cell_label(p['cell']))} 「{_e(p['raw'])}」 <span class='muted'>{_e(_where(p))}</span>"
                for p in source
                if not p["cell"].startswith("claim:")
            )
            if claim:
                cells = f"正文：「{_e(claim)}」<br>{cells}"
            out.append(
                f"<tr><td>{_e(said['text'])}<br><span class='muted'>{_e(rule.title_zh)} · {_e(rule_id)} "
                f"{_e(scope)}</span></td><td>{_e(said['check'])}</td>"
                f"<td class='{status}'>{STATUS_ZH.get(status, status)}</td><td>{cells}</td></tr>"
            )
        out.append("</table>")
    out += _unread_section(con)
    skipped = con.execute(SKIPPED_SQL).fetchall()
    if skipped:
        out.append("<h2>未读取的条目 · Landing entries not read</h2>")
        out.append("<table><tr><th>路径 path</th><th>原因 reason</th></tr>")
        for p, r in skipped:
            words = SKIP_ZH.get(r.split(":")[0], r)  # "unreadable: <cause>" has its words too
            out.append(f"<tr><td>{_e(p)}</td><td>{_e(words)} <span class='muted'>{_e(r)}</span></td></tr>")
        out.append("</table>")
    out.append("</body></html>")
    return "\n".join(out)


def _unread_section(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Reports that were flagged or quarantined when read: what was wrong, in the office's words."""
    rows = con.execute(UNREAD_SQL).fetchall()
    if not rows:
        return []
    out = [
        "<h2>需要核对的文件 · Files flagged or quarantined when read</h2>",
        "<table><tr><th>文件 file</th><th>机构 agency</th><th>年度 year</th><th>状态 status</th>"
        "<th>问题 problems</th><th>详情 detail</th></tr>",
    ]
    for _rid, file_name, agency, year, status, codes, messages in rows:
        zh = "；".join(ISSUE_ZH.get(c, c) for c in codes)
        label = "已载入，待核对 flagged" if status == "flagged" else "未载入 quarantined"
        out.append(
            f"<tr><td>{_e(file_name)}</td><td>{_e(agency)}</td><td>{_e(year)}</td><td class='warn'>{label}</td>"
            f"<td>{_e(zh)}</td><td class='muted'>{_e(messages)}</td></tr>"
        )
    out.append("</table>")
    return out


def write_report(con: duckdb.DuckDBPyConnection, path: Path, data_docs: Path | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    link = os.path.relpath(data_docs, path.parent) if data_docs and data_docs.exists() else None
    path.write_text(render(con, link), encoding="utf-8")
    return path
