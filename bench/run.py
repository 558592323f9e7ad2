"""Benchmarks: this extension against the same JupyterLab without it, and
against two published alternatives, in headless Debian Chromium.

    python bench/run.py [--exec-rounds N] [--load-rounds N] [--memory-pairs N]
    python bench/run.py --only-execution | --only-load | --only-memory | --only-tell
                        | --only-remote | --only-exec-cpu | --only-phone | --only-relay
    python bench/run.py --only-execution | --only-exec-cpu | --only-memory | --only-relay
                        --update-results

Each configuration gets its own virtual environment under bench/.work/envs
(the pinned JupyterLab and ipykernel, plus the extension under test) and its
own JupyterLab servers on loopback ports. "Without" an extension is a page
of the same server with the extension taken out of the page's
configuration: the lab then neither fetches its files nor runs its
plugins, and the pair shares the server's and kernel's pace (a server
keeps its own pace for its life; of two identical ones, one was 3 % slower).
Pages with and without alternate, round after round, each round on a new
server, so slow phases of a noisy machine hit both alike; an A/A control
(without / without) gives each ratio's noise floor. Ratios are medians of
the pairs, quoted with min and max.

Writes bench/results.json and bench/results.md and prints each figure on its
own line.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / ".work"
ENVS = WORK / "envs"
DRIVER = ROOT / "bench" / "driver.mjs"
# Where the lab serves this extension's JavaScript.
PREFIX = "/lab/extensions/jupyterlab-lmk/static/"


def pinned(name: str) -> str:
    for line in (ROOT / "requirements-dev.txt").read_text().splitlines():
        if line.split("==")[0].strip().lower() == name:
            return line.strip()
    raise SystemExit(f"{name} is not pinned in requirements-dev.txt")


BASE = [pinned("jupyterlab"), pinned("ipykernel")]
CONFIGS = {
    "lmk": "jupyterlab-lmk (this repository, production build)",
    "without": "JupyterLab alone",
    "notify": "jupyterlab-notify 3.0.0",
    "notifications": "jupyterlab-notifications 0.5.0",
}
# Each configuration's labextension, as the page's configuration names it.
EXTENSIONS = {
    "lmk": "jupyterlab-lmk",
    "notify": "jupyterlab-notify",
    "notifications": "jupyterlab-notifications",
}
# With two cores or more, the execution figure runs the browser on the
# first core and the server with its kernels on the second: otherwise the
# three contend for the cores and a Run All's time varies by ±10 % from
# one page to the next (±3 % pinned).
PIN = shutil.which("taskset") is not None and (os.cpu_count() or 1) >= 2
BROWSER_CPU, SERVER_CPU = "0", "1"
EXTRA = {
    "without": [],
    "notify": ["jupyterlab-notify==3.0.0"],
    "notifications": ["jupyterlab-notifications==0.5.0"],
}


def log(*args: object) -> None:
    print(*args, file=sys.stderr, flush=True)


def run(cmd: list[str], **kwargs) -> None:
    subprocess.run(cmd, check=True, **kwargs)


def build_wheel() -> Path:
    """The production wheel of this repository (the dev build is restored after)."""
    out = WORK / "wheel"
    shutil.rmtree(out, ignore_errors=True)
    env = {**os.environ, "PATH": f"{ROOT / '.venv' / 'bin'}{os.pathsep}{os.environ['PATH']}"}
    run(["jlpm", "build:prod"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "-w", str(out), str(ROOT)], env=env)
    run(["jlpm", "build"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    return next(out.glob("jupyterlab_lmk-*.whl"))


def make_env(name: str, packages: list[str], wheel: Path | None = None) -> Path:
    """An environment with the pinned lab and `packages`, kept between runs;
    `wheel` (this repository's) is installed afresh every time, without its
    dependencies, so a rerun needs no package index."""
    env = ENVS / name
    stamp = env / ".bench-packages"
    wanted = "\n".join(BASE + packages)
    python = str(env / "bin" / "python")
    if not (stamp.exists() and stamp.read_text() == wanted):
        shutil.rmtree(env, ignore_errors=True)
        run([sys.executable, "-m", "venv", str(env)])
        run([python, "-m", "pip", "install", "--quiet", *BASE, *packages,
             *([str(wheel)] if wheel else [])], stderr=subprocess.DEVNULL)
        stamp.write_text(wanted)
    elif wheel:
        run([python, "-m", "pip", "install", "--quiet", "--no-deps", "--force-reinstall",
             str(wheel)], stderr=subprocess.DEVNULL)
    return env


def write_notebooks(folder: Path) -> None:
    def notebook(sources: list[str]) -> dict:
        return {
            "cells": [
                {"cell_type": "code", "execution_count": None, "id": f"c{i}",
                 "metadata": {}, "outputs": [], "source": s}
                for i, s in enumerate(sources)
            ],
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                        "language": "python"}},
            "nbformat": 4, "nbformat_minor": 5,
        }

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "cells1000.ipynb").write_text(json.dumps(notebook([f"x = {i}" for i in range(1000)])))
    (folder / "one.ipynb").write_text(json.dumps(notebook(["x = 1"])))
    (folder / "small.ipynb").write_text(json.dumps(notebook(["x = 1", "y = 2"])))
    # Stopping a run from the phone: the cell says when the kernel got the interrupt.
    (folder / "phone.ipynb").write_text(json.dumps(notebook([
        "import time\ntry:\n    time.sleep(600)\nexcept KeyboardInterrupt:\n"
        "    print(f'LMK-BENCH-INTERRUPTED {time.time():.6f}', flush=True)\n    raise"])))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A JupyterLab server of one environment, loopback only, no token."""

    # The same for every configuration: no news or update checks (no
    # network here, and their toasts would disturb the measurements).
    QUIET = {"@jupyterlab/apputils-extension:notification": {"fetchNews": "false",
                                                             "checkForUpdates": False}}

    def __init__(self, name: str, env: Path, root: Path, settings: dict | None = None,
                 extra_args: list[str] | None = None, wait: bool = True,
                 cpu: str | None = None):
        settings = {**self.QUIET, **(settings or {})}
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        home = Path(tempfile.mkdtemp(prefix=f"bench-{name}-", dir=WORK))
        settings_dir = home / "settings"
        for plugin_id, values in settings.items():
            package, plugin = plugin_id.split(":")
            target = settings_dir / package / f"{plugin}.jupyterlab-settings"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(values))
        cmd = [
            str(env / "bin" / "jupyter"), "lab", "--no-browser",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0", "--IdentityProvider.token=",
            "--ServerApp.password=", "--ServerApp.disable_check_xsrf=True",
            f"--ServerApp.root_dir={root}", "--LabApp.expose_app_in_browser=True",
            f"--LabApp.user_settings_dir={settings_dir}",
            f"--LabApp.workspaces_dir={home / 'workspaces'}",
            "--ServerApp.log_level=WARN",
        ]
        if os.geteuid() == 0:
            cmd.append("--allow-root")
        cmd += extra_args or []
        if cpu is not None:
            cmd = ["taskset", "-c", cpu, *cmd]
        environ = {**os.environ, "JUPYTER_CONFIG_DIR": str(home / "config"),
                   "JUPYTER_RUNTIME_DIR": str(home / "runtime"), "JUPYTER_PLATFORM_DIRS": "1",
                   "IPYTHONDIR": str(home / "ipython"),
                   "PATH": f"{env / 'bin'}{os.pathsep}{os.environ['PATH']}"}
        self.home = home
        self.log_file = open(home / "server.log", "w")
        self.process = subprocess.Popen(cmd, env=environ, stdout=self.log_file,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        if wait:
            self.wait()

    def wait(self) -> None:
        """Return once the server answers (at most 90 s)."""
        deadline = time.time() + 90
        while time.time() < deadline:
            try:
                urllib.request.urlopen(self.url + "api", timeout=2)
                return
            except OSError:
                time.sleep(0.5)
        raise SystemExit(f"server {self.name} did not start; see {self.home / 'server.log'}")

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.log_file.close()
        shutil.rmtree(self.home, ignore_errors=True)


def fresh_servers(envs: dict[str, Path], root: Path) -> dict[str, Server]:
    """A new server of each environment ({name: env}), started side by side.

    A server keeps its own pace for its whole life: of four identical
    servers measured over the same 20 rounds of page loads, one was 2.8 %
    slower than the other three. Pairs measured on long-lived servers would
    compare the servers as much as the configurations, so the execution
    figure and the load's cross-check between installs start new servers
    every round."""
    servers = {name: Server(name, env, root, wait=False) for name, env in envs.items()}
    try:
        for server in servers.values():
            server.wait()
    except BaseException:
        stop_all(servers)
        raise
    return servers


def stop_all(servers: dict[str, Server]) -> None:
    for server in servers.values():
        server.stop()


def drive(measurement: str, cpu: str | None = None, **options) -> dict:
    """One measurement of driver.mjs (its browser on `cpu` if given)."""
    cmd = ["node", str(DRIVER), measurement, json.dumps(options)]
    if cpu is not None:
        cmd = ["taskset", "-c", cpu, *cmd]
    out = subprocess.run(cmd,
                         check=True, capture_output=True, text=True,
                         timeout=options.get("timeoutS", 900) + 100)
    return json.loads(out.stdout.strip().splitlines()[-1])


def summary(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "n": len(values)}


def ratio(a: list[float], b: list[float]) -> dict:
    """Median, min and max of the per-pair ratios a[i] / b[i]."""
    return summary([x / y for x, y in zip(a, b)])


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered)) + 0.5) - 1))
    return ordered[k]


