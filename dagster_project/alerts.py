"""Data-quality alerts: after each refresh, findings (a report's failures or warnings of one rule,
all failing scopes together, and reports that could not be read cleanly) that are new since the
previous runs go to the configured sinks, each sink at most once per finding, in Chinese first.

Sinks: a JSONL file (always), a webhook (``OGI_ALERT_WEBHOOK``: a DingTalk, WeCom or Feishu robot,
or any URL taking JSON; channels.py) and e-mail over SMTP (``OGI_SMTP_*``, ``OGI_ALERT_EMAIL_TO``).
A sink that fails is retried at the next refresh; the others are not repeated. Alerts name the
report by its file name and, when it was fetched, its URL: never a local path."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

import duckdb

from alerting.channels import compose
from alerting.sinks import LOG_DDL, Sinks, deliver
from expectations.catalogue import rule as catalogue_rule
from extract.keys import cell_label

from .findings_zh import ISSUE_ZH, STATUS_ZH, explain
from .raw_load import fetch_hints
from .rule_results import findings_sql

ALERT_CHUNK = 5_000  # reports whose findings are gathered and sent at a time
# one finding per report and rule, listing each failing scope with its numbers; if the numbers
# change, it is a new finding
FINDINGS_SQL = f"""
select
    d.report_id, d.rule_id, d.scope, d.lhs, d.rhs, d.delta, d.status, d.severity,
    r.file_name, r.agency, r.report_year,
    to_json(d.source_provenance) as source_json
from ({findings_sql("variant = 'strict' and report_id in (select unnest($1))")}) d
join raw.reports r using (report_id)
order by r.file_name, d.rule_id, d.scope
"""
# reports read with doubtful cells or fields (flagged) or not read at all (quarantined), loaded
# since the sinks last delivered everything
UNREAD_SQL = """
select r.report_id, r.file_name, r.agency, r.report_year, r.status, list(distinct i.code order by i.code)
from raw.reports r join raw.issues i using (report_id)
where r.superseded_by is null and r.status in ('flagged', 'quarantined') and i.severity in ('error', 'warning')
  and r._loaded_at > ?
