"""The lab's notification formats, for a kernel that delivers by itself.

A standard-library port of how jupyterlab-lmk turns a run into its event
(src/messages) and an event into each remote channel's HTTP request
(src/delivery/channels), held identical to the TypeScript by the parity
tests in src/relay/__tests__. The lab sends this file into IPython kernels
as source text: no I/O, no network, nothing done at import, no other
project file needed; Python 3.8 or newer. Strings are handled as
JavaScript does (UTF-16 lengths, its whitespace, numbers and JSON.stringify),
so cuts and bodies come out the same to the byte.

API
---
run_event(summary, context=None) -> dict | None
    The version 1 event of an ended run, as the lab builds and extends it
    (source, output tail, report, held counts, title prefix), with "sender"
    (context "sender", default "kernel"); None for a cancelled run.
    summary: "outcome" ("finished", "failed", "interrupted", "kernel-died",
    "kernel-restarted", "cancelled"), "notebook_path", "kernel" ({"id",
    "name"} or None), "cells", "executed", "started" and "finished" (ISO
    8601, kernel clock), "duration_s", "failure" (None or {"index" 0-based,
    "execution_count" or None, "ename", "evalue", "traceback": [str],
    "source": the cell's code, optional}); optional "output" (text of the
    failing, else last, cell's outputs), "report" ({name: value}, see
    report_values) and "held" ({event kind: count} a flood guard held back).
manual_event(payload, context=None) -> dict | None
    The event of a jupyterlab_lmk.notify() payload (its MIME bundle data),
    None when it has no message. Notebook and kernel come from the context.
read_notify_payload(data) -> dict | None
    A notify payload checked as the lab checks it: {"id", "message",
    "title", "channels", "content_type"}, None without a message.
report_values(results, names, context=None) -> dict
    {name: text} from user_expressions results ({name: {"status", "data",
    "ename"}}), worded and cut as the lab does.
channel_request(channel, event, notification_id, context=None) -> dict | None
    What a channel (its settings, {"type", ...}) sends for an event:
    {"method", "url", "headers": dict, "body": bytes, "secrets": [strings
    to blank out of any error text]}. None for a type that stays in the lab
    (toast, desktop, sound) or is unknown. Raises ChannelError for settings
    the lab would refuse. notification_id is the one the lab uses (run:<run
    id> for a run): webhooks send it as X-Lmk-Event-Id, Matrix derives its
    transaction id from it, so a retry never posts twice.
http_url(url) -> str | None
    An http(s) address as a browser's URL parser writes it, or None.
ChannelError
    ValueError whose message (translated, free of secrets) says what is
    wrong with a channel's settings.
REMOTE_TYPES
    The channel types channel_request can send.

context (all optional): "notebook_url"; "notebook_path" and "kernel" (manual
events); "title_prefix" (as the lab's readTitlePrefix gives it);
"include_source" (bool); "output_lines" (int); "sender"; "strings" (from
src/relay/relayStrings.ts: every msgid used here, translated; English when
missing); "accounts" (the settings' accounts: "matrix" {"homeserver",
"accessToken", ...}, "ntfy" {"server", "token", ...}); "matrix_rooms"
({alias: room id}, the lab resolves aliases).

Limits. Matrix HTML: the lab renders markdown with marked; here only the
markdown events are made of is rendered, to the same HTML (paragraphs,
escapes, links, bold and italics, code spans and blocks, text lists,
headings, rules, web and mail autolinks); a message with anything else
(quotes, tables, raw HTML, strikethrough, nested lists) goes without
formatted_body, its plain body saying the same. Plurals: the page sends the
forms for counts 0-199; above, the form of 100 + n % 100 (exact for the
plural rules of gettext languages). Addresses: IPv4 shorthands and IDNA 2008
differences are not normalised as a browser would.
"""

import base64
import hashlib
import hmac
import json
import math
import re
import unicodedata
from urllib.parse import unquote_to_bytes

__all__ = [
    "ChannelError", "REMOTE_TYPES", "channel_request", "http_url",
    "manual_event", "read_notify_payload", "report_values", "run_event",
]


class ChannelError(ValueError):
    """A channel setting that cannot be sent to; the message says why."""


class _Pattern:
    """A regular expression compiled when first used: importing stays cheap."""

    __slots__ = ("_args", "_compiled")

    def __init__(self, *args):
        self._args, self._compiled = args, None

    def __getattr__(self, name):
        if self._compiled is None:
            self._compiled = re.compile(*self._args)
        return getattr(self._compiled, name)


# --- JavaScript strings -----------------------------------------------------
# Inside, strings are UTF-16 code units (astral characters as surrogate
# pairs), so lengths, slices and regular expressions match JavaScript's.

_WS = "\t\n\x0b\x0c\r \xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_S = "[" + _WS + "]"
_DOT = "[^\n\r\u2028\u2029]"
_ASTRAL = _Pattern("[\U00010000-\U0010ffff]")
_PAIR = _Pattern("[\ud800-\udbff][\udc00-\udfff]")
_LONE = _Pattern("[\ud800-\udfff]")
_TRIM = _Pattern("^" + _S + "+|" + _S + "+\\Z")
_END_WS = _Pattern(_S + "+\\Z")


