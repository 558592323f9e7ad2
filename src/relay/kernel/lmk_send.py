"""One HTTP attempt of the kernel relay, and what its failure means.

A failure is described by a kind and a status code only (the lab puts them
in words): never an address, a token or the text of an exception, which may
quote the address. Standard library only: this file is sent into kernels.
"""

from __future__ import annotations

import http.client
import random
import time
import urllib.error
import urllib.request

REQUEST_TIMEOUT_S = 15.0
# Services that drop a copy they already have (a webhook receiver by
# X-Lmk-Event-Id, Matrix by transaction id): an attempt that may have
# arrived is retried only to them, as the lab's outbox does.
DEDUPLICATING_TYPES = ("webhook", "matrix")
# Elsewhere, a dropped connection is tried once more, after this long.
UNCONFIRMED_RETRY_S = 30.0
MAX_UNCONFIRMED = 2
BACKOFF_BASE_S = 2.0
BACKOFF_CAP_S = 300.0


def backoff_delay(failures, retry_after_s=None, rand=random.random):
    """Seconds before the next attempt, as the lab's outbox waits: up to
    2 s, growing x2 per failure to at most 5 min, full jitter, and never
    before a service's ``Retry-After``."""
    ceiling = min(BACKOFF_CAP_S, BACKOFF_BASE_S * (2 ** max(0, failures - 1)))
    return max(0.1, rand() * ceiling, retry_after_s or 0.0)


def classify_http(status, retry_after_s):
    """What an HTTP error answer means: ``(retryable, failure)``."""
    kinds = {401: "unauthorized", 403: "forbidden", 404: "not-found", 429: "rate-limited"}
    kind = kinds.get(status, "server" if status >= 500 else "rejected")
    failure = {"kind": kind, "status": status}
    if retry_after_s is not None:
        failure["retryAfterS"] = round(retry_after_s, 3)
    return status in (408, 429) or status >= 500, failure


def parse_retry_after(value, now=None):
    """Seconds to wait from a ``Retry-After`` header (seconds or a date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        from email.utils import parsedate_to_datetime

        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment is None:
        return None
    return max(0.0, moment.timestamp() - (time.time() if now is None else now))


def send_once(request, timeout=REQUEST_TIMEOUT_S):
    """One HTTP attempt: ``(ok, retryable, failure)``. A failure names a
    kind and a status code only, never an address or a token."""
    body = request.get("body")
    if isinstance(body, str):
        body = body.encode("utf-8")
    headers = dict(request.get("headers") or {})
    if body is not None and not any(key.lower() == "content-type" for key in headers):
        # What fetch sends with a text body that names no type (ntfy's
        # request, which must avoid a CORS preflight in the browser);
        # urllib would otherwise say it is a submitted form.
        headers["Content-Type"] = "text/plain;charset=UTF-8"
    try:
        prepared = urllib.request.Request(
            request["url"],
            data=body,
            headers=headers,
            method=request.get("method") or "POST",
        )
    except (ValueError, KeyError, TypeError):
        return False, False, {"kind": "invalid-config"}
    try:
        with urllib.request.urlopen(prepared, timeout=timeout) as response:
            response.read(65536)
        return True, False, None
    except urllib.error.HTTPError as error:
        headers = error.headers
        retry_after = parse_retry_after(headers.get("Retry-After") if headers is not None else None)
        error.close()
        retryable, failure = classify_http(error.code, retry_after)
        return False, retryable, failure
    except urllib.error.URLError as error:
        # Raised while connecting: nothing reached the service, except a
        # timeout, which may have come after the request was sent.
        if isinstance(error.reason, TimeoutError):
            return False, True, {"kind": "timeout", "mayHaveArrived": True}
        return False, True, {"kind": "unreachable"}
    except TimeoutError:
        return False, True, {"kind": "timeout", "mayHaveArrived": True}
    except (OSError, http.client.HTTPException):
        # The connection dropped after the request went out.
        return False, True, {"kind": "unreachable", "mayHaveArrived": True}
    except ValueError:
        return False, False, {"kind": "invalid-config"}

