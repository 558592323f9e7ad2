"""Email for jupyterlab-lmk: the SMTP channel, always sent by the kernel.

A browser cannot speak SMTP; the notebook's kernel can, with ``smtplib``
from the standard library. This module builds the message (a plain-text
and a sanitised HTML part, the same content as the Matrix message) and
sends it; the watcher calls it for the runs it delivers itself, and for
the page's ``email`` requests (a notification to send now, or the channel
form's check), each answered at once and done in a thread of its own, its
outcome pushed to the request that asked.

A failure is a kind only (``unreachable``, ``timeout``, ``tls``,
``login``, ``sender``, ``recipients``, ``rejected``, ``server``,
``invalid-config``): never a server's answer, an address or the password,
which a server's error text may quote. The lab puts kinds in words.

Standard library only: this file is sent into kernels (after lmk_formats,
whose Matrix HTML it reuses).
"""

from __future__ import annotations

import hashlib
import re
import smtplib
import socket
import ssl
import threading
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import formatdate

if "lmk_formats" not in globals():
    # From the source tree (tests). In a kernel, the loader puts its own
    # copy here before running this module.
    import lmk_formats

TIMEOUT_S = 15.0
SECURITY = ("starttls", "ssl", "none")
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")
# The page's requests in flight at once (each is one SMTP session).
PAGE_REQUESTS_MAX = 4
PUSH_TYPE = "lmk_relay_event"
MAX_RECIPIENTS = 20

_ADDRESS = re.compile(r"[^@\s<>(),;:\"\[\]\\]+@[^@\s<>(),;:\"\[\]\\]+\.[^@\s<>(),;:\"\[\]\\]+\Z")
_HOST = re.compile(r"[A-Za-z0-9.\-:\[\]]+\Z")
_RETRYABLE = ("unreachable", "timeout", "server")


class EmailConfigError(ValueError):
    """Settings that cannot work; the page says which in words."""


def _string(channel, name):
    value = channel.get(name)
    return value.strip() if isinstance(value, str) else ""


def recipients(value):
    """The "to" setting as a list: a list, or addresses separated by
    commas, semicolons or whitespace."""
    if isinstance(value, list):
        parts = [v for v in value if isinstance(v, str)]
    elif isinstance(value, str):
        parts = re.split(r"[,;\s]+", value)
    else:
        parts = []
    return [p.strip() for p in parts if p.strip()]


def read_config(channel):
    """The SMTP settings of a channel, checked as the lab's form checks
    them; raises ``EmailConfigError`` for settings that cannot work."""
    host = _string(channel, "host")
    security = _string(channel, "security") or "starttls"
    if not host or not _HOST.match(host):
        raise EmailConfigError("host")
    if security not in SECURITY:
        raise EmailConfigError("security")
    if security == "none" and host.lower() not in LOCAL_HOSTS:
        # Without TLS the password would cross the network in clear.
        raise EmailConfigError("security")
    port = channel.get("port")
    if port in (None, ""):
        port = DEFAULT_PORTS[security]
    if isinstance(port, str) and port.strip().isdigit():
        port = int(port.strip())
    if not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536:
        raise EmailConfigError("port")
    sender = _string(channel, "from")
    if not _ADDRESS.match(sender):
        raise EmailConfigError("from")
    to = recipients(channel.get("to"))
    if not to or len(to) > MAX_RECIPIENTS or not all(_ADDRESS.match(a) for a in to):
        raise EmailConfigError("to")
    password = channel.get("password") if isinstance(channel.get("password"), str) else ""
    return {
        "host": host,
        "port": port,
        "security": security,
        "username": _string(channel, "username"),
        "password": password,
        "from": sender,
        "to": to,
    }


def message_id(notification_id, sender):
    """The same ``Message-ID`` for every attempt of one notification, so a
    retry that reaches the mailbox twice is recognisable as the same."""
    digest = hashlib.sha256(notification_id.encode("utf-8")).hexdigest()[:32]
    domain = sender.rsplit("@", 1)[-1] or "jupyterlab-lmk.invalid"
    return "<lmk.%s@%s>" % (digest, domain)


def _t(context, msgid):
    value = (context.get("email_strings") or {}).get(msgid)
    return value if isinstance(value, str) else msgid


