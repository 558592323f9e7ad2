"""The kernel side of jupyterlab-lmk's "tell me even when the browser is closed".

The lab sends this module into an IPython kernel through its own kernel
connection (a silent execute request, see ``lmk_loader.py``) when a notebook
run may have to be told about by the kernel because the page may close while
the run goes on. It uses only the standard library and what ipykernel and
IPython already bring. ``docs/kernel-relay.md`` describes the protocol.

- The lab's requests arrive as ``comm_info_request`` messages carrying an
  ``lmk`` field, which the watcher answers itself: on the control channel
  (handled in the kernel's control thread, so at once even while a cell runs,
  on ipykernel 6 and 7 alike) and, for the one marker that must keep its
  place in the queue, on the shell channel. A kernel without the watcher
  answers them as ordinary comm info requests: that tells the lab it is not
  there. The kernel and the server count both as neither activity nor a
  change of the kernel's busy state.
- A run's cells are known from two markers: ``begin`` (shell, queued right
  before the run's first cell) and ``seal`` (control: the run's id, its
  number of cells, the rule and the channels, sent right after the cells).
  From ``begin`` on, every notebook cell executed for the same client session
  belongs to the run until it has its number of cells, or a cell fails and
  the kernel skips the rest of its queue.
- At a run's end the watcher decides, under one lock, who tells: the first
  page that claims the run within the grace window, or else the kernel,
  which posts to the channels the user allowed with urllib from a daemon
  thread, retrying with back-off and the same notification id every time.
- Channel settings (addresses, tokens) stay in this module's private objects
  for the length of a run and are dropped when its delivery is over. Nothing
  is ever put in the user's namespace, printed or logged.
"""

from __future__ import annotations

import collections
import threading
import time

if "lmk_runs" not in globals():
    # From the source tree (tests). In a kernel, the loader puts its own
    # copies of these modules here before running this one.
    import lmk_email
    import lmk_runs
    import lmk_send

PROTOCOL = 1
TARGET = "jupyterlab_lmk.relay.v1"
PUSH_TYPE = "lmk_relay_event"
NOTIFY_MIME = "application/vnd.jupyterlab-lmk.notify+json"

RECORDS_KEPT = 50
SUBSCRIBERS_KEPT = 16
HOLDERS_KEPT = 8
MAX_ATTEMPTS = 12
FLOOD_WINDOW_S = 60.0

class JsonRepr:
    """A value whose ``repr`` is JSON: how the watcher answers a
    ``user_expressions`` request (the lab reads ``text/plain``)."""

    def __init__(self, data):
        self.data = data

    def __repr__(self):
        import json

        return json.dumps(self.data)


