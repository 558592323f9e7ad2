"""The email channel in real kernels (ipykernel 6 and 7), sending to a real
SMTP server on loopback (aiosmtpd, STARTTLS on a self-signed certificate
the kernels trust, AUTH): the kernel's own delivery of a run, the page's
requests (send now, the form's check), retries, and the password kept out
of everything but the SMTP login."""

from __future__ import annotations

import json
import time
import uuid

import pytest
from conftest import PYTHONS, TARGET, Kernel
from smtp_server import SmtpServer

import lmk_email

PASSWORD = "pw-" + uuid.uuid4().hex


@pytest.fixture
def smtp(tmp_path):
    server = SmtpServer(tmp_path, PASSWORD)
    yield server
    server.stop()


@pytest.fixture(params=sorted(PYTHONS))
def mail_kernel(request, smtp, monkeypatch):
    """A kernel that trusts the test's certificate (as a kernel trusts an
    institution's CA through its environment)."""
    python = PYTHONS[request.param]
    if not python.exists():
        pytest.fail(f"{python} is missing: `make .make/ipykernel6` creates the ipykernel 6 environment")
    monkeypatch.setenv("SSL_CERT_FILE", str(smtp.cert))
    kernel = Kernel(python)
    yield kernel
    kernel.close()


def entry(config, run=True, default=True):
    return {"config": config, "run": run, "default": default}


def email_request(page, action, channel, timeout=60.0, **fields):
    """A page's ``email`` request: the at-once reply, then the outcome
    pushed to it."""
    content = {"target_name": TARGET, "lmk": dict(fields, op="email", action=action, channel=channel)}
    msg_id = page.send("control", "comm_info_request", content)
    reply = page.reply("control", msg_id)["content"]["lmk"]
    if not reply.get("accepted"):
        return reply, None
    deadline = time.time() + timeout
    while time.time() < deadline:
        for msg in page.drain_iopub():
            if msg["msg_type"] == "lmk_relay_event" and msg["parent_header"].get("msg_id") == msg_id:
                return reply, msg["content"]
        time.sleep(0.05)
    raise TimeoutError("no outcome pushed")


def records(page, holder="another-browser", timeout=30.0):
    """The kernel's records, once it has one: the server has the mail
    before the kernel has closed the session and written its record."""
    deadline = time.time() + timeout
    while True:
        hello = page.lmk("control", "hello", holder=holder, client="c-" + holder)
        if hello["records"] or time.time() > deadline:
            return hello
        time.sleep(0.1)


def failing_event(notification_id="run:abc"):
    return {
        "version": 1,
        "event": "run.failed",
        "title": "train.ipynb failed",
        "message": "**ValueError**: boom\n\n```\nraise ValueError('boom')\n```",
        "text": "ValueError: boom\n\nraise ValueError('boom')",
        "notebook": {"path": "work/train.ipynb", "name": "train.ipynb", "url": "http://127.0.0.1:8888/lab/tree/work/train.ipynb"},
        "run": None,
        "cell": {"index": 2, "execution_count": 5},
        "error": {"ename": "ValueError", "evalue": "boom", "traceback": []},
        "kernel": None,
        "report": None,
    }


def parts(message):
    plain = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return plain, html


def test_a_failed_run_nobody_claims_is_mailed_once_by_the_kernel(mail_kernel, smtp):
    page = mail_kernel.page()
    page.install()
    channel = smtp.channel()
    run = page.run(["x = 1", "raise ValueError('boom <b>')", "y = 2"], [entry(channel)], positions=[0, 2, 3])
    replies = page.wait_idle(run["ids"])
    assert [r["content"]["status"] for r in replies] == ["ok", "error", "aborted"]
    mails = smtp.mailbox.wait(1)
    assert len(mails) == 1
    mail = mails[0]
    assert mail["tls"] is True
    assert mail["from"] == "lab@example.org"
    assert mail["to"] == ["me@example.org", "you@example.org"]
    message = smtp.mailbox.parse(mail)
    assert "failed" in message["Subject"] and "train.ipynb" in message["Subject"]
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Message-ID"] == lmk_email.message_id("run:" + run["id"], "lab@example.org")
    plain, html = parts(message)
    # The failing cell: its error, and where it is (the notebook's third cell).
    assert "ValueError" in plain and "boom <b>" in plain and "3" in plain
    assert "ValueError" in html and "boom &lt;b&gt;" in html and "<b>" not in html.replace("<b>'", "")
    assert "http://127.0.0.1:8888/lab/tree/work/train.ipynb" in plain
    assert 'href="http://127.0.0.1:8888/lab/tree/work/train.ipynb"' in html
    # What pages are told: sent, and nothing of the password.
    hello = records(page)
    [record] = hello["records"]
    assert record["results"][0]["status"] == "sent"
    assert PASSWORD not in json.dumps(hello)
    assert PASSWORD.encode() not in mail["raw"]
    time.sleep(1.5)
    assert len(smtp.mailbox.mails) == 1


