"""Start a throwaway JupyterHub on a loopback port, for the tests.

Usage (with the hub venv, see the Makefile's `$(STAMPS)/jupyterhub`):

    .venv-hub/bin/python testing/jupyterhub/run_hub.py --port 8000 \
        --allow-origin http://127.0.0.1:8888

The public port (configurable-http-proxy, from the npm devDependencies)
serves the hub at `/hub/` and the users' servers at `/user/<name>/<server>/`.
The hub itself and the proxy's API listen on other free loopback ports.

It writes a jupyterhub_config.py into a new temporary directory (database,
cookie secret, proxy pid file and the users' homes live there too), starts
JupyterHub, waits until `/hub/api/` answers through the proxy and prints one
line `JUPYTERHUB READY <base url>` on stdout. On SIGTERM or SIGINT it stops
the hub (which stops the single-user servers and the proxy) and removes the
temporary directory.

The hub is for tests only:

- one user, `alice` (`--user`), password `lmk-test-password` (DummyAuthenticator);
- an API token for her, `lmk-test-hub-token` (`--token`, or the environment
  variable LMK_HUB_TOKEN), with all her permissions (scopes `inherit`, the
  default for a token a user makes on the hub's token page);
- named servers allowed (up to 5), spawned by SimpleLocalProcessSpawner as
  local processes of this user (`--allow-root` when run as root);
- with `--allow-origin O`: the hub's API answers CORS requests (preflights
  included) from the page origin O, and the single-user servers run with
  `--ServerApp.allow_origin=O`;
- single-user servers accept `?token=` in URLs (JUPYTERHUB_ALLOW_TOKEN_IN_URL),
  so that clients that are not browsers (Node's `ws`) can open kernel
  websockets the way the lab does; browsers only need it for websockets,
  where JupyterHub accepts the URL token anyway (`Sec-Fetch-Mode: websocket`);
- short timeouts, so a failed spawn fails in seconds.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from supervise import answers, supervise  # noqa: E402  (testing/supervise.py)

#: The user the tests act as.
DEFAULT_USER = "alice"

#: Her password on the hub's login page (not a secret: tests only).
DEFAULT_PASSWORD = "lmk-test-password"

#: Her API token (not a secret: tests only).
DEFAULT_TOKEN = "lmk-test-hub-token"

#: The proxy installed by `jlpm install` (npm devDependency).
REPO = Path(__file__).resolve().parents[2]
DEFAULT_PROXY = REPO / "node_modules" / ".bin" / "configurable-http-proxy"


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def hub_config(args: argparse.Namespace, data_dir: str) -> str:
    """The jupyterhub_config.py content."""
    home_template = os.path.join(data_dir, "home", "{username}")
    spawner_args = []
    if os.geteuid() == 0:
        # jupyter_server refuses to run as root without it (CI runs as root).
        spawner_args.append("--allow-root")
    if args.allow_origin:
        spawner_args.append(f"--ServerApp.allow_origin={args.allow_origin}")
    headers = {}
    if args.allow_origin:
        headers = {
            "Access-Control-Allow-Origin": args.allow_origin,
            "Access-Control-Allow-Methods": "GET, POST, PUT, PATCH, DELETE, OPTIONS",
            "Access-Control-Allow-Headers": "accept, content-type, authorization",
            "Access-Control-Max-Age": "600",
            # Answers differ by origin.
            "Vary": "Origin",
        }
    settings = {
        "hub_port": free_port(),
        "proxy_api_port": free_port(),
        "port": args.port,
        "user": args.user,
        "password": args.password,
        "token": args.token,
        "proxy": str(args.proxy_cmd),
        "python": sys.executable,
        "spawner_args": spawner_args,
        "home_template": home_template,
        "headers": headers,
        "data_dir": data_dir,
    }
    return CONFIG_TEMPLATE.format(settings=repr(settings))


CONFIG_TEMPLATE = """\
# Written by testing/jupyterhub/run_hub.py: a throwaway hub for tests.
import os
s = {settings}
c = get_config()  # noqa: F821