def bundle_sizes(env: Path) -> list[dict]:
    import gzip

    static = next(env.glob("share/jupyter/labextensions/jupyterlab-lmk/static"))
    return [
        {"file": f.name, "bytes": f.stat().st_size, "gzip": len(gzip.compress(f.read_bytes()))}
        for f in sorted(static.glob("*.js"))
    ]


def tell_server(env: Path, root: Path, hook_port: int) -> "Server":
    """An lmk server where every run is told (threshold 0, no flood limit), to the toast and
    to a loopback webhook on `hook_port` (the driver listens there)."""
    return Server("lmk-tell", env, root, {"jupyterlab-lmk:plugin": {
        "threshold": 0,
        # 50 runs in a row: without this the flood guard (3 a minute) holds
        # all but the first three.
        "floodLimit": 0,
        "channels": [
            {"id": "lab", "type": "toast", "enabled": True},
            # 50 deliveries in about a minute: above the default 10 a minute
            # the outbox would (rightly) hold them back.
            {"id": "hook", "type": "webhook", "enabled": True, "awayOnly": False,
             "perMinute": 1000, "url": f"http://127.0.0.1:{hook_port}/hook"},
        ],
    }})


def measure_tell(server: "Server", hook_port: int, runs: int) -> dict:
    told = drive("tell", url=server.url, notebook="one.ipynb", runs=runs, hookPort=hook_port)
    # NaN (null in JSON) is a notification that did not arrive within 10 s.
    tell = [s for s in told["samples"] if isinstance(s, (int, float)) and s == s]
    hook = [s for s in told["hookSamples"] if isinstance(s, (int, float)) and s == s]
    return {
        "what": "execute_reply received in the page to the toast in the DOM, and to a "
                "loopback webhook receiving the POST (ms, system clock)",
        "toast": {**summary(tell), "p95": percentile(tell, 95)},
        "webhook": {**summary(hook), "p95": percentile(hook, 95)} if hook else None,
        "webhook_posts": told["hookRequests"],
        "missing": {"toast": len(told["samples"]) - len(tell),
                    "webhook": len(told["hookSamples"]) - len(hook)},
        "target": "p95 <= 50 ms (toast), <= 100 ms (webhook)",
    }


class SkahaList:
    """A loopback stand-in for a CANFAR/Skaha session API that only lists:
    `count` sessions at `<url>/session` (and empty stats and context), with
    CORS for the lab's origin. Enough to measure rendering a long list."""

    def __init__(self, count: int):
        import http.server
        import threading

        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        sessions = json.dumps([{
            "id": f"s{n:05d}", "userid": "bench", "image": "images.canfar.net/skaha/astroml:latest",
            "type": ["notebook", "headless", "desktop"][n % 3],
            "status": ["Running", "Pending", "Succeeded"][n % 3], "name": f"bench-{n}",
            "startTime": now, "expiryTime": now, "connectURL": "",
            "requestedRAM": "8G", "requestedCPUCores": "2", "requestedGPUCores": "0",
            "ramInUse": "1G", "cpuCoresInUse": "0.5", "gpuRAMInUse": "", "gpuUtilization": "",
        } for n in range(count)]).encode()

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def cors(self):
                self.send_header("Access-Control-Allow-Origin", self.headers.get("Origin") or "*")
                self.send_header("Access-Control-Allow-Headers", "authorization, content-type")
                self.send_header("Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS")

            def do_OPTIONS(self):
                self.send_response(204)
                self.cors()
                self.end_headers()

            def do_GET(self):
                body = b"{}"
                if self.path.startswith("/skaha/v1/session") and "view=" not in self.path:
                    body = sessions
                self.send_response(200)
                self.cors()
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/skaha/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


