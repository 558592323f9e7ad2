"""jupyterlab-lmk: notifications when a notebook run ends.

The Python package ships the prebuilt JupyterLab extension.
"""

try:
    from ._version import __version__
except ImportError:  # pragma: no cover - running from a source tree without install
    import warnings

    warnings.warn("Importing 'jupyterlab_lmk' outside a proper installation.")
    __version__ = "dev"


def _jupyter_labextension_paths():
    return [{"src": "labextension", "dest": "jupyterlab-lmk"}]