def _one_line(text):
    return re.sub(r"\s+", " ", text or "").strip()


def _html_part(event, link, context):
    """The Matrix message's HTML (sanitised as it is), else the plain text
    in a ``pre``; then the notebook link."""
    html = None
    try:
        content = lmk_formats._py(lmk_formats._matrix_content(lmk_formats._u16(event)))
        html = content.get("formatted_body")
    except Exception:
        html = None
    if not html:
        html = "<pre>%s</pre>" % lmk_formats._html_escape(event.get("text") or "")
    if link:
        html += '\n<p><a href="%s">%s</a></p>' % (
            lmk_formats._html_escape(link),
            lmk_formats._html_escape(_t(context, "Open the notebook")),
        )
    return "<!DOCTYPE html>\n<html><body>\n%s\n</body></html>\n" % html


def build_message(config, event, notification_id, context=None):
    """The message of one notification (``EmailMessage``)."""
    context = context or {}
    link = lmk_formats._py(lmk_formats._notebook_link(lmk_formats._u16(event)))
    title = _one_line(event.get("title")) or _t(context, "Notification")
    text = event.get("text") or ""
    if link:
        text = "%s\n\n%s %s\n" % (text.rstrip(), _t(context, "Open the notebook:"), link)
    message = EmailMessage(policy=SMTP_POLICY)
    message["Subject"] = title[:250]
    message["From"] = config["from"]
    message["To"] = ", ".join(config["to"])
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = message_id(notification_id, config["from"])
    # Tell mail servers and vacation responders not to answer it.
    message["Auto-Submitted"] = "auto-generated"
    message["X-Auto-Response-Suppress"] = "All"
    message["X-Lmk-Event-Id"] = notification_id
    message.set_content(text)
    message.add_alternative(_html_part(event, link, context), subtype="html")
    return message


def email_request(channel, event, notification_id, context=None):
    """What the watcher keeps to send one notification by email (the
    counterpart of ``lmk_formats.channel_request`` for HTTP channels).
    Raises ``EmailConfigError`` for settings that cannot work."""
    config = read_config(channel or {})
    message = build_message(config, event, notification_id, context)
    return {"smtp": config, "message": message.as_bytes(), "secrets": [config["password"]] if config["password"] else []}


def _tls_context():
    return ssl.create_default_context()


def _session(config, timeout):
    """An SMTP session up to the login: ``(smtp, None)`` or ``(None,
    failure kind)``."""
    stage = "unreachable"
    smtp = None
    try:
        if config["security"] == "ssl":
            stage = "tls"
            smtp = smtplib.SMTP_SSL(config["host"], config["port"], timeout=timeout, context=_tls_context())
        else:
            smtp = smtplib.SMTP(config["host"], config["port"], timeout=timeout)
        stage = "unreachable"
        smtp.ehlo()
        if config["security"] == "starttls":
            stage = "tls"
            if not smtp.has_extn("starttls"):
                raise smtplib.SMTPNotSupportedError("STARTTLS")
            smtp.starttls(context=_tls_context())
            smtp.ehlo()
        if config["username"]:
            stage = "login"
            smtp.login(config["username"], config["password"])
        return smtp, None
    except BaseException as error:
        _quit(smtp)
        return None, _kind(error, stage)


def _kind(error, stage):
    if isinstance(error, (socket.timeout, TimeoutError)):
        return "timeout"
    if isinstance(error, (ssl.SSLError, ssl.CertificateError)):
        return "tls"
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return "login"
    if isinstance(error, smtplib.SMTPSenderRefused):
        return "server" if 400 <= error.smtp_code < 500 else "sender"
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return "server" if codes and all(400 <= c < 500 for c in codes) else "recipients"
    if isinstance(error, smtplib.SMTPResponseException):
        if 400 <= error.smtp_code < 500:
            return "server"
        return stage if stage in ("tls", "login") else "rejected"
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return stage if stage in ("tls", "login") else "rejected"
    if isinstance(error, (smtplib.SMTPServerDisconnected, ConnectionError)) and stage == "tls":
        return "tls"
    if isinstance(error, (OSError, smtplib.SMTPException)):
        return "unreachable" if stage in ("unreachable", "send") else stage
    return "rejected"