class Synapse:
    """The test suite's throwaway Synapse homeserver (testing/synapse), loopback only."""

    def __init__(self):
        python = ROOT / ".venv-synapse" / "bin" / "python"
        if not python.exists():
            raise SystemExit("the phone figure needs Synapse: make .make/synapse")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [str(python), str(ROOT / "testing" / "synapse" / "run_synapse.py"),
             "--port", str(self.port)],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
            start_new_session=True)
        deadline = time.time() + 120
        while time.time() < deadline:
            line = self.process.stdout.readline()
            if line.startswith("SYNAPSE READY"):
                return
            if not line and self.process.poll() is not None:
                break
        self.stop()
        raise SystemExit("Synapse did not start")

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)


def measure_phone(env: Path, root: Path, tries: int) -> dict:
    """Stopping a run from the phone: a command reaching the homeserver (a
    real Synapse) or ntfy (the tests' loopback stand-in) to the kernel's
    interrupt, with the page open (bench/phone.mjs)."""
    synapse = Synapse()
    server = Server("lmk-phone", env, root)
    try:
        out = subprocess.run(
            ["node", str(ROOT / "bench" / "phone.mjs"),
             json.dumps({"url": server.url, "synapse": synapse.url,
                         "notebook": "phone.ipynb", "tries": tries})],
            check=True, stdout=subprocess.PIPE, text=True, timeout=1000)
        measured = json.loads(out.stdout.strip().splitlines()[-1])
    finally:
        server.stop()
        synapse.stop()
    return {
        "what": "the phone's command reaching the service (Matrix: the reaction's "
                "origin_server_ts on the homeserver; ntfy: the Interrupt request sent to the "
                "loopback stand-in) to KeyboardInterrupt raised in the kernel (ms, system "
                "clock), page open",
        **{kind: {**summary(measured[kind]), "p95": percentile(measured[kind], 95),
                  "raw_ms": measured[kind]}
           for kind in ("matrix", "ntfy")},
        "status_ms": {kind: summary(v) for kind, v in measured["statusMs"].items()},
        "target": "p95 <= 3000 ms",
    }


def phone_lines(ph: dict) -> list[str]:
    return [
        f"phone stop {name}: median {ph[kind]['median']:.0f} ms, p95 {ph[kind]['p95']:.0f} ms "
        f"(min {ph[kind]['min']:.0f}, max {ph[kind]['max']:.0f}, {ph[kind]['n']} tries; "
        f"target p95 <= 3000 ms, page open; each: "
        f"{', '.join(f'{v:.0f}' for v in ph[kind]['raw_ms'])})"
        for kind, name in (("matrix", "Matrix"), ("ntfy", "ntfy"))
    ] + [
        f"phone status posted ({name}): median {ph['status_ms'][kind]['median']:.0f} ms "
        f"after the run started (max {ph['status_ms'][kind]['max']:.0f})"
        for kind, name in (("matrix", "Matrix"), ("ntfy", "ntfy"))
    ]


def measure_remote(env: Path, root: Path, samples: int) -> dict:
    """Issue 7's figure 5: 1,000 platform sessions rendered, and 20 MB of
    stream output collected by Run code."""
    platform = SkahaList(1000)
    # The server's own IOPub rate limit would drop most of 20 MB (it is not
    # ours to measure): off for this server.
    server = Server("lmk-remote", env, root, {"jupyterlab-lmk:plugin": {"remoteServers": [
        {"id": "skaha", "kind": "skaha", "name": "Platform", "url": platform.url,
         "token": "bench-token"}]}},
        extra_args=["--ZMQChannelsWebsocketConnection.limit_rate=False"])
    try:
        listed = drive("remote-list", url=server.url, samples=samples)
        streamed = drive("run-code-stream", url=server.url, samples=samples)
    finally:
        server.stop()
        platform.close()
    return {
        "list": {
            "what": "1,000 platform sessions: end of the list's response to its rows in the DOM "
                    "(ms), fresh page each sample",
            "ms": summary(listed["samples"]),
            "longest_task_ms": summary(listed["longest"]),
            "rows_in_dom": listed["rowsInDom"],
            "target": "<= 100 ms",
        },
        "stream": {
            "what": "Run code collecting 20 MB of stdout: longest main-thread task (ms; long "
                    "tasks are > 50 ms, 0 = none)",
            "longest_task_ms": summary(streamed["samples"]),
            "run_ms": summary(streamed["totalMs"]),
            "not_shown_mb": streamed.get("notShownMB"),
            "target": "<= 100 ms",
        },
    }


def remote_lines(rs: dict) -> list[str]:
    lst, st = rs["list"], rs["stream"]
    return [
        f"remote scale list of 1,000 sessions: median {lst['ms']['median']:.1f} ms "
        f"(min {lst['ms']['min']:.1f}, max {lst['ms']['max']:.1f}, {lst['ms']['n']} pages; "
        f"longest task {lst['longest_task_ms']['max']:.0f} ms; {lst['rows_in_dom']} rows in the DOM)",
        f"remote scale 20 MB stream in Run code: longest task median "
        f"{st['longest_task_ms']['median']:.0f} ms (max {st['longest_task_ms']['max']:.0f} ms, "
        f"{st['longest_task_ms']['n']} runs; 0 = no task over 50 ms; run "
        f"{st['run_ms']['median'] / 1000:.1f} s; {st['not_shown_mb']} MB collected "
        f"beyond the 200 KB shown)",
    ]


