"""Where alerts go besides the JSONL file: a group robot (DingTalk, WeCom, Feishu) or any webhook
taking JSON, and e-mail over SMTP (plain, STARTTLS or TLS, with login).

Each robot takes its own documented message body:
- DingTalk 自定义机器人: {"msgtype": "markdown", "markdown": {"title", "text"}}; with a secret,
  ``timestamp`` and ``sign`` (HMAC-SHA256 of "timestamp\\nsecret", base64) in the query string.
- WeCom 群机器人: {"msgtype": "markdown", "markdown": {"content"}}.
- Feishu 自定义机器人: {"msg_type": "text", "content": {"text"}}; with a secret, ``timestamp`` and
  ``sign`` (HMAC-SHA256 keyed with "timestamp\\nsecret" over nothing, base64) in the body.
A robot answers 200 even when it refuses a message; its ``errcode`` / ``code`` says so, and a
refusal counts as a failed delivery (retried at the next refresh)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import smtplib
import ssl
import time
import urllib.parse
import urllib.request
from email.message import EmailMessage

FORMATS = ("json", "dingtalk", "wecom", "feishu")
_HOSTS = {
    "oapi.dingtalk.com": "dingtalk",
    "qyapi.weixin.qq.com": "wecom",
    "open.feishu.cn": "feishu",
    "open.larksuite.com": "feishu",
}


def compose(title: str, lines: list[str], check: str, where: str | None = None) -> dict:
    """An alert's words for people and robots: ``title``, ``text`` (plain), ``markdown`` and a
    one-line ``message``."""
    tail = [f"报告：{where}"] if where else []
    return {
        "title": title,
        "text": "\n".join([title, *lines, check, *tail]),
        "markdown": "\n\n".join([f"#### {title}", *(f"- {x}" for x in lines), f"**{check}**", *tail]),
        "message": " ".join([title, *lines, check, *tail]),
    }


def webhook_format(url: str, configured: str | None) -> str:
    """The configured format, else the robot the URL's host names, else plain JSON."""
    if configured:
        if configured not in FORMATS:
            raise ValueError(f"OGI_ALERT_WEBHOOK_FORMAT must be one of {', '.join(FORMATS)}, not {configured!r}")
        return configured
    return _HOSTS.get(urllib.parse.urlsplit(url).hostname or "", "json")


def _sign(timestamp: str, secret: str, dingtalk: bool) -> str:
    key, msg = (
        (secret.encode(), f"{timestamp}\n{secret}".encode()) if dingtalk else (f"{timestamp}\n{secret}".encode(), b"")
    )
    return base64.b64encode(hmac.new(key, msg, hashlib.sha256).digest()).decode()


def robot_request(fmt: str, url: str, alert: dict, secret: str | None = None) -> tuple[str, dict]:
    """The URL to post to and the body, for one alert (``title`` and ``markdown`` / ``text``)."""
    if fmt == "dingtalk":
        if secret:
            ts = str(int(time.time() * 1000))
            sep = "&" if urllib.parse.urlsplit(url).query else "?"
            url += f"{sep}timestamp={ts}&sign={urllib.parse.quote_plus(_sign(ts, secret, dingtalk=True))}"
        return url, {"msgtype": "markdown", "markdown": {"title": alert["title"], "text": alert["markdown"]}}
    if fmt == "wecom":
        return url, {"msgtype": "markdown", "markdown": {"content": alert["markdown"]}}
    if fmt == "feishu":
        body = {"msg_type": "text", "content": {"text": alert["text"]}}
        if secret:
            ts = str(int(time.time()))
            body = {"timestamp": ts, "sign": _sign(ts, secret, dingtalk=False), **body}
        return url, body
    return url, alert


class Refused(OSError):
    """The robot answered, and said no."""


def post(url: str, body: dict, attempts: int = 3, robot: bool = True) -> None:
    """POST the body as JSON; a robot's answer is read for a refusal (a plain webhook's is not)."""
    data = json.dumps(body, ensure_ascii=False, default=str).encode()
    for i in range(attempts):
        try:
            req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"}, method="POST")
            with urllib.request.urlopen(req, timeout=10) as resp:
                answer = resp.read()
                if resp.status < 300:
                    if robot:
                        _raise_if_refused(answer)
                    return
        except Refused:
            raise  # a refusal (wrong keyword, bad sign, rate limit) holds for the minute: not retried
        except OSError:
            if i == attempts - 1:
                raise
        time.sleep(0.5 * 2**i)
    raise OSError(f"webhook {url} did not accept the alert")


def _raise_if_refused(answer: bytes) -> None:
    try:
        reply = json.loads(answer or b"{}")
    except ValueError:
        return  # a plain webhook may answer anything
    code = reply.get("errcode", reply.get("code", 0)) if isinstance(reply, dict) else 0
    if code not in (0, None):
        raise Refused(f"the robot refused the alert: {reply.get('errmsg') or reply.get('msg') or code}")


def send_email(
    host: str,
    port: int,
    security: str,
    user: str | None,
    password: str | None,
    sender: str,
    to: str,
    subject: str,
    body: str,
) -> None:
    """``security``: 'ssl' (TLS from the start, port 465), 'starttls' (port 587) or 'none'."""
    msg = EmailMessage()
    msg["Subject"], msg["From"], msg["To"] = subject, sender, to
    msg.set_content(body)
    tls = ssl.create_default_context()  # certificates checked: the login crosses this connection
    if security == "ssl":
        smtp = smtplib.SMTP_SSL(host, port, timeout=15, context=tls)
    else:
        smtp = smtplib.SMTP(host, port, timeout=15)
    with smtp:
        if security == "starttls":
            smtp.starttls(context=tls)
        if user:
            smtp.login(user, password or "")
        smtp.send_message(msg)
