"""What the parity test (src/relay/__tests__/formatParity.spec.ts) cannot
show: the module as a kernel gets it (old Pythons, nothing at import, no
network), missing fields, and what the Matrix HTML does outside the
markdown it renders."""

import ast
import glob
import html.parser
import importlib.util
import json
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

SOURCE = pathlib.Path(__file__).resolve().parents[1] / "lmk_formats.py"
spec = importlib.util.spec_from_file_location("lmk_formats", SOURCE)
formats = importlib.util.module_from_spec(spec)
spec.loader.exec_module(formats)

MATRIX = {"accounts": {"matrix": {"homeserver": "https://matrix.example.org", "accessToken": "syt_secret"}}}
FAILED = {
    "outcome": "failed",
    "notebook_path": "work/train.ipynb",
    "kernel": {"id": "k", "name": "python3"},
    "cells": 3,
    "executed": 2,
    "started": "2026-01-01T00:00:00Z",
    "finished": "2026-01-01T00:00:42Z",
    "duration_s": 42.0,
    "failure": {"index": 1, "execution_count": 7, "ename": "ValueError", "evalue": "bad", "traceback": ["tb"]},
}


def matrix_content(event):
    request = formats.channel_request({"type": "matrix", "roomId": "!room:example.org"}, event, "run:1", MATRIX)
    return json.loads(request["body"])


def python_3_8():
    """A Python 3.8 that runs: LMK_PYTHON38, one under pyenv, or on the PATH."""
    root = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    candidates = [os.environ.get("LMK_PYTHON38"), shutil.which("python3.8")]
    candidates += sorted(glob.glob(os.path.join(root, "versions", "3.8.*", "bin", "python")), reverse=True)
    for candidate in filter(None, candidates):
        try:
            ran = subprocess.run([candidate, "-c", "import sys; print(sys.version_info[:2])"], capture_output=True,
                                 text=True, timeout=60)
        except OSError:
            continue
        if ran.stdout.strip() == "(3, 8)":
            return candidate
    return None


SMOKE = r"""
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("f", sys.argv[1])
f = importlib.util.module_from_spec(spec)
spec.loader.exec_module(f)
summary = json.loads(sys.argv[2])
event = f.run_event(summary, {"notebook_url": "https://lab.example.org/lab/tree/x", "title_prefix": "[p]",
                              "include_source": True, "output_lines": 3})
manual = f.manual_event({"message": "**done** \U0001F600 " + "x" * 10005, "title": ["T"]}, {"notebook_path": "a.ipynb"})
out = {"event": event, "manual": manual, "requests": []}
for channel in [{"type": "ntfy", "topic": "t", "token": "tk_a", "tags": "a,b"},
                {"type": "webhook", "url": "https://h.example.org/p a/\u00fc?x=1", "secret": "s"},
                {"type": "slack", "url": "https://hooks.slack.com/services/a"},
                {"type": "discord", "url": "https://discord.com/api/webhooks/1/a?x=y"},
                {"type": "teams", "url": "https://x.logic.azure.com/w"},
                {"type": "mattermost", "url": "https://m.example.org/hooks/a", "channel": "c"},
                {"type": "matrix", "roomId": "!r:example.org"}]:
    for e in (event, manual):
        r = f.channel_request(channel, e, "run:\u00e9", {"accounts": {"matrix": {"homeserver": "https://m", "accessToken": "t"}}})
        r["body"] = r["body"].decode("utf-8")
        out["requests"].append(r)
print(json.dumps(out, sort_keys=True))
"""


def test_runs_the_same_on_python_3_8():
    """Kernels may run an older Python than the lab's: 3.8 gives the same output."""
    python = python_3_8()
    assert python, "No Python 3.8 found: install one (pyenv install 3.8) or set LMK_PYTHON38 to it"
    summary = dict(FAILED, failure=dict(FAILED["failure"], evalue="caf\u00e9 \U0001F4C8 `x` <b>", source="1/0\n" * 20),
                   output="\x1b[31mred\x1b[0m\nline\n" * 5, report={"loss": "0.1"})
    outputs = [
        subprocess.run([exe, "-c", SMOKE, str(SOURCE), json.dumps(summary)], capture_output=True, text=True, check=True)
        for exe in (python, sys.executable)
    ]
    assert outputs[0].stdout == outputs[1].stdout
    assert '"sender": "kernel"' in outputs[0].stdout


def test_parses_as_python_3_8():
    ast.parse(SOURCE.read_text(encoding="utf-8"), feature_version=(3, 8))