def measure_load(lmk_env: Path, without_env: Path, root: Path, rounds: int,
                 install_rounds: int) -> dict:
    """Page load to app.restored, with us / without.

    The figure: every round starts a new server of the environment with us
    installed and loads its page as it is ("lmk"), and with our extension
    taken out of the page's configuration ("without", and once more for the
    "control": an A/A ratio that should be 1, the figure's noise floor).
    The lab then neither fetches our files nor compiles our schema, so the
    pairs differ by what we add to the page and nothing else: every arm of
    a pair has the same server. A server keeps its own pace for its life
    (of two identical servers, one was 3 % slower over 20 rounds), which
    pairs across servers carry as noise.

    The cross-check, between installs: every round starts a new server with
    us, one without and one more without (its control), as a user would
    compare two environments; it carries that per-server pace.

    Four loads of each arm a round after a warm-up (same server), two
    between installs. Also our JavaScript fetched before first use, and our
    scripts' CPU time during the load (profiled apart, on a server of its
    own: the profiler slows the page)."""
    arms = ("lmk", "without", "control")
    same: dict[str, list[float]] = {n: [] for n in arms}
    loaded: list = []
    for round_ in range(rounds):
        server = Server("lmk-load", lmk_env, root)
        try:
            r = drive("load", urls={n: server.url for n in arms}, ours="lmk",
                      hidden=["without", "control"], extension="jupyterlab-lmk",
                      count=4, prefix=PREFIX, timeoutS=300)
        finally:
            server.stop()
        for name in arms:
            same[name] += r["ms"][name]
        loaded = r["loaded"] or loaded
        log(f"load round {round_ + 1}/{rounds} (one server): "
            + ", ".join(f"{n} {statistics.median(r['ms'][n]):.0f} ms" for n in arms))
    installs: dict[str, list[float]] = {n: [] for n in arms}
    for round_ in range(install_rounds):
        servers = fresh_servers({"lmk": lmk_env, "without": without_env,
                                 "control": without_env}, root)
        try:
            r = drive("load", urls={n: s.url for n, s in servers.items()}, ours="lmk",
                      count=2, prefix=PREFIX, timeoutS=240)
        finally:
            stop_all(servers)
        for name in arms:
            installs[name] += r["ms"][name]
        log(f"load round {round_ + 1}/{install_rounds} (between installs): "
            + ", ".join(f"{n} {statistics.median(r['ms'][n]):.0f} ms" for n in arms))
    server = Server("lmk-load-profile", lmk_env, root)
    try:
        prof = drive("load-profile", url=server.url, count=5, prefix=PREFIX)
    finally:
        server.stop()
    result = {
        "what": "page load to app.restored (ms)",
        "servers": f"a new server with us every round ({rounds} rounds); each round loads "
                   "the page with us, without us (our extension taken out of the page's "
                   "configuration) and without us again (the control), 4 times each in turn "
                   "after a warm-up",
        "ms": {n: summary(v) for n, v in same.items()},
        "raw_ms": same,
        "ratio_vs_without": ratio(same["lmk"], same["without"]),
        "control_ratio": ratio(same["control"], same["without"]),
        "own_cpu": {
            "what": "CPU time in jupyterlab-lmk's scripts from navigation to app.restored "
                    "(Chromium sampling profiler, 0.1 ms), 5 loads; 'within' also counts "
                    "the lab's code they call",
            "ms": summary(prof["oursMs"]),
            "within_ms": summary(prof["withinMs"]),
            "share_of_load": summary([o / t for o, t in zip(prof["withinMs"], prof["restoredMs"])]),
            "top": prof["top"],
        },
        "loaded_before_first_use": loaded,
        "loaded_gzip_bytes": sum(item["gzip"] for item in loaded),
        "target": "ratio <= 1.03; JavaScript loaded before first use <= 60 KB gzipped",
    }
    if install_rounds:
        result["between_installs"] = {
            "what": "the same, between a server with us installed and servers without "
                    f"(new servers every round, {install_rounds} rounds, 2 loads each after a "
                    "warm-up); carries each server's own pace",
            "ms": {n: summary(v) for n, v in installs.items()},
            "raw_ms": installs,
            "ratio_vs_without": ratio(installs["lmk"], installs["without"]),
            "control_ratio": ratio(installs["control"], installs["without"]),
        }
    return result


def load_lines(ld: dict) -> list[str]:
    q, c, own = ld["ratio_vs_without"], ld["control_ratio"], ld["own_cpu"]
    lines = [
        f"load cost lmk/without: median {q['median']:.3f} "
        f"(min {q['min']:.3f}, max {q['max']:.3f}, {q['n']} pairs; same server, "
        "our extension taken out of the page for 'without')",
        f"load cost control without/without (should be 1): "
        f"median {c['median']:.3f} (min {c['min']:.3f}, max {c['max']:.3f})",
    ]
    installs = ld.get("between_installs")
    if installs:
        qi, ci = installs["ratio_vs_without"], installs["control_ratio"]
        lines.append(
            f"load cost between installs lmk/without: median {qi['median']:.3f} "
            f"(min {qi['min']:.3f}, max {qi['max']:.3f}, {qi['n']} pairs; new servers every "
            f"round), control {ci['median']:.3f} (min {ci['min']:.3f}, max {ci['max']:.3f})")
    lines += [
        f"own CPU time during page load: median {own['within_ms']['median']:.1f} ms "
        f"with what it calls ({own['ms']['median']:.1f} ms in our scripts) = "
        f"{own['share_of_load']['median'] * 100:.2f} % of the load to app.restored "
        f"({own['ms']['n']} loads)",
        f"JavaScript loaded before first use: {ld['loaded_gzip_bytes'] / 1024:.1f} KB gzipped",
    ]
    return lines


def measure_execution(envs: dict[str, Path], root: Path, rounds: int, per_round: int) -> dict:
    """Run All on 1,000 trivial cells, with each extension / without it.

    For each of this extension and the two alternatives, every round starts
    a new server of its environment and times Run All in pages with the
    extension and pages with it taken out of the page's configuration
    (see measure_load), in alternating order, `per_round` pairs, after a
    warm-up of each (the first notebook and kernel of a server are cold).
    A pair thus has the same server and kernel pace; the ratio is what the
    extension's front end adds. (jupyterlab-notify also has a server
    extension: it runs in both pages of its pairs.) For this extension a
    third page, without it again, gives the control, an A/A ratio that
    should be 1. Browser and server on cores of their own (see PIN)."""
    browser_cpu, server_cpu = (BROWSER_CPU, SERVER_CPU) if PIN else (None, None)
    ms: dict[str, dict[str, list[float]]] = {}
    for name in EXTENSIONS:
        arms = ["with", "without", "control"] if name == "lmk" else ["with", "without"]
        ms[name] = {arm: [] for arm in arms}
        for round_ in range(rounds):
            server = Server(f"{name}-exec", envs[name], root, cpu=server_cpu)
            try:
                for arm in arms:
                    drive("exec", cpu=browser_cpu, url=server.url, notebook="small.ipynb",
                          hide=arm != "with", extension=EXTENSIONS[name])
                for i in range(per_round):
                    shift = (round_ * per_round + i) % len(arms)
                    for arm in arms[shift:] + arms[:shift]:
                        ms[name][arm].append(drive(
                            "exec", cpu=browser_cpu, url=server.url, notebook="cells1000.ipynb",
                            hide=arm != "with", extension=EXTENSIONS[name])["ms"])
            finally:
                server.stop()
            log(f"execution {name} round {round_ + 1}/{rounds}: "
                + ", ".join(f"{arm} {statistics.median(v[-per_round:]):.0f} ms"
                            for arm, v in ms[name].items()))
    return {
        "what": "Run All on 1,000 trivial cells, command to last execution count (ms)",
        "servers": f"for each extension, a new server of its environment every round "
                   f"({rounds} rounds); each round times pages with the extension and pages "
                   f"with it taken out of the page's configuration, {per_round} pairs in "
                   f"alternating order after a warm-up"
                   + ("; browser and server on a core each" if PIN else ""),
        "ms": {name: {arm: summary(v) for arm, v in arms.items()} for name, arms in ms.items()},
        "raw_ms": ms,
        "ratio_vs_without": {name: ratio(arms["with"], arms["without"])
                             for name, arms in ms.items()},
        "control_ratio": ratio(ms["lmk"]["control"], ms["lmk"]["without"]),
        "target": "lmk/without <= 1.02 and better than both alternatives",
    }