def _u16(value):
    if isinstance(value, str):
        if value.isascii():
            return value
        return _ASTRAL.sub(lambda m: _unit_pair(ord(m.group()) - 0x10000), value)
    if isinstance(value, dict):
        return {_u16(k): _u16(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_u16(v) for v in value]
    return value


def _unit_pair(c):
    return chr(0xD800 + (c >> 10)) + chr(0xDC00 + (c & 0x3FF))


def _py(value):
    if isinstance(value, str):
        if value.isascii():
            return value
        return _PAIR.sub(
            lambda m: chr(0x10000 + ((ord(m.group()[0]) - 0xD800) << 10) + ord(m.group()[1]) - 0xDC00),
            value,
        )
    if isinstance(value, dict):
        return {_py(k): _py(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_py(v) for v in value]
    return value


def _utf8(text):
    return _LONE.sub("\ufffd", _py(text)).encode("utf-8")


def _trim(text):
    return _TRIM.sub("", text)


def _trim_end(text):
    return _END_WS.sub("", text)


def _num(x):
    """A number as JavaScript's String(x) writes it."""
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, int):
        return str(x)
    if x != x:
        return "NaN"
    if x in (math.inf, -math.inf):
        return "Infinity" if x > 0 else "-Infinity"
    if x < 0:
        return "-" + _num(-x)
    if x == int(x) and x < 1e21:
        return str(int(x))
    mantissa, _, exp = repr(x).partition("e")
    whole, _, frac = mantissa.partition(".")
    digits = (whole + frac).lstrip("0")
    n = len(whole) + int(exp or 0) - (len(whole + frac) - len(digits))
    digits = digits.rstrip("0")
    k = len(digits)
    if 0 < n <= 21:
        return digits[:n] + "." + digits[n:] if k > n else digits + "0" * (n - k)
    if -6 < n <= 0:
        return "0." + "0" * -n + digits
    e = n - 1
    return digits[0] + ("." + digits[1:] if k > 1 else "") + "e" + ("+" if e >= 0 else "-") + str(abs(e))


def _str(x):
    if isinstance(x, str):
        return x
    if x is None:
        return "null"
    if isinstance(x, (int, float)):
        return _num(x)
    return str(x)


def _round(x):
    """Math.round: halves go up."""
    if not math.isfinite(x):
        return x
    f = math.floor(x)
    return f + 1 if x - f >= 0.5 else f


_INDEX_KEY = _Pattern("(0|[1-9][0-9]*)\\Z")


def _keys(obj):
    """Object keys in JavaScript's order: array indices first."""
    index = sorted((k for k in obj if _INDEX_KEY.match(k) and int(k) < 4294967295), key=int)
    seen = set(index)
    return index + [k for k in obj if k not in seen]


def _json(v):
    """JSON.stringify of a UTF-16 value."""
    if v is None:
        return "null"
    if v is True or v is False:
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return _num(v) if math.isfinite(v) else "null"
    if isinstance(v, str):
        text = json.dumps(_py(v), ensure_ascii=False)
        return _LONE.sub(lambda m: "\\u%04x" % ord(m.group()), text)
    if isinstance(v, dict):
        return "{" + ",".join(_json(k) + ":" + _json(v[k]) for k in _keys(v)) + "}"
    return "[" + ",".join(_json(x) for x in v) + "]"


def _len8(text):
    """utf8Length: UTF-8 bytes, counting as the lab does."""
    if not _LONE.search(text):
        return len(text.encode("utf-8"))
    n = i = 0
    while i < len(text):
        c = ord(text[i])
        n += 1 if c < 0x80 else 2 if c < 0x800 else 4 if 0xD800 <= c <= 0xDBFF else 3
        i += 2 if 0xD800 <= c <= 0xDBFF else 1
    return n


def _cut(text, limit):
    return text[: limit - 1] + "\u2026" if len(text) > limit else text


# --- Translations -----------------------------------------------------------
# Every user-visible string goes through _t or _n with a literal msgid: the
# parity test reads them from this file and compares them with relayStrings.


def _t(ctx, msgid, *args):
    template = (ctx.get("strings") or {}).get(msgid)
    return _fmt(template if isinstance(template, str) else msgid, args)


def _n(ctx, msgid, plural, count, *args):
    entry = (ctx.get("strings") or {}).get(msgid)
    form = msgid if count == 1 else plural
    if isinstance(entry, dict) and entry.get("forms"):
        k = count if 0 <= count < 200 else 100 + count % 100
        try:
            form = entry["forms"][int(entry["index"][k], 36)]
        except (IndexError, KeyError, ValueError, TypeError):
            form = entry["forms"][0]
    return _fmt(form, (count,) + args)


def _fmt(template, args):
    def arg(m):
        i = int(m.group(1)) - 1
        return _str(args[i]) if 0 <= i < len(args) else "undefined"

    return re.sub("%([0-9]+)", arg, template)


# --- Events (src/messages) --------------------------------------------------

_ANSI = _Pattern("\x1b\\[[0-9;?]*[ -/]*[@-~]|\x1b\\][^\x07\x1b]*(?:\x07|\x1b\\\\)")
_MD_SPECIAL = _Pattern(r"([\\`*_\[\]<>])")
_KINDS = {
    "finished": "run.finished", "failed": "run.failed", "interrupted": "run.interrupted",
    "kernel-died": "kernel.died", "kernel-restarted": "kernel.restarted",
}


def _escape_md(text):
    return _MD_SPECIAL.sub(r"\\\1", text)


def _base_name(path):
    return path.split("/")[-1] or path


def _traceback(traceback, max_lines=30, max_chars=4000):
    lines = [line for entry in traceback for line in _ANSI.sub("", _str(entry)).split("\n")]
    kept, chars = [], 0
    for line in reversed(lines):
        if len(kept) >= max_lines:
            break
        if chars + len(line) > max_chars:
            if not kept:
                kept.insert(0, "\u2026" + line[len(line) - max_chars + 1:])
            break
        kept.insert(0, line)
        chars += len(line) + 1
    if len(kept) < len(lines):
        kept.insert(0, "\u2026")
    return kept


def _duration(seconds, ctx):
    if not isinstance(seconds, (int, float)) or not math.isfinite(seconds) or seconds < 0:
        seconds = 0
    if seconds < 10:
        return _t(ctx, "%1 s", _num(_round(seconds * 10) / 10))
    total = _round(seconds)
    days, hours = total // 86400, total % 86400 // 3600
    minutes, secs = total % 3600 // 60, total % 60
    if days > 0:
        return _t(ctx, "%1 d %2 h", days, hours)
    if hours > 0:
        return _t(ctx, "%1 h %2 min", hours, "%02d" % minutes)
    if minutes > 0:
        return _t(ctx, "%1 min %2 s", minutes, "%02d" % secs)
    return _t(ctx, "%1 s", secs)


def _cell_label(index, count, ctx):
    position = str(index + 1) if index >= 0 else "?"
    if count is None:
        return _t(ctx, "cell %1", position)
    return _t(ctx, "cell %1 (In [%2])", position, count)


def run_event(summary, context=None):
    """The event of an ended run, as the lab builds it (see the module doc)."""
    ctx = _u16(context or {})
    s = _u16(summary)
    kind = _KINDS.get(s.get("outcome"))
    if kind is None:
        return None
    path = s.get("notebook_path") or ""
    url = ctx.get("notebook_url") or ""
    name = _base_name(path)
    duration = _duration(s.get("duration_s"), ctx)
    failure = s.get("failure")
    traceback = _traceback(failure.get("traceback") or []) if failure else []
    where = _cell_label(failure.get("index", -1), failure.get("execution_count"), ctx) if failure else ""
    outcome = s["outcome"]
    if outcome == "finished":
        title, line = _t(ctx, "%1 finished", name), _t(ctx, "Finished in %1.", duration)
    elif outcome == "failed":
        title, line = _t(ctx, "%1 failed", name), _t(ctx, "Failed at %1 after %2.", where, duration)
    elif outcome == "interrupted":
        title = _t(ctx, "%1 was interrupted", name)
        line = _t(ctx, "Interrupted at %1 after %2.", where, duration)
    elif outcome == "kernel-died":
        title, line = _t(ctx, "%1: the kernel died", name), _t(ctx, "The kernel died after %1.", duration)
    else:
        title = _t(ctx, "%1: the kernel restarted", name)
        line = _t(ctx, "The kernel was restarted after %1.", duration)
    cells, executed = s.get("cells") or 0, s.get("executed") or 0
    cells_line = _n(ctx, "%2 of %1 cell executed.", "%2 of %1 cells executed.", cells, executed)
    error = "%s: %s" % (failure.get("ename", ""), failure.get("evalue", "")) if failure and outcome == "failed" else ""
    text = "\n".join(p for p in [line + " " + cells_line, error, "\n".join(traceback)] if p)
    message = "\n\n".join(p for p in [
        "[%s](%s): %s %s" % (_escape_md(name), url, line, cells_line),
        "**%s**" % _escape_md(error) if error else "",
        "```\n" + "\n".join(traceback) + "\n```" if traceback else "",
    ] if p)
    event = {
        "version": 1, "event": kind, "title": title, "message": message, "text": text,
        "notebook": {"path": path, "name": name, "url": url},
        "run": {
            "cells": cells, "executed": executed, "started": s.get("started", ""),
            "finished": s.get("finished", ""), "duration_s": _round((s.get("duration_s") or 0) * 1000) / 1000,
        },
        "cell": {"index": failure.get("index", -1), "execution_count": failure.get("execution_count")} if failure else None,
        "error": {"ename": failure.get("ename", ""), "evalue": failure.get("evalue", ""), "traceback": traceback}
        if failure else None,
        "kernel": s.get("kernel"), "report": None, "sender": ctx.get("sender") or "kernel",
    }
    if failure and ctx.get("include_source") and isinstance(failure.get("source"), str):
        excerpt = _source_excerpt(failure["source"])
        if excerpt:
            event = _append_block(event, _t(ctx, "Cell source:"), excerpt)
    lines = ctx.get("output_lines") or 0
    if isinstance(s.get("output"), str) and lines > 0:
        tail = _output_tail(s["output"], lines)
        if tail:
            event = _append_block(event, _t(ctx, "Last output:"), tail)
    if s.get("report"):
        event = _with_report(event, s["report"], ctx)
    held = _held_summary(s.get("held") or {}, ctx)
    if held:
        extra = _t(ctx, "Also, since the last notification: %1.", held)
        event["text"] += "\n" + extra
        event["message"] += "\n\n" + _escape_md(extra)
    prefix = ctx.get("title_prefix")
    if prefix and isinstance(prefix, str):
        event["title"] = prefix + " " + event["title"]
    return _py(event)


def _source_excerpt(source):
    lines = _trim_end(source).split("\n")
    excerpt = "\n".join(lines[:15])
    if len(excerpt) > 1500:
        return excerpt[:1499] + "\u2026"
    return excerpt + "\n\u2026" if len(lines) > 15 else excerpt


def _output_tail(output, count):
    every = _trim_end(_ANSI.sub("", output)).split("\n")
    tail = "\n".join(every[-count:])
    if len(tail) > 2000:
        tail = "\u2026" + tail[len(tail) - 1999:]
    elif len(every) > count:
        tail = "\u2026\n" + tail
    return tail if _trim(tail) else ""


def _append_block(event, heading, block):
    fence = "`" * (max([2] + [len(r) for r in re.findall("`+", block)]) + 1)
    event["text"] += "\n%s\n%s" % (heading, block)
    event["message"] += "\n\n%s\n\n%s\n%s\n%s" % (_escape_md(heading), fence, block, fence)
    return event


def _with_report(event, report, ctx):
    names = _keys(report)
    if not names:
        return event
    lines = ["%s: %s" % (name, _str(report[name])) for name in names]
    heading = _t(ctx, "Report")
    event["report"] = {name: report[name] for name in names}
    event["text"] = "\n".join([event["text"], heading + ":"] + lines)
    event["message"] += "\n\n**%s**\n\n" % heading + "\n".join("- `" + line.replace("`", "'") + "`" for line in lines)
    return event


def _held_summary(held, ctx):
    parts = []
    for kind in _keys(held):
        count = held[kind]
        if not count:
            continue
        if kind == "run.failed":
            parts.append(_n(ctx, "%1 more failure", "%1 more failures", count))
        elif kind == "run.finished":
            parts.append(_n(ctx, "%1 more run finished", "%1 more runs finished", count))
        else:
            parts.append(_n(ctx, "%1 more notification", "%1 more notifications", count))
    return ", ".join(parts)


def _unbox(value):
    return value[0] if isinstance(value, list) and len(value) == 1 and isinstance(value[0], str) else value


def read_notify_payload(data):
    """A notify() payload checked as src/kernelNotify/payload.ts does."""
    if not isinstance(data, dict):
        return None
    raw = _u16(data)
    for key in ("id", "message", "title", "content_type"):
        raw[key] = _unbox(raw.get(key))
    message, title, channels = raw["message"], raw["title"], raw.get("channels")
    if not isinstance(message, str) or not _trim(message):
        return None
    channels = [c for c in channels if isinstance(c, str) and c] if isinstance(channels, list) else None
    return _py({
        "id": raw["id"] if isinstance(raw["id"], str) and raw["id"] else None,
        "message": _cut(message, 10000),
        "title": _cut(_trim(title), 200) if isinstance(title, str) and _trim(title) else None,
        "channels": channels or None,
        "content_type": "text/plain" if raw["content_type"] == "text/plain" else "text/markdown",
    })


def manual_event(payload, context=None):
    """The event of a notify() payload, or None (see the module doc)."""
    checked = read_notify_payload(payload)
    if checked is None:
        return None
    ctx = _u16(context or {})
    p = _u16(checked)
    path = ctx.get("notebook_path") or ""
    name = _base_name(path)
    return _py({
        "version": 1, "event": "manual", "title": p["title"] if p["title"] is not None else name,
        "message": p["message"], "text": p["message"],
        "notebook": {"path": path, "name": name, "url": ctx.get("notebook_url") or ""},
        "run": None, "cell": None, "error": None, "kernel": ctx.get("kernel"), "report": None,
        "sender": ctx.get("sender") or "kernel",
    })


def report_values(results, names, context=None):
    """Report values from user_expressions results, as the lab words them."""
    ctx = _u16(context or {})
    results = _u16(results or {})
    values = {}
    for name in _u16(list(names)):
        result = results.get(name)
        if not isinstance(result, dict):
            values[name] = _t(ctx, "(no value)")
        elif result.get("status") != "ok":
            values[name] = result.get("ename") or _t(ctx, "(error)")
        else:
            text = (result.get("data") or {}).get("text/plain")
            values[name] = _cut(text if isinstance(text, str) else "", 200)
    return _py(values)


# --- Chat markdown (src/messages/chatMarkdown.ts) ---------------------------

_FENCE = _Pattern(" {0,3}```(" + _DOT + "*)\\Z")


def _split_code(markdown):
    segments, lines, code, info = [], [], False, ""
    for line in markdown.split("\n"):
        m = _FENCE.match(line)
        if m:
            if code or lines:
                segments.append([code, "\n".join(lines), info])
            lines, code = [], not code
            info = _trim(m.group(1)) if code else ""
        else:
            lines.append(line)
    if code or lines:
        segments.append([code, "\n".join(lines), info])
    return segments


def _join_code(segments):
    return "\n".join("```" + info + "\n" + text + "\n```" if code else text for code, text, info in segments)


def _slice(text, start, end=None):
    """sliceSafe: a slice that never splits a surrogate pair."""
    size = len(text)
    a = max(0, start)
    b = min(size, max(a, size if end is None else end))
    if 0 < a < size and "\udc00" <= text[a] <= "\udfff":
        a += 1
    if 0 < b < size and "\udc00" <= text[b] <= "\udfff":
        b -= 1
    return text[a:max(a, b)]


def _fit(text, limit, measure, cut):
    if measure(text) <= limit:
        return text
    budget = limit
    for _ in range(8):
        if budget <= 0:
            break
        result = cut(budget)
        size = measure(result)
        if size <= limit:
            return result
        budget -= size - limit
    return ""


def _truncate(text, limit, measure=len):
    return _fit(text, limit, measure, lambda b: _trim_end(_slice(text, 0, b - 1)) + "\u2026")


def _bound_md(markdown, limit, measure=len):
    return _fit(markdown, limit, measure, lambda b: _shrink_md(markdown, b))


def _shrink_md(markdown, budget):
    segments = _split_code(markdown)
    excess = len(_join_code(segments)) - budget
    for seg in sorted((s for s in segments if s[0]), key=lambda s: -len(s[1])):
        if excess <= 0:
            break
        keep = max(0, len(seg[1]) - excess - 2)
        before = len(seg[1])
        seg[1] = "\u2026\n" + _slice(seg[1], before - keep)
        excess -= before - len(seg[1])
    result = _join_code(segments)
    if len(result) <= budget:
        return result
    result = _trim_end(_slice(result, 0, max(0, budget - 5))) + "\u2026"
    fences = sum(1 for line in result.split("\n") if _FENCE.match(line))
    return result + "\n```" if fences % 2 else result


def _escape_slack(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_SLACK_INLINE = _Pattern(
    r"\\([!-/:-@\[-`{-~])|\[((?:\\" + _DOT + r"|[^\]\\])+)\]\(([^()" + _WS + r"]+)\)|\*\*(" + _DOT + r"+?)\*\*|`([^`]+)`"
)
_SLACK_HEADING = _Pattern("#{1,6}" + _S + "+(" + _DOT + "*)\\Z")


def _slack_inline(text):
    out, last = [], 0
    for m in _SLACK_INLINE.finditer(text):
        out.append(_escape_slack(text[last:m.start()]))
        last = m.end()
        escaped, label, url, bold, code = m.groups()
        if escaped is not None:
            out.append(_escape_slack(escaped))
        elif label is not None:
            target = url.replace("|", "%7C").replace("<", "%3C").replace(">", "%3E").replace("&", "&amp;")
            out.append("<%s|%s>" % (target, _slack_inline(label)))
        elif bold is not None:
            out.append("*%s*" % _slack_inline(bold))
        else:
            out.append("`" + _escape_slack(code) + "`")
    return "".join(out) + _escape_slack(text[last:])


def _slack_line(line):
    m = _SLACK_HEADING.match(line)
    return "*%s*" % _slack_inline(m.group(1)) if m else _slack_inline(line)


def _md_to_slack(markdown):
    return "\n".join(
        "```\n" + _escape_slack(text) + "\n```" if code else "\n".join(_slack_line(x) for x in text.split("\n"))
        for code, text, _ in _split_code(markdown)
    )


_MENTION_AT = _Pattern("(^|[^A-Za-z0-9_@])@(?=[A-Za-z0-9_])")
_MENTION_ANGLE = _Pattern("<(?=[!@#])")
# JavaScript's ^ with the m flag: after any of its line terminators.
_LINE_START = "(?:(?<=[\n\r\u2028\u2029])|\\A)"
_LINK_OPEN = _Pattern("\\]\\(([^)]*)")
_AUTOLINK_ANY = _Pattern("<([a-z][a-z0-9+.\\-]{1,31}:[^" + _WS + "<>]*)>", re.I | re.A)
_REF_DEF = _Pattern(_LINE_START + "( {0,3})\\[([^\\]\n]+)\\]:([ \t]*)([^" + _WS + "]+)")
_INLINE_CODE = _Pattern("(`+)[\\s\\S]*?[^`]\\1(?!`)|(`+)(?!`)")
_SAFE_TARGET = _Pattern("(https?://|mailto:)", re.I | re.A)


def _neutralize_text(text):
    """neutralizeText: no mention reaches anyone."""
    return _MENTION_ANGLE.sub("<\u200b", _MENTION_AT.sub("\\1@\u200b", text))


def _is_safe_link_target(target):
    start = 0
    while start < len(target) and ord(target[start]) <= 0x20:
        start += 1
    cleaned = re.sub("[\t\n\r]", "", target[start:])
    if cleaned.startswith("<"):
        cleaned = cleaned[1:]
    return bool(_SAFE_TARGET.match(cleaned))


def _neutralize_prose(text):
    text = _LINK_OPEN.sub(lambda m: m.group() if _is_safe_link_target(m.group(1)) else "]\\(" + m.group(1), text)
    text = _AUTOLINK_ANY.sub(lambda m: m.group() if _is_safe_link_target(m.group(1)) else "\\<" + m.group(1) + ">", text)
    text = _REF_DEF.sub(
        lambda m: m.group() if _is_safe_link_target(m.group(4))
        else "%s\\[%s]:%s%s" % (m.group(1), m.group(2), m.group(3), m.group(4)),
        text,
    )
    return _neutralize_text(text)


def _outside_inline_code(text, change, everywhere):
    if everywhere:
        return change(text)
    out, last = [], 0
    for m in _INLINE_CODE.finditer(text):
        if m.group(2) is not None:
            continue  # An unmatched backtick run is text.
        out.append(change(text[last:m.start()]) + m.group())
        last = m.end()
    return "".join(out) + change(text[last:])


def _neutralize_markdown(markdown, in_code=False):
    """neutralizeMarkdown: only http(s) and mailto links, no mention."""
    segments = _split_code(markdown)
    for seg in segments:
        if seg[0]:
            if in_code:
                seg[1] = _neutralize_prose(seg[1])
        else:
            seg[1] = _outside_inline_code(seg[1], _neutralize_prose, in_code)
    return _join_code(segments)


# --- Addresses --------------------------------------------------------------

_URL_PARTS = _Pattern(r"([A-Za-z][A-Za-z0-9+.\-]*):[/\\]*([^/\\?#]*)([^?#]*)(?:\?([^#]*))?(?:#(.*))?\Z", re.S)
_PORTS = {"http": 80, "https": 443}
_BAD_HOST = _Pattern("[\x00-\x20#%/:<>?@\\[\\\\\\]^|\x7f]")


def _pct(text, extra):
    """Percent-encode controls, space, non-ASCII and the characters in extra."""
    return "".join(
        "".join("%%%02X" % b for b in ch.encode("utf-8")) if ord(ch) <= 0x20 or ord(ch) >= 0x7F or ch in extra else ch
        for ch in text
    )


def _parse_url(url):
    """An http(s) address as WHATWG URL parts, or None."""
    url = re.sub("[\t\n\r]", "", re.sub("^[\x00-\x20]+|[\x00-\x20]+\\Z", "", _LONE.sub("\ufffd", _py(url))))
    m = _URL_PARTS.match(url)
    if not m or m.group(1).lower() not in _PORTS:
        return None
    scheme, authority, path, query, fragment = m.groups()
    scheme = scheme.lower()
    host, _, port = authority.rpartition(":") if ":" in authority.rpartition("]")[2] else (authority, "", "")
    if "@" in authority or port and not re.match("[0-9]+\\Z", port):
        return None
    if host.startswith("["):
        if not re.match("\\[[0-9A-Fa-f:.]+\\]\\Z", host):
            return None
        host = host.lower()
    else:
        try:
            host = unquote_to_bytes(host).decode("utf-8")
            host = (host if host.isascii() else host.encode("idna").decode("ascii")).lower()
        except (UnicodeError, ValueError):
            return None
        if not host or _BAD_HOST.search(host):
            return None
    number = int(port) if port else None
    if number is not None and number > 65535:
        return None
    segments = []
    parts = path.replace("\\", "/").split("/")[1:] if path else [""]
    for i, seg in enumerate(parts):
        last = i == len(parts) - 1
        lowered = seg.lower()
        if lowered in ("..", ".%2e", "%2e.", "%2e%2e"):
            if segments:
                segments.pop()
            if last:
                segments.append("")
        elif lowered in (".", "%2e"):
            if last:
                segments.append("")
        else:
            segments.append(_pct(seg, '"#<>?`{}'))
    return {
        "scheme": scheme, "host": host, "port": None if number == _PORTS[scheme] else number,
        "path": "/" + "/".join(segments), "query": None if query is None else _pct(query, "\"#<>'"),
        "fragment": None if fragment is None else _pct(fragment, '"<>`'),
    }


def _serialize_url(p):
    return "%s://%s%s%s%s%s" % (
        p["scheme"], p["host"], "" if p["port"] is None else ":%d" % p["port"], p["path"],
        "" if p["query"] is None else "?" + p["query"], "" if p["fragment"] is None else "#" + p["fragment"],
    )


def http_url(url):
    """An http(s) address as a browser's URL parser writes it, or None."""
    parts = _parse_url(url) if isinstance(url, str) else None
    return None if parts is None else _serialize_url(parts)


def _form_decode(text):
    return unquote_to_bytes(text.replace("+", " ")).decode("utf-8", "replace")


def _form_encode(text):
    return "".join(
        chr(b) if chr(b).isalnum() and b < 0x80 or chr(b) in "*-._" else "+" if b == 0x20 else "%%%02X" % b
        for b in _utf8(text)
    )


def _form_pairs(query):
    return [
        (_form_decode(name), _form_decode(value))
        for name, _, value in (part.partition("=") for part in (query or "").split("&") if part)
    ]


def _form(pairs):
    return "&".join(_form_encode(name) + "=" + _form_encode(value) for name, value in pairs)


def _with_param(url, name, value):
    """URL.searchParams.set(name, value), serialised."""
    p = _parse_url(url)
    pairs, found = [], False
    for key, old in _form_pairs(p["query"]):
        if key != name:
            pairs.append((key, old))
        elif not found:
            pairs.append((key, value))
            found = True
    if not found:
        pairs.append((name, value))
    p["query"] = _form(pairs)
    return _u16(_serialize_url(p))


def _origin(url):
    p = _parse_url(url) if isinstance(url, str) else None
    return None if p is None else (p["scheme"], p["host"], p["port"])


def _host(url):
    p = _parse_url(url)
    return "" if p is None else p["host"] + ("" if p["port"] is None else ":%d" % p["port"])


def _is_web_url(url):
    return isinstance(url, str) and bool(url) and _parse_url(url) is not None


def _url_secrets(url):
    p = _parse_url(url)
    if p is None:
        return []
    search = "?" + p["query"] if p["query"] else ""
    parts = [p["path"] + search, p["path"]]
    for segment in p["path"].split("/"):
        parts.append(segment)
        if not re.search("%(?![0-9A-Fa-f]{2})", segment):
            try:
                parts.append(_u16(unquote_to_bytes(segment).decode("utf-8")))
            except UnicodeError:
                pass
    parts.extend(_u16(value) for _, value in _form_pairs(p["query"]))
    return sorted((part for part in parts if len(part) >= 6), key=lambda part: -len(part))


def _check_http_url(value, ctx):
    if _parse_url(_trim(value)) is not None:
        return None
    if re.match("[A-Za-z][A-Za-z0-9+.\\-]*:", _trim(value)) and not re.match("https?:", _trim(value), re.I):
        return _t(ctx, "The address must start with https:// or http://.")
    return _t(ctx, "This is not a web address (it should start with https://).")


# --- Matrix HTML (src/messages/matrixFormat.ts) -----------------------------


class _Unsure(Exception):
    """Markdown outside the subset rendered here: the notice goes without HTML."""


_PUNCT_CHARS = "!\"#$%&'()*+,\\-./:;<=>?@\\[\\]\\\\^_`{|}~"
_ESCAPE = _Pattern("\\\\([" + _PUNCT_CHARS + "])")
_CODESPAN = _Pattern("(`+)([^`]|[^`][\\s\\S]*?[^`])\\1(?!`)")
_BR = _Pattern("( {2,}|\\\\)\n(?!" + _S + "*\\Z)")
_BROAD = "[a-zA-Z0-9.!#$%&'*+/=?_`{|}~-]"
_TEXT = _Pattern(
    "([`~]+|[^`~])(?:(?= {2,}\n)|(?=" + _BROAD + "+@)|[\\s\\S]*?(?:(?=[\\\\<!\\[`*~_]|\\b_|[hH][tT][tT][pP][sS]?"
    "|[fF][tT][pP]://|www\\.|\\Z)|[^ ](?= {2,}\n)|[^a-zA-Z0-9.!#$%&'*+/=?_`{|}~-](?=" + _BROAD + "+@)))",
    re.A,
)
_AUTOLINK = _Pattern(
    "((?:[hH][tT][tT][pP][sS]?|[fF][tT][pP])://|www\\.)(?:[a-zA-Z0-9\\-]+\\.?)+[^" + _WS + "<]*"
    "|[A-Za-z0-9._+-]+(@)[a-zA-Z0-9_-]+(?:\\.[a-zA-Z0-9_-]*[a-zA-Z0-9])+(?![-_])"
)
_BACKPEDAL = _Pattern("(?:[^?!.,:;*_'\"~()&]+|\\([^)]*\\)|&(?![a-zA-Z0-9]+;\\Z)|[?!.,:;*_'\"~)]+(?!\\Z))+")
_LABEL = "(?:\\[(?:\\\\[\\s\\S]|[^\\[\\]\\\\])*\\]|\\\\[\\s\\S]|`+(?!`)[^`]*?`+(?!`)|``+(?=\\])|[^\\[\\]\\\\`])*?"
_LINK = _Pattern(
    "!?\\[(" + _LABEL + ")\\]\\(" + _S + "*(<(?:\\\\" + _DOT + "|[^\n<>\\\\])+>|[^ \t\n\x00-\x1f]*)"
    "(?:(?:[ \t]+(?:\n[ \t]*)?|\n[ \t]*)(\"(?:\\\\\"?|[^\"\\\\])*\"|'(?:\\\\'?|[^'\\\\])*'|\\((?:\\\\\\)?|[^)\\\\])*\\)))?"
    + _S + "*\\)"
)
_REF = "(?!" + _S + "*\\])(?:\\\\[\\s\\S]|[^\\[\\]\\\\])+"
_REFLINK = _Pattern("!?\\[(" + _LABEL + ")\\]\\[(" + _REF + ")\\]|!?\\[(" + _REF + ")\\](?:\\[\\])?")
_BLOCK_SKIP = _Pattern(
    "\\[(?:[^\\[\\]`]|(?P<a>`+)[^`]+(?P=a)(?!`))*?\\]\\((?:\\\\[\\s\\S]|[^\\\\()]|\\((?:\\\\[\\s\\S]|[^\\\\()])*\\))*\\)"
    "|(?<!`)(?P<b>`+)[^`]+(?P=b)(?!`)|<(?! )[^<>]*?>"
)
_NO_ENCODE = _Pattern("[<>\"']|&(?!(?:#[0-9]{1,7}|#[Xx][a-fA-F0-9]{1,6}|[A-Za-z0-9_]+);)")
_HTML_CHARS = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}


def _esc(text, encode=False):
    """marked's escape: with encode, every & too; without, entities stay."""
    if encode:
        return re.sub("[&<>\"']", lambda m: _HTML_CHARS[m.group()], text)
    return _NO_ENCODE.sub(lambda m: _HTML_CHARS[m.group()], text)


def _category(ch):
    return unicodedata.category(ch)[0]


def _is_punct(ch):
    return bool(ch) and ch != "~" and _category(ch) in "PS"


def _char_at(text, i):
    """The code point at i, as a regular expression with the u flag sees it."""
    return _py(text[i:i + 2])[:1] if i < len(text) else ""


def _is_space(ch):
    return bool(ch) and bool(re.match(_S, ch))


def _closing_paren(text):
    if ")" not in text:
        return -1
    depth, i = 0, 0
    while i < len(text):
        if text[i] == "\\":
            i += 1
        elif text[i] == "(":
            depth += 1
        elif text[i] == ")":
            depth -= 1
            if depth < 0:
                return i
        i += 1
    return -2 if depth > 0 else -1


def _link(src, i):
    """marked's link tokenizer at i: (html, end), or None."""
    m = _LINK.match(src, i)
    if not m:
        return None
    raw, label, href, title = m.group(0), m.group(1), m.group(2), m.group(3)
    if _trim(href).startswith("<"):
        raise _Unsure
    close = _closing_paren(href)
    if close == -2:
        return None
    if close > -1:
        raw = _trim(raw[:(5 if raw.startswith("!") else 4) + len(label) + close])
        href, title = href[:close], None
    href = _trim(href)
    if title or "\\" in href:
        raise _Unsure
    label = re.sub(r"\\([\[\]])", r"\1", label)
    if raw.startswith("!"):
        html = _html_escape(label)
    else:
        inner = _inline(label, True)
        html = '<a href="%s">%s</a>' % (_html_escape(href), inner) if _safe_href(href) else inner
    return html, i + len(raw)


def _emphasis(src, masked, i, prev):
    """marked's emphasis at a * or _: (html, end), None, or _Unsure."""
    ch = src[i]
    j = i
    while j < len(src) and src[j] == ch:
        j += 1
    nxt = _char_at(src, j)
    punct = _is_punct(nxt) and nxt != ch
    other = bool(nxt) and not punct and not _is_space(nxt) and nxt != ch
    if not punct and not other:
        return None
    prev_char = prev[-1:]
    if ch == "_" and other and prev_char and _category(prev_char) in "LN":
        return None
    if punct and prev_char and prev_char not in "*_" and not _is_space(prev_char) and _category(prev_char) not in "PS":
        return None
    size = j - i
    k = j
    while k < len(masked) and masked[k] not in "*_":
        k += 1
    if k == len(masked):
        return None
    end = k
    while end < len(masked) and masked[end] == masked[k]:
        end += 1
    before, after = _py(masked[max(j, k - 2):k])[-1:], _char_at(masked, end)
    if size > 2 or masked[k] != ch or end - k != size or _is_space(before):
        raise _Unsure
    # The closing rules of marked's emStrongRDelim: for *, ~ is no punctuation.
    p_before = _category(before) in "PS" and not (ch == "*" and before == "~")
    p_after = bool(after) and _category(after) in "PS" and not (ch == "*" and after == "~")
    if p_before and after and not p_after and not _is_space(after) or ch == "_" and not p_before and (
        after and not p_after and not _is_space(after)
    ):
        raise _Unsure
    tag = "em" if size == 1 else "strong"
    return "<%s>%s</%s>" % (tag, _inline(src[j:k]), tag), end


def _mask(src):
    """marked's masked source: escapes, code spans and links hidden from emphasis."""
    if re.search("\\\\[\ud800-\udbff]", src):
        raise _Unsure
    src = re.sub("\\\\(.)", lambda m: "++" if _category(m.group(1)) in "PS" else m.group(0), src, flags=re.S)
    return _BLOCK_SKIP.sub(lambda m: "[" + "a" * (len(m.group(0)) - 2) + "]", src)


def _inline(src, in_link=False):
    """marked's inline lexer and renderer, for the subset (see _Unsure)."""
    if len(re.findall("~+", src)) > 1:
        raise _Unsure  # strikethrough
    out, text, prev, was_text, i, masked = [], "", "", False, 0, None

    def flush():
        if text:
            out.append(_esc(text))
        return ""

    while i < len(src):
        if not was_text:
            prev = ""
        was_text = False
        ch = src[i]
        m = _ESCAPE.match(src, i)
        if m:
            text = flush()
            out.append(_esc(m.group(1)))
            i = m.end()
            continue
        if ch == "<":
            raise _Unsure
        if ch in "![":
            link = _link(src, i)
            if link:
                text = flush()
                out.append(link[0])
                i = link[1]
                continue
            if _REFLINK.match(src, i):
                text += ch
                i += 1
                continue
        if ch in "*_":
            masked = masked if masked is not None else _mask(src)
            emphasis = _emphasis(src, masked, i, prev)
            if emphasis:
                text = flush()
                out.append(emphasis[0])
                i = emphasis[1]
                continue
        m = _CODESPAN.match(src, i)
        if m:
            text = flush()
            code = m.group(2).replace("\n", " ")
            if re.search("[^ ]", code) and code.startswith(" ") and code.endswith(" "):
                code = code[1:-1]
            out.append("<code>" + _esc(code, True) + "</code>")
            i = m.end()
            continue
        m = _BR.match(src, i)
        if m:
            text = flush()
            out.append("<br>")
            i = m.end()
            continue
        m = None if in_link else _AUTOLINK.match(src, i)
        if m:
            raw = m.group(0)
            if m.group(2) == "@":
                href = "mailto:" + raw
            else:
                while True:
                    before = raw
                    found = _BACKPEDAL.search(raw)
                    raw = found.group(0) if found else ""
                    if raw == before:
                        break
                href = "http://" + raw if m.group(1) == "www." else raw
            text = flush()
            inner = _esc(raw)
            out.append('<a href="%s">%s</a>' % (_html_escape(href), inner) if _safe_href(href) else inner)
            i += len(raw)
            continue
        m = _TEXT.match(src, i)
        raw = m.group(0)
        text += raw
        if raw[-1] != "_":
            prev = raw[-1]
        was_text = True
        i = m.end()
    flush()
    return "".join(out)


_BLOCK_START = _Pattern(
    " {0,3}(?:#{1,6}(?:" + _S + "|\\Z)|>|<|```|~~~|[*+-](?:[ \t]|\\Z)|[0-9]{1,9}[.)](?:[ \t]|\\Z)"
    "|(?:(?:-[\t ]*){3,}|(?:_[ \t]*){3,}|(?:\\*[ \t]*){3,})\\Z|\\[(?:\\\\[\\s\\S]|[^\\[\\]\\\\])+\\]:)|(?: {4}| {0,3}\t)"
)
_INTERRUPT = _Pattern(
    " {0,3}(?:>|<|```|~~~|[*+-][ \t]|1[.)][ \t]|(?:(?:-[\t ]*){3,}|(?:_[ \t]*){3,}|(?:\\*[ \t]*){3,})\\Z)"
)
_UNDERLINE = _Pattern(" {0,3}(?:\\| *)?:?-+:? *(?:\\| *:?-+:? *)*(?:\\| *)?\\Z| {0,3}=+ *\\Z")
_HEADING = _Pattern(" {0,3}(#{1,6})(?=" + _S + "|\\Z)(" + _DOT + "*)\\Z")
_HR = _Pattern(" {0,3}(?:(?:-[\t ]*){3,}|(?:_[ \t]*){3,}|(?:\\*[ \t]*){3,})\\Z")
_OPEN_FENCE = _Pattern("(`{3,}|~{3,})(.*)\\Z")
_ITEM = _Pattern("([*+-]|[0-9]{1,9}[.)])( {1,4})(?! )(.*)\\Z")


def _paragraph_lines(lines, i):
    end = i + 1
    while end < len(lines) and lines[end] != "":
        line = lines[end]
        if _HEADING.match(line):
            break
        if not _trim(line) or _INTERRUPT.match(line) or _UNDERLINE.match(line):
            raise _Unsure
        end += 1
    return end


def _list(lines, i):
    """A tight list whose items are text, as marked renders it: (html, next line)."""
    first = _ITEM.match(lines[i]).group(1)
    bullet, ordered = first[-1], first[-1] in ".)"
    items = []
    while i < len(lines):
        item = _ITEM.match(lines[i])
        if not item or item.group(1)[-1] != bullet or (item.group(1) in "*+-") == ordered:
            break
        indent = len(item.group(1)) + len(item.group(2))
        texts = [item.group(3)]
        if _HR.match(lines[i]) or re.match("\\[[ xX]\\] ", texts[0]):
            raise _Unsure
        i += 1
        while i < len(lines) and lines[i] and not _ITEM.match(lines[i]):
            # A line indented for the item continues its text; four more
            # spaces make indented code, which joins the text unindented.
            line = lines[i]
            if "\t" in line or indent > 4 or len(line) - len(line.lstrip(" ")) < indent:
                raise _Unsure
            content = line[indent:]
            if content.startswith("    "):
                texts.append(content[4:])
            elif _BLOCK_START.match(content) or _UNDERLINE.match(content):
                raise _Unsure
            else:
                texts.append(content)
            i += 1
        if _BLOCK_START.match(texts[0]) or any(not _trim(t) or t != _trim_end(t) for t in texts):
            raise _Unsure
        items.append("<li>%s</li>\n" % _inline("\n".join(texts)))
    after = i
    while after < len(lines) and re.match("[ \t]*\\Z", lines[after]):
        after += 1
    if after == i < len(lines) or after < len(lines) and (lines[after][0] in " \t" or _ITEM.match(lines[after])):
        raise _Unsure
    start = int(first[:-1]) if ordered else 1
    tag = "ol" if ordered else "ul"
    return "<%s%s>\n%s</%s>\n" % (tag, ' start="%d"' % start if start != 1 else "", "".join(items), tag), i


def _markdown_html(markdown):
    """The HTML marked gives for markdown in the subset, or _Unsure."""
    lines = re.sub("\r\n|\r", "\n", markdown).split("\n")
    if "\u2028" in markdown or "\u2029" in markdown:
        raise _Unsure
    out, i = [], 0
    while i < len(lines):
        line = lines[i]
        if re.match("[ \t]*\\Z", line):
            i += 1
            continue
        fence = _OPEN_FENCE.match(line)
        if fence and not (fence.group(1)[0] == "`" and "`" in fence.group(2)):
            marker, info = fence.groups()
            close = re.compile(" {0,3}" + re.escape(marker) + "[~`]* *\\Z")
            end = i + 1
            while end < len(lines) and not close.match(lines[end]):
                end += 1
            code = "\n".join(lines[i + 1:end])
            if end == len(lines) and code.endswith("\n"):
                code = code[:-1]
            lang = re.match("[^" + _WS + "]*", _trim(info)).group(0)
            if "\\" in lang:
                raise _Unsure
            code = (code[:-1] if code.endswith("\n") else code) + "\n"
            attr = ' class="language-%s"' % _esc(lang) if lang else ""
            out.append("<pre><code%s>%s</code></pre>\n" % (attr, _esc(code, True)))
            i = end + 1
            continue
        heading = _HEADING.match(line)
        if heading:
            text = _trim(heading.group(2))
            if text.endswith("#"):
                stripped = text.rstrip("#")
                if not stripped or stripped.endswith(" "):
                    text = _trim(stripped)
            depth = len(heading.group(1))
            out.append("<h%d>%s</h%d>\n" % (depth, _inline(text), depth))
            i += 1
            continue
        if _HR.match(line):
            out.append("<hr>\n")
            i += 1
            continue
        if _ITEM.match(line):
            html, i = _list(lines, i)
            out.append(html)
            continue
        if _BLOCK_START.match(line):
            raise _Unsure
        end = _paragraph_lines(lines, i)
        out.append("<p>%s</p>\n" % _inline("\n".join(lines[i:end])))
        i = end
    return "".join(out)


def _safe_href(href):
    return bool(re.match("(https?://|mailto:)", _trim(href), re.I))


def _html_escape(text):
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;").replace("'", "&#39;")
    )


