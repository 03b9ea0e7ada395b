"""Alerts reach people: a JSONL file always, a webhook and e-mail when configured. Local servers
only (loopback). A second refresh with no new data sends nothing; a new failing report sends
exactly one alert per sink."""

import email
import email.policy
import json
import shutil
import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from aiosmtpd.controller import Controller

from tests.conftest import SAMPLES, run_ogi


class _Hook(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Hook.received.append(json.loads(body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


class _Mailbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's naming)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(message.get_content())
        return "250 OK"


@pytest.fixture
def servers():
    _Hook.received = []
    http = HTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    mailbox = _Mailbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    smtp = Controller(mailbox, hostname="127.0.0.1", port=port)
    smtp.start()
    yield (
        {
            "OGI_ALERT_WEBHOOK": f"http://127.0.0.1:{http.server_port}/alerts",
            "OGI_SMTP_HOST": "127.0.0.1",
            "OGI_SMTP_PORT": str(port),
            "OGI_ALERT_EMAIL_TO": "office@localhost",
        },
        mailbox,
    )
    http.shutdown()
    smtp.stop()


def test_new_findings_are_sent_once(tmp_path, servers):
    env, mailbox = servers
    landing = tmp_path / "landing"
    landing.mkdir()
    shutil.copy(SAMPLES / "000_7e78f6154f3411bd.txt", landing)  # passes every hard rule
    alerts = tmp_path / "alerts.jsonl"
    args = ["refresh", "--landing", str(landing), "--warehouse", str(tmp_path / "w.duckdb"), "--alerts", str(alerts)]

    assert run_ogi(*args, env=env).returncode == 0
    assert not alerts.exists() or alerts.read_text() == ""
    assert _Hook.received == [] and mailbox.messages == []

    shutil.copy(SAMPLES / "001_65ea80a590272765.txt", landing)  # breaks R01 in two columns
    proc = run_ogi(*args, env=env)
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(x) for x in alerts.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 1  # one finding: the report's R01 failure, in two columns
    first = lines[0]
    assert first["rule_id"] == "R01_t3_balance_per_column"
    assert [(x["scope"], x["lhs"], x["rhs"]) for x in first["scopes"]] == [("natural_person", 6, 7), ("total", 6, 7)]
    assert first["agency"] == "金平县人民政府" and first["year"] == 2022
    assert any(p["cell"].startswith("table3.carried_to_next") and p["line"] for p in first["source"])
    assert "金平县人民政府" in first["message"] and "R01" in first["message"]
    assert len(_Hook.received) == 1 and len(mailbox.messages) == 1
    assert "R01_t3_balance_per_column" in mailbox.messages[0] and "natural_person" in mailbox.messages[0]

    assert run_ogi(*args, env=env).returncode == 0  # nothing new: nothing sent again
    assert len(alerts.read_text(encoding="utf-8").splitlines()) == 1
    assert len(_Hook.received) == 1 and len(mailbox.messages) == 1