RELAY_PLUGIN = "jupyterlab-lmk:kernel-relay"


def relay_settings() -> dict:
    """A webhook that allows delivery with the browser closed (the default),
    so every run is handed to the kernel; at a loopback port nobody listens
    on, and the default threshold (30 s) keeps a 1,000-cell Run All quiet."""
    return {"jupyterlab-lmk:plugin": {"channels": [
        {"id": "lab", "type": "toast", "enabled": True},
        {"id": "hook", "type": "webhook", "enabled": True,
         "url": f"http://127.0.0.1:{free_port()}/hook"},
    ]}}


def measure_relay_execution(env: Path, root: Path, rounds: int, per_round: int) -> dict:
    """Run All on 1,000 trivial cells with the kernel relay (the watcher
    installed in the kernel, the run's start marked in its queue and sealed)
    against pages of the same server with the relay's plugin left out of the
    page's configuration; alternating pairs after a warm-up of each, a new
    server every round. Each page has a new kernel: the "with" time includes
    installing the watcher before the run, as a kernel's first run does."""
    browser_cpu, server_cpu = (BROWSER_CPU, SERVER_CPU) if PIN else (None, None)
    ms: dict[str, list[float]] = {"with": [], "without": []}
    cpu: dict[str, list[float]] = {"with": [], "without": []}
    installed = []
    for round_ in range(rounds):
        server = Server("relay-exec", env, root, settings=relay_settings(), cpu=server_cpu)
        try:
            for arm in ms:
                drive("exec", cpu=browser_cpu, url=server.url, notebook="small.ipynb",
                      disable=[] if arm == "with" else [RELAY_PLUGIN])
            for i in range(per_round):
                arms = list(ms) if (round_ * per_round + i) % 2 == 0 else list(ms)[::-1]
                for arm in arms:
                    out = drive("exec", cpu=browser_cpu, url=server.url,
                                notebook="cells1000.ipynb", probeRelay=True,
                                disable=[] if arm == "with" else [RELAY_PLUGIN])
                    ms[arm].append(out["ms"])
                    installed.append(out["relay"] == (arm == "with"))
            # The relay's own work in the page during a run (beginning and
            # sealing it, the arbiter's questions): CPU time in the
            # extension's scripts, one profiled Run All of each arm a round.
            for arm in (list(cpu) if round_ % 2 == 0 else list(cpu)[::-1]):
                out = drive("profile", cpu=browser_cpu, url=server.url,
                            notebook="cells1000.ipynb",
                            prefix=f"/lab/extensions/{EXTENSIONS['lmk']}/static/",
                            disable=[] if arm == "with" else [RELAY_PLUGIN])
                cpu[arm].append(out["oursMs"])
        finally:
            server.stop()
        log(f"relay execution round {round_ + 1}/{rounds}: "
            + ", ".join(f"{arm} {statistics.median(v[-per_round:]):.0f} ms" for arm, v in ms.items()))
    if not all(installed):
        raise SystemExit("the watcher was missing from a 'with' kernel or present in a 'without' one")
    return {
        "what": "Run All on 1,000 trivial cells, command to last execution count (ms), "
                "with the kernel relay and with its plugin left out of the page",
        "ms": {arm: summary(v) for arm, v in ms.items()},
        "raw_ms": ms,
        "ratio": ratio(ms["with"], ms["without"]),
        "rounds": rounds, "pairs_per_round": per_round,
        "cpu_ms": {arm: summary(v) for arm, v in cpu.items()},
        "raw_cpu_ms": cpu,
    }


def relay_execution_lines(rx: dict) -> list[str]:
    q = rx["ratio"]
    return [f"execution cost of the kernel relay, with/without: median {q['median']:.3f} "
            f"(min {q['min']:.3f}, max {q['max']:.3f}, {q['n']} pairs; Run All 1,000 cells "
            f"{rx['ms']['with']['median']:.0f} ms with the watcher, "
            f"{rx['ms']['without']['median']:.0f} ms without; same server, the relay's "
            f"plugin left out of the page for 'without')"] + ([
        f"CPU time in lmk's scripts during Run All of 1,000 cells, with the kernel relay: "
        f"median {rx['cpu_ms']['with']['median']:.1f} ms (min {rx['cpu_ms']['with']['min']:.1f}, "
        f"max {rx['cpu_ms']['with']['max']:.1f}); without it: median "
        f"{rx['cpu_ms']['without']['median']:.1f} ms (min {rx['cpu_ms']['without']['min']:.1f}, "
        f"max {rx['cpu_ms']['without']['max']:.1f}) ({len(rx['raw_cpu_ms']['with'])} rounds)"]
        if "cpu_ms" in rx else [])


def measure_exec_cpu(envs: dict[str, Path], root: Path, runs: int = 8) -> dict:
    """CPU time in each extension's own scripts during a Run All of 1,000
    cells (Chromium's sampling profiler), on a server of its environment.

    The wall-clock ratios above carry the machine's noise (single pairs
    range over ±20 %), which is larger than what any of the three costs;
    this compares what each extension's code itself does in the page. The
    profiler slows the page, so it runs apart from the timed Run Alls.

    The three servers run side by side and the profiled Run Alls alternate
    between them, round by round in turning order, so that each extension
    is measured over the same stretch of the machine's pace: profiled one
    extension after the other, the same code measured 29 ms in one pass
    and 46 ms in the next. A round's figures give one ratio per
    alternative (ours / theirs, see cpu_ratios).

    The time is the count of samples in the scripts times the sampling
    interval (see scriptTime in driver.mjs): the samples' own gaps are wall
    clock and charge the page's waits for a core to whatever ran before
    them. The sum of the gaps, the measure used before, is kept as
    `delta_ms`."""
    servers = fresh_servers({name: envs[name] for name in EXTENSIONS}, root)
    profiles: dict[str, list[dict]] = {name: [] for name in EXTENSIONS}
    load_before = os.getloadavg()
    try:
        for round_ in range(runs):
            order = list(EXTENSIONS) if round_ % 2 == 0 else list(reversed(EXTENSIONS))
            for name in order:
                profiles[name].append(drive(
                    "profile", url=servers[name].url, notebook="cells1000.ipynb",
                    prefix=f"/lab/extensions/{EXTENSIONS[name]}/static/"))
            log(f"execution CPU round {round_ + 1}/{runs}: " + ", ".join(
                f"{name} {profiles[name][-1]['oursMs']:.1f} ms" for name in EXTENSIONS))
    finally:
        stop_all(servers)
    load = {"before": load_before, "after": os.getloadavg()}
    cpu = {}
    for name, extension in EXTENSIONS.items():
        runs_ = profiles[name]
        cpu[name] = {
            "what": f"CPU time in {extension}'s scripts during one Run All of 1,000 cells "
                    f"(Chromium sampling profiler at 0.1 ms: samples in its scripts times "
                    f"the median interval between samples), {runs} rounds alternating with "
                    "the other extensions'; 'within' also counts the lab's code they call",
            "ms": summary([p["oursMs"] for p in runs_]),
            "within_ms": summary([p["withinMs"] for p in runs_]),
            "share_of_run": summary([p["withinMs"] / p["runMs"] for p in runs_]),
            "rounds_ms": [p["oursMs"] for p in runs_],
            "rounds_within_ms": [p["withinMs"] for p in runs_],
            "samples": summary([p["samples"]["ours"] for p in runs_]),
            "interval_ms": summary([p["intervalMs"] for p in runs_]),
            "delta_ms": summary([p["oursDeltaMs"] for p in runs_]),
            "within_delta_ms": summary([p["withinDeltaMs"] for p in runs_]),
            "run_ms": summary([p["runMs"] for p in runs_]),
            "load_average": load,
            "top": runs_[-1]["top"],
            "called": runs_[-1]["called"],
        }
        log(f"execution CPU {name}: {cpu[name]['ms']['median']:.1f} ms")
    return cpu


