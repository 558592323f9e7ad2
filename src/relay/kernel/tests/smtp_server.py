"""A real SMTP server on loopback for the email channel's tests: aiosmtpd,
with STARTTLS on a self-signed certificate made for the test (which the
kernels trust through ``SSL_CERT_FILE``) and AUTH required after it; or,
``plain``, no TLS (the channel's "none", for a server on localhost) with
AUTH still required.

    python smtp_server.py DIR --port N --password P [--plain]
        serve until SIGTERM, for the jest and UI tests: writes each mail
        received to DIR/<n>.eml
"""

from __future__ import annotations

import logging
import socket
import ssl
import subprocess
import threading
import time
import warnings
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

    def __init__(self, directory, password, spool=None, port=None, plain=False):
        self.password = password
        self.mailbox = Mailbox(spool)
        self.port = port or free_port()
        tls = {}
        if not plain:
            self.cert, key = make_certificate(directory)
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(str(self.cert), str(key))
            tls = {"tls_context": context, "require_starttls": True, "auth_require_tls": True}
        else:
            # Loopback only, for tests: say nothing of AUTH without TLS.
            warnings.filterwarnings("ignore", module="aiosmtpd")
            logging.getLogger("mail.log").setLevel(logging.ERROR)
            self.cert = None
            tls = {"auth_require_tls": False}
        self.controller = Controller(
            self.mailbox,
            hostname="127.0.0.1",
            port=self.port,
            auth_required=True,
            authenticator=self._authenticate,
            **tls,
        )
        self.controller.start()

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == USER.encode()
            and auth_data.password == self.password.encode()
        )
        self.mailbox.logins.append(ok)
        return AuthResult(success=ok, handled=False)

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


def main():
    import argparse
    import signal

    parser = argparse.ArgumentParser()
    parser.add_argument("directory")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--plain", action="store_true")
    args = parser.parse_args()
    spool = Path(args.directory)
    spool.mkdir(parents=True, exist_ok=True)
    for old in spool.glob("*.eml"):
        old.unlink()
    server = SmtpServer(spool, args.password, spool, port=args.port, plain=args.plain)
    print("smtp ready on 127.0.0.1:%d" % server.port, flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    try:
        stop.wait()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
