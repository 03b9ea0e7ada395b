"""Alerts reach people: a JSONL file always, a group robot (DingTalk, WeCom, Feishu) or webhook and
e-mail when configured, in the form's Chinese words. Local servers only (loopback). A second
refresh with no new data sends nothing; a new failing report sends exactly one alert per sink."""

import base64
import email
import email.policy
import hashlib
import hmac
import json
import shutil
import socket
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from alerting.channels import Refused, post, robot_request
from tests.conftest import FIXTURES, SAMPLES, run_ogi


class _Hook(BaseHTTPRequestHandler):
    """A robot endpoint: records what is posted (path with query, body) and answers as the robots
    do, 200 with an error code in the body (``reply``)."""

    received: list = []
    paths: list = []
    reply: dict = {"errcode": 0, "errmsg": "ok"}

    def do_POST(self):  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Hook.received.append(json.loads(body))
        _Hook.paths.append(self.path)
        answer = json.dumps(_Hook.reply).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


class _Mailbox:
    def __init__(self):
        self.messages = []
        self.logins = []

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        self.logins.append((auth_data.login.decode(), auth_data.password.decode()))
        return AuthResult(success=auth_data.password == b"s3cret")

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's naming)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(message.get_content())
        return "250 OK"


@pytest.fixture
def servers():
    _Hook.received, _Hook.paths, _Hook.reply = [], [], {"errcode": 0, "errmsg": "ok"}
    http = HTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    mailbox = _Mailbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    smtp = Controller(
        mailbox, hostname="127.0.0.1", port=port, authenticator=mailbox.authenticate, auth_require_tls=False
    )
    smtp.start()
    yield (
        {
            "OGI_ALERT_WEBHOOK": f"http://127.0.0.1:{http.server_port}/alerts",
            "OGI_SMTP_HOST": "127.0.0.1",
            "OGI_SMTP_PORT": str(port),
            "OGI_ALERT_EMAIL_TO": "office@localhost",
            "OGI_SMTP_USER": "ogi",
            "OGI_SMTP_PASSWORD": "s3cret",
            "OGI_ALERT_WEBHOOK_FORMAT": "dingtalk",
            "OGI_ALERT_WEBHOOK_SECRET": "SEC0123",
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
    # and a report that cannot be read: the most useful alert an office can get
    shutil.copy(FIXTURES / "hostile" / "garbled-text-layer.pdf", landing)
    proc = run_ogi(*args, env=env)
    assert proc.returncode == 0, proc.stderr
    lines = {a["rule_id"]: a for a in map(json.loads, alerts.read_text(encoding="utf-8").splitlines())}
    assert set(lines) == {"R01_t3_balance_per_column", "extraction"}  # R01 failing in two columns: one finding
    first = lines["R01_t3_balance_per_column"]
    assert [(x["scope"], x["lhs"], x["rhs"]) for x in first["scopes"]] == [("natural_person", 6, 7), ("total", 6, 7)]
    assert first["agency"] == "金平县人民政府" and first["year"] == 2022
    assert any(p["cell"].startswith("table3.carried_to_next") and p["line"] for p in first["source"])
    # in the form's words, with the printed numbers (金平县's 表三: 6 + 0 = 6, but 6 + 1 = 7)
    said = "自然人列：本年新收 6 + 上年结转 0 = 6，但办理结果总计 6 + 结转下年度 1 = 7，相差 1"
    assert said in first["text"] and "金平县人民政府 2022年报告" in first["title"] and first["status_zh"] == "未通过"
    assert "请核对" in first["text"] and str(tmp_path) not in json.dumps(first, ensure_ascii=False)
    unread = lines["extraction"]
    assert unread["status_zh"] == "未载入" and "PDF 的文字层是乱码" in unread["text"]
    assert "garbled-text-layer.pdf" in unread["text"] and str(tmp_path) not in json.dumps(unread, ensure_ascii=False)

    assert len(_Hook.received) == 2 and len(mailbox.messages) == 2
    robot = next(r for r in _Hook.received if said in r["markdown"]["text"])  # DingTalk: markdown, signed
    assert robot["msgtype"] == "markdown" and set(robot["markdown"]) == {"title", "text"}
    assert any("文字层是乱码" in r["markdown"]["text"] for r in _Hook.received)
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(_Hook.paths[0]).query))
    expected = hmac.new(b"SEC0123", f"{query['timestamp']}\nSEC0123".encode(), hashlib.sha256).digest()
    assert base64.b64decode(query["sign"]) == expected
    assert any(said in m for m in mailbox.messages) and mailbox.logins == [("ogi", "s3cret")] * 2

    assert run_ogi(*args, env=env).returncode == 0  # nothing new: nothing sent again
    assert len(alerts.read_text(encoding="utf-8").splitlines()) == 2
    assert len(_Hook.received) == 2 and len(mailbox.messages) == 2


@pytest.mark.parametrize(
    ("fmt", "check"),
    [
        ("wecom", lambda b: b["msgtype"] == "markdown" and set(b["markdown"]) == {"content"}),
        ("feishu", lambda b: b["msg_type"] == "text" and set(b["content"]) == {"text"} and b["sign"]),
        ("json", lambda b: b["rule_id"] == "R01_t3_balance_per_column" and b["title"]),
    ],
)
def test_each_robot_gets_its_documented_body_and_a_refusal_is_a_failure(fmt, check, servers):
    env, _ = servers
    url = env["OGI_ALERT_WEBHOOK"]
    alert = {
        "rule_id": "R01_t3_balance_per_column",
        "title": "金平县人民政府 2022年报告：表三各列勾稽关系（未通过）",
        "text": "自然人列：本年新收 6 + 上年结转 0 = 6，但办理结果总计 6 + 结转下年度 1 = 7，相差 1",
        "markdown": "- 自然人列：本年新收 6 + 上年结转 0 = 6，但办理结果总计 6 + 结转下年度 1 = 7，相差 1",
    }
    robot = fmt != "json"
    post(*robot_request(fmt, url, alert, secret="SEC0123"), robot=robot)
    assert check(_Hook.received[-1])
    assert "相差 1" in json.dumps(_Hook.received[-1], ensure_ascii=False)
    _Hook.reply = {"code": 19021, "msg": "sign match fail or timestamp is not within one hour from current time"}
    if robot:  # a robot's error code is a refusal; a plain webhook's answer is its own business
        with pytest.raises(Refused, match="sign match fail"):
            post(*robot_request(fmt, url, alert, secret="SEC0123"), attempts=1)
    else:
        post(*robot_request(fmt, url, alert), attempts=1, robot=False)