def cpu_ratios(cpu: dict) -> dict:
    """Our scripts' CPU time over each alternative's, round by round (both
    measured in the same round, minutes apart at most): median, min, max."""
    ours = cpu["lmk"]
    return {name: {
        "what": f"CPU time in jupyterlab-lmk's scripts / in {EXTENSIONS[name]}'s, during a "
                "Run All of 1,000 cells, the two profiled in the same round",
        "own": ratio(ours["rounds_ms"], theirs["rounds_ms"]),
        "within": ratio(ours["rounds_within_ms"], theirs["rounds_within_ms"]),
    } for name, theirs in cpu.items() if name != "lmk" and "rounds_ms" in theirs
        and "rounds_ms" in ours}


def execution_lines(ex: dict) -> list[str]:
    lines = []
    for name, q in ex["ratio_vs_without"].items():
        lines.append(f"execution cost {name}/without: median {q['median']:.3f} "
                     f"(min {q['min']:.3f}, max {q['max']:.3f}, {q['n']} pairs; same server, "
                     "the extension taken out of the page for 'without')")
    c = ex["control_ratio"]
    lines.append(f"execution cost control without/without (should be 1): "
                 f"median {c['median']:.3f} (min {c['min']:.3f}, max {c['max']:.3f})")
    cpu = ex.get("cpu_by_extension") or ({"lmk": ex["own_cpu"]} if "own_cpu" in ex else {})
    return lines + cpu_lines(cpu)


def cpu_lines(cpu: dict) -> list[str]:
    lines = [f"CPU time in {name}'s scripts during Run All of 1,000 cells: median "
             f"{own['ms']['median']:.1f} ms (min {own['ms']['min']:.1f}, max "
             f"{own['ms']['max']:.1f}), {own['within_ms']['median']:.1f} ms with what "
             f"they call = {own['share_of_run']['median'] * 100:.2f} % of the run "
             f"({own['ms']['n']} rounds)" for name, own in cpu.items()]
    for name, q in cpu_ratios(cpu).items():
        o, w = q["own"], q["within"]
        lines.append(f"CPU time lmk/{name} (same round): median {o['median']:.2f} "
                     f"(min {o['min']:.2f}, max {o['max']:.2f}, {o['n']} rounds); with what "
                     f"they call {w['median']:.2f} (min {w['min']:.2f}, max {w['max']:.2f})")
    return lines


def measure_memory(lmk_env: Path, root: Path, pairs: int, runs: int,
                   leak_notebooks: int) -> dict:
    """JS heap after `runs` Run Alls of 1,000 cells, with us minus without.

    One server with us; each pair loads a fresh page with us and one with
    our extension taken out of the page (see measure_load), in alternating
    order. The notebook is not windowed (the lab's `windowingMode: none`):
    windowed, the lab makes a cell's editor when the cell first scrolls
    into view, and how many cells a Run All scrolls past varies from page
    to page (162 editors in one page, 195 in the next, about 25 KB each),
    which swung the heap by 1-5 MB and hid the few hundred KB we add.
    Unwindowed, every page has all 1,000 editors from the start.

    Also the heap growth of each page (after minus before the runs: what
    the runs left behind), and, after closing `leak_notebooks` notebooks,
    the notebook panels still alive and the notebooks our tracker still
    watches."""
    settings = {"@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"}}
    heap: dict[str, list[float]] = {"lmk": [], "without": []}
    growth: dict[str, list[float]] = {"lmk": [], "without": []}
    server = Server("lmk-memory", lmk_env, root, settings=settings)
    try:
        for pair in range(pairs):
            for name in (["lmk", "without"] if pair % 2 == 0 else ["without", "lmk"]):
                r = drive("memory", url=server.url, notebook="cells1000.ipynb", runs=runs,
                          hide=name == "without", timeoutS=1800)
                heap[name].append(r["heapAfter"])
                growth[name].append(r["heapAfter"] - r["heapBefore"])
                log(f"memory {name} (pair {pair + 1}/{pairs}): {r['heapAfter'] / 1e6:.2f} MB "
                    f"after, {growth[name][-1] / 1e6:+.2f} MB over the runs")
        leaks = drive("leaks", url=server.url, notebook="small.ipynb", count=leak_notebooks)
    finally:
        server.stop()
    return {
        "what": f"JS heap after {runs * 1000} cell executions ({runs} Run Alls of 1,000 "
                "cells), after GC (bytes)",
        "servers": "one server with us, notebooks not windowed; each pair a page with us "
                   "and one with our extension taken out of the page, in alternating order",
        "heap_after": {n: summary(v) for n, v in heap.items()},
        "growth": {n: summary(v) for n, v in growth.items()},
        "difference_bytes": summary([a - b for a, b in zip(heap["lmk"], heap["without"])]),
        "growth_difference_bytes": summary([a - b for a, b in zip(growth["lmk"],
                                                                  growth["without"])]),
        "leaks_after_closing": {"notebooks": leak_notebooks, **leaks},
        "target": "difference <= 2 MB; no notebook panel or watcher left",
    }


