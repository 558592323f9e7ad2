"""The settings file check of the server extension: who can read the file
that holds the tokens, and whether it parses."""

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from jupyterlab_lmk.settings_file import check, holds_secrets, startup_messages

pytestmark = pytest.mark.skipif(os.name == "nt", reason="POSIX file modes")

WITH_TOKEN = {
    "channels": [
        {"id": "phone", "type": "ntfy", "enabled": True, "topic": "t", "token": "tk_secret"}
    ]
}


@pytest.fixture
def settings_dir():
    # A home-like folder others may enter, as on many shared machines (in
    # the system's temporary folder: pytest's own is closed to others).
    root = Path(tempfile.mkdtemp(prefix="lmk-settings-file-"))
    home = root / "home"
    folder = home / "settings"
    (folder / "jupyterlab-lmk").mkdir(parents=True)
    for path in (root, home, folder, folder / "jupyterlab-lmk"):
        path.chmod(0o755)
    yield folder
    shutil.rmtree(root, ignore_errors=True)


def write(settings_dir, text, mode=0o644):
    path = settings_dir / "jupyterlab-lmk" / "plugin.jupyterlab-settings"
    path.write_text(text)
    path.chmod(mode)
    return path


def test_a_file_jupyterlab_wrote_0644_in_open_folders_is_readable_by_others(settings_dir):
    path = write(settings_dir, json.dumps(WITH_TOKEN))
    found = check(settings_dir)
    assert found["exists"] is True
    assert found["mode"] == "0644"
    assert found["othersCanRead"] is True
    assert found["holdsSecrets"] is True
    assert found["fix"] == f"chmod 600 {path} && chmod 700 {path.parent}"
    [(level, message)] = startup_messages(settings_dir)
    assert level == "warning"
    assert str(path) in message and "chmod 600" in message
    assert "tk_secret" not in message


def test_after_the_fix_nobody_else_can_read_it(settings_dir):
    path = write(settings_dir, json.dumps(WITH_TOKEN), mode=0o600)
    path.parent.chmod(0o700)
    assert check(settings_dir)["othersCanRead"] is False
    assert startup_messages(settings_dir) == []


def test_a_readable_file_behind_a_closed_folder_is_private(settings_dir):
    write(settings_dir, json.dumps(WITH_TOKEN))
    settings_dir.parent.chmod(0o700)
    try:
        assert check(settings_dir)["othersCanRead"] is False
    finally:
        settings_dir.parent.chmod(0o755)


def test_no_warning_for_a_file_without_secrets(settings_dir):
    write(settings_dir, json.dumps({"threshold": 5}))
    assert check(settings_dir)["othersCanRead"] is True
    assert startup_messages(settings_dir) == []


def test_a_file_that_is_not_json_is_named_with_its_error(settings_dir):
    path = write(settings_dir, '{ "threshold": 5,, oops', mode=0o600)
    [(level, message)] = startup_messages(settings_dir)
    assert level == "error"
    assert str(path) in message
    assert "not valid JSON" in message
    assert "blank page" in message


def test_comments_and_trailing_commas_are_json5_and_fine(settings_dir):
    write(settings_dir, '{\n  // mine\n  "threshold": 5,\n}', mode=0o600)
    assert check(settings_dir)["parseError"] is None


def test_no_file_no_finding(settings_dir):
    found = check(settings_dir)
    assert found["exists"] is False
    assert found["othersCanRead"] is None
    assert startup_messages(settings_dir) == []


@pytest.mark.parametrize(
    "data, secret",
    [
        ({}, False),
        ({"channels": [{"id": "lab", "type": "toast", "enabled": True}]}, False),
        ({"channels": [{"id": "h", "type": "webhook", "url": "https://x/y"}]}, True),
        ({"accounts": {"matrix": {"accessToken": "x"}}}, True),
        ({"remoteServers": [{"id": "r", "token": "t"}]}, True),
        ({"remoteServers": [{"id": "r", "token": ""}]}, False),
        (["not", "a", "document"], False),
    ],
)
def test_what_counts_as_a_secret(data, secret):
    assert holds_secrets(data) is secret
