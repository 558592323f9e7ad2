"""jupyterlab-lmk: notifications when a notebook run ends.

The Python package ships the prebuilt JupyterLab extension, ``notify`` to
send a notification from kernel code, and a small server extension that
checks the settings file holding the extension's tokens (who can read it,
whether it parses).
"""

try:
    from ._version import __version__
except ImportError:  # pragma: no cover - running from a source tree without install
    import warnings

    warnings.warn("Importing 'jupyterlab_lmk' outside a proper installation.")
    __version__ = "dev"

from .notify import MIME_TYPE, notify

__all__ = ["MIME_TYPE", "notify", "__version__"]


def _jupyter_labextension_paths():
    return [{"src": "labextension", "dest": "jupyterlab-lmk"}]


def _jupyter_server_extension_points():
    return [{"module": "jupyterlab_lmk"}]


def _load_jupyter_server_extension(serverapp):
    """Add the settings-file route, and say at start what is wrong with the
    settings file (it does not parse; others can read its tokens)."""
    from .handlers import setup_handlers, user_settings_dir
    from .settings_file import startup_messages

    setup_handlers(serverapp)
    folder = user_settings_dir(serverapp)
    if folder:
        for level, message in startup_messages(folder):
            getattr(serverapp.log, level)(message)