def memory_lines(mem: dict) -> list[str]:
    d, g = mem["difference_bytes"], mem["growth_difference_bytes"]
    lk = mem["leaks_after_closing"]
    return [
        f"memory lmk - without: median {d['median'] / 1e6:.2f} MB "
        f"(min {d['min'] / 1e6:.2f}, max {d['max'] / 1e6:.2f}, {d['n']} pairs)",
        f"memory growth over the runs, lmk - without: median {g['median'] / 1e6:.2f} MB "
        f"(min {g['min'] / 1e6:.2f}, max {g['max'] / 1e6:.2f})",
        f"after closing {lk['notebooks']} notebooks: {lk['livePanels']} live notebook "
        f"panels, {lk['watchers']} run watchers (settled in {lk['settleMs']} ms)",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exec-rounds", type=int, default=4,
                        help="rounds of the execution figure, each on a new server")
    parser.add_argument("--exec-pairs", type=int, default=3,
                        help="pairs of Run Alls (with, without) a round")
    parser.add_argument("--tell-runs", type=int, default=50)
    parser.add_argument("--memory-runs", type=int, default=20, help="run-alls of 1000 cells")
    parser.add_argument("--memory-pairs", type=int, default=3,
                        help="alternating lmk/without pairs for the memory figure")
    parser.add_argument("--leak-notebooks", type=int, default=50)
    parser.add_argument("--only-tell", action="store_true",
                        help="only the tell latency figures (printed, results.* untouched)")
    parser.add_argument("--only-remote", action="store_true",
                        help="only the remote scale figures (printed, results.* untouched)")
    parser.add_argument("--remote-samples", type=int, default=5)
    parser.add_argument("--only-phone", action="store_true",
                        help="only the phone stop figure, with this checkout's development "
                             "install in .venv (printed, results.* untouched)")
    parser.add_argument("--phone-tries", type=int, default=20,
                        help="tries of each way to stop a run from the phone")
    parser.add_argument("--load-rounds", type=int, default=16,
                        help="rounds of page loads, each on a new server with us: with, "
                             "without, without again (4 pairs a round)")
    parser.add_argument("--load-install-rounds", type=int, default=8,
                        help="rounds of the cross-check between installs, each on new "
                             "servers with us, without, without again (2 pairs a round)")
    parser.add_argument("--only-load", action="store_true",
                        help="only the load figures (printed, results.* untouched)")
    parser.add_argument("--only-execution", action="store_true",
                        help="only the execution figures (printed; results.* untouched "
                             "unless --update-results)")
    parser.add_argument("--only-memory", action="store_true",
                        help="only the memory and leak figures (printed; results.* "
                             "untouched unless --update-results)")
    parser.add_argument("--exec-cpu-runs", type=int, default=8,
                        help="rounds of profiled Run Alls (one per extension each, alternating) "
                             "for their scripts' CPU time")
    parser.add_argument("--only-exec-cpu", action="store_true",
                        help="only the CPU time of each extension's scripts during a Run All "
                             "(printed; with --update-results also put into "
                             "bench/results.json and results.md)")
    parser.add_argument("--only-relay", action="store_true",
                        help="only the kernel relay's Run All figure, on this checkout's "
                             "development install (.venv; no wheel, no environments "
                             "built); with --update-results also put into bench/results.*")
    parser.add_argument("--relay-rounds", type=int, default=3)
    parser.add_argument("--relay-pairs", type=int, default=3)
    parser.add_argument("--update-results", action="store_true",
                        help="with --only-execution, --only-exec-cpu or --only-memory: put "
                             "its figures into the last full run's bench/results.*")
    args = parser.parse_args()

    WORK.mkdir(parents=True, exist_ok=True)
    if args.only_phone:
        # No environment to build (so it also runs where no package index
        # can be reached): the latency is the network's and the kernel's.
        root = WORK / "notebooks"
        write_notebooks(root)
        for line in phone_lines(measure_phone(ROOT / ".venv", root, args.phone_tries)):
            print(line)
        return
    if args.only_relay:
        root = WORK / "notebooks"
        write_notebooks(root)
        rx = measure_relay_execution(ROOT / ".venv", root, args.relay_rounds, args.relay_pairs)
        if args.update_results:
            update_results("Run All with and without the kernel relay", "--only-relay",
                           lambda r: r.update(relay_execution=rx))
        for line in relay_execution_lines(rx):
            print(line)
        return
    log("building environments (first run: a few minutes)")
    wheel = build_wheel()
    envs = {"lmk": make_env("lmk", [], wheel)}
    root = WORK / "notebooks"
    write_notebooks(root)

    def add_alternatives() -> None:
        for name, extra in EXTRA.items():
            envs[name] = make_env(name, extra)

    if args.only_remote:
        for line in remote_lines(measure_remote(envs["lmk"], root, args.remote_samples)):
            print(line)
        return
    if args.only_load:
        without = make_env("without", EXTRA["without"])
        for line in load_lines(measure_load(envs["lmk"], without, root, args.load_rounds,
                                             args.load_install_rounds)):
            print(line)
        return
    if args.only_execution:
        add_alternatives()
        ex = measure_execution(envs, root, args.exec_rounds, args.exec_pairs)
        if args.update_results:
            update_results("Run All with and without each extension", "--only-execution",
                           lambda r: r["execution"].update(ex))
        for line in execution_lines(ex):
            print(line)
        return
    if args.only_exec_cpu:
        add_alternatives()
        cpu = measure_exec_cpu(envs, root, args.exec_cpu_runs)
        if args.update_results:
            update_results("CPU time in each extension's scripts during a Run All",
                           "--only-exec-cpu",
                           lambda r: r["execution"].update(own_cpu=cpu["lmk"],
                                                           cpu_by_extension=cpu,
                                                           cpu_ratio=cpu_ratios(cpu)))
        for line in cpu_lines(cpu):
            print(line)
        return
    if args.only_memory:
        mem = measure_memory(envs["lmk"], root, args.memory_pairs, args.memory_runs,
                             args.leak_notebooks)
        if args.update_results:
            update_results("memory and leaks", "--only-memory",
                           lambda r: r.update(memory=mem))
        for line in memory_lines(mem):
            print(line)
        return
    if args.only_tell:
        hook_port = free_port()
        server = tell_server(envs["lmk"], root, hook_port)
        try:
            tl = measure_tell(server, hook_port, args.tell_runs)
        finally:
            server.stop()
        for key in ("toast", "webhook"):
            t = tl[key]
            print(f"tell latency {key}: p95 {t['p95']:.1f} ms, median {t['median']:.1f} ms "
                  f"(min {t['min']:.1f}, max {t['max']:.1f}, {t['n']} runs)" if t
                  else f"tell latency {key}: no sample")
        return
    add_alternatives()
    servers = {"lmk": Server("lmk", envs["lmk"], root)}
    hook_port = free_port()
    servers["lmk-tell"] = tell_server(envs["lmk"], root, hook_port)
    results: dict = {"configs": CONFIGS, "machine": {"cpus": os.cpu_count()}}
    try:
        results["execution"] = measure_execution(envs, root, args.exec_rounds,
                                                 args.exec_pairs)
        log(f"execution ratio {results['execution']['ratio_vs_without']['lmk']['median']:.3f}")
        results["load"] = measure_load(envs["lmk"], envs["without"], root, args.load_rounds,
                                       args.load_install_rounds)
        results["load"]["bundle"] = bundle_sizes(envs["lmk"])
        log(f"load ratio {results['load']['ratio_vs_without']['median']:.3f}")

        results["relay_execution"] = measure_relay_execution(envs["lmk"], root,
                                                             args.relay_rounds,
                                                             args.relay_pairs)
        cpu = measure_exec_cpu(envs, root, args.exec_cpu_runs)
        results["execution"]["own_cpu"] = cpu["lmk"]
        results["execution"]["cpu_by_extension"] = cpu
        results["execution"]["cpu_ratio"] = cpu_ratios(cpu)

        results["tell_latency"] = measure_tell(servers["lmk-tell"], hook_port, args.tell_runs)
        log(f"tell latency p95 {results['tell_latency']['toast']['p95']:.1f} ms")

        results["memory"] = measure_memory(envs["lmk"], root, args.memory_pairs,
                                           args.memory_runs, args.leak_notebooks)
        results["remote_scale"] = measure_remote(envs["lmk"], root, args.remote_samples)
        results["phone_stop"] = measure_phone(envs["lmk"], root, args.phone_tries)
    finally:
        for server in servers.values():
            server.stop()

    write_results(results)
    for line in figures(results):
        print(line)


