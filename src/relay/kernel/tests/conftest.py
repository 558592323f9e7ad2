"""Real kernels (ipykernel 7 from .venv, ipykernel 6 from .venv-ipykernel6)
driven over ZMQ with jupyter_client, as the lab drives them through the
server, and a loopback HTTP receiver standing in for the channels' services.

The relay is installed exactly as the lab sends it: the payload embedded in
``src/relay/kernel/sources.ts``.
"""

from __future__ import annotations

import http.server
import json
import os
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from jupyter_client.kernelspec import KernelSpec
from jupyter_client.manager import KernelManager
from jupyter_client.session import Session

KERNEL_DIR = Path(__file__).resolve().parents[1]
ROOT = KERNEL_DIR.parents[2]
sys.path.insert(0, str(KERNEL_DIR))

TARGET = "jupyterlab_lmk.relay.v1"
PYTHONS = {
    "ipykernel7": ROOT / ".venv" / "bin" / "python",
    "ipykernel6": ROOT / ".venv-ipykernel6" / "bin" / "python",
}


def relay_payload():
    """The payload the lab sends: parsed from the generated TS module."""
    text = (KERNEL_DIR / "sources.ts").read_text(encoding="utf-8")
    start = text.index("} = {") + len("} = ")
    return json.loads(text[start : text.rindex(";")])


class Receiver:
    """A loopback HTTP server that records what it receives and answers
    from a script of ``(status, headers, delay_s)`` (then 200)."""

    def __init__(self):
        self.posts = []
        self.script = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with receiver.lock:
                    receiver.posts.append(
                        {"path": self.path, "headers": dict(self.headers), "body": body, "at": time.time()}
                    )
                    status, headers, delay = receiver.script.pop(0) if receiver.script else (200, {}, 0)
                if delay:
                    time.sleep(delay)
                try:
                    self.send_response(status)
                    for key, value in headers.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"{}")
                except OSError:
                    pass

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def wait_posts(self, count, timeout=30.0):
        deadline = time.time() + timeout
        while time.time() < deadline:
            with self.lock:
                if len(self.posts) >= count:
                    return list(self.posts)
            time.sleep(0.05)
        with self.lock:
            return list(self.posts)

    def events(self):
        return [json.loads(p["body"]) for p in self.posts]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class Page:
    """One client of the kernel, as a lab page is: its own session id."""

    def __init__(self, kernel, holder=None):
        self.kernel = kernel
        self.client = kernel.km.client()
        # A session (and so a socket identity) of its own, as each page has.
        self.client.session = Session(key=kernel.km.session.key, signature_scheme=kernel.km.session.signature_scheme)
        self.client.start_channels()
        self.client.wait_for_ready(timeout=60)
        self.session = self.client.session.session
        self.holder = holder or uuid.uuid4().hex
        self.replies = {}
        self.iopub = []

    def send(self, channel, msg_type, content, metadata=None):
        msg = self.client.session.msg(msg_type, content, metadata=metadata or {})
        getattr(self.client, channel + "_channel").send(msg)
        return msg["header"]["msg_id"]

    def reply(self, channel, msg_id, timeout=30.0):
        deadline = time.time() + timeout
        key = (channel, msg_id)
        while key not in self.replies:
            remaining = deadline - time.time()
            if remaining <= 0:
                raise TimeoutError(f"no {channel} reply to {msg_id}")
            try:
                msg = getattr(self.client, channel + "_channel").get_msg(timeout=min(remaining, 1.0))
            except Exception:
                continue
            self.replies[(channel, msg["parent_header"].get("msg_id"))] = msg
        return self.replies.pop(key)

    def drain_iopub(self):
        while True:
            try:
                self.iopub.append(self.client.iopub_channel.get_msg(timeout=0.05))
            except Exception:
                return self.iopub

    def lmk(self, channel, op, timeout=30.0, **fields):
        msg_id = self.send(channel, "comm_info_request", {"target_name": TARGET, "lmk": dict(fields, op=op)})
        return self.reply(channel, msg_id, timeout)["content"].get("lmk")

    def install(self, payload=None):
        payload = payload or relay_payload()
        code = (
            'exec(__import__("IPython").get_ipython().kernel.get_parent()'
            '["metadata"]["jupyterlab_lmk_relay"]["loader"], {"__name__": "_jupyterlab_lmk_relay_loader"})'
        )
        msg_id = self.send(
            "shell",
            "execute_request",
            {
                "code": code,
                "silent": True,
                "store_history": False,
                "allow_stdin": False,
                "stop_on_error": False,
                "user_expressions": {"lmk": "__import__('sys').modules['_jupyterlab_lmk_relay'].status()"},
            },
            {"jupyterlab_lmk_relay": payload},
        )
        reply = self.reply("shell", msg_id, timeout=60)
        result = reply["content"]["user_expressions"]["lmk"]
        assert result["status"] == "ok", result
        return json.loads(result["data"]["text/plain"])

    def execute(self, code, cell_id=None, stop_on_error=True, silent=False):
        metadata = {"cellId": cell_id} if cell_id else {}
        return self.send(
            "shell",
            "execute_request",
            {"code": code, "silent": silent, "store_history": not silent, "allow_stdin": False, "stop_on_error": stop_on_error},
            metadata,
        )

    def run(self, cells, channels, rule=None, positions=None, stop_on_error=None, **seal):
        """Schedule cells as the lab does: ``begin`` on the shell before the
        first cell, the cells, then ``seal`` on the control channel."""
        token = uuid.uuid4().hex
        begin_id = self.send(
            "shell", "comm_info_request", {"target_name": TARGET, "lmk": {"op": "begin", "token": token, "client": self.session}}
        )
        ids = []
        for index, code in enumerate(cells):
            stop = True if stop_on_error is None else stop_on_error[index]
            ids.append(self.execute(code, cell_id=f"cell-{index}", stop_on_error=stop))
        fields = {
            "token": token,
            "run": ids[0],
            "cells": len(cells),
            "positions": positions or list(range(len(cells))),
            "rule": rule or {"finished": 0, "failed": 0, "interrupted": None},
            "notebook": {"path": "work/train.ipynb", "name": "train.ipynb"},
            "kernel": {"id": "k1", "name": "python3"},
            "context": {"notebook_url": "http://127.0.0.1:8888/lab/tree/work/train.ipynb"},
            "channels": channels,
            "grace_s": 1.0,
            "lease_s": 2.0,
        }
        fields.update(seal)
        sealed = self.lmk("control", "seal", **fields)
        return {"token": token, "ids": ids, "begin": begin_id, "seal": sealed, "id": ids[0]}

    def wait_idle(self, msg_ids, timeout=60.0):
        return [self.reply("shell", msg_id, timeout) for msg_id in msg_ids]

    def close(self):
        self.client.stop_channels()


