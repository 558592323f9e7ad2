"""Start a second, real Jupyter server for tests: the "remote" server that
the Remote sessions section talks to by URL and token.

    python testing/jupyter-remote/run_remote_server.py --port 8890 \
        --token lmk-remote-token --allow-origin http://127.0.0.1:8888

It listens on 127.0.0.1 only, serves a fresh temporary directory (removed
when the server stops, on SIGTERM or SIGINT), and prints
``lmk-remote-server ready on http://127.0.0.1:<port>/`` once it answers.
Without ``--allow-origin`` the server sends no CORS headers, so a lab on
another origin cannot read its answers: the case the lab must diagnose.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from supervise import answers, supervise  # noqa: E402  (testing/supervise.py)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument(
        "--allow-origin",
        default="",
        help="origin allowed to read the answers (CORS); none when empty",
    )
    parser.add_argument(
        "--ready-timeout", type=float, default=60.0, help="seconds to wait for the server"
    )
    return parser.parse_args(argv)


def server_command(args: argparse.Namespace, root_dir: str) -> list[str]:
    """The `jupyter server` command line, from the same environment."""
    jupyter = Path(sys.executable).with_name("jupyter")
    command = [
        str(jupyter) if jupyter.exists() else "jupyter",
        "server",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={args.port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={args.token}",
        "--ServerApp.allow_root=True",
        f"--ServerApp.root_dir={root_dir}",
        # Kernels started by tests should not outlive a crashed run for long.
        "--MappingKernelManager.cull_idle_timeout=0",
    ]
    if args.allow_origin:
        command.append(f"--ServerApp.allow_origin={args.allow_origin}")
    return command


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    root_dir = tempfile.mkdtemp(prefix="lmk-remote-")
    # A notebook-free folder is enough; kernels run in it.
    Path(root_dir, "README.txt").write_text("Remote server for jupyterlab-lmk tests.\n")
    status = urllib.request.Request(
        f"http://127.0.0.1:{args.port}/api/status",
        headers={"Authorization": f"token {args.token}"},
    )
    return supervise(
        server_command(args, root_dir),
        ready=lambda: answers(status),
        timeout=args.ready_timeout,
        interval=0.2,
        ready_line=lambda: f"lmk-remote-server ready on http://127.0.0.1:{args.port}/",
        failed_line=f"lmk-remote-server did not start on port {args.port}",
        cleanup=lambda: shutil.rmtree(root_dir, ignore_errors=True),
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