def test_needs_only_the_standard_library_and_does_nothing_at_import():
    tree = ast.parse(SOURCE.read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module)
    # Nothing that reaches the network, the disk or other processes.
    assert imported == {"base64", "hashlib", "hmac", "json", "math", "re", "unicodedata", "urllib.parse"}
    for node in tree.body:
        assert isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef, ast.Assign, ast.Expr)), (
            "top-level statement that runs at import, line %d" % node.lineno
        )
        if isinstance(node, ast.Expr):
            assert isinstance(node.value, ast.Constant), "a call at import, line %d" % node.lineno


def test_the_module_documents_its_api():
    for name in formats.__all__:
        assert name in formats.__doc__, name
        assert getattr(formats, name) is not None


def test_missing_fields_and_context_give_defaults():
    event = formats.run_event({"outcome": "finished"}, None)
    assert event["title"] == " finished"
    assert event["text"] == "Finished in 0 s. 0 of 0 cells executed."
    assert event["notebook"] == {"path": "", "name": "", "url": ""}
    assert event["run"]["duration_s"] == 0
    assert event["cell"] is None and event["error"] is None and event["kernel"] is None
    assert event["sender"] == "kernel"
    assert formats.run_event({"outcome": "cancelled"}) is None
    assert formats.run_event({"outcome": "something new"}) is None
    assert formats.manual_event({"message": "hi"})["title"] == ""
    assert formats.manual_event({"message": " "}) is None
    assert formats.manual_event("not a dict") is None
    assert formats.report_values({}, ["a"]) == {"a": "(no value)"}


def test_requests_for_channels_that_stay_in_the_lab_are_none():
    event = formats.run_event(FAILED, {})
    for kind in ("toast", "desktop", "sound", "email-later", None):
        assert formats.channel_request({"type": kind}, event, "run:1", {}) is None
    assert formats.channel_request(None, event, "run:1") is None


def test_strings_come_from_the_page_and_fall_back_to_english():
    strings = {
        "%1 failed": "%1: échec",
        "%2 of %1 cell executed.": {
            "forms": ["%2 z %1 komórki.", "%2 z %1 komórek (2-4).", "%2 z %1 komórek."],
            "index": "20" + "".join(
                "1" if n % 10 in (2, 3, 4) and not 10 <= n % 100 < 20 else "2" for n in range(2, 200)
            ),
        },
    }
    event = formats.run_event(dict(FAILED, cells=1), {"strings": strings})
    assert event["title"] == "train.ipynb: échec"
    assert "2 z 1 komórki." in event["text"]
    assert "Failed at cell 2 (In [7]) after 42 s." in event["text"]  # not given: English
    # Counts past the table take the form of 100 + n % 100.
    assert "komórek (2-4)" in formats.run_event(dict(FAILED, cells=1022), {"strings": strings})["text"]
    assert "komórek." in formats.run_event(dict(FAILED, cells=1012), {"strings": strings})["text"]
    # A broken table falls back to its first form rather than failing.
    broken = {"%2 of %1 cell executed.": {"forms": ["%2/%1"], "index": ""}}
    assert "2/3" in formats.run_event(FAILED, {"strings": broken})["text"]


def test_matrix_notice_keeps_html_for_run_events():
    content = matrix_content(formats.run_event(FAILED, {"notebook_url": "https://lab.example.org/lab/tree/work/train.ipynb"}))
    assert content["format"] == "org.matrix.custom.html"
    assert '<a href="https://lab.example.org/lab/tree/work/train.ipynb">train.ipynb</a>' in content["formatted_body"]
    assert "<strong>ValueError: bad</strong>" in content["formatted_body"]