_ALLOWED = {
    "a": ("href",), "code": ("class",), "ol": ("start",),
    **{tag: () for tag in (
        "b strong i em u s del pre p br hr div span ul li h1 h2 h3 h4 h5 h6 blockquote sup sub table thead tbody "
        "tr th td caption details summary"
    ).split()},
}
_TAG = _Pattern(
    "<(/?)([a-zA-Z][a-zA-Z0-9]*)((?:" + _S + "+[^" + _WS + "\"'>/=]+(?:" + _S + "*=" + _S
    + "*(?:\"[^\"]*\"|'[^']*'|[^" + _WS + "\"'=<>`]+))?)*)" + _S + "*(/?)>"
)
_ATTRIBUTE = _Pattern(
    "([^" + _WS + "\"'>/=]+)(?:" + _S + "*=" + _S + "*(?:\"([^\"]*)\"|'([^']*)'|([^" + _WS + "\"'=<>`]+)))?"
)


def _sanitize(html):
    """sanitizeMatrixHtml: allowed tags and attributes only, the rest as text."""
    out, last = [], 0
    for m in _TAG.finditer(html):
        out.append(html[last:m.start()].replace("<", "&lt;").replace(">", "&gt;"))
        last = m.end()
        closing, name, raw, self_closing = m.groups()
        name = name.lower()
        allowed = _ALLOWED.get(name)
        if allowed is None:
            out.append(_html_escape(m.group(0)))
        elif closing:
            out.append("</%s>" % name)
        else:
            kept = ""
            for a in _ATTRIBUTE.finditer(raw):
                attr = a.group(1).lower()
                value = _decode_entities(next((g for g in a.groups()[1:] if g is not None), ""))
                if attr not in allowed or (
                    attr == "href" and not _safe_href(value)
                    or attr == "start" and not re.match("[0-9]{1,6}\\Z", value)
                    or attr == "class" and not (name == "code" and re.match("language-[A-Za-z0-9_+#.-]{1,40}\\Z", value))
                ):
                    continue
                kept += ' %s="%s"' % (attr, _html_escape(value))
            out.append("<%s%s%s>" % (name, kept, " /" if self_closing else ""))
    out.append(html[last:].replace("<", "&lt;").replace(">", "&gt;"))
    return "".join(out)


