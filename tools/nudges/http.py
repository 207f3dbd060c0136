"""Posting a reminder to a webhook (Slack's incoming webhook, or any JSON endpoint) over httpx2.

The same rules as the tracker session (tools/trackers/session.py): a timeout on every request, 429, 5xx, timeouts
and connection errors retried a bounded number of times with exponential backoff that honours `Retry-After` (delta
seconds or an HTTP date), and anything else refused at once. A webhook URL is a secret (whoever has it can post):
it is never part of a message, and httpx2's own log line, which names every URL it requests, has it blanked.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, Final
from urllib.parse import urlsplit

import httpx2

from postmortem_actions.tools.nudges.errors import DeliveryFailed
from postmortem_actions.tools.trackers.session import retry_after_seconds

log = logging.getLogger("postmortem_actions.nudges")
Sleep = Callable[[float], None]
WITHHELD: Final = "<webhook URL withheld>"


class _Withhold(logging.Filter):
    """Blank the registered webhook URLs out of httpx2's log records ("HTTP Request: POST <url> ...")."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()
        self.lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        with self.lock:
            secrets = sorted(self.secrets, key=len, reverse=True)
        if secrets and isinstance(record.args, tuple):
            record.args = tuple(WITHHELD if any(s in str(a) for s in secrets) else a for a in record.args)
        return True


_WITHHOLD: Final = _Withhold()
logging.getLogger("httpx2").addFilter(_WITHHOLD)


def scrub(text: str) -> str:
    """`text` with every webhook URL this process knows, their paths and long path segments blanked, should a server
    echo one back."""
    with _WITHHOLD.lock:
        urls = list(_WITHHOLD.secrets)
    secrets: set[str] = set()
    for url in urls:
        parts = urlsplit(url)
        secrets |= {url, parts.path, parts.query, *parts.path.split("/")}
    for secret in sorted((s for s in secrets if len(s) >= 8), key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


class Poster:
    """Posts JSON to one webhook URL with bounded retries; `label` names it in messages ("Slack", "the webhook").

    `sleep` is injectable so tests observe the backoff without waiting; `retries` counts the attempts after the
    first; a `Retry-After` longer than `max_wait` is not waited for (the message fails and the next run retries).
    """

    def __init__(
        self,
        label: str,
        url: str,
        *,
        transport: httpx2.BaseTransport | None = None,
        retries: int = 2,
        backoff: float = 1.0,
        max_wait: float = 30.0,
        timeout: float = 15.0,
        sleep: Sleep = time.sleep,
    ) -> None:
        self.label, self._url = label, url
        self._broken: str | None = None  # the endpoint could not be reached this run: the rest fail at once
        self.retries, self.backoff, self.max_wait, self.sleep = retries, backoff, max_wait, sleep
        self._client = httpx2.Client(timeout=timeout, transport=transport, follow_redirects=False)
        with _WITHHOLD.lock:
            _WITHHOLD.secrets.add(url)

    def __repr__(self) -> str:
        return f"Poster({self.label!r}, {WITHHELD})"

    def post(self, payload: dict[str, Any], what: str) -> httpx2.Response:
        """POST `payload` as JSON; a 2xx response is returned.

        Raises:
            DeliveryFailed: refused (4xx other than 429), or still failing after the retries; the message names
                `what` (e.g. "the reminder to alice") and never the URL.
        """
        if self._broken is not None:
            raise DeliveryFailed(f"{self._broken} earlier in this run; {what} waits for the next run")
        attempt = 0
        while True:
            wait: float | None = None
            unreachable = True
            try:
                response = self._client.post(self._url, json=payload)
            except httpx2.TimeoutException:
                failure = f"{self.label} did not answer in time"
            except httpx2.HTTPError as exc:  # connection refused, DNS, TLS: the URL stays out of the message
                failure = f"could not reach {self.label} ({type(exc).__name__})"
            else:
                unreachable = False
                if response.is_success:
                    return response
                status = response.status_code
                said = scrub(" ".join(response.text.split())[:200])
                failure = f"{self.label} answered {status}" + (f" ({said})" if said else "")
                if status != 429 and status < 500:
                    raise DeliveryFailed(f"{failure} to {what}; it was not sent and will be tried on the next run")
                wait = retry_after_seconds(response.headers.get("retry-after"))
            if attempt >= self.retries:
                self._broken = failure if unreachable else None
                raise DeliveryFailed(
                    f"{failure} to {what}; gave up after {attempt + 1} attempts, the next run tries again"
                )
            delay = self.backoff * (2**attempt) if wait is None else wait
            if delay > self.max_wait:
                raise DeliveryFailed(
                    f"{failure} to {what}; it asks to wait {delay:.0f} s (more than {self.max_wait:.0f} s), "
                    "the next run tries again"
                )
            log.info("%s: retrying in %.1f s (%s)", self.label, delay, failure)
            self.sleep(delay)
            attempt += 1

    def close(self) -> None:
        """Release the connections."""
        self._client.close()
