"""Data-quality alerts: after each refresh, findings (a report's failures or warnings of one rule,
all failing scopes together) that are new since the previous runs go to the configured sinks,
each sink at most once per finding.

Sinks: a JSONL file (always), a webhook (POST JSON, ``OGI_ALERT_WEBHOOK``) and e-mail over SMTP
(``OGI_SMTP_HOST``, ``OGI_SMTP_PORT``, ``OGI_ALERT_EMAIL_TO``, ``OGI_ALERT_EMAIL_FROM``). A sink
that fails is retried at the next refresh; the others are not repeated."""

from __future__ import annotations

import hashlib
import json
import os
import smtplib
import time
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import duckdb
import pandas as pd

from expectations.catalogue import rule as catalogue_rule

from .rule_results import findings_sql

LOG_DDL = """
create table if not exists main.dq_alert_log (
    finding_key varchar, sink varchar, sent_at timestamp, primary key (finding_key, sink));
create table if not exists main.dq_alert_state (sink varchar primary key, delivered_through timestamp);
"""
ALERT_CHUNK = 5_000  # reports whose findings are gathered and sent at a time
# one finding per report and rule, listing each failing scope with its numbers; if the numbers
# change, it is a new finding
FINDINGS_SQL = f"""
select
    d.report_id, d.rule_id, d.scope, d.lhs, d.rhs, d.delta, d.status, d.severity,
    r.file_name, r.agency, r.report_year, f.path,
    to_json(d.source_provenance) as source_json
from ({findings_sql("variant = 'strict' and report_id in (select unnest($1))")}) d
join raw.reports r using (report_id)
left join (select sha256, min(path) as path from raw.files where present group by 1) f on f.sha256 = d.report_id
order by r.file_name, d.rule_id, d.scope
"""


@dataclass
class Sinks:
    jsonl: Path
    webhook: str | None = None
    smtp_host: str | None = None
    smtp_port: int = 25
    email_to: str | None = None
    email_from: str = "ogi-warehouse@localhost"

    @classmethod
    def from_env(cls, jsonl: Path) -> Sinks:
        return cls(
            jsonl=jsonl,
            webhook=os.environ.get("OGI_ALERT_WEBHOOK") or None,
            smtp_host=os.environ.get("OGI_SMTP_HOST") or None,
            smtp_port=int(os.environ.get("OGI_SMTP_PORT") or 25),
            email_to=os.environ.get("OGI_ALERT_EMAIL_TO") or None,
            email_from=os.environ.get("OGI_ALERT_EMAIL_FROM") or "ogi-warehouse@localhost",
        )

    def names(self) -> list[str]:
        return (
            ["jsonl"] + (["webhook"] if self.webhook else []) + (["email"] if self.smtp_host and self.email_to else [])
        )


def alert_message(a: dict) -> str:
    """One line in Chinese a disclosure office can act on."""
    numbers = "；".join(f"{x['scope']} 左边 {x['lhs']:g}，右边 {x['rhs']:g}" for x in a["scopes"])
    where = "; ".join(
        f"{p['cell']}「{p['raw']}」"
        + (f" 第{p['page']}页" if p.get("page") else f" 第{p['line']}行" if p.get("line") else "")
        for p in a["source"][:8]
    )
    return f"{a['agency']} {a['year']}年报告（{a['file']}）未通过 {a['rule_id']}「{a['title_zh']}」：{numbers}。" + (
        f"来源：{where}" if where else ""
    )