def _decode_entities(value):
    def decode(m):
        entity = m.group(1).lower()
        if entity.startswith("#"):
            code = int(entity[2:], 16) if entity.startswith("#x") else int(entity[1:])
            return _u16(chr(code)) if 0 < code <= 0x10FFFF else "\ufffd"
        return {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}.get(entity, "")

    return re.sub("&(#x[0-9a-f]+|#[0-9]+|amp|lt|gt|quot|apos|#39);?", decode, value, flags=re.I)


def _matrix_content(event):
    body = _truncate(_neutralize_text("\n".join(p for p in [event["title"], event["text"]] if p)), 16000, _len8)
    markdown = event["message"]
    if len(markdown) > 20000:
        markdown = markdown[:20000] + "\u2026"
    try:
        html = "<p><strong>%s</strong></p>\n" % _html_escape(event["title"]) + _sanitize(_markdown_html(markdown))
    except _Unsure:
        html = None
    if html is None or _len8(html) > 40000:
        return {"msgtype": "m.notice", "body": body, "m.mentions": {}}
    return {
        "msgtype": "m.notice", "body": body, "format": "org.matrix.custom.html", "formatted_body": html,
        "m.mentions": {},
    }


# --- Chat formats (src/messages/chatFormats.ts) -----------------------------