class _Tags(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.hrefs = set(), []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.hrefs += [value for name, value in attrs if name == "href"]


@pytest.mark.parametrize(
    "message",
    [
        "> a quote and a table\n\n| a | b |\n|---|---|\n| 1 | 2 |",
        "<script>alert(1)</script> <img src=x onerror=alert(2)>",
        "~~struck~~ and [x](javascript:alert(3)) and <http://a.b>",
        "* nested\n  * list\n\n    code",
    ],
)
def test_markdown_beyond_the_subset_goes_as_plain_text(message):
    """Only body: what the plain text says, nothing the HTML could run."""
    content = matrix_content(formats.manual_event({"message": message, "title": "T"}))
    assert content == {"msgtype": "m.notice", "body": "T\n" + message, "m.mentions": {}}


@pytest.mark.parametrize(
    "message",
    [
        "[a](javascript:alert(1)) [b](data:text/html,x) [c](mailto:me@example.org) [d](HTTPS://e.org) www.e.org",
        "**<img src=x onerror=alert(1)>** `<script>` ![i](javascript:x)",
        "[x](http://e.org/\"onmouseover=\"alert(1)) &lt;script&gt; &#60;b&#62;",
    ],
)
def test_html_that_is_kept_has_only_safe_tags_and_links(message):
    content = matrix_content(formats.manual_event({"message": message, "title": "<b>T</b>"}))
    parser = _Tags()
    parser.feed(content.get("formatted_body", ""))
    assert parser.tags <= {"p", "strong", "em", "a", "code", "pre", "ul", "ol", "li", "h1", "h2", "hr", "br"}
    assert all(href.lower().startswith(("http://", "https://", "mailto:")) for href in parser.hrefs)


def test_refusals_name_no_secret():
    event = formats.run_event(FAILED, {})
    secret = "https://hooks.example.org/s3cr3t-path"
    for channel in (
        {"type": "webhook", "url": "ftp" + secret[5:]},
        {"type": "slack", "url": secret.replace("https://", "https:// ")},
        {"type": "ntfy", "server": secret, "topic": "has space"},
    ):
        with pytest.raises(formats.ChannelError) as refused:
            formats.channel_request(channel, event, "run:1", {})
        assert "s3cr3t" not in str(refused.value)
    with pytest.raises(formats.ChannelError, match="Log in to Matrix"):
        formats.channel_request({"type": "matrix", "roomId": "!a:b"}, event, "run:1", {})
    with pytest.raises(formats.ChannelError, match="no valid room"):
        formats.channel_request({"type": "matrix", "roomId": "a room"}, event, "run:1", MATRIX)
    with pytest.raises(formats.ChannelError, match="knows no room called #a:b"):
        formats.channel_request({"type": "matrix", "roomId": "#a:b"}, event, "run:1", MATRIX)


def test_a_retry_gets_the_same_matrix_transaction_and_webhook_event_id():
    event = formats.run_event(FAILED, {})
    first, again = (
        formats.channel_request({"type": "matrix", "roomId": "!a:b"}, event, "run:msg-1", MATRIX) for _ in range(2)
    )
    assert first["url"] == again["url"]
    assert first["url"].startswith("https://matrix.example.org/_matrix/client/v3/rooms/!a%3Ab/send/m.room.message/lmk.run_3amsg-1.")
    other_room = formats.channel_request({"type": "matrix", "roomId": "!c:b"}, event, "run:msg-1", MATRIX)
    assert other_room["url"].rsplit(".", 1)[1] != first["url"].rsplit(".", 1)[1]
    long_id = formats.channel_request({"type": "matrix", "roomId": "!a:b"}, event, "run:" + "x" * 200, MATRIX)
    assert len(long_id["url"].rsplit("/", 1)[1]) < 40
    hook = formats.channel_request({"type": "webhook", "url": "https://h.example.org/x"}, event, "run:msg-1", {})
    assert hook["headers"]["X-Lmk-Event-Id"] == "run:msg-1"
    assert first["secrets"] == ["syt_secret"] and first["headers"]["Authorization"] == "Bearer syt_secret"


def test_webhook_signature_checks_with_the_secret():
    import hashlib
    import hmac

    event = formats.run_event(FAILED, {})
    request = formats.channel_request({"type": "webhook", "url": "https://h.example.org/x", "secret": "k"}, event, "n", {})
    expected = hmac.new(b"k", request["body"], hashlib.sha256).hexdigest()
    assert request["headers"]["X-Lmk-Signature-256"] == "sha256=" + expected
    assert json.loads(request["body"])["sender"] == "kernel"


@pytest.mark.parametrize(
    "given, written",
    [
        ("HTTPS://Example.ORG", "https://example.org/"),
        ("http://example.org:80/a/./b/../c", "http://example.org/a/c"),
        ("https://example.org:8443/a b/\u00fc?q=a b&r=\u00e9#f g", "https://example.org:8443/a%20b/%C3%BC?q=a%20b&r=%C3%A9#f%20g"),
        (" https://b\u00fccher.example/ ", "https://xn--bcher-kva.example/"),
        ("https://[::1]:8888/lab", "https://[::1]:8888/lab"),
        ("ftp://example.org", None),
        ("https://user:pw@example.org", None),
        ("not a url", None),
    ],
)
def test_addresses_are_written_as_a_browser_writes_them(given, written):
    assert formats.http_url(given) == written