class Watcher:
    """The watcher of one kernel: the request handlers, the cell hook (only
    while a run is open), the lock, the sending thread."""

    def __init__(self, kernel, shell, formats, version, clock=time.time):
        self.kernel = kernel
        self.shell = shell
        self.formats = formats
        self.version = version
        self.clock = clock
        self.lock = threading.RLock()
        self.wake = threading.Condition(self.lock)
        self.book = lmk_runs.RunBook()
        self.arbiter = lmk_runs.Arbiter()
        self.records = collections.deque(maxlen=RECORDS_KEPT)
        self.subscribers = collections.OrderedDict()
        self.flood = {}
        self.manual_seen = collections.OrderedDict()
        self.thread = None
        self.stopped = False
        self.hooked = False
        self.originals = {}
        # Where the last request failed (type, file, line; no values).
        self.last_error = None
        self.strings = None
        self.email_requests = lmk_email.PageRequests(kernel)

    # -- installation ---------------------------------------------------

    def start(self):
        for table_name in ("control_handlers", "shell_handlers"):
            table = getattr(self.kernel, table_name)
            original = table.get("comm_info_request")
            self.originals[table_name] = original
            table["comm_info_request"] = self._handler(table_name, original)
        display_pub = getattr(self.shell, "display_pub", None)
        if display_pub is not None and hasattr(display_pub, "register_hook"):
            # Display hooks are per thread: this runs in the main one, where
            # cells run.
            display_pub.register_hook(self._display_hook)

    def stop(self):
        """Undo ``start``: a newer watcher replaces this one."""
        with self.lock:
            self.stopped = True
            for table_name, original in self.originals.items():
                if original is not None:
                    getattr(self.kernel, table_name)["comm_info_request"] = original
            self._unhook()
            display_pub = getattr(self.shell, "display_pub", None)
            if display_pub is not None and hasattr(display_pub, "unregister_hook"):
                display_pub.unregister_hook(self._display_hook)
            for delivery in self.arbiter.deliveries.values():
                delivery.scrub()
            self.wake.notify_all()

    def _handler(self, table_name, original):
        channel = "control" if table_name == "control_handlers" else "shell"

        def comm_info_request(stream, ident, parent):
            content = parent.get("content") or {}
            request = content.get("lmk")
            if content.get("target_name") != TARGET or not isinstance(request, dict):
                return original(stream, ident, parent)
            try:
                reply = self.handle(request, channel, parent)
            except Exception as error:
                # Never let a request reach the kernel's log with its content
                # (it may carry channel settings): keep where it failed only.
                self.last_error = _where(error)
                reply = {"protocol": PROTOCOL, "version": self.version, "error": "internal"}
            self.kernel.session.send(
                stream, "comm_info_reply", {"status": "ok", "comms": {}, "lmk": reply}, parent, ident
            )
            return None

        return comm_info_request

    # -- requests --------------------------------------------------------

    def handle(self, request, channel, parent):
        op = request.get("op")
        now = self.clock()
        reply = {"protocol": PROTOCOL, "version": self.version}
        if op == "probe":
            return reply
        if op == "begin" and channel == "shell":
            self.begin(request, now)
            return reply
        handler = {
            "hello": self.hello,
            "seal": self.seal,
            "update": self.update,
            "claim": self.claim,
            "done": self.done,
            "cancel": self.cancel,
            "ack": self.ack,
            "email": self.email,
        }.get(op)
        if handler is None:
            reply["error"] = "unknown-op"
            return reply
        reply.update(handler(request, parent, now))
        return reply

    def hello(self, request, parent, now):
        """A page connects: keep its request as the address of pushes and
        tell it what it missed (deliveries of the kernel it has not seen,
        runs over and waiting for a claim, runs going on)."""
        holder = str(request.get("holder"))
        client = str(request.get("client"))
        with self.lock:
            self.subscribers.pop(client, None)
            self.subscribers[client] = parent.get("header")
            while len(self.subscribers) > SUBSCRIBERS_KEPT:
                self.subscribers.popitem(last=False)
            records = [self._public(r) for r in self.records if holder not in r["seenBy"]]
            waiting = [
                self._ended_message(d, now)
                for d in self.arbiter.deliveries.values()
                if d.kind == "run" and d.notify and d.state in ("grace", "claimed") and d.run is not None
            ]
            running = [
                {"run": run.id, "path": run.path, "executed": run.executed, "cells": run.cells}
                for run in self.book.open_by_client.values()
                if run.id
            ]
        return {"records": records, "ended": waiting, "running": running}

    def begin(self, request, now):
        token = str(request.get("token"))
        client = str(request.get("client"))
        aborting = bool(getattr(self.kernel, "_aborting", False))
        with self.lock:
            replaced = self.book.begin(token, client, now, aborting)
            for run in (replaced, self.book.by_token.get(token)):
                if run is not None and run.ended is not None:
                    self._ended(run, now)
            self._rehook()

    def seal(self, request, parent, now):
        token = str(request.get("token"))
        run_id = str(request.get("run"))
        fields = {
            "id": run_id,
            "cells": _int(request.get("cells")),
            "positions": [_int(p) for p in request.get("positions") or []],
            "rule": lmk_runs.Rule(request.get("rule")),
            "notebook": request.get("notebook") if isinstance(request.get("notebook"), dict) else {},
            "kernel": request.get("kernel") if isinstance(request.get("kernel"), dict) else None,
            "report": [r for r in request.get("report") or [] if isinstance(r, dict)],
        }
        with self.lock:
            notification_id = "run:" + run_id
            delivery = self.arbiter.get(notification_id)
            if delivery is None:
                delivery = lmk_runs.Delivery(notification_id, "run", [], now)
                self.arbiter.add(delivery)
            run = self.book.seal(token, fields, now)
            delivery.run = run
            delivery.path = run.path
            self._configure(delivery, request)
            if run.ended is not None and run.begun:
                self._ended(run, now)
            self._rehook()
            self.wake.notify_all()
            return {"state": delivery.state}

    def update(self, request, parent, now):
        """The page changed what a run going on should do: a mode, "notify
        me when done", the channels, the context."""
        with self.lock:
            delivery = self.arbiter.get("run:" + str(request.get("run")))
            if delivery is None or delivery.run is None or delivery.state not in ("open", "claimed"):
                return {"ok": False}
            if "rule" in request:
                delivery.run.rule = lmk_runs.Rule(request.get("rule"))
            if "report" in request:
                delivery.run.report = [r for r in request.get("report") or [] if isinstance(r, dict)]
            self._configure(delivery, request)
            return {"ok": True}

    def _configure(self, delivery, request):
        for key in ("grace_s", "lease_s", "retry_s", "request_timeout_s"):
            value = request.get(key)
            if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
                setattr(delivery, key, float(value))
        if isinstance(request.get("flood"), int):
            delivery.flood = request["flood"]
        if isinstance(request.get("context"), dict):
            context = request["context"]
            # The page sends its translated strings with a kernel's first
            # run only: keep them for the next ones.
            if isinstance(context.get("strings"), dict):
                self.strings = context["strings"]
            elif self.strings is not None:
                context = dict(context, strings=self.strings)
            delivery.context = context
        if "channels" in request:
            pool = []
            for entry in request.get("channels") or []:
                config = entry.get("config") if isinstance(entry, dict) else None
                if isinstance(config, dict) and isinstance(config.get("id"), str):
                    pool.append(
                        {
                            "id": config["id"],
                            "config": config,
                            "run": bool(entry.get("run")),
                            "default": bool(entry.get("default")),
                        }
                    )
            delivery.pool = pool
            delivery.channels = [entry for entry in pool if entry["run"]]

    def claim(self, request, parent, now):
        with self.lock:
            reply = self.arbiter.claim(str(request.get("id")), str(request.get("holder")), now)
            self.wake.notify_all()
            return reply

    def done(self, request, parent, now):
        with self.lock:
            ok = self.arbiter.done(
                str(request.get("id")),
                str(request.get("holder")),
                request.get("channels") or [],
                bool(request.get("final")),
                now,
            )
            self.wake.notify_all()
            return {"ok": ok}

    def cancel(self, request, parent, now):
        """The page saw a run cancelled (its cells deleted or run again
        before they executed): nothing to tell."""
        with self.lock:
            run = self.book.find(str(request.get("run")))
            if run is not None:
                self.book.end(run, "cancelled", now)
                self._ended(run, now)
            self._rehook()
            return {}

    def ack(self, request, parent, now):
        """A page has shown these deliveries of the kernel in its history."""
        holder = str(request.get("holder"))
        ids = set(request.get("ids") or [])
        with self.lock:
            for record in self.records:
                if record["id"] in ids and holder not in record["seenBy"]:
                    record["seenBy"] = (record["seenBy"] + [holder])[-HOLDERS_KEPT:]
        return {}

    def email(self, request, parent, now):
        """The page hands over an email to send now, or the channel
        form's check (lmk_email: answered at once, the outcome pushed)."""
        return self.email_requests.handle(request, parent)

    # -- cells -----------------------------------------------------------

    def _rehook(self):
        """Listen to cells only while a run is open: nothing per cell
        otherwise."""
        wanted = bool(self.book.open_by_client) and not self.stopped
        if wanted and not self.hooked:
            self.shell.events.register("post_run_cell", self._post_run_cell)
            self.hooked = True
        elif not wanted and self.hooked:
            self._unhook()

    def _unhook(self):
        if self.hooked:
            try:
                self.shell.events.unregister("post_run_cell", self._post_run_cell)
            except ValueError:
                pass
            self.hooked = False

    def _post_run_cell(self, result):
        parent = self.kernel.get_parent("shell") or {}
        run = self.book.open_run((parent.get("header") or {}).get("session"))
        if run is None:
            return
        cell_id = (parent.get("metadata") or {}).get("cellId")
        if cell_id is None:
            # Not a notebook cell: a console, or an extension's request.
            return
        stop_on_error = (parent.get("content") or {}).get("stop_on_error", True) is not False
        error = result.error_before_exec or result.error_in_exec
        failure = None
        if error is not None:
            failure = {
                "ename": type(error).__name__,
                "evalue": _safe_str(error),
                "traceback": list(getattr(self.shell, "_last_traceback", None) or []),
                "executionCount": getattr(result, "execution_count", None),
            }
        now = self.clock()
        with self.lock:
            ended = self.book.cell_done(run, str(cell_id), failure, stop_on_error, now)
            if failure is not None and run.source is None:
                run.source = getattr(getattr(result, "info", None), "raw_cell", None)
            wants_report = ended and run.sealed and bool(run.report) and run.rule.wants(run.outcome, run.duration(now))
        if wants_report:
            # Outside the lock: user code.
            run.report_values = self._report(run.report, self._context_of(run))
        if ended:
            with self.lock:
                self._ended(run, now)
                self._rehook()

    def _report(self, expressions, context):
        """Report values as the lab evaluates and words them."""
        wanted = {r["name"]: r["expression"] for r in expressions if isinstance(r.get("name"), str)}
        try:
            results = self.shell.user_expressions(wanted)
            return self.formats.report_values(results, list(wanted), context)
        except Exception:
            return None

    def _ended(self, run, now):
        """A run is over (under the lock): hand it to the arbiter."""
        if not run.sealed or run.id is None:
            return
        delivery = self.arbiter.get("run:" + run.id)
        if delivery is None:
            return
        notify = run.outcome != "cancelled" and run.rule.wants(run.outcome, run.duration(now))
        before = delivery.state
        self.arbiter.ended(delivery, notify, now)
        if notify and before == "open":
            self._push(self._ended_message(delivery, now))
        if delivery.state in ("grace", "claimed"):
            self._start_thread()
        self.wake.notify_all()

    def _ended_message(self, delivery, now):
        return {"op": "ended", "id": delivery.id, "summary": delivery.run.summary(now), "notify": delivery.notify}

    # -- notify() --------------------------------------------------------

    def _display_hook(self, msg):
        try:
            data = (msg.get("content") or {}).get("data") or {}
            if NOTIFY_MIME in data:
                self.notified(data[NOTIFY_MIME], (msg.get("header") or {}).get("msg_id"))
        except Exception:
            pass
        return msg

    def notified(self, payload, message_id=None):
        """Kernel code asked for a notification (``jupyterlab_lmk.notify``,
        or any display of its MIME type). If a run with channels for the
        kernel is open, the kernel sends it unless a page claims it first
        (the page uses the same id: the payload's, else the message's)."""
        if not isinstance(payload, dict) or not isinstance(payload.get("message"), str):
            return
        key = payload.get("id") or message_id
        if not key:
            return
        notification_id = "kernel:" + str(key)
        now = self.clock()
        with self.lock:
            if notification_id in self.manual_seen or self.stopped:
                return
            self.manual_seen[notification_id] = now
            while len(self.manual_seen) > lmk_runs.DELIVERIES_KEPT:
                self.manual_seen.popitem(last=False)
            source = self._current_delivery()
            if source is None or not source.pool:
                return
            wanted = payload.get("channels")
            if isinstance(wanted, list):
                channels = [entry for entry in source.pool if entry["id"] in wanted]
            else:
                channels = [entry for entry in source.pool if entry["default"]]
            if not channels:
                return
            delivery = lmk_runs.Delivery(notification_id, "manual", channels, now)
            delivery.payload = payload
            delivery.run = source.run
            delivery.path = source.path
            delivery.grace_s = source.grace_s
            delivery.lease_s = source.lease_s
            delivery.retry_s = source.retry_s
            delivery.request_timeout_s = source.request_timeout_s
            delivery.flood = source.flood
            delivery.context = source.context
            self.arbiter.add(delivery)
            self.arbiter.ended(delivery, True, now)
            self._start_thread()
            self.wake.notify_all()

    def _current_delivery(self):
        """The delivery of the run the calling code belongs to."""
        parent = self.kernel.get_parent("shell") or {}
        run = self.book.open_run((parent.get("header") or {}).get("session"))
        runs = [run] if run is not None else list(self.book.open_by_client.values())
        for candidate in runs:
            if candidate.id:
                delivery = self.arbiter.get("run:" + candidate.id)
                if delivery is not None and delivery.pool:
                    return delivery
        return None

    # -- pushes and records ----------------------------------------------

    def _push(self, content):
        """Tell every page that said hello: an iopub message whose parent is
        its hello request, which its kernel connection routes to it."""
        session = getattr(self.kernel, "session", None)
        socket = getattr(self.kernel, "iopub_socket", None)
        if session is None or socket is None:
            return
        for header in list(self.subscribers.values()):
            try:
                session.send(socket, PUSH_TYPE, content, parent={"header": header})
            except Exception:
                pass

    @staticmethod
    def _public(record):
        return {key: value for key, value in record.items() if key != "seenBy"}

    # -- sending ---------------------------------------------------------

    def _start_thread(self):
        if self.thread is None or not self.thread.is_alive():
            self.thread = threading.Thread(target=self._loop, name="jupyterlab-lmk relay", daemon=True)
            self.thread.start()

    def _loop(self):
        """Sleep until something is due (no wake-up otherwise), then send.
        One attempt at a time; a retry waits its turn without holding up
        other deliveries."""
        while True:
            with self.lock:
                if self.stopped:
                    return
                now = self.clock()
                self._drop_stale(now)
                due = self.arbiter.due(now)
                for delivery in due:
                    delivery.sending_since = now
                attempt = None if due else self._next_attempt(now)
                if not due and attempt is None:
                    self.wake.wait(self._next_wake(now))
                    continue
            if due:
                for delivery in due:
                    self._build(delivery)
                continue
            delivery, channel_id, request = attempt
            send = lmk_email.send_once if "smtp" in request else lmk_send.send_once
            ok, retryable, failure = send(request, delivery.request_timeout_s)
            with self.lock:
                self._attempted(delivery, channel_id, ok, retryable, failure, self.clock())

    def _drop_stale(self, now):
        for run in self.book.stale(now):
            self.book.end(run, "cancelled", now)
            delivery = self.arbiter.get("run:" + run.id) if run.id else None
            if delivery is not None and delivery.state == "open":
                self.arbiter.finish(delivery, None, now)
        self._rehook()

    def _build(self, delivery):
        """Build the event and one request per channel still to send. Out
        of the lock: a late report evaluation runs user code; the rest is
        plain data work on what no other thread changes while ``sending``."""
        entries = [entry for entry in delivery.channels or [] if entry["id"] not in delivery.page_done]
        try:
            event = self._event(delivery)
        except Exception:
            event = None
        with self.lock:
            delivery.event = event
            flooded = event is not None and self._flooded(delivery)
            for entry in entries:
                channel_id = entry["id"]
                if event is None:
                    delivery.results[channel_id] = _result(channel_id, "failed", {"kind": "internal"}, 0)
                    continue
                if flooded:
                    delivery.results[channel_id] = _result(channel_id, "skipped", {"kind": "flood"}, 0)
                    continue
                email = entry["config"].get("type") == "email"
                build = lmk_email.email_request if email else self.formats.channel_request
                try:
                    request = build(entry["config"], event, delivery.id, delivery.context)
                except Exception:
                    # ChannelError: a setting the lab would refuse too.
                    request = None
                if request is None:
                    delivery.results[channel_id] = _result(channel_id, "failed", {"kind": "invalid-config"}, 0)
                    continue
                delivery.pending[channel_id] = {
                    "request": request,
                    "attempts": 0,
                    "due": delivery.sending_since,
                    "deduplicates": entry["config"].get("type") in lmk_send.DEDUPLICATING_TYPES,
                    "unconfirmed": 0,
                }
            if not delivery.pending:
                self._complete(delivery, self.clock())
            self.wake.notify_all()

    def _context_of(self, run):
        delivery = self.arbiter.get("run:" + run.id) if run.id else None
        return delivery.context if delivery is not None else {}

    def _event(self, delivery):
        context = dict(delivery.context)
        run = delivery.run
        if delivery.kind == "run":
            if run.report and run.report_values is None:
                # The run ended on a marker, not in a cell: evaluate now.
                run.report_values = self._report(run.report, context)
            event = self.formats.run_event(run.event_summary(self.clock(), run.report_values), context)
        else:
            if run is not None:
                context.setdefault("notebook_path", run.path)
                context.setdefault("kernel", run.kernel)
            event = self.formats.manual_event(delivery.payload, context)
        if isinstance(event, dict):
            event["sender"] = "kernel"
        return event

    def _flooded(self, delivery):
        """The lab's flood limit, for what the kernel sends: at most
        ``flood`` notifications a minute per notebook."""
        if delivery.flood <= 0:
            return False
        now = self.clock()
        sent = [t for t in self.flood.get(delivery.path, []) if t > now - FLOOD_WINDOW_S]
        held = len(sent) >= delivery.flood
        if not held:
            sent.append(now)
        self.flood[delivery.path] = sent
        if len(self.flood) > lmk_runs.DELIVERIES_KEPT:
            self.flood.pop(next(iter(self.flood)))
        return held

    def _next_attempt(self, now):
        for delivery in self.arbiter.deliveries.values():
            if delivery.state != "sending":
                continue
            for channel_id, pending in delivery.pending.items():
                if pending["due"] <= now and not pending.get("busy"):
                    pending["busy"] = True
                    pending["attempts"] += 1
                    return delivery, channel_id, pending["request"]
        return None

    def _next_wake(self, now):
        times = [
            pending["due"]
            for delivery in self.arbiter.deliveries.values()
            if delivery.state == "sending"
            for pending in delivery.pending.values()
        ]
        deadline = self.arbiter.next_deadline()
        if deadline is not None:
            times.append(deadline)
        return None if not times else max(0.0, min(times) - now) + 0.01

    def _attempted(self, delivery, channel_id, ok, retryable, failure, now):
        pending = delivery.pending.get(channel_id)
        if pending is None:
            return
        pending["busy"] = False
        attempts = pending["attempts"]
        failure = failure or {}
        guarded = failure.pop("mayHaveArrived", False) and not pending.get("deduplicates")
        if guarded:
            pending["unconfirmed"] = pending.get("unconfirmed", 0) + 1
        if ok:
            delivery.results[channel_id] = _result(channel_id, "sent", None, attempts)
            del delivery.pending[channel_id]
        elif guarded and failure.get("kind") == "timeout":
            # It may have arrived, and this service would post a copy: not
            # sent again ("sent, not confirmed", as the lab says it).
            result = _result(channel_id, "sent", failure, attempts)
            result["confirmed"] = False
            delivery.results[channel_id] = result
            del delivery.pending[channel_id]
        elif guarded and pending["unconfirmed"] >= lmk_send.MAX_UNCONFIRMED:
            delivery.results[channel_id] = _result(channel_id, "failed", failure, attempts)
            del delivery.pending[channel_id]
        else:
            delay = lmk_send.backoff_delay(attempts, failure.get("retryAfterS"))
            if guarded:
                delay = max(delay, lmk_send.UNCONFIRMED_RETRY_S)
            if not retryable or attempts >= MAX_ATTEMPTS or now + delay - delivery.sending_since > delivery.retry_s:
                delivery.results[channel_id] = _result(channel_id, "failed", failure, attempts)
                del delivery.pending[channel_id]
            else:
                pending["due"] = now + delay
                pending["lastFailure"] = failure
        if not delivery.pending:
            self._complete(delivery, now)

    def _complete(self, delivery, now):
        """The kernel is done with a delivery: record it for the pages."""
        stamp = lmk_runs.iso(now)
        for result in delivery.results.values():
            result.setdefault("at", stamp)
        run = delivery.run
        cell_id = None
        if run is not None and delivery.kind == "run":
            cell_id = run.failure["cellId"] if run.failure is not None else (run.cell_ids[-1] if run.cell_ids else None)
        record = {
            "id": delivery.id,
            "at": stamp,
            "sender": "kernel",
            "path": delivery.path,
            "cellId": cell_id,
            "event": delivery.event,
            "results": list(delivery.results.values()),
            "seenBy": [],
        }
        self.arbiter.finish(delivery, "kernel", now)
        delivery.event = None
        self.records.append(record)
        self._push({"op": "delivered", "record": self._public(record)})


