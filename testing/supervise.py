"""Run one test server under a launcher script, for as long as it is asked to.

Shared by the launchers in this folder (run_synapse.py, run_hub.py,
run_remote_server.py). They run from different venvs and folders, so each
puts this folder on `sys.path` and imports it; standard library only.

`supervise` starts the server in its own session (so a signal to the
launcher's process group reaches the server once, through the launcher) with
the death signal set (so it gets SIGTERM if the launcher dies, even killed),
forwards the first SIGTERM or SIGINT to it, waits until it is ready and says
so on stdout, waits for it to exit (killing it after a grace period once a
stop is asked) and calls `cleanup` whatever happens.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence


def answers(request: str | urllib.request.Request) -> bool:
    """Whether a GET of `request` answers 200 now (within 2 s)."""
    try:
        with urllib.request.urlopen(request, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def supervise(
    command: Sequence[str],
    *,
    ready: Callable[[], bool],
    timeout: float,
    ready_line: Callable[[], str],
    failed_line: str,
    cleanup: Callable[[], None],
    cwd: str | None = None,
    interval: float = 0.1,
    grace: float = 10,
) -> int:
    """Run `command` until it exits; return the launcher's exit code.

    `ready()` is polled every `interval` seconds until it holds, the server
    exits or `timeout` seconds pass. Then `ready_line()` is printed on stdout,
    or else `failed_line` on stderr and the server is stopped. The server's
    stdout goes to stderr, so stdout only carries the ready line.

    Returns 0 when the server stopped because it was asked to (SIGTERM or
    SIGINT), 1 when it did not start, otherwise its own exit code (1 for 0:
    it was not supposed to exit).
    """
    try:
        process = subprocess.Popen(
            command,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=sys.stderr,
            start_new_session=True,
            preexec_fn=die_with_parent,
        )
    except BaseException:
        cleanup()
        raise
    stop_requested: list[float] = []

    def stop(_signum: int, _frame: object) -> None:
        # Only ask: waiting here would deadlock with the main thread's
        # wait() (they share Popen's waitpid lock).
        if not stop_requested:
            stop_requested.append(time.monotonic())
            process.terminate()

    previous = {
        signum: signal.signal(signum, stop) for signum in (signal.SIGTERM, signal.SIGINT)
    }
    failed = False
    try:
        if wait_until(ready, process, timeout, interval):
            print(ready_line(), flush=True)
        elif not stop_requested:
            failed = True
            print(failed_line, file=sys.stderr, flush=True)
            stop(signal.SIGTERM, None)
        while True:
            try:
                code = process.wait(timeout=0.5)
                break
            except subprocess.TimeoutExpired:
                if stop_requested and time.monotonic() - stop_requested[0] > grace:
                    process.kill()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        cleanup()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if failed:
        return 1
    return 0 if stop_requested else (code or 1)


def wait_until(
    ready: Callable[[], bool], process: subprocess.Popen, timeout: float, interval: float
) -> bool:
    """Poll `ready` until it holds; False if the process exits or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        if ready():
            return True
        time.sleep(interval)
    return False


def die_with_parent() -> None:
    """In the child: get SIGTERM when the launcher dies (Linux only)."""
    try:
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)
    except OSError:
        pass