_TONES = {"run.finished": "success", "run.failed": "failure", "kernel.died": "failure", "manual": "info"}


def _tone(event):
    return _TONES.get(event["event"], "warning")


def _facts(event, ctx):
    facts = []
    if event.get("notebook"):
        facts.append((_t(ctx, "Notebook"), event["notebook"]["name"]))
    if event.get("run"):
        facts.append((_t(ctx, "Duration"), _duration(event["run"]["duration_s"], ctx)))
    if event.get("cell"):
        facts.append((_t(ctx, "Cell"), _cell_label(event["cell"]["index"], event["cell"]["execution_count"], ctx)))
    if event.get("kernel"):
        facts.append((_t(ctx, "Kernel"), event["kernel"]["name"]))
    report = event.get("report") or {}
    facts.extend((name, _str(report[name])) for name in _keys(report))
    return facts


def _notebook_link(event):
    url = (event.get("notebook") or {}).get("url")
    return url if _is_web_url(url) else None


def _fit_converted(markdown, limit, convert):
    budget = limit
    for _ in range(8):
        if budget <= 0:
            break
        converted = convert(_bound_md(markdown, budget))
        if len(converted) <= limit:
            return converted
        budget -= len(converted) - limit
    return _truncate(convert(markdown[:limit]), limit)


