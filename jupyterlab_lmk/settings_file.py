"""The user settings file that holds the extension's tokens and webhook
addresses: where it is, whether it parses, and who else can read it.

JupyterLab writes user settings with the process's umask (usually 0644 in
0755 folders), so on a machine with an open home directory other users can
read the tokens. The extension cannot change how JupyterLab writes the file,
but it can say so, with the command that fixes it.
"""

from __future__ import annotations

import os
import shlex
import stat
from pathlib import Path
from typing import Any

import json5

#: The file, under the user settings folder.
PLUGIN_FILE = Path("jupyterlab-lmk", "plugin.jupyterlab-settings")


def settings_file(settings_dir: str | os.PathLike[str]) -> Path:
    """The extension's user settings file under a user settings folder."""
    return Path(settings_dir) / PLUGIN_FILE


def check(settings_dir: str | os.PathLike[str]) -> dict[str, Any]:
    """What the lab needs to know of the file.

    ``othersCanRead`` is true when a user other than the owner can read it:
    the file is readable by its group or by everyone, and every folder
    above it lets them through. ``None`` where modes mean nothing (Windows)
    or the file does not exist. ``parseError`` is the JSON error, if any
    (JupyterLab then fails to load at all).
    """
    path = settings_file(settings_dir)
    result: dict[str, Any] = {
        "path": str(path),
        "folder": str(path.parent),
        "exists": path.is_file(),
        "mode": None,
        "folderMode": None,
        "othersCanRead": None,
        "holdsSecrets": False,
        "parseError": None,
        "fix": fix_command(path),
    }
    if not result["exists"]:
        return result
    try:
        data = json5.loads(path.read_text(encoding="utf-8") or "{}")
        result["holdsSecrets"] = holds_secrets(data)
    except Exception as error:  # json5 raises ValueError and others
        result["parseError"] = str(error)
    if os.name == "nt":
        return result
    mode = stat.S_IMODE(path.stat().st_mode)
    result["mode"] = f"{mode:04o}"
    result["folderMode"] = f"{stat.S_IMODE(path.parent.stat().st_mode):04o}"
    result["othersCanRead"] = readable_by_others(path)
    return result


#: Channel options that are secrets (webhook addresses carry theirs).
SECRET_OPTIONS = ("url", "token", "secret")


def holds_secrets(data: Any) -> bool:
    """Whether a settings document holds a token, a signing secret, a
    webhook address or a login."""
    if not isinstance(data, dict):
        return False
    channels = data.get("channels")
    if isinstance(channels, list) and any(
        isinstance(channel, dict) and any(channel.get(key) for key in SECRET_OPTIONS)
        for channel in channels
    ):
        return True
    if isinstance(data.get("accounts"), dict) and data["accounts"]:
        return True
    servers = data.get("remoteServers")
    return isinstance(servers, list) and any(
        isinstance(server, dict) and server.get("token") for server in servers
    )


def readable_by_others(path: Path) -> bool:
    """Whether a user other than the owner can read ``path``: by its group
    or by everyone, through folders that let the same users through."""
    mode = path.stat().st_mode
    folders = [folder.stat().st_mode for folder in path.resolve().parents]
    group = bool(mode & stat.S_IRGRP) and all(m & stat.S_IXGRP for m in folders)
    everyone = bool(mode & stat.S_IROTH) and all(m & stat.S_IXOTH for m in folders)
    return group or everyone


def fix_command(path: Path) -> str:
    """The shell command that makes the file and its folder private."""
    return f"chmod 600 {shlex.quote(str(path))} && chmod 700 {shlex.quote(str(path.parent))}"


def startup_messages(settings_dir: str | os.PathLike[str]) -> list[tuple[str, str]]:
    """What the server log says at start, as ``(level, message)`` pairs:
    a file that does not parse (JupyterLab will not load), and a file with
    secrets that other users can read."""
    found = check(settings_dir)
    messages: list[tuple[str, str]] = []
    if found["parseError"]:
        messages.append(
            (
                "error",
                "jupyterlab-lmk: the settings file {path} is not valid JSON ({error}); "
                "JupyterLab shows a blank page until it is fixed. Fix it in an editor, "
                "or move it away to start again from the defaults (it holds your "
                "channels and tokens: keep a copy).".format(
                    path=found["path"], error=found["parseError"]
                ),
            )
        )
    if found["othersCanRead"] and found["holdsSecrets"]:
        messages.append(
            (
                "warning",
                "jupyterlab-lmk: the settings file {path} holds tokens and webhook "
                "addresses and other users of this machine can read it (mode {mode}). "
                "To keep it to yourself: {fix}".format(
                    path=found["path"], mode=found["mode"], fix=found["fix"]
                ),
            )
        )
    return messages
