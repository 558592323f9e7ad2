"""Runs and who tells about them: the pure part of the kernel relay.

``RunBook`` knows which cells belong to which run from the lab's ``begin``
and ``seal`` markers; ``Arbiter`` decides, per notification, whether a page
or the kernel delivers it. Neither touches the kernel, a clock or the
network: the watcher (``lmk_watcher.py``) feeds them facts with the time,
under its lock. Standard library only: this file is sent into kernels.
"""

from __future__ import annotations

import collections
import datetime

DELIVERIES_KEPT = 200
RUNS_KEPT = 200
DEFAULT_GRACE_S = 10.0
DEFAULT_LEASE_S = 120.0
DEFAULT_RETRY_S = 3600.0
DEFAULT_REQUEST_TIMEOUT_S = 15.0
# A run whose end never came (its cells skipped while no page was open, or a
# cell waiting for input forever) keeps its channel settings no longer.
STALE_RUN_S = 24 * 3600.0

INTERRUPT_NAMES = ("KeyboardInterrupt",)


def iso(seconds):
    """An ISO-8601 UTC time with milliseconds, as the lab writes them."""
    moment = datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class Rule:
    """Whether a run notifies, as the page decided it when the run began
    (and again if the user changed a mode meanwhile): per outcome, the
    shortest duration that notifies, or ``None`` for never."""

    OUTCOMES = ("finished", "failed", "interrupted")

    def __init__(self, raw=None):
        raw = raw if isinstance(raw, dict) else {}
        self.limits = {}
        for outcome in self.OUTCOMES:
            value = raw.get(outcome)
            ok = isinstance(value, (int, float)) and not isinstance(value, bool)
            self.limits[outcome] = float(value) if ok else None

    def wants(self, outcome, duration_s):
        limit = self.limits.get(outcome)
        return limit is not None and duration_s >= limit


class Run:
    """One run: the code cells one action of a page scheduled together."""

    def __init__(self, token, now):
        self.token = token
        self.id = None
        self.client = None
        self.cells = None
        self.positions = []
        self.executed = 0
        self.cell_ids = []
        self.failure = None
        self.created = now
        self.started = None
        self.ended = None
        self.outcome = None
        self.sealed = False
        self.begun = False
        self.rule = Rule()
        self.notebook = {}
        self.kernel = None
        self.report = []
        self.report_values = None
        self.source = None

    @property
    def path(self):
        return self.notebook.get("path", "") if isinstance(self.notebook, dict) else ""

    def duration(self, now):
        start = self.started if self.started is not None else self.created
        end = self.ended if self.ended is not None else now
        return max(0.0, end - start)

    def _failure_index(self):
        position = self.failure["position"]
        return self.positions[position] if position < len(self.positions) else -1

    def _times(self, now):
        start = self.started if self.started is not None else self.created
        end = self.ended if self.ended is not None else now
        return start, end

    def summary(self, now):
        """The run as the lab's ``IRunSummary`` describes one (for pages
        that did not see it run)."""
        start, end = self._times(now)
        failure = None
        if self.failure is not None:
            failure = {
                "cellId": self.failure["cellId"],
                "index": self._failure_index(),
                "executionCount": self.failure["executionCount"],
                "ename": self.failure["ename"],
                "evalue": self.failure["evalue"],
                "traceback": self.failure["traceback"],
            }
        return {
            "id": self.id,
            "outcome": self.outcome,
            "notebookPath": self.path,
            "kernel": self.kernel,
            "cells": self.cells if self.cells is not None else self.executed,
            "executed": self.executed,
            "started": iso(start),
            "finished": iso(end),
            "durationSeconds": max(0.0, end - start),
            "kernelTiming": True,
            "lastCellId": self.cell_ids[-1] if self.cell_ids else "",
            "cellIds": list(self.cell_ids),
            "failure": failure,
        }

    def event_summary(self, now, report=None):
        """The run as ``lmk_formats.run_event`` takes it."""
        start, end = self._times(now)
        failure = None
        if self.failure is not None:
            failure = {
                "index": self._failure_index(),
                "execution_count": self.failure["executionCount"],
                "ename": self.failure["ename"],
                "evalue": self.failure["evalue"],
                "traceback": self.failure["traceback"],
            }
            if self.source is not None:
                failure["source"] = self.source
        summary = {
            "outcome": self.outcome,
            "notebook_path": self.path,
            "kernel": self.kernel,
            "cells": self.cells if self.cells is not None else self.executed,
            "executed": self.executed,
            "started": iso(start),
            "finished": iso(end),
            "duration_s": max(0.0, end - start),
            "failure": failure,
        }
        if report:
            summary["report"] = report
        return summary