group by all
order by r.file_name
"""


def _where(p: dict) -> str:
    return f" 第{p['page']}页" if p.get("page") else f" 第{p['line']}行" if p.get("line") else ""


def _compose(a: dict, lines: list[str], check: str) -> None:
    report = f"{a['agency'] or '（未写明机关）'} {a['year'] or '（未写明年度）'}年报告"
    a.update(compose(f"{report}：{a['title_zh']}（{a['status_zh']}）", lines, check, a["url"] or a["file"]))


def findings(con: duckdb.DuckDBPyConnection, report_ids: list[str]) -> list[dict]:
    """The current findings of these reports, one per report and rule."""
    grouped: dict[tuple[str, str], dict] = {}
    urls = {sha: h["url"] for sha, h in fetch_hints(con, report_ids).items()}
    for rid, rule_id, scope, lhs, rhs, delta, status, severity, file, agency, year, source_json in con.execute(
        FINDINGS_SQL, [report_ids]
    ).fetchall():
        a = grouped.get((rid, rule_id))
        if a is None:
            rule = catalogue_rule(rule_id)
            a = grouped[(rid, rule_id)] = {
                "report_id": rid,
                "rule_id": rule_id,
                "rule_version": rule.version,
                "title_zh": rule.title_zh,
                "title_en": rule.title_en,
                "status": status,
                "status_zh": STATUS_ZH.get(status, status),
                "severity": severity,
                "file": file,
                "url": urls.get(rid),
                "agency": agency,
                "year": year,
                "scopes": [],
                "source": [],
            }
        source = json.loads(source_json or "null") or []
        said = explain(rule_id, scope, lhs, rhs, {p["cell"]: p["value"] for p in source}, a["title_zh"])
        a["scopes"].append(
            {
                "scope": scope,
                "lhs": lhs,
                "rhs": rhs,
                "delta": delta,
                "text_zh": said["text"],
                "check_zh": said["check"],
                "suspect": said["suspect"],
            }
        )
        seen = {p["cell"] for p in a["source"]}
        for p in source:
            if p["cell"] not in seen:
                p.pop("prov", None)
                a["source"].append({**p, "label_zh": cell_label(p["cell"])})
    out = []
    for a in grouped.values():
        numbers = "|".join(f"{x['scope']}:{x['lhs']}:{x['rhs']}" for x in a["scopes"])
        a["finding_key"] = hashlib.md5(f"{a['report_id']}|{a['rule_id']}|{numbers}".encode()).hexdigest()
        suspects = {x["suspect"] for x in a["scopes"] if x["suspect"]}
        cells = [f"{p['label_zh']}「{p['raw']}」{_where(p)}" for p in a["source"] if p["cell"] in suspects]
        check = a["scopes"][0]["check_zh"] + (f" 最可能有误：{'；'.join(cells)}" if cells else "")
        _compose(a, [x["text_zh"] for x in a["scopes"]], check)
        out.append(a)
    return out


def unread_findings(con: duckdb.DuckDBPyConnection, since: datetime) -> list[dict]:
    """Reports that could not be read cleanly, loaded since ``since``: "your PDF cannot be read" is
    the most useful thing an office can be told."""
    rows = con.execute(UNREAD_SQL, [since]).fetchall()
    urls = {sha: h["url"] for sha, h in fetch_hints(con, [r[0] for r in rows]).items()}
    out = []
    for rid, file, agency, year, status, codes in rows:
        flagged = status == "flagged"
        a = {
            "report_id": rid,
            "rule_id": "extraction",
            "title_zh": "报告未能完整读取" if flagged else "报告无法读取",
            "title_en": "report flagged when read" if flagged else "report could not be read",
            "status": status,
            "status_zh": "已载入，待核对" if flagged else "未载入",
            "severity": "warn",
            "file": file,
            "url": urls.get(rid),
            "agency": agency,
            "year": year,
            "issues": codes,
            "finding_key": hashlib.md5(f"{rid}|extraction|{status}|{','.join(codes)}".encode()).hexdigest(),
        }
        check = (
            "请核对报告中相关的单元格和字段；" if flagged else ""
        ) + "请发布可读取的版本（网页、可复制文字的 PDF 或 Word）。"
        _compose(a, [ISSUE_ZH.get(c, c) for c in codes], check)
        out.append(a)
    return out


def send_new_alerts(con: duckdb.DuckDBPyConnection, sinks: Sinks) -> dict[str, int | str]:
    """Send each sink the rule findings it has not had yet. Only reports judged since every sink
    last delivered everything are looked at, a chunk of reports at a time: a national warehouse
    neither re-reads old findings nor holds them all in memory."""
    con.execute(LOG_DDL)
    state = dict(con.execute("select sink, delivered_through from main.dq_alert_state").fetchall())
    since = min((state.get(s) or datetime.min for s in sinks.names()), default=datetime.min)
    through = con.execute("select max(evaluated_at) from main.dq_rule_results").fetchone()[0]
    ids = [
        r
        for (r,) in con.execute(
            "select distinct report_id from main.dq_rule_results "
            "where status in ('fail', 'warn') and variant = 'strict' and evaluated_at > ? order by 1",
            [since],
        ).fetchall()
    ]
    result: dict[str, int | str] = dict.fromkeys(sinks.names(), 0)
    chunks = (findings(con, ids[start : start + ALERT_CHUNK]) for start in range(0, len(ids), ALERT_CHUNK))
    for current in (unread_findings(con, since), *chunks):
        for sink, sent in deliver(con, sinks, current).items():
            before = result[sink]  # a failure message stays: the sink is tried again next refresh
            result[sink] = before if isinstance(before, str) else sent if isinstance(sent, str) else before + sent
    for sink, sent in result.items():
        if isinstance(sent, int) and through is not None:
            con.execute("insert or replace into main.dq_alert_state values (?, ?)", [sink, through])
    return result
