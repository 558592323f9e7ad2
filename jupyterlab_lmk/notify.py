"""Send a notification from kernel code.

``notify`` displays a MIME bundle of type
``application/vnd.jupyterlab-lmk.notify+json``; the jupyterlab-lmk extension
sees it arrive in the notebook and sends the notification through the user's
channels. While a run goes on, the lab's kernel relay (if the user's channels
allow delivery with the browser closed) also hears of it, and sends it from
the kernel if no page of the lab is open to do so.
"""

from __future__ import annotations

import sys
import uuid
import warnings
from collections.abc import Iterable

MIME_TYPE = "application/vnd.jupyterlab-lmk.notify+json"
CONTENT_TYPES = ("text/markdown", "text/plain")


def notify(
    message: object,
    title: str | None = None,
    channels: str | Iterable[str] | None = None,
    content_type: str = "text/markdown",
) -> None:
    """Ask JupyterLab to send a notification.

    Parameters
    ----------
    message:
        The notification text (converted with ``str``).
    title:
        A short title; the notebook's name when omitted.
    channels:
        Ids of the channels to use (see the extension's settings); the
        enabled channels when omitted.
    content_type:
        ``"text/markdown"`` (default) or ``"text/plain"``.

    Outside a Jupyter kernel (a script, a terminal) there is no lab page to
    send it: ``notify`` warns and does nothing. It needs IPython, which
    comes with ipykernel; without it, it raises ``ImportError``.
    """
    if content_type not in CONTENT_TYPES:
        raise ValueError(f"content_type must be one of {CONTENT_TYPES}, not {content_type!r}")
    payload: dict[str, object] = {
        "id": uuid.uuid4().hex,
        "message": str(message),
        "content_type": content_type,
    }
    if title is not None:
        payload["title"] = str(title)
    if channels is not None:
        payload["channels"] = [channels] if isinstance(channels, str) else [str(c) for c in channels]

    # Imported here so that importing the package needs no IPython.
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError as error:
        raise ImportError(
            "jupyterlab_lmk.notify needs IPython, which comes with the Jupyter "
            "kernel: pip install ipykernel"
        ) from error

    shell = get_ipython()
    if getattr(shell, "kernel", None) is None:
        warnings.warn(
            "jupyterlab_lmk.notify only sends from a notebook or console of "
            "JupyterLab (a Jupyter kernel); outside one there is no lab page "
            "to send it, so nothing was sent.",
            RuntimeWarning,
            stacklevel=2,
        )
        return

    plain = f"{title}: {message}" if title else str(message)
    display({MIME_TYPE: payload, "text/plain": f"[notification] {plain}"}, raw=True)
    _tell_relay(payload)


def _tell_relay(payload: dict[str, object]) -> None:
    """Hand the payload to the lab's kernel relay, if the lab put one in this
    kernel. It sees displays made in the main thread by itself; this covers
    calls from other threads (the same id is sent once)."""
    watcher = getattr(sys.modules.get("_jupyterlab_lmk_relay"), "WATCHER", None)
    if watcher is None:
        return
    try:
        watcher.notified(payload)
    except Exception:  # noqa: BLE001 - a relay problem must not fail the caller
        pass