def _slack_payload(event, ctx):
    title = _neutralize_text(_trim(event["title"])) or _t(ctx, "Notification")
    message = _neutralize_markdown(event["message"])
    body = _fit_converted(message, 3000, _md_to_slack)
    blocks = [{"type": "header", "text": {"type": "plain_text", "text": _truncate(title, 150), "emoji": True}}]
    if _trim(body):
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": body}})
    facts = _facts(event, ctx)[:10]
    if facts:
        blocks.append({"type": "context", "elements": [
            {"type": "mrkdwn", "text": _truncate("*%s:* %s" % (
                _escape_slack(_neutralize_text(label)), _escape_slack(_neutralize_text(value))
            ), 300)}
            for label, value in facts
        ]})
    fallback = _fit_converted("**%s**\n%s" % (_escape_md(title), message), 3000, _md_to_slack)
    return {"text": fallback, "blocks": blocks}


_DISCORD_COLORS = {"success": 0x2E7D32, "failure": 0xD32F2F, "warning": 0xF9A825, "info": 0x1976D2}


def _discord_payload(event, ctx):
    title = _truncate(_neutralize_text(_trim(event["title"])) or _t(ctx, "Notification"), 256)
    fact_chars, fields = 0, []
    for label, value in _facts(event, ctx)[:25]:
        name = _truncate(_neutralize_text(label), 256) or "-"
        value = _truncate(_neutralize_text(value), 1024) or "-"
        if fact_chars + len(name) + len(value) > 2000:
            break
        fact_chars += len(name) + len(value)
        fields.append({"name": name, "value": value, "inline": True})
    description = _bound_md(_neutralize_markdown(event["message"]), min(4096, 6000 - len(title) - fact_chars))
    url = _notebook_link(event)
    run = event.get("run") or {}
    timestamp = run.get("finished") if run.get("finished") is not None else run.get("started")
    embed = {"title": title}
    if description:
        embed["description"] = description
    if url:
        embed["url"] = url
    embed["color"] = _DISCORD_COLORS[_tone(event)]
    if fields:
        embed["fields"] = fields
    if timestamp:
        embed["timestamp"] = timestamp
    return {"embeds": [embed], "allowed_mentions": {"parse": []}}