def findings(con: duckdb.DuckDBPyConnection, report_ids: list[str]) -> list[dict]:
    """The current findings of these reports, one per report and rule."""
    grouped: dict[tuple[str, str], dict] = {}
    for rid, rule_id, scope, lhs, rhs, delta, status, severity, file, agency, year, path, source_json in con.execute(
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
                "severity": severity,
                "file": file,
                "agency": agency,
                "year": year,
                "path": path,
                "scopes": [],
                "source": [],
            }
        a["scopes"].append({"scope": scope, "lhs": lhs, "rhs": rhs, "delta": delta})
        seen = {p["cell"] for p in a["source"]}
        for p in json.loads(source_json or "null") or []:
            if p["cell"] not in seen:
                p.pop("prov", None)
                a["source"].append(p)
    out = []
    for a in grouped.values():
        numbers = "|".join(f"{x['scope']}:{x['lhs']}:{x['rhs']}" for x in a["scopes"])
        a["finding_key"] = hashlib.md5(f"{a['report_id']}|{a['rule_id']}|{numbers}".encode()).hexdigest()
        a["message"] = alert_message(a)
        out.append(a)
    return out


def _post(url: str, payload: dict, attempts: int = 3) -> None:
    data = json.dumps(payload, ensure_ascii=False).encode()
    for i in range(attempts):
        try:
            req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"}, method="POST")
            with urllib.request.urlopen(req, timeout=10) as resp:
                if resp.status < 300:
                    return
        except OSError:
            if i == attempts - 1:
                raise
        time.sleep(0.5 * 2**i)
    raise OSError(f"webhook {url} did not accept the alert")


def _email(sinks: Sinks, alerts: list[dict]) -> None:
    msg = EmailMessage()
    msg["Subject"] = f"政府信息公开年报：{len(alerts)} 条新发现 / {len(alerts)} new findings"
    msg["From"], msg["To"] = sinks.email_from, sinks.email_to
    msg.set_content("\n\n".join(a["message"] for a in alerts))
    with smtplib.SMTP(sinks.smtp_host, sinks.smtp_port, timeout=15) as smtp:
        smtp.send_message(msg)


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
    for start in range(0, len(ids), ALERT_CHUNK):
        for sink, sent in deliver(con, sinks, findings(con, ids[start : start + ALERT_CHUNK])).items():
            before = result[sink]  # a failure message stays: the sink is tried again next refresh
            result[sink] = before if isinstance(before, str) else sent if isinstance(sent, str) else before + sent
    for sink, sent in result.items():
        if isinstance(sent, int) and through is not None:
            con.execute("insert or replace into main.dq_alert_state values (?, ?)", [sink, through])
    return result


def deliver(con: duckdb.DuckDBPyConnection, sinks: Sinks, current: list[dict]) -> dict[str, int | str]:
    """Send each sink the alerts (dicts with ``finding_key`` and ``message``) it has not had yet.
    Returns per sink the number sent, or the error text of a sink that failed (its unsent alerts
    are retried next time)."""
    con.execute(LOG_DDL)
    result: dict[str, int | str] = {}
    for sink in sinks.names():
        done = {
            k for (k,) in con.execute("select finding_key from main.dq_alert_log where sink = ?", [sink]).fetchall()
        }
        new = [a for a in current if a["finding_key"] not in done]
        now = datetime.now(UTC).replace(tzinfo=None)
        # deliver in batches that are logged as soon as they are out, so nothing goes twice
        batches = [new] if sink in ("jsonl", "email") else [[a] for a in new]
        result[sink] = 0
        for batch in batches:
            if not batch:
                continue
            try:
                if sink == "jsonl":
                    sinks.jsonl.parent.mkdir(parents=True, exist_ok=True)
                    with sinks.jsonl.open("a", encoding="utf-8") as f:
                        for a in batch:
                            f.write(
                                json.dumps({**a, "sent_at": now.isoformat()}, ensure_ascii=False, default=str) + "\n"
                            )
                elif sink == "webhook":
                    _post(sinks.webhook, batch[0])
                else:
                    _email(sinks, batch)
            except (OSError, smtplib.SMTPException) as exc:
                result[sink] = f"failed: {exc}"
                break
            sent = pd.DataFrame({"finding_key": [a["finding_key"] for a in batch], "sink": sink, "sent_at": now})
            con.register("sent_alerts", sent)
            con.execute("insert or replace into main.dq_alert_log select * from sent_alerts")
            con.unregister("sent_alerts")
            result[sink] += len(batch)
    return result