def test_a_refused_attempt_is_retried_with_the_same_message_id(mail_kernel, smtp):
    page = mail_kernel.page()
    page.install()
    smtp.mailbox.script = ["451 4.3.0 Try again later"]
    run = page.run(["raise ValueError('boom')"], [entry(smtp.channel())])
    page.wait_idle(run["ids"])
    mails = smtp.mailbox.wait(1)
    assert len(mails) == 1
    assert smtp.mailbox.parse(mails[0])["Message-ID"] == lmk_email.message_id("run:" + run["id"], "lab@example.org")
    [record] = records(page)["records"]
    assert record["results"][0] == {**record["results"][0], "status": "sent", "attempts": 2}


def test_the_page_hands_a_notification_over_and_hears_how_it_went(mail_kernel, smtp):
    page = mail_kernel.page()
    page.install()
    reply, outcome = email_request(page, "send", smtp.channel(), id="test:1", event=failing_event())
    assert reply["accepted"] is True
    assert outcome == {"op": "email", "ok": True, "retryable": False, "failure": None}
    [mail] = smtp.mailbox.wait(1)
    message = smtp.mailbox.parse(mail)
    assert message["Subject"] == "train.ipynb failed"
    assert message["Message-ID"] == lmk_email.message_id("test:1", "lab@example.org")
    plain, html = parts(message)
    assert "ValueError: boom" in plain
    assert "<strong>ValueError</strong>" in html and "<pre><code>" in html


def test_the_form_check_logs_in_without_sending_and_names_what_fails(mail_kernel, smtp):
    page = mail_kernel.page()
    page.install()
    assert email_request(page, "check", smtp.channel())[1]["ok"] is True
    wrong = email_request(page, "check", smtp.channel(password="not-it"))[1]
    assert wrong["ok"] is False and wrong["failure"] == {"kind": "login"}
    closed = email_request(page, "check", smtp.channel(port=free_closed_port()))[1]
    assert closed["failure"] == {"kind": "unreachable"}
    no_tls = email_request(page, "check", smtp.channel(security="ssl"))[1]
    assert no_tls["failure"] == {"kind": "tls"}
    refused = email_request(page, "check", smtp.channel(security="none"))[1]
    # The server demands STARTTLS before anything: the login is refused.
    assert refused["ok"] is False
    assert smtp.mailbox.mails == []
    assert smtp.mailbox.logins.count(True) == 1


def test_the_password_is_in_no_output_log_or_namespace(mail_kernel, smtp):
    page = mail_kernel.page()
    page.install()
    email_request(page, "check", smtp.channel(password=PASSWORD + "-wrong"))
    run = page.run(["raise ValueError('boom')"], [entry(smtp.channel())])
    page.wait_idle(run["ids"])
    smtp.mailbox.wait(1)
    code = "sorted(k for k in globals() if any(w in k.lower() for w in ('lmk', 'relay', 'mail', 'smtp')))"
    reply = page.reply("shell", page.execute(code))
    assert reply["content"]["status"] == "ok"
    results = [m for m in page.drain_iopub() if m["msg_type"] == "execute_result"]
    assert results[-1]["content"]["data"]["text/plain"] == "[]"
    seen = json.dumps([m["content"] for m in page.drain_iopub()], default=str)
    assert PASSWORD not in seen
    hello = records(page)
    assert hello["records"]
    assert PASSWORD not in json.dumps(hello)
    for mail in smtp.mailbox.mails:
        assert PASSWORD.encode() not in mail["raw"]


def free_closed_port():
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# -- the message, without a kernel ---------------------------------------------


def test_settings_that_cannot_work_are_refused():
    good = {"host": "smtp.example.org", "from": "a@example.org", "to": "b@example.org"}
    assert lmk_email.read_config(good)["port"] == 587
    assert lmk_email.read_config(dict(good, security="ssl"))["port"] == 465
    for bad in (
        dict(good, host=""),
        dict(good, security="none"),
        dict(good, security="tls"),
        dict(good, port=70000),
        dict(good, to="nobody"),
        dict(good, **{"from": "x"}),
    ):
        with pytest.raises(lmk_email.EmailConfigError):
            lmk_email.read_config(bad)
    assert lmk_email.read_config(dict(good, host="localhost", security="none"))["port"] == 25
    assert lmk_email.recipients("a@x.org; b@y.org\nc@z.org") == ["a@x.org", "b@y.org", "c@z.org"]


def test_the_html_part_is_sanitised():
    event = failing_event()
    event["message"] = "<script>alert(1)</script> [x](javascript:alert(1)) **ok**"
    config = lmk_email.read_config({"host": "h.example.org", "from": "a@example.org", "to": "b@example.org"})
    message = lmk_email.build_message(config, event, "run:1", {"email_strings": {"Open the notebook": "Ouvrir"}})
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "<script" not in html and "javascript:" not in html
    assert ">Ouvrir</a>" in html
