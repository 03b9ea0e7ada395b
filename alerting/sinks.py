"""Alert sinks: a JSONL file always, a webhook (a DingTalk / WeCom / Feishu robot or plain JSON)
and email when configured. Each alert (a dict with ``finding_key``, ``title``, ``text``,
``markdown``) goes to each sink once: what was sent is logged in the warehouse
(main.dq_alert_log), batch by batch as it goes out."""

from __future__ import annotations

import json
import os
import smtplib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from .channels import post, robot_request, send_email, webhook_format

LOG_DDL = """
create table if not exists main.dq_alert_log (
    finding_key varchar, sink varchar, sent_at timestamp, primary key (finding_key, sink));
create table if not exists main.dq_alert_state (sink varchar primary key, delivered_through timestamp);
"""


@dataclass
class Sinks:
    jsonl: Path
    webhook: str | None = None
    smtp_host: str | None = None
    smtp_port: int = 25
    email_to: str | None = None
    email_from: str = "ogi-warehouse@localhost"
    webhook_format: str = "json"
    webhook_secret: str | None = None
    smtp_security: str = "none"
    smtp_user: str | None = None
    smtp_password: str | None = None

    @classmethod
    def from_env(cls, jsonl: Path) -> Sinks:
        env = os.environ
        webhook = env.get("OGI_ALERT_WEBHOOK") or None
        port = int(env.get("OGI_SMTP_PORT") or 25)
        return cls(
            jsonl=jsonl,
            webhook=webhook,
            webhook_format=webhook_format(webhook or "", env.get("OGI_ALERT_WEBHOOK_FORMAT") or None),
            webhook_secret=env.get("OGI_ALERT_WEBHOOK_SECRET") or None,
            smtp_host=env.get("OGI_SMTP_HOST") or None,
            smtp_port=port,
            smtp_security=env.get("OGI_SMTP_SECURITY") or {465: "ssl", 587: "starttls"}.get(port, "none"),
            smtp_user=env.get("OGI_SMTP_USER") or None,
            smtp_password=env.get("OGI_SMTP_PASSWORD") or None,
            email_to=env.get("OGI_ALERT_EMAIL_TO") or None,
            email_from=env.get("OGI_ALERT_EMAIL_FROM") or "ogi-warehouse@localhost",
        )

    def names(self) -> list[str]:
        return (
            ["jsonl"] + (["webhook"] if self.webhook else []) + (["email"] if self.smtp_host and self.email_to else [])
        )


def send(sinks: Sinks, sink: str, batch: list[dict], now: datetime) -> None:
    """Send alerts (dicts with ``title``, ``text``, ``markdown``) to one sink; raises OSError or
    SMTPException when the sink fails."""
    if sink == "jsonl":
        sinks.jsonl.parent.mkdir(parents=True, exist_ok=True)
        with sinks.jsonl.open("a", encoding="utf-8") as f:
            for a in batch:
                f.write(json.dumps({**a, "sent_at": now.isoformat()}, ensure_ascii=False, default=str) + "\n")
    elif sink == "webhook":
        for a in batch:
            url, body = robot_request(sinks.webhook_format, sinks.webhook, a, sinks.webhook_secret)
            post(url, body, robot=sinks.webhook_format != "json")
    else:
        send_email(
            sinks.smtp_host,
            sinks.smtp_port,
            sinks.smtp_security,
            sinks.smtp_user,
            sinks.smtp_password,
            sinks.email_from,
            sinks.email_to,
            f"政府信息公开年报：{len(batch)} 条新发现 / {len(batch)} new findings",
            "\n\n".join(a["text"] for a in batch),
        )


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
                send(sinks, sink, batch, now)
            except (OSError, smtplib.SMTPException) as exc:
                result[sink] = f"failed: {exc}"
                break
            sent = pd.DataFrame({"finding_key": [a["finding_key"] for a in batch], "sink": sink, "sent_at": now})
            con.register("sent_alerts", sent)
            con.execute("insert or replace into main.dq_alert_log select * from sent_alerts")
            con.unregister("sent_alerts")
            result[sink] += len(batch)
    return result
