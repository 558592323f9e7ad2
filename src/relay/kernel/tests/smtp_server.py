"""A real SMTP server on loopback for the email channel's tests: aiosmtpd,
with STARTTLS on a self-signed certificate made for the test (which the
kernels trust through ``SSL_CERT_FILE``) and AUTH required after it.

    python smtp_server.py DIR   serve until killed, for the UI tests:
                                writes DIR/cert.pem, DIR/smtp.json (port,
                                user, password) and DIR/mails/<n>.eml
"""

from __future__ import annotations

import json
import socket
import ssl
import subprocess
import sys
import threading
import time
from email import message_from_bytes, policy
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER = "lmk-user"


def make_certificate(directory):
    """A self-signed certificate for 127.0.0.1 and localhost (openssl)."""
    directory = Path(directory)
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost",
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Mailbox:
    """What the server received, and what it answers: ``script`` is a list
    of SMTP answers to the next DATA commands (then ``250``)."""

    def __init__(self, spool=None):
        self.mails = []
        self.logins = []
        self.script = []
        self.lock = threading.Lock()
        self.spool = Path(spool) if spool else None

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's naming)
        with self.lock:
            answer = self.script.pop(0) if self.script else None
            if answer:
                return answer
            mail = {
                "from": envelope.mail_from,
                "to": list(envelope.rcpt_tos),
                "raw": envelope.original_content or envelope.content,
                "tls": session.ssl is not None,
                "at": time.time(),
            }
            self.mails.append(mail)
            if self.spool is not None:
                (self.spool / ("%d.eml" % len(self.mails))).write_bytes(mail["raw"])
        return "250 Message accepted for delivery"

    def wait(self, count, timeout=30.0):
        deadline = time.time() + timeout
        while time.time() < deadline:
            with self.lock:
                if len(self.mails) >= count:
                    return list(self.mails)
            time.sleep(0.05)
        with self.lock:
            return list(self.mails)

    @staticmethod
    def parse(mail):
        return message_from_bytes(mail["raw"], policy=policy.default)


class SmtpServer:
    """aiosmtpd on 127.0.0.1: STARTTLS required, then AUTH (PLAIN, LOGIN)
    with ``USER`` and ``password``."""

    def __init__(self, directory, password, spool=None):
        self.cert, key = make_certificate(directory)
        self.password = password
        self.mailbox = Mailbox(spool)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(str(self.cert), str(key))
        self.port = free_port()
        self.controller = Controller(
            self.mailbox,
            hostname="127.0.0.1",
            port=self.port,
            tls_context=context,
            require_starttls=True,
            auth_required=True,
            auth_require_tls=True,
            authenticator=self._authenticate,
        )
        self.controller.start()

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == USER.encode()
            and auth_data.password == self.password.encode()
        )
        self.mailbox.logins.append(ok)
        return AuthResult(success=ok)

    def channel(self, channel_id="mail", **overrides):
        config = {
            "id": channel_id,
            "type": "email",
            "enabled": True,
            "host": "127.0.0.1",
            "port": self.port,
            "security": "starttls",
            "username": USER,
            "password": self.password,
            "from": "lab@example.org",
            "to": "me@example.org, you@example.org",
        }
        config.update(overrides)
        return config

    def stop(self):
        self.controller.stop()


def main(directory):
    directory = Path(directory)
    spool = directory / "mails"
    spool.mkdir(parents=True, exist_ok=True)
    password = "pw-" + "".join("%02x" % b for b in __import__("os").urandom(8))
    server = SmtpServer(directory, password, spool)
    (directory / "smtp.json").write_text(json.dumps({"port": server.port, "user": USER, "password": password}))
    try:
        while True:
            time.sleep(3600)
    finally:
        server.stop()


if __name__ == "__main__":
    main(sys.argv[1])