_TEAMS_COLORS = {"success": "Good", "failure": "Attention", "warning": "Warning", "info": "Default"}


def _teams_text(text):
    """Text for a Teams TextBlock, which reads markdown everywhere."""
    return _neutralize_markdown(text, in_code=True)


def _teams_payload(event, ctx):
    body = [{
        "type": "TextBlock", "text": _truncate(_teams_text(_trim(event["title"])) or _t(ctx, "Notification"), 500),
        "weight": "Bolder", "size": "Medium", "color": _TEAMS_COLORS[_tone(event)], "wrap": True,
    }]
    facts = [
        {"title": _truncate(_teams_text(label), 100), "value": _truncate(_teams_text(value), 500)}
        for label, value in _facts(event, ctx)
    ]
    message = _bound_md(event["message"], max(1000, 20000 - _len8(_json(facts))), _len8)
    prose = []
    for code, text, _ in _split_code(message) + [[True, "", ""]]:
        if not code:
            prose.append(text)
            continue
        joined = _trim(_teams_text("\n".join(prose)))
        if joined:
            body.append({"type": "TextBlock", "text": joined, "wrap": True})
        prose = []
        if _trim(text):
            body.append({"type": "RichTextBlock", "inlines": [
                {"type": "TextRun", "text": text, "fontType": "Monospace", "size": "Small"},
            ]})
    if facts:
        body.append({"type": "FactSet", "facts": facts})
    url = _notebook_link(event)
    actions = [{"type": "Action.OpenUrl", "title": _t(ctx, "Open notebook"), "url": url}] if url else []
    return {"type": "message", "attachments": [{
        "contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None,
        "content": {
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json", "type": "AdaptiveCard",
            "version": "1.4", "body": body, "actions": actions,
        },
    }]}


def _mattermost_payload(event, channel, username):
    title = _escape_md(_trim(event["title"]))
    text = _bound_md(_neutralize_markdown("#### %s\n%s" % (title, event["message"]) if title else event["message"]), 4000)
    payload = {"text": text}
    if username:
        payload["username"] = username
    if channel:
        payload["channel"] = channel
    return payload


_NTFY_TAGS = {"success": "white_check_mark", "failure": "x", "warning": "warning", "info": "bell"}


def _ntfy_payload(event, topic, priority, tags, email):
    tone = _tone(event)
    all_tags = [_NTFY_TAGS[tone]]
    for tag in tags:
        tag = _trim(tag)
        if tag and tag not in all_tags and len(all_tags) < 10:
            all_tags.append(tag)
    fixed = isinstance(priority, (int, float)) and not isinstance(priority, bool) and 1 <= priority <= 5
    payload = {
        "topic": topic, "title": _truncate(_neutralize_text(_trim(event["title"])), 250),
        "message": _bound_md(_neutralize_markdown(event["message"]), 4096, _len8),
        "priority": _round(priority) if fixed else 4 if tone == "failure" else 3, "tags": all_tags,
    }
    click = _notebook_link(event)
    if click:
        payload["click"] = click
    payload["markdown"] = True
    if email:
        payload["email"] = email
    return payload


def _bound_event(event):
    """boundEvent (src/messages/boundEvent.ts): long texts cut when the event is too big."""
    if _len8(_json(event)) <= 64 * 1024:
        return event
    bounded = dict(event)
    report = event.get("report")
    if report is not None:
        report = {_truncate(k, 100): _truncate(_str(report[k]), 500) for k in _keys(report)[:20]}
    notebook, kernel, error = event.get("notebook"), event.get("kernel"), event.get("error")
    bounded.update({
        "title": _truncate(event["title"], 500),
        "message": _bound_md(event["message"], 16000, _len8), "text": _bound_md(event["text"], 16000, _len8),
        "notebook": {
            "path": _truncate(notebook["path"], 2000), "name": _truncate(notebook["name"], 500),
            "url": _truncate(notebook["url"], 2000),
        } if notebook else None,
        "error": {
            "ename": _truncate(error["ename"], 500), "evalue": _truncate(error["evalue"], 2000),
            "traceback": _traceback(error["traceback"], 30, 4000),
        } if error else None,
        "kernel": {"id": _truncate(kernel["id"], 500), "name": _truncate(kernel["name"], 500)} if kernel else None,
        "report": report,
    })
    return bounded