c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = s["port"]
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = s["hub_port"]
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:%d" % s["proxy_api_port"]
c.ConfigurableHTTPProxy.command = [s["proxy"]]
c.ConfigurableHTTPProxy.pid_file = os.path.join(s["data_dir"], "proxy.pid")
c.JupyterHub.db_url = "sqlite:///" + os.path.join(s["data_dir"], "jupyterhub.sqlite")
c.JupyterHub.cookie_secret_file = os.path.join(s["data_dir"], "cookie_secret")
c.JupyterHub.pid_file = os.path.join(s["data_dir"], "jupyterhub.pid")

c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = s["password"]
c.Authenticator.allowed_users = {{s["user"]}}
c.JupyterHub.api_tokens = {{s["token"]: s["user"]}}

c.JupyterHub.allow_named_servers = True
c.JupyterHub.named_server_limit_per_user = 5
c.JupyterHub.spawner_class = "jupyterhub.spawner.SimpleLocalProcessSpawner"
c.SimpleLocalProcessSpawner.home_dir_template = s["home_template"]
c.Spawner.cmd = [s["python"], "-m", "jupyterhub.singleuser"]
c.Spawner.args = s["spawner_args"]
c.Spawner.environment = {{"JUPYTERHUB_ALLOW_TOKEN_IN_URL": "1"}}
c.Spawner.default_url = "/lab"
# Fail fast: a local server starts in about a second.
c.Spawner.start_timeout = 30
c.Spawner.http_timeout = 20
c.Spawner.poll_interval = 2
c.JupyterHub.last_activity_interval = 30
c.JupyterHub.tornado_settings = {{"headers": s["headers"], "slow_spawn_timeout": 0}}
c.JupyterHub.cleanup_servers = True
c.JupyterHub.log_level = "WARN"
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8000, help="public (proxy) port")
    parser.add_argument(
        "--allow-origin", default="", help="page origin allowed to call the hub and servers"
    )
    parser.add_argument("--user", default=DEFAULT_USER)
    parser.add_argument("--password", default=DEFAULT_PASSWORD)
    parser.add_argument("--token", default=os.environ.get("LMK_HUB_TOKEN", DEFAULT_TOKEN))
    parser.add_argument("--proxy-cmd", default=str(DEFAULT_PROXY))
    parser.add_argument("--timeout", type=float, default=60)
    args = parser.parse_args()
    if not os.access(args.proxy_cmd, os.X_OK):
        print(
            f"configurable-http-proxy not found at {args.proxy_cmd}: run jlpm install.",
            file=sys.stderr,
        )
        return 1

    data_dir = tempfile.mkdtemp(prefix="lmk-hub-")
    base_url = f"http://127.0.0.1:{args.port}/"
    started = time.monotonic()
    config_path = os.path.join(data_dir, "jupyterhub_config.py")
    with open(config_path, "w") as f:
        f.write(hub_config(args, data_dir))

    def cleanup() -> None:
        kill_leftovers(data_dir)
        shutil.rmtree(data_dir, ignore_errors=True)

    return supervise(
        [sys.executable, "-m", "jupyterhub", "-f", config_path],
        cwd=data_dir,
        ready=lambda: answers(base_url + "hub/api/"),
        timeout=args.timeout,
        ready_line=lambda: (
            f"JUPYTERHUB READY {base_url} in {time.monotonic() - started:.1f} s"
        ),
        failed_line="JupyterHub did not start; its log is above.",
        cleanup=cleanup,
    )


def kill_leftovers(data_dir: str) -> None:
    """Stop a proxy the hub left behind (if the hub was killed)."""
    try:
        with open(os.path.join(data_dir, "proxy.pid")) as f:
            os.kill(int(f.read().strip()), signal.SIGTERM)
    except (OSError, ValueError):
        pass


if __name__ == "__main__":
    sys.exit(main())