class Kernel:
    def __init__(self, python):
        self.km = KernelManager()
        self.km._kernel_spec = KernelSpec(
            argv=[str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            display_name="relay test",
            language="python",
        )
        self.km.start_kernel(env=dict(os.environ, PYDEVD_DISABLE_FILE_VALIDATION="1"))
        self.pages = []

    def page(self, holder=None):
        page = Page(self, holder)
        self.pages.append(page)
        return page

    def close(self):
        for page in self.pages:
            page.close()
        self.km.shutdown_kernel(now=True)


@pytest.fixture(params=sorted(PYTHONS))
def kernel(request):
    python = PYTHONS[request.param]
    if not python.exists():
        pytest.fail(f"{python} is missing: `make .make/ipykernel6` creates the ipykernel 6 environment")
    kernel = Kernel(python)
    kernel.version = request.param
    yield kernel
    kernel.close()


@pytest.fixture
def lab_kernel():
    """A kernel of the lab's own environment (ipykernel 7, with the
    jupyterlab_lmk package installed)."""
    kernel = Kernel(PYTHONS["ipykernel7"])
    kernel.version = "ipykernel7"
    yield kernel
    kernel.close()


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.close()


def webhook(receiver, channel_id="hook", secret=None, **flags):
    config = {"id": channel_id, "type": "webhook", "enabled": True, "url": receiver.url + "/hook/s3cr3t-path"}
    if secret:
        config["secret"] = secret
    entry = {"config": config, "run": flags.get("run", True), "default": flags.get("default", True)}
    return entry
