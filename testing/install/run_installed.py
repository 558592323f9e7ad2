"""Start JupyterLab or Jupyter Notebook from a clean environment into which
the built wheel was installed (make install-check), as a user would run it.

    .venv-install/lab-4.4/bin/python testing/install/run_installed.py \
        --app lab --port 8901

It runs the `jupyter` of the interpreter that runs this script, listens on
127.0.0.1 only, and serves a fresh temporary folder with `check.ipynb` (a
cell that calls `jupyterlab_lmk.notify`). Jupyter's user-level folders
(config, data, settings, workspaces) are temporary too, so only what the
environment itself holds is loaded. Everything is removed when the server
stops (SIGTERM or SIGINT). Prints ``lmk-installed ready on
http://127.0.0.1:<port>/`` once it answers.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from supervise import answers, supervise  # noqa: E402  (testing/supervise.py)

#: The cell the UI check runs: the Python helper from the installed package.
CHECK_SOURCE = 'from jupyterlab_lmk import notify\n\nnotify("installed from the wheel")'

#: No news or update prompts (they would be console noise of their own).
QUIET_SETTINGS = {"fetchNews": "false", "checkForUpdates": False}


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app", choices=["lab", "notebook"], required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument(
        "--ready-timeout", type=float, default=90.0, help="seconds to wait for the server"
    )
    return parser.parse_args(argv)


def prepare(home: Path) -> Path:
    """The served folder with its notebook, and quiet settings; returns the folder."""
    root = home / "root"
    root.mkdir()
    notebook = {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": None,
                "id": "lmk-install-check",
                "metadata": {},
                "outputs": [],
                "source": CHECK_SOURCE,
            }
        ],
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (root / "check.ipynb").write_text(json.dumps(notebook))
    settings = home / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text(json.dumps(QUIET_SETTINGS))
    return root


def server_command(args: argparse.Namespace, home: Path, root: Path) -> list[str]:
    """The `jupyter lab` or `jupyter notebook` command line, from this environment."""
    jupyter = Path(sys.executable).with_name("jupyter")
    app_class = "LabApp" if args.app == "lab" else "JupyterNotebookApp"
    return [
        str(jupyter),
        args.app,
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={args.port}",
        "--ServerApp.port_retries=0",
        "--IdentityProvider.token=",
        "--ServerApp.allow_root=True",
        f"--ServerApp.root_dir={root}",
        # Keep the check's output readable; Playwright polls the URL.
        "--ServerApp.log_level=ERROR",
        f"--{app_class}.log_level=ERROR",
        # The check reads the app's plugin registry in the page.
        f"--{app_class}.expose_app_in_browser=True",
        f"--{app_class}.user_settings_dir={home / 'settings'}",
        f"--{app_class}.workspaces_dir={home / 'workspaces'}",
    ]


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    home = Path(tempfile.mkdtemp(prefix="lmk-installed-"))
    root = prepare(home)
    # Only the environment's own extensions and configuration: the
    # user-level folders are empty, and no extra search paths.
    for name in ("JUPYTER_PATH", "JUPYTER_CONFIG_PATH", "JUPYTERLAB_SETTINGS_DIR"):
        os.environ.pop(name, None)
    os.environ.update(
        JUPYTER_CONFIG_DIR=str(home / "config"),
        JUPYTER_DATA_DIR=str(home / "data"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        JUPYTER_PLATFORM_DIRS="1",
    )
    return supervise(
        server_command(args, home, root),
        ready=lambda: answers(f"http://127.0.0.1:{args.port}/api/status"),
        timeout=args.ready_timeout,
        interval=0.2,
        ready_line=lambda: f"lmk-installed ready on http://127.0.0.1:{args.port}/",
        failed_line=f"lmk-installed ({args.app}) did not start on port {args.port}",
        cleanup=lambda: shutil.rmtree(home, ignore_errors=True),
        cwd=str(root),
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
