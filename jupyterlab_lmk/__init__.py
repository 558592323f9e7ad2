"""jupyterlab-lmk: notifications when a notebook run ends.

The Python package ships the prebuilt JupyterLab extension, and ``notify``
to send a notification from kernel code.
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