class RunBook:
    """Which cells belong to which run, from the ``begin`` and ``seal``
    markers. Pure: the caller feeds it facts in the order the kernel sees
    them, with the time."""

    def __init__(self):
        self.by_token = collections.OrderedDict()
        self.open_by_client = {}

    def run(self, token, now):
        run = self.by_token.get(token)
        if run is None:
            run = Run(token, now)
            self.by_token[token] = run
            self._prune()
        return run

    def _prune(self):
        excess = len(self.by_token) - RUNS_KEPT
        if excess <= 0:
            return
        for token in [t for t, r in self.by_token.items() if r.ended is not None][:excess]:
            del self.by_token[token]

    def begin(self, token, client, now, aborting):
        """The ``begin`` marker reached the kernel: the run's cells follow.

        Returns the earlier run of the same client that this one replaces
        (its end never came: its cells were skipped), if any.
        """
        replaced = self.open_by_client.pop(client, None)
        if replaced is not None:
            self.end(replaced, "cancelled", now)
        run = self.run(token, now)
        run.client = client
        run.begun = True
        run.started = now
        if aborting:
            # The kernel is skipping what was queued behind a failure: this
            # run's cells will not execute.
            self.end(run, "cancelled", now)
        elif run.ended is None:
            self.open_by_client[client] = run
            self._end_if_complete(run, now)
        return replaced

    def seal(self, token, fields, now):
        """The ``seal`` marker: the run's id, number of cells and rule."""
        run = self.run(token, now)
        run.sealed = True
        for key, value in fields.items():
            setattr(run, key, value)
        if run.begun and run.ended is None:
            self._end_if_complete(run, now)
        return run

    def open_run(self, client):
        return self.open_by_client.get(client)

    def cell_done(self, run, cell_id, error, stop_on_error, now):
        """One of the run's cells executed. ``error``: ``None`` or a dict
        with ``ename``, ``evalue``, ``traceback``, ``executionCount``.

        Returns whether this ended the run.
        """
        position = run.executed
        run.executed += 1
        run.cell_ids.append(cell_id)
        if error is not None:
            interrupted = error["ename"] in INTERRUPT_NAMES
            if run.failure is None:
                run.failure = dict(error, position=position, cellId=cell_id, interrupted=interrupted)
            if stop_on_error or interrupted:
                # The kernel skips the rest of its queue: the run is over.
                self.end(run, "interrupted" if run.failure["interrupted"] else "failed", now)
                return True
        return self._end_if_complete(run, now)

    def _end_if_complete(self, run, now):
        if run.cells is None or run.executed < run.cells:
            return False
        if run.failure is not None:
            outcome = "interrupted" if run.failure["interrupted"] else "failed"
        else:
            outcome = "finished" if run.executed else "cancelled"
        self.end(run, outcome, now)
        return True

    def find(self, run_id):
        for run in self.by_token.values():
            if run.id == run_id:
                return run
        return None

    def end(self, run, outcome, now):
        if run.ended is not None:
            return
        run.outcome = outcome
        run.ended = now
        if self.open_by_client.get(run.client) is run:
            del self.open_by_client[run.client]

    def stale(self, now):
        """Runs that never ended, past the time their settings are kept."""
        return [r for r in self.by_token.values() if r.ended is None and now - r.created > STALE_RUN_S]


class Delivery:
    """One notification the kernel may have to send, and who holds it.

    States: ``open`` (its run goes on), ``grace`` (over; waiting for a
    page's claim until ``deadline``), ``claimed`` (a page holds it until
    ``lease_until``), ``sending`` (the kernel sends it), ``done``.
    """

    def __init__(self, notification_id, kind, channels, now):
        self.id = notification_id
        self.kind = kind
        self.state = "open"
        # Each entry: {"id": ..., "config": {...}} (the config holds secrets).
        self.channels = channels
        self.holder = None
        self.lease_until = 0.0
        self.deadline = 0.0
        self.notify = False
        self.run = None
        self.payload = None
        self.path = ""
        self.by = None
        self.page_done = set()
        self.results = {}
        self.created = now
        self.finished = None
        self.grace_s = DEFAULT_GRACE_S
        self.lease_s = DEFAULT_LEASE_S
        self.retry_s = DEFAULT_RETRY_S
        self.request_timeout_s = DEFAULT_REQUEST_TIMEOUT_S
        self.flood = 0
        self.context = {}
        # All channels the page handed for the run, for notify() calls.
        self.pool = []
        self.pending = {}
        self.sending_since = None
        self.event = None

    def channel_ids(self):
        if self.channels is None:
            return sorted(self.results)
        return [entry["id"] for entry in self.channels]

    def scrub(self):
        """Forget the channels' settings (addresses, tokens)."""
        self.channels = None
        self.pool = []
        self.pending = {}
        self.context = {}