def relay_kernel_lines(version: str, r: dict) -> list[str]:
    """The kernel relay's figures measured in the kernel (bench/relay.py)."""
    h, c, lat = r["hook_us"], r["cell_us"], r["latency_s"]
    return [
        f"relay {version}: watcher's own time per cell (post_run_cell hook, run open): "
        f"median {h['median']:.1f} µs, mean {h['mean']:.1f}, p99 {h['p99']:.1f}, "
        f"max {h['max']:.0f} ({h['n']} cells)",
        f"relay {version}: kernel time per trivial cell, median of run medians: with the "
        f"watcher's run open {c['with']:.0f} µs, without the watcher {c['without']:.0f} µs "
        f"({c['pairs']} alternating pairs)",
        f"relay {version}: last cell's end to the kernel's POST, page closed (grace "
        f"{lat['grace_s']:g} s): median {lat['median']:.2f} s (min {lat['min']:.2f}, max "
        f"{lat['max']:.2f}, {lat['n']} runs; target grace + 1 s = {lat['grace_s'] + 1:g} s)",
    ]


def update_results(figures_: str, option: str, change, script: str = "bench/run.py") -> None:
    """Put a rerun's figures into the last full run's bench/results.*, which
    then say which figures were measured later, by what and when."""
    results = json.loads((ROOT / "bench" / "results.json").read_text())
    change(results)
    results["updated"] = [*[u for u in results.get("updated", [])
                            if u["figures"] != figures_], {
        "figures": figures_,
        "by": " ".join(["python", script, *option.split(), "--update-results"]),
        "at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}]
    write_results(results)


def write_results(results: dict) -> None:
    (ROOT / "bench" / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    (ROOT / "bench" / "results.md").write_text(markdown(results))


def figures(r: dict) -> list[str]:
    ex, ld, tl, mem = r["execution"], r["load"], r["tell_latency"], r["memory"]
    lines = execution_lines(ex)
    lines += load_lines(ld)
    t = tl["toast"]
    lines.append(f"tell latency toast: p95 {t['p95']:.1f} ms, median {t['median']:.1f} ms "
                 f"(min {t['min']:.1f}, max {t['max']:.1f}, {t['n']} runs)")
    w = tl.get("webhook")
    if w:
        lines.append(f"tell latency webhook: p95 {w['p95']:.1f} ms, median {w['median']:.1f} ms "
                     f"(min {w['min']:.1f}, max {w['max']:.1f}, {w['n']} runs, "
                     f"{tl['webhook_posts']} POSTs received)")
    else:
        lines.append(f"tell latency webhook: {tl.get('webhook_note', 'no POST arrived')}")
    lines += memory_lines(mem)
    lines += remote_lines(r["remote_scale"])
    if "phone_stop" in r:
        lines += phone_lines(r["phone_stop"])
    if "relay_execution" in r:
        lines += relay_execution_lines(r["relay_execution"])
    for version, relay in r.get("relay_kernel", {}).items():
        lines += relay_kernel_lines(version, relay)
    return lines


def markdown(r: dict) -> str:
    ex, ld = r["execution"], r["load"]
    rows = ["| extension | Run All 1,000 cells with it (median ms) | without it (median ms) "
            "| ratio, median (min–max) |", "| --- | --- | --- | --- |"]
    for name, arms in ex["ms"].items():
        q = ex["ratio_vs_without"][name]
        rows.append(f"| {r['configs'][name]} | {arms['with']['median']:.0f} | "
                    f"{arms['without']['median']:.0f} | "
                    f"{q['median']:.3f} ({q['min']:.3f}–{q['max']:.3f}) |")
    cpu = ex.get("cpu_by_extension", {})
    ratios = cpu_ratios(cpu) if cpu else {}
    cpu_rows = ["| extension | CPU in its scripts during a Run All, median ms (min–max) "
                "| with the lab code they call | jupyterlab-lmk / it, same round, median "
                "(min–max) |", "| --- | --- | --- | --- |"]
    for name, own in cpu.items():
        q = ratios.get(name, {}).get("own")
        cpu_rows.append(
            f"| {r['configs'][name]} | {own['ms']['median']:.1f} ({own['ms']['min']:.1f}–"
            f"{own['ms']['max']:.1f}) | {own['within_ms']['median']:.1f} | "
            + (f"{q['median']:.2f} ({q['min']:.2f}–{q['max']:.2f}) |" if q else "– |"))
    bundle = ["| file | bytes | gzip |", "| --- | --- | --- |"] + [
        f"| {b['file']} | {b['bytes']} | {b['gzip']} |" for b in ld["bundle"]]
    return "\n".join([
        "# Benchmark results", "",
        "Produced by `make bench` (bench/run.py); ratios are medians of alternating pairs "
        "of pages of one server, with the extension and with it taken out of the page; "
        "a new server every round.", "",
        *[f"{u['figures']}: measured after the full run, by `{u['by']}` ({u['at']})."
          for u in r.get("updated", [])], *([""] if r.get("updated") else []),
        *rows, "",
        *((cpu_rows + [""]) if cpu else []),
        *[f"- {line}" for line in figures(r)], "",
        "## Bundle of jupyterlab-lmk (production build)", "", *bundle, "",
    ])


if __name__ == "__main__":
    main()