def _result(channel_id, status, failure, attempts):
    result = {"channelId": channel_id, "status": status, "attempts": attempts}
    if failure:
        result["failure"] = failure
    return result


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _where(error):
    import traceback

    frames = traceback.extract_tb(error.__traceback__)
    last = frames[-1] if frames else None
    return (type(error).__name__, last.name if last else "", last.lineno if last else 0)


def _safe_str(error):
    try:
        return str(error)
    except Exception:
        return "<unprintable>"


def install(formats, version, previous=None):
    """Start the watcher in this kernel, replacing ``previous`` (the
    watcher of an older version, whose module is being replaced). Raises
    ``RuntimeError`` where it cannot work (not ipykernel)."""
    from IPython import get_ipython

    shell = get_ipython()
    kernel = getattr(shell, "kernel", None)
    if kernel is None or not hasattr(kernel, "control_handlers") or not hasattr(kernel, "shell_handlers"):
        raise RuntimeError("not-ipykernel")
    if previous is not None:
        previous.stop()
    watcher = Watcher(kernel, shell, formats, version)
    watcher.start()
    global WATCHER
    WATCHER = watcher
    return watcher


WATCHER = None
VERSION = None


def status():
    """What the loader's request reads back (``user_expressions``)."""
    watcher = WATCHER
    if watcher is None or watcher.stopped:
        return JsonRepr({"ok": False, "reason": "stopped"})
    return JsonRepr({"ok": True, "protocol": PROTOCOL, "version": watcher.version})