def _neutralize_event(event):
    """neutralizeEvent (webhookChannel.ts): the texts a receiver may show in a chat."""
    neutral = dict(event)
    neutral.update({
        "title": _neutralize_text(event["title"]),
        "message": _neutralize_markdown(event["message"]),
        "text": _neutralize_text(event["text"]),
    })
    return neutral


# --- Channel requests (src/delivery/channels) -------------------------------

REMOTE_TYPES = ("ntfy", "webhook", "slack", "discord", "teams", "mattermost", "matrix")
_ROOM = _Pattern("(![^" + _WS + ":]+(:[^" + _WS + "]+)?|#[^" + _WS + ":]+:[^" + _WS + "]+)\\Z")
_TOPIC = _Pattern("[-_A-Za-z0-9]{1,64}\\Z")
_JSON_HEADERS = {"Content-Type": "application/json"}


def _option(channel, name):
    value = channel.get(name)
    return _trim(value) if isinstance(value, str) else ""


def _require_url(channel, service, ctx):
    url = _option(channel, "url")
    problem = _check_http_url(url, ctx) if url else _t(ctx, "No address is set.")
    if problem:
        raise ChannelError(_py(_t(ctx, "The %1 channel cannot send: %2", service, problem)))
    return _u16(http_url(url))


def _request(url, body, headers, secrets, method="POST"):
    return {"method": method, "url": url, "headers": dict(headers), "body": body, "secrets": secrets}


def _ntfy(channel, event, notification_id, ctx):
    server = channel.get("server")
    base = re.sub("/+\\Z", "", (_trim(server) if isinstance(server, str) else "") or "https://ntfy.sh")
    topic = _option(channel, "topic")
    problem = _check_http_url(base, ctx)
    if problem is None and not topic:
        problem = _t(ctx, "Enter a topic.")
    elif problem is None and not _TOPIC.match(topic):
        problem = _t(ctx, "A topic is 1 to 64 letters, digits, - or _ (no spaces or other signs).")
    if problem:
        raise ChannelError(_py(_t(ctx, "The ntfy channel cannot send: %1", problem)))
    login = (ctx.get("accounts") or {}).get("ntfy")
    if isinstance(login, dict) and not (isinstance(channel.get("token"), str) and channel["token"]):
        # withNtfyLogin: a channel without a token of its own uses the login for its server.
        origin = _origin(server if isinstance(server, str) and server else "https://ntfy.sh")
        if origin is not None and origin == _origin(login.get("server")):
            channel = dict(channel, token=login.get("token"))
    token = _option(channel, "token")
    auth = base64.urlsafe_b64encode(_utf8("Bearer " + token)).decode("ascii").rstrip("=") if token else ""
    url = _u16(http_url(base + "/"))
    if auth:
        url = _with_param(url, "auth", auth)
    tags = channel.get("tags")
    tags = [x for x in tags if isinstance(x, str)] if isinstance(tags, list) else tags.split(",") if isinstance(tags, str) else []
    payload = _ntfy_payload(
        event, topic, _priority(channel.get("priority")), [t for t in map(_trim, tags) if t], _option(channel, "email")
    )
    return _request(url, _json(payload), {}, [s for s in (token, auth, topic) if s])


def _priority(value):
    number = value
    if isinstance(value, str):
        text = _trim(value)
        if not text:
            number = 0
        elif re.match("[+-]?(?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?\\Z", text):
            number = float(text)
        elif re.match("0[xX][0-9a-fA-F]+\\Z|0[oO][0-7]+\\Z|0[bB][01]+\\Z", text):
            number = int(text, 0)
        else:
            return "auto"
    if isinstance(number, (int, float)) and not isinstance(number, bool) and number == int(number) and 1 <= number <= 5:
        return int(number)
    return "auto"


def _webhook(channel, event, notification_id, ctx):
    url = _require_url(channel, _t(ctx, "webhook"), ctx)
    secret = _option(channel, "secret")
    body = _json(_neutralize_event(_bound_event(event)))
    headers = {"Content-Type": "application/json", "X-Lmk-Event-Id": notification_id}
    if secret:
        headers["X-Lmk-Signature-256"] = "sha256=" + hmac.new(_utf8(secret), _utf8(body), hashlib.sha256).hexdigest()
    return _request(url, body, headers, ([secret] if secret else []) + _url_secrets(url))


def _slack(channel, event, notification_id, ctx):
    url = _require_url(channel, "Slack", ctx)
    body = _form([("payload", _json(_slack_payload(event, ctx)))])
    return _request(url, body, {"Content-Type": "application/x-www-form-urlencoded"}, _url_secrets(url))


def _discord(channel, event, notification_id, ctx):
    url = _with_param(_require_url(channel, "Discord", ctx), "wait", "true")
    return _request(url, _json(_discord_payload(event, ctx)), _JSON_HEADERS, _url_secrets(url))


def _teams(channel, event, notification_id, ctx):
    url = _require_url(channel, _t(ctx, "Microsoft Teams"), ctx)
    return _request(url, _json(_teams_payload(event, ctx)), _JSON_HEADERS, _url_secrets(url))


def _mattermost(channel, event, notification_id, ctx):
    url = _require_url(channel, "Mattermost", ctx)
    payload = _mattermost_payload(event, _option(channel, "channel"), _option(channel, "username"))
    return _request(url, _json(payload), _JSON_HEADERS, _url_secrets(url))


def _fnv(text):
    h = 0x811C9DC5
    for ch in text:
        h = ((h ^ ord(ch)) * 0x01000193) & 0xFFFFFFFF
    digits = ""
    while True:
        h, r = divmod(h, 36)
        digits = "0123456789abcdefghijklmnopqrstuvwxyz"[r] + digits
        if not h:
            return digits


def _txn_id(notification_id, room_id):
    """matrixTxnId: the same notification in the same room, the same id."""
    safe = re.sub("[^A-Za-z0-9._~-]", lambda m: "__" if m.group() == "_" else "_%x" % ord(m.group()), notification_id)
    return "lmk.%s.%s" % (_fnv(notification_id) if len(safe) > 160 else safe, _fnv(room_id))


def _uri_component(text):
    data = _py(text)
    if _LONE.search(data):
        raise ChannelError("invalid room")
    return "".join(
        ch if ch.isascii() and (ch.isalnum() or ch in "-_.!~*'()") else "".join("%%%02X" % b for b in ch.encode("utf-8"))
        for ch in data
    )


def _matrix(channel, event, notification_id, ctx):
    room = _trim(channel["roomId"]) if isinstance(channel.get("roomId"), str) else ""
    if not _ROOM.match(room):
        raise ChannelError(_py(_t(ctx, "This Matrix channel has no valid room: pick one again.")))
    session = (ctx.get("accounts") or {}).get("matrix") or {}
    homeserver, token = session.get("homeserver"), session.get("accessToken")
    if not isinstance(homeserver, str) or not homeserver or not isinstance(token, str) or not token:
        raise ChannelError(_py(_t(ctx, "Log in to Matrix in the Notifications sidebar.")))
    base = re.sub("/+\\Z", "", _trim(homeserver))
    if room.startswith("#"):
        resolved = (ctx.get("matrix_rooms") or {}).get(room)
        if not isinstance(resolved, str) or not resolved:
            raise ChannelError(_py(_t(ctx, "Matrix at %1 knows no room called %2.", _host(base), room)))
        room = resolved
    txn = _txn_id(notification_id, room)
    url = "%s/_matrix/client/v3/rooms/%s/send/m.room.message/%s" % (base, _uri_component(room), _uri_component(txn))
    headers = {"Content-Type": "application/json", "Authorization": "Bearer " + token}
    return _request(url, _json(_matrix_content(event)), headers, [token], "PUT")


# The channel types this module can send; "email" (issue 25) joins here.
_BUILDERS = {
    "ntfy": _ntfy, "webhook": _webhook, "slack": _slack, "discord": _discord,
    "teams": _teams, "mattermost": _mattermost, "matrix": _matrix,
}


def channel_request(channel, event, notification_id, context=None):
    """The HTTP request a channel sends for an event (see the module doc)."""
    build = _BUILDERS.get((channel or {}).get("type"))
    if build is None:
        return None
    request = build(_u16(channel), _u16(event), _u16(notification_id), _u16(context or {}))
    return {
        "method": request["method"], "url": _py(request["url"]), "headers": _py(request["headers"]),
        "body": _utf8(request["body"]), "secrets": _py(request["secrets"]),
    }
