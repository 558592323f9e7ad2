"""The settings schema as jupyterlab_server applies it.

jupyterlab_server replaces a user settings document that fails the schema
with ``{}`` (and the lab's next save writes that back), so one bad value
would lose every setting, tokens included. The schema must therefore take
every document the extension's own reader copes with; these tests run the
server's own code on hand-edited documents.
"""

import json
import shutil
from pathlib import Path

import pytest
from jupyterlab_server.settings_utils import get_settings, save_settings

SCHEMA = Path(__file__).resolve().parents[2] / "schema" / "plugin.json"
PLUGIN = "jupyterlab-lmk:plugin"
LISTS = ("channels", "accounts", "remoteServers")

# Valid channels and servers with secrets, next to the bad value under test.
KEPT = """
  "channels": [
    {"id": "lab", "type": "toast", "enabled": true},
    {"id": "hook", "type": "webhook", "enabled": true,
     "url": "https://example.org/hooks/abc", "secret": "s3cret-value"}
  ],
  "remoteServers": [
    {"id": "jupyter", "kind": "jupyter", "name": "Remote",
     "url": "http://127.0.0.1:9999/", "token": "remote-token-123"}
  ]
"""

HAND_EDITED = {
    "negative threshold": '"threshold": -5,',
    "threshold as text": '"threshold": "thirty",',
    "null threshold": '"threshold": null,',
    "unknown mode": '"mode": "sometimes",',
    "mode of another type": '"mode": 3,',
    "fractional output lines": '"outputLines": 2.5,',
    "output lines out of range": '"outputLines": 500,',
    "retry longer than a week": '"retryMinutes": 100000,',
    "zero still-running delay": '"stillRunningMinutes": 0,',
    "awayOnly as text": '"awayOnly": "yes",',
    "a key from another version": '"onlyOnWeekdays": true,',
    "accounts as a list": '"accounts": ["matrix"],',
    "a login of another version": '"accounts": {"slack": {"token": "x"}},',
}


@pytest.fixture
def dirs(tmp_path):
    schemas = tmp_path / "schemas"
    (schemas / "jupyterlab-lmk").mkdir(parents=True)
    shutil.copy(SCHEMA, schemas / "jupyterlab-lmk" / "plugin.json")
    settings = tmp_path / "settings"
    (settings / "jupyterlab-lmk").mkdir(parents=True)
    app = tmp_path / "app"
    app.mkdir()
    return {"schemas": schemas, "settings": settings, "app": app}


def served(dirs, raw):
    """What the lab gets for a user settings file holding ``raw``."""
    (dirs["settings"] / "jupyterlab-lmk" / "plugin.jupyterlab-settings").write_text(
        raw, encoding="utf-8"
    )
    result, warnings = get_settings(
        str(dirs["app"]),
        str(dirs["schemas"]),
        str(dirs["settings"]),
        schema_name=PLUGIN,
    )
    return result, warnings


@pytest.mark.parametrize("bad", HAND_EDITED.values(), ids=HAND_EDITED.keys())
def test_a_hand_edited_value_keeps_the_whole_document(dirs, bad):
    raw = "{\n  // edited by hand\n  " + bad + KEPT + "}\n"
    result, warnings = served(dirs, raw)
    assert warnings == [None]
    assert result["raw"] == raw
    assert result["settings"]["channels"][1]["secret"] == "s3cret-value"
    assert result["settings"]["remoteServers"][0]["token"] == "remote-token-123"


@pytest.mark.parametrize(
    "lists",
    [
        '"channels": {"lab": {"type": "toast"}}',
        '"channels": ["lab", 3, null, {"id": "x"}]',
        '"remoteServers": "http://127.0.0.1:9999/"',
        '"remoteServers": [{"url": 5}]',
        '"channels": [{"id": "hook", "type": "telegram", "enabled": "yes"}]',
    ],
)
def test_malformed_lists_are_served_as_they_are(dirs, lists):
    raw = "{" + lists + "}"
    result, warnings = served(dirs, raw)
    assert warnings == [None]
    assert result["raw"] == raw


def test_the_server_saves_what_the_reader_copes_with(dirs):
    # The Settings Editor's JSON view saves through the same schema.
    raw = json.dumps({"threshold": -5, "mode": "sometimes", "extra": [1, 2]})
    save_settings(str(dirs["schemas"]), str(dirs["settings"]), PLUGIN, raw, {})
    result, warnings = served(
        dirs,
        (dirs["settings"] / "jupyterlab-lmk" / "plugin.jupyterlab-settings").read_text(),
    )
    assert warnings == [None]
    assert json.loads(result["raw"]) == {
        "threshold": -5,
        "mode": "sometimes",
        "extra": [1, 2],
    }


def test_the_schema_still_gives_the_form_a_type_and_the_defaults():
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert schema["jupyter.lab.setting-icon"] == "ui-components:bell"
    for name, prop in schema["properties"].items():
        # The Settings Editor's form renders the first type listed.
        assert isinstance(prop["type"], list), name
        # The lists' defaults are the extension's own (see $comment).
        assert ("default" in prop) == (name not in LISTS), name
    assert schema["properties"]["threshold"]["type"][0] == "number"
    assert schema["properties"]["channels"]["type"][0] == "array"
    assert "additionalProperties" not in schema