class Arbiter:
    """Decides, under the watcher's lock, who delivers each notification:
    the first page to claim it, or the kernel once nobody has claimed it in
    time. Pure: time is passed in; sending is the caller's (``due``)."""

    def __init__(self):
        self.deliveries = collections.OrderedDict()

    def add(self, delivery):
        self.deliveries[delivery.id] = delivery
        excess = len(self.deliveries) - DELIVERIES_KEPT
        if excess > 0:
            for key in [k for k, d in self.deliveries.items() if d.state == "done"][:excess]:
                del self.deliveries[key]

    def get(self, notification_id):
        return self.deliveries.get(notification_id)

    def ended(self, delivery, notify, now):
        """Its run (or notify call) is over: wait for a claim if the kernel
        has something to send, else finish at once."""
        delivery.notify = notify
        if delivery.state == "claimed" and delivery.lease_until > now:
            return
        if delivery.state not in ("open", "claimed"):
            return
        if notify and delivery.channels:
            delivery.state = "grace"
            delivery.deadline = now + delivery.grace_s
        else:
            self.finish(delivery, None, now)

    def claim(self, notification_id, holder, now):
        """A page claims a notification: granted to the first claimant (its
        lease renewed by later claims), refused once the kernel sends it."""
        delivery = self.deliveries.get(notification_id)
        if delivery is None:
            return {"known": False, "granted": True}
        reply = {"known": True, "channels": delivery.channel_ids()}
        state = delivery.state
        mine = delivery.holder == holder
        if state in ("open", "grace") or (state == "claimed" and (mine or delivery.lease_until <= now)):
            delivery.state = "claimed"
            delivery.holder = holder
            delivery.lease_until = now + delivery.lease_s
            reply.update(granted=True, leaseS=delivery.lease_s)
        elif state == "claimed":
            reply.update(granted=False, by="page")
        elif state == "sending":
            reply.update(granted=False, by="kernel", sending=True, results=list(delivery.results.values()))
        elif delivery.by == "kernel":
            reply.update(granted=False, by="kernel", results=list(delivery.results.values()))
        elif delivery.by == "page" and not mine:
            reply.update(granted=False, by="page")
        else:
            # Done and nothing for the kernel to send: the page decides.
            reply.update(granted=True, leaseS=delivery.lease_s)
        return reply

    def done(self, notification_id, holder, channels, final, now):
        """The page holding a notification has dealt with (sent or given up)
        these of the kernel's channels; ``final``: with all of them. A page
        may also let go of one nobody holds (it decided not to notify)."""
        delivery = self.deliveries.get(notification_id)
        if delivery is None:
            return False
        if delivery.state in ("open", "grace"):
            delivery.holder = holder
        elif delivery.state != "claimed" or delivery.holder != holder:
            return False
        delivery.page_done.update(str(c) for c in channels or [])
        remaining = set(delivery.channel_ids()) - delivery.page_done
        if final or not remaining:
            # Whatever the kernel would still see of this run, the page
            # has dealt with it.
            self.finish(delivery, "page", now)
        else:
            delivery.state = "claimed"
            delivery.lease_until = now + delivery.lease_s
        return True

    def finish(self, delivery, by, now):
        delivery.state = "done"
        delivery.by = by
        delivery.finished = now
        delivery.scrub()

    def due(self, now):
        """Deliveries the kernel must send now: the grace window is over
        without a claim, or a page's lease ran out before it was done."""
        due = []
        for delivery in self.deliveries.values():
            if delivery.state == "grace" and delivery.deadline <= now:
                due.append(delivery)
            elif delivery.state == "claimed" and delivery.lease_until <= now:
                if delivery.run is not None and delivery.run.ended is None and delivery.kind == "run":
                    # The page went away before the run ended: the kernel
                    # decides at the end, as if nobody had claimed.
                    delivery.state = "open"
                    delivery.holder = None
                elif delivery.notify and delivery.channels:
                    due.append(delivery)
                else:
                    self.finish(delivery, None, now)
        for delivery in due:
            delivery.state = "sending"
        return due

    def next_deadline(self):
        times = [d.deadline for d in self.deliveries.values() if d.state == "grace"]
        times += [d.lease_until for d in self.deliveries.values() if d.state == "claimed"]
        return min(times) if times else None

