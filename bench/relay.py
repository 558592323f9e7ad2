"""The kernel relay's cost and speed, in real kernels (ipykernel 7 from .venv,
ipykernel 6 from .venv-ipykernel6), driven over ZMQ as the lab drives them
(the kernel tests' harness, src/relay/kernel/tests/conftest.py: the payload
the lab embeds, a loopback receiver standing in for a webhook service).

    python bench/relay.py [--cells N] [--runs N] [--latency-runs N] [--update-results]

Prints, per kernel:

- the watcher's own time per cell: its ``post_run_cell`` hook (the only
  thing it does per cell, and only while a run is open), timed in the
  kernel around the hook over the cells of Run Alls of N cells;
- the kernel's time per cell with the watcher's run open against the same
  cells with no watcher (execute_reply's ``started`` metadata to its header
  date, medians of alternating runs): what the user's cells wait;
- the time from the last cell's end (its execute_reply's date) to the POST
  at the loopback receiver when no page claims the run, with the lab's grace
  window (target: grace + 1 s).

Nothing here is timed against a threshold: it prints figures (see
bench/README.md). Run it inside a network namespace of your own when other
servers share the machine; it listens on 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import ast
import datetime
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src" / "relay" / "kernel" / "tests"))

from conftest import PYTHONS, Kernel, Receiver, webhook  # noqa: E402
from run import relay_kernel_lines, update_results  # noqa: E402

# The lab's grace window (src/relay/kernelRelay.ts GRACE_S).
GRACE_S = float(
    next(
        line.split("=")[1].strip().rstrip(";")
        for line in (ROOT / "src" / "relay" / "kernelRelay.ts").read_text().splitlines()
        if line.startswith("export const GRACE_S")
    )
)

# Run in the kernel as a run's first cell: wraps the watcher's hook with a
# timer (perf_counter_ns around the call; the wrapper's own cost, ~0.1 µs,
# is included, which overstates the figure slightly).
TIME_HOOK = """
import sys as _s, time as _t
_w = _s.modules['_jupyterlab_lmk_relay'].WATCHER
_cbs = get_ipython().events.callbacks['post_run_cell']
_orig = _cbs[_cbs.index(_w._post_run_cell)]
_lmk_bench = []
def _timed(result, _o=_orig, _c=_t.perf_counter_ns, _a=_lmk_bench.append):
    _b = _c(); _o(result); _a(_c() - _b)
_cbs[_cbs.index(_w._post_run_cell)] = _timed
"""
UNTIME_HOOK = """
_cbs = get_ipython().events.callbacks['post_run_cell']
if _timed in _cbs: _cbs.remove(_timed)
"""


def parse_date(value) -> float:
    if isinstance(value, datetime.datetime):
        return value.timestamp()
    return datetime.datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()


def kernel_times(replies) -> list[float]:
    """Seconds each cell took in the kernel (started to reply)."""
    return [parse_date(r["header"]["date"]) - parse_date(r["metadata"]["started"]) for r in replies]


def evaluate(page, expression):
    msg_id = page.send(
        "shell",
        "execute_request",
        {"code": "", "silent": True, "store_history": False, "allow_stdin": False,
         "user_expressions": {"v": expression}},
    )
    result = page.reply("shell", msg_id)["content"]["user_expressions"]["v"]
    # The repr of a str of JSON (IPython's pretty printer cuts long lists).
    return json.loads(ast.literal_eval(result["data"]["text/plain"]))


def plain_run(page, cells):
    ids = [page.execute(code, cell_id=f"cell-{i}") for i, code in enumerate(cells)]
    return page.wait_idle(ids, timeout=300)


def measure(version: str, cells: int, runs: int, latency_runs: int) -> dict:
    receiver = Receiver()
    kernel = Kernel(PYTHONS[version])
    try:
        page = kernel.page()
        page.install()
        source = [f"x = {i}" for i in range(cells)]
        hook_ns: list[int] = []
        with_s: list[float] = []
        without_s: list[float] = []
        # A warm-up of each, then alternating runs (the order swapped every
        # run), so the kernel's pace hits both alike.
        plain_run(page, source)
        for i in range(runs + 1):
            arms = ["with", "without"] if i % 2 == 0 else ["without", "with"]
            for arm in arms:
                if arm == "with":
                    # Threshold 0 for a failure only: the run's end is not
                    # delivered (this measures the cells, not a POST).
                    run = page.run([TIME_HOOK] + source, [webhook(receiver)],
                                   rule={"finished": None, "failed": 0, "interrupted": None})
                    replies = page.wait_idle(run["ids"], timeout=300)
                    times = kernel_times(replies[1:])
                    samples = evaluate(page, "__import__('json').dumps(_lmk_bench)")
                    plain_run(page, [UNTIME_HOOK])
                    if i:
                        hook_ns += samples[1:]  # the first is the timing cell's own
                        with_s.append(statistics.median(times))
                else:
                    times = kernel_times(plain_run(page, source))
                    if i:
                        without_s.append(statistics.median(times))
        if receiver.posts:
            raise SystemExit("a run that should not be told was posted")
        # Latency: nobody claims the run; the kernel posts after the grace window.
        latency: list[float] = []
        for i in range(latency_runs):
            before = len(receiver.posts)
            run = page.run(["x = 1"], [webhook(receiver)], grace_s=GRACE_S, lease_s=120.0)
            last = page.wait_idle(run["ids"])[-1]
            posts = receiver.wait_posts(before + 1, timeout=GRACE_S + 60)
            if len(posts) != before + 1:
                raise SystemExit(f"run {i}: expected one POST, got {len(posts) - before}")
            latency.append(posts[-1]["at"] - parse_date(last["header"]["date"]))
        return {
            "hook_us": {"median": statistics.median(hook_ns) / 1e3, "mean": statistics.mean(hook_ns) / 1e3,
                        "p99": sorted(hook_ns)[int(len(hook_ns) * 0.99)] / 1e3,
                        "max": max(hook_ns) / 1e3, "n": len(hook_ns)},
            "cell_us": {"with": statistics.median(with_s) * 1e6, "without": statistics.median(without_s) * 1e6,
                        "pairs": len(with_s)},
            "latency_s": {"median": statistics.median(latency), "min": min(latency), "max": max(latency),
                          "n": len(latency), "grace_s": GRACE_S},
        }
    finally:
        kernel.close()
        receiver.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=6, help="alternating pairs of runs per kernel")
    parser.add_argument("--latency-runs", type=int, default=3)
    parser.add_argument("--kernels", default=",".join(sorted(PYTHONS)))
    parser.add_argument("--update-results", action="store_true",
                        help="also put the figures into the last full run's bench/results.*")
    args = parser.parse_args()
    results = {}
    for version in args.kernels.split(","):
        results[version] = measure(version, args.cells, args.runs, args.latency_runs)
        for line in relay_kernel_lines(version, results[version]):
            print(line, flush=True)
    if args.update_results:
        update_results("The kernel relay in the kernel", "", lambda r: r.update(relay_kernel=results),
                       script="bench/relay.py")


if __name__ == "__main__":
    main()