def _quit(smtp):
    if smtp is None:
        return
    try:
        smtp.quit()
    except BaseException:
        try:
            smtp.close()
        except BaseException:
            pass


def send_once(request, timeout=TIMEOUT_S):
    """One SMTP attempt: ``(ok, retryable, failure)``, as
    ``lmk_send.send_once`` answers for HTTP."""
    config = request["smtp"]
    smtp, kind = _session(config, timeout)
    if smtp is None:
        return False, kind in _RETRYABLE, {"kind": kind}
    try:
        smtp.sendmail(config["from"], config["to"], request["message"])
        return True, False, None
    except BaseException as error:
        kind = _kind(error, "send")
        failure = {"kind": kind}
        if kind in ("timeout", "unreachable"):
            # The message may have gone out before the answer was lost:
            # as for HTTP, sent again only within the watcher's guard.
            failure["mayHaveArrived"] = True
        return False, kind in _RETRYABLE, failure
    finally:
        _quit(smtp)


def check(channel, timeout=TIMEOUT_S):
    """The form's check: connect, EHLO, STARTTLS, log in, offer the
    sender, and leave without sending anything. ``None`` if it all
    worked, else the failure's kind."""
    try:
        config = read_config(channel or {})
    except EmailConfigError:
        return "invalid-config"
    smtp, kind = _session(config, timeout)
    if smtp is None:
        return kind
    try:
        code, _ = smtp.mail(config["from"])
        if code >= 400:
            return "server" if code < 500 else "sender"
        smtp.rset()
        return None
    except BaseException as error:
        return _kind(error, "sender")
    finally:
        _quit(smtp)


class PageRequests:
    """The page's ``email`` requests to a watcher: each answered at once,
    done in a daemon thread, its outcome pushed to the request (an iopub
    message whose parent is it, which the page's kernel connection routes
    to the page's future). At most ``PAGE_REQUESTS_MAX`` at a time."""

    def __init__(self, kernel):
        self.kernel = kernel
        self.slots = threading.BoundedSemaphore(PAGE_REQUESTS_MAX)

    def handle(self, request, parent):
        action = request.get("action")
        channel = request.get("channel")
        if action not in ("send", "check") or not isinstance(channel, dict):
            return {"accepted": False, "error": "bad-request"}
        if not self.slots.acquire(blocking=False):
            return {"accepted": False, "busy": True}
        header = parent.get("header")
        thread = threading.Thread(
            target=self._run,
            args=(action, channel, request, header),
            name="jupyterlab-lmk email",
            daemon=True,
        )
        try:
            thread.start()
        except RuntimeError:
            self.slots.release()
            return {"accepted": False, "busy": True}
        return {"accepted": True}

    def _run(self, action, channel, request, header):
        outcome = {"op": "email", "ok": False, "retryable": False, "failure": {"kind": "internal"}}
        try:
            timeout = request.get("timeout_s")
            timeout = float(timeout) if isinstance(timeout, (int, float)) and timeout > 0 else TIMEOUT_S
            if action == "check":
                kind = check(channel, timeout)
                outcome = {"op": "email", "ok": kind is None, "retryable": False, "failure": {"kind": kind} if kind else None}
            else:
                event = request.get("event")
                context = request.get("context") if isinstance(request.get("context"), dict) else {}
                try:
                    prepared = email_request(channel, event, str(request.get("id")), context)
                except EmailConfigError:
                    prepared = None
                if prepared is None:
                    outcome = {"op": "email", "ok": False, "retryable": False, "failure": {"kind": "invalid-config"}}
                else:
                    ok, retryable, failure = send_once(prepared, timeout)
                    outcome = {"op": "email", "ok": ok, "retryable": retryable, "failure": failure}
        except BaseException:
            pass
        finally:
            # Drop the settings (the password) with this thread's frame.
            channel = request = None
            self.slots.release()
        self._push(outcome, header)

    def _push(self, content, header):
        session = getattr(self.kernel, "session", None)
        socket_ = getattr(self.kernel, "iopub_socket", None)
        if session is None or socket_ is None or header is None:
            return
        try:
            session.send(socket_, PUSH_TYPE, content, parent={"header": header})
        except Exception:
            pass
