"""Loads the kernel relay into the running kernel.

The lab runs this as a silent execute request (no history, no execution
count, nothing displayed) whose metadata carries this program and the
relay's modules; the request's code only runs it, in a namespace of its own,
so nothing is added to the user's namespace. The modules are registered in
``sys.modules`` under private names. A watcher of the same version is kept
as it is; one of another version is stopped and replaced.

The lab reads the outcome with a ``user_expressions`` entry on the same
request: ``sys.modules["_jupyterlab_lmk_relay"].status()``, whose
``text/plain`` is JSON.
"""

import json
import sys
import types

NAME = "_jupyterlab_lmk_relay"
# Loaded in this order; each later module sees the earlier ones by name.
MODULES = (
    ("lmk_formats", "formats"), ("lmk_runs", "runs"), ("lmk_send", "send"),
    ("lmk_email", "email"), ("lmk_watcher", "watcher"),
)


class Status:
    """What the lab reads back: ``repr`` is JSON."""

    def __init__(self, data):
        self.data = data

    def __repr__(self):
        return json.dumps(self.data)


def _failed(reason, detail=""):
    stub = types.ModuleType(NAME)
    stub.WATCHER = None
    stub.VERSION = None
    stub.status = lambda: Status({"ok": False, "reason": reason, "detail": detail})
    sys.modules[NAME] = stub


def load(relay):
    """Install ``relay`` (``{"version": str, "modules": {short name: source}}``)."""
    version = relay["version"]
    previous = sys.modules.get(NAME)
    watcher = getattr(previous, "WATCHER", None)
    if watcher is not None and getattr(previous, "VERSION", None) == version and not watcher.stopped:
        return
    try:
        import ipykernel

        major = int(ipykernel.__version__.split(".")[0])
    except Exception:
        major = 0
    if major < 6:
        _failed("ipykernel-version", "ipykernel " + str(getattr(sys.modules.get("ipykernel"), "__version__", "?")))
        return
    loaded = {}
    try:
        for module_name, short in MODULES:
            private = NAME if short == "watcher" else NAME + "_" + short
            module = types.ModuleType(private)
            module.__file__ = "<jupyterlab-lmk " + module_name + ">"
            module.__dict__.update(loaded)
            exec(compile(relay["modules"][short], module.__file__, "exec"), module.__dict__)
            loaded[module_name] = module
        module = loaded["lmk_watcher"]
        module.VERSION = version
        module.install(loaded["lmk_formats"], version, watcher)
    except Exception as error:
        if watcher is None:
            # Keep an older watcher that works; else say why there is none.
            reason = str(error) if isinstance(error, RuntimeError) else "error"
            _failed(reason, type(error).__name__)
        return
    for module_name, short in MODULES:
        private = NAME if short == "watcher" else NAME + "_" + short
        sys.modules[private] = loaded[module_name]


def _request_metadata():
    from IPython import get_ipython

    return get_ipython().kernel.get_parent()["metadata"]["jupyterlab_lmk_relay"]


load(_request_metadata())
