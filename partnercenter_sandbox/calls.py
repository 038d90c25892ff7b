"""The calls the sandbox received, for tests and people: what came in and what went out."""

import collections
import itertools
import threading

from werkzeug.wrappers import Request

MAX_CALLS_KEPT = 20_000


class CallLog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: collections.deque[dict] = collections.deque(maxlen=MAX_CALLS_KEPT)
        self._sequence = itertools.count(1)

    def start(self, request: Request, *, now: float) -> dict:
        """Log a call as it arrives; the caller fills in its outcome on the returned entry."""
        call = {
            "seq": next(self._sequence),
            "at": now,
            "method": request.method,
            "path": request.path,
            "query": request.query_string.decode("latin-1"),
            "ms_request_id": request.headers.get("MS-RequestId", ""),
            "ms_correlation_id": request.headers.get("MS-CorrelationId", ""),
            # Token requests are counted by grant type (client_credentials, refresh_token).
            "grant_type": request.form.get("grant_type", "") if request.method == "POST" else "",
            "status": None,
            "fault": "",
            "replayed": False,
        }
        with self._lock:
            self._calls.append(call)
        return call

    def listing(self, *, method: str = "", path_prefix: str = "") -> list[dict]:
        with self._lock:
            return [
                dict(call)
                for call in self._calls
                if (not method or call["method"] == method.upper())
                and call["path"].startswith(path_prefix)
            ]

    def clear(self) -> None:
        with self._lock:
            self._calls.clear()
