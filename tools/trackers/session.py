"""The HTTP session the tracker adapters share.

It sends every request through httpx2 (the maintained httpx continuation the MCP SDK already ships) with a timeout,
retries 429, 5xx, timeouts and connection errors a bounded number of times with exponential backoff that honours
`Retry-After`, and maps the remaining failures onto the domain errors. Credentials live only in the session's
headers: no message, repr or log line contains them.
"""

from __future__ import annotations

import base64
import email.utils
import logging
import time
from datetime import UTC, datetime
from typing import Any

import httpx2

from postmortem_actions.tools.trackers.base import Sleep, TrackerName
from postmortem_actions.tools.trackers.errors import (
    TrackerAuthFailed,
    TrackerError,
    TrackerRejected,
    TrackerTargetNotFound,
    TrackerUnavailable,
)

log = logging.getLogger("postmortem_actions.trackers")


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds a `Retry-After` header asks for (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class Session:
    """An httpx2 client bound to one tracker, with bounded retries and domain errors.

    `sleep` is injectable so tests observe the backoff without waiting; `retries` is the number of
    extra attempts after the first; a `Retry-After` longer than `max_wait` is not waited for.
    """

    def __init__(
        self,
        tracker: TrackerName,
        client: httpx2.Client,
        *,
        retries: int = 3,
        backoff: float = 1.0,
        max_wait: float = 60.0,
        sleep: Sleep = time.sleep,
    ) -> None:
        self.tracker = tracker
        self.client = client
        self.retries = retries
        self.backoff = backoff
        self.max_wait = max_wait
        self.sleep = sleep

    def request(
        self, method: str, url: str, *, what: str, idempotent: bool | None = None, **kwargs: Any
    ) -> httpx2.Response:
        """Send a request; a 2xx response is returned, anything else raises a `TrackerError` naming `what`.

        A request that is not idempotent (by default: anything but GET, HEAD, PUT and DELETE; a GraphQL
        query passes True) is retried only when the tracker said it did not process it (429, 503 with
        Retry-After): after a timeout or another 5xx the ticket may exist already, and a retry would file it
        twice, so the error says so instead.

        Raises:
            TrackerAuthFailed: 401 or 403 (403 with a rate-limit header is retried like 429).
            TrackerTargetNotFound: 404 or 410.
            TrackerRejected: 400, 409 or 422 (the tracker's own message is included).
            TrackerUnavailable: 429, 5xx, timeouts or connection errors after the retries.
        """
        attempt = 0
        while True:
            try:
                response = self.client.request(method, url, **kwargs)
            except httpx2.TimeoutException:
                failure = f"{self.tracker} did not answer in time while trying to {what}"
                wait = None
                unprocessed = False
            except httpx2.TransportError as exc:
                failure = f"could not reach {self.tracker} to {what} ({type(exc).__name__})"
                wait = None
                unprocessed = isinstance(exc, httpx2.ConnectError)  # never reached the tracker
            else:
                if response.is_success:
                    return response
                status = response.status_code
                # GitHub signals its rate limits with 403 too: a zero remaining count, or a Retry-After.
                limited = status == 429 or (
                    status == 403
                    and (response.headers.get("x-ratelimit-remaining") == "0" or "retry-after" in response.headers)
                )
                if not limited and status < 500:
                    raise self._refusal(response, what)
                failure = (
                    f"{self.tracker} is rate-limiting requests" if limited else f"{self.tracker} answered {status}"
                ) + f" while trying to {what}"
                wait = retry_after_seconds(response.headers.get("retry-after"))
                if wait is None and limited and response.headers.get("x-ratelimit-reset", "").isdigit():
                    wait = max(0.0, float(response.headers["x-ratelimit-reset"]) - time.time())
                unprocessed = limited or (status == 503 and wait is not None)
            safe = idempotent if idempotent is not None else method.upper() in ("GET", "HEAD", "PUT", "DELETE")
            if not safe and not unprocessed:
                raise TrackerUnavailable(
                    f"{failure}. It may have been filed anyway, so it was not sent again: "
                    f"check {self.tracker} before exporting again (link an existing ticket "
                    "with link_ticket)"
                )
            if attempt >= self.retries:
                raise TrackerUnavailable(
                    f"{failure}; gave up after {attempt + 1} attempts. Nothing more was sent; try again later"
                )
            delay = self.backoff * (2**attempt) if wait is None else wait
            if delay > self.max_wait:
                raise TrackerUnavailable(
                    f"{failure}; it asks to wait {delay:.0f} s, longer than {self.max_wait:.0f} s. Try again later"
                )
            log.info("%s: retrying in %.1f s (%s)", self.tracker, delay, failure)
            self.sleep(delay)
            attempt += 1

    def _refusal(self, response: httpx2.Response, what: str) -> TrackerError:
        status = response.status_code
        detail = _without_secrets(vendor_message(response), response.request)
        said = f": {detail}" if detail else ""
        if status in (401, 403):
            return TrackerAuthFailed(
                f"{self.tracker} refused the credentials ({status}) while trying to {what}{said}. Check the token "
                "and its scopes (see README, 'Trackers')"
            )
        if status in (404, 410):
            return TrackerTargetNotFound(
                f"{self.tracker} found nothing ({status}) while trying to {what}{said}. Check the configured "
                "repository/project/team, and that the token can see it"
            )
        return TrackerRejected(f"{self.tracker} refused the request ({status}) while trying to {what}{said}")


def _without_secrets(text: str, request: httpx2.Request) -> str:
    """`text` with the request's credentials blanked, should a tracker ever echo them back."""
    header = request.headers.get("authorization", "")
    secrets = {header, header.partition(" ")[2]}
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "basic" and value:
        try:
            decoded = base64.b64decode(value).decode("utf-8", "replace")
        except ValueError:
            decoded = ""
        secrets |= {decoded, decoded.partition(":")[2]}
    for secret in sorted((s for s in secrets if len(s) >= 6), key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


def vendor_message(response: httpx2.Response) -> str:
    """The human-readable part of a tracker's error body (GitHub, Jira and Linear shapes), at most 300 chars."""
    try:
        body = response.json()
    except ValueError:
        return " ".join(response.text.split())[:300]
    parts: list[str] = []
    if isinstance(body, dict):
        if isinstance(body.get("message"), str):
            parts.append(body["message"])
        for error in body["errors"] if isinstance(body.get("errors"), list) else ():
            if isinstance(error, dict):
                text = error.get("message") or " ".join(str(error.get(k, "")) for k in ("field", "code")).strip()
                if text:
                    parts.append(str(text))
            elif isinstance(error, str):
                parts.append(error)
        if isinstance(body.get("errorMessages"), list):
            parts.extend(str(m) for m in body["errorMessages"])
        if isinstance(body.get("errors"), dict):
            parts.extend(f"{k}: {v}" for k, v in body["errors"].items())
    return "; ".join(p for p in parts if p)[:300]
