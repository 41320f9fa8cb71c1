# Exercises: a realistic HTTP API client: __all__ naming a removed function,
# urllib usage, a retry loop with an unused exception target, an unused
# import kept for "compatibility", and a default argument naming a constant
# defined below the function.
import json
import time
import urllib.error
import urllib.request
from typing import Any
from http import HTTPStatus

__all__ = ["ApiClient", "ApiError", "get_json", "post_json", "DEFAULT_TIMEOUT"]

DEFAULT_TIMEOUT = 10.0
USER_AGENT = "ripple-corpus/1.0"


class ApiError(RuntimeError):
    def __init__(self, status: int, body: str):
        super().__init__(f"HTTP {status}: {body[:200]}")
        self.status = status
        self.body = body


class ApiClient:
    def __init__(self, base_url: str, token: str | None = None, timeout=DEFAULT_TIMEOUT):
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def _headers(self) -> dict[str, str]:
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    def request(self, method: str, path: str, payload: Any = None, retries: int = RETRIES):
        data = json.dumps(payload).encode() if payload is not None else None
        req = urllib.request.Request(
            self.base_url + path, data=data, method=method, headers=self._headers()
        )
        for attempt in range(retries):
            try:
                with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                    return json.loads(resp.read() or b"null")
            except urllib.error.HTTPError as err:
                if err.code < 500:
                    raise ApiError(err.code, err.read().decode(errors="replace"))
            except urllib.error.URLError as err:
                time.sleep(backoff(attempt))
        raise ApiError(0, f"giving up on {method} {path}")


def get_json(client: ApiClient, path: str):
    return client.request("GET", path)


def backoff(attempt: int) -> float:
    return min(30.0, 0.5 * 2 ** attempt)


RETRIES = 3
