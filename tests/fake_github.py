"""A vendor-like fake of the GitHub REST API (issues and assignees), served through `httpx2.MockTransport`.

    fake = FakeGitHub(token="ghp_test", repos=["acme/web"], assignable=["dana"])
    adapter = connect_github(config, transport=httpx2.MockTransport(fake), sleep=slept.append)

It checks requests the way GitHub does and answers with GitHub's payloads and error bodies:

- `Authorization: Bearer <token>` (or `token <token>`) must carry the configured token: else 401
  "Requires authentication" / "Bad credentials". A missing `User-Agent` is 403; an `Accept` that excludes
  JSON is 415; an `X-GitHub-Api-Version` other than 2022-11-28 is 400.
- `POST /repos/{owner}/{repo}/issues` needs a JSON object with `title` (else 422 "Validation Failed",
  `missing_field`); `body` a string, `labels` names or `{"name": ...}` objects (unknown labels are created),
  `assignees` logins that are assignable (else 422 `invalid`). Answers 201 with number, html_url, state
  "open", label and user objects, created_at, and a Location header.
- `GET /repos/{owner}/{repo}/issues/{number}` answers the issue with state, state_reason and closed_by; a
  transferred issue answers 301 to its new location.
- `GET /repos/{owner}/{repo}/assignees/{login}` answers 204 when assignable, 404 otherwise.
- `GET /user` answers the token's own account (`viewer`, type "User"). With `installation=True` the token is a
  GitHub App installation token, as GitHub treats one: `GET /user` is 403 "Resource not accessible by
  integration", `GET /installation/repositories` lists the repositories, and the app acts as "<app>[bot]".
- An unknown repository or issue is 404 `{"message": "Not Found"}`. Repository names and logins are matched
  case-insensitively, as on GitHub. A request to an endpoint the fake does not model raises AssertionError.

The API base is https://api.github.com (and `api.SUBDOMAIN.ghe.com`); any other host is treated as GitHub
Enterprise Server, whose API lives under `/api/v3` and whose issue pages are on the same host.

Knobs for tests: `fail_next(...)` queues canned responses or exceptions for the next requests (helpers
`github_error`, `secondary_rate_limit`, `primary_rate_limit`, `server_error` build GitHub-shaped ones),
`close(ref, by=..., reason=...)`, `reopen(ref)`, `transfer(ref, to)`, `issue(ref)`, and `received`, every
request in order (including those answered from the queue). Every login has one numeric id for the fake's life,
as on GitHub; `user_id(login)` reads it.
"""

from __future__ import annotations

import copy
import json
import re
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from urllib.parse import quote

import httpx2

DOCS = "https://docs.github.com/rest"
API_VERSIONS = ("2022-11-28",)
JSON_TYPES = (
    "application/vnd.github+json",
    "application/vnd.github.v3+json",
    "application/json",
    "*/*",
    "application/*",
    "application/vnd.github.raw+json",
    "application/vnd.github.full+json",
)
CloseReason = Literal["completed", "not_planned", "duplicate"]

_ROUTES = (
    ("POST", re.compile(r"/repos/([^/]+)/([^/]+)/issues/?"), "create"),
    ("GET", re.compile(r"/repos/([^/]+)/([^/]+)/issues/([0-9]+)/?"), "get"),
    ("GET", re.compile(r"/repos/([^/]+)/([^/]+)/assignees/([^/]+)/?"), "assignee"),
)
_ACCOUNT_ROUTES = (
    ("GET", re.compile(r"/user/?"), "user"),
    ("GET", re.compile(r"/installation/repositories/?"), "installation"),
)


@dataclass(frozen=True)
class Received:
    """One request as the fake received it."""

    method: str
    url: str  # the full URL, e.g. "https://api.github.com/repos/acme/web/issues"
    path: str  # the URL path as sent (with "/api/v3" on GitHub Enterprise Server)
    headers: httpx2.Headers
    body: Any  # the decoded JSON body; None when there is none or it is not JSON


def github_error(
    status: int,
    message: str,
    *,
    headers: Mapping[str, str] | None = None,
    errors: list[dict[str, Any]] | None = None,
    documentation_url: str = DOCS,
) -> httpx2.Response:
    """A response shaped like GitHub's errors: `{"message", "documentation_url", "status"}` (+ `errors`)."""
    payload: dict[str, Any] = {"message": message, "documentation_url": documentation_url, "status": str(status)}
    if errors is not None:
        payload["errors"] = errors
    return httpx2.Response(status, json=payload, headers=dict(headers or {}))


def secondary_rate_limit(retry_after: int, *, status: int = 403) -> httpx2.Response:
    """GitHub's secondary rate limit (403 or 429) with a `Retry-After` in seconds."""
    return github_error(
        status,
        "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
        headers={"retry-after": str(retry_after)},
    )


def primary_rate_limit(reset_epoch: int, *, status: int = 403) -> httpx2.Response:
    """GitHub's primary rate limit: `x-ratelimit-remaining: 0` and the epoch second it resets."""
    return github_error(
        status,
        "API rate limit exceeded for user ID 1.",
        headers={
            "x-ratelimit-limit": "5000",
            "x-ratelimit-remaining": "0",
            "x-ratelimit-used": "5000",
            "x-ratelimit-reset": str(reset_epoch),
            "x-ratelimit-resource": "core",
        },
    )


def server_error(status: int = 502) -> httpx2.Response:
    """A GitHub 5xx (502 "Server Error", 503 "Service Unavailable", ...)."""
    return github_error(status, "Service Unavailable" if status == 503 else "Server Error")


class FakeGitHub:
    """In-memory GitHub for `httpx2.MockTransport(fake)`: repositories, assignable logins and issues.

    `token` is the only credential accepted; `repos` are "owner/repo" names; `assignable` are the logins
    that may be assigned issues in every repository; `viewer` is the token's login (the issues' author);
    `installation` makes the token a GitHub App installation token acting as `app` + "[bot]".
    """

    def __init__(
        self,
        *,
        token: str,
        repos: Iterable[str],
        assignable: Iterable[str] = (),
        viewer: str = "postmortem-bot",
        installation: bool = False,
        app: str = "postmortem-app",
    ) -> None:
        self.token = token
        self.installation = installation
        self.viewer = f"{app}[bot]" if installation else viewer
        self._user_ids: dict[str, int] = {}
        self.repos = {name.lower(): name for name in repos}
        self.assignable = {login.lower(): login for login in assignable}
        self.received: list[Received] = []
        self._queue: deque[httpx2.Response | Exception] = deque()
        self._issues: dict[tuple[str, int], dict[str, Any]] = {}
        self._moved: dict[tuple[str, int], tuple[str, int]] = {}
        self._numbers: dict[str, int] = {}
        self._labels: dict[tuple[str, str], dict[str, Any]] = {}
        self._ids = 1000
        self._clock = datetime.now(UTC).replace(microsecond=0)  # real time: closes compare with our decisions
        self.clock_lag = timedelta(0)  # set it to stamp what happens next as that long ago

    def __repr__(self) -> str:
        return f"FakeGitHub(repos={sorted(self.repos.values())!r}, issues={len(self._issues)})"

    # -- knobs ---------------------------------------------------------------------------------------

    def fail_next(self, *outcomes: httpx2.Response | Exception) -> None:
        """Answer the next requests, one each and in order, with these responses or by raising these exceptions
        (e.g. `secondary_rate_limit(3)`, `server_error(502)`, `httpx2.ReadTimeout("timed out")`)."""
        self._queue.extend(outcomes)

    def issue(self, ref: str) -> dict[str, Any]:
        """A copy of the stored issue JSON for "owner/repo#N". Raises KeyError when there is none."""
        return copy.deepcopy(self._issues[self._key(ref)])

    def close(self, ref: str, *, by: str, reason: CloseReason = "completed") -> None:
        """Close issue "owner/repo#N" as user `by`, with GitHub's state_reason `reason`."""
        issue = self._issues[self._key(ref)]
        now = self._tick()
        issue.update(state="closed", state_reason=reason, closed_at=now, updated_at=now, closed_by=self._user(by))

    def reopen(self, ref: str) -> None:
        """Reopen issue "owner/repo#N" (state_reason becomes "reopened")."""
        issue = self._issues[self._key(ref)]
        now = self._tick()
        issue.update(state="open", state_reason="reopened", closed_at=None, updated_at=now)

    def transfer(self, ref: str, to: str) -> str:
        """Move issue "owner/repo#N" to repository `to` (which must exist); returns its new ref."""
        old = self._key(ref)
        repo = self.repos[to.lower()]
        number = self._next_number(repo)
        issue = self._issues.pop(old)
        self._moved[old] = (repo.lower(), number)
        issue.update(number=number, updated_at=self._tick())
        self._issues[(repo.lower(), number)] = issue
        self._paths(issue, repo, number, web=issue["html_url"].rsplit("/", 4)[0], api=issue["url"].split("/repos/")[0])
        return f"{repo}#{number}"

    # -- the transport handler -------------------------------------------------------------------------

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        """Answer one request as GitHub would (or with the next queued outcome)."""
        try:
            body: Any = json.loads(request.content) if request.content else None
        except ValueError:
            body = None
        self.received.append(
            Received(request.method, str(request.url), request.url.path, httpx2.Headers(request.headers), body)
        )
        if self._queue:
            outcome = self._queue.popleft()
            if isinstance(outcome, httpx2.RequestError):
                outcome.request = request
            if isinstance(outcome, Exception):
                raise outcome
            return outcome
        refusal = self._check_headers(request)
        if refusal is not None:
            return refusal
        return self._route(request)

    def _route(self, request: httpx2.Request) -> httpx2.Response:
        """Answer an authenticated request from the endpoint its method and path name."""
        host = request.url.host
        prefix = "" if host.startswith("api.") else "/api/v3"
        origin = f"{request.url.scheme}://{request.url.netloc.decode('ascii')}"
        # github.com's pages are on github.com; GitHub Enterprise Server's on its own origin (scheme, host, port)
        web = f"https://{host.removeprefix('api.')}" if host.startswith("api.") else origin
        api = f"{origin}{prefix}"
        path = request.url.path
        if not path.startswith(prefix + "/"):
            return github_error(404, "Not Found")
        path = path[len(prefix) :]
        for method, pattern, action in _ACCOUNT_ROUTES:
            if pattern.fullmatch(path) and method == request.method:
                return self._account(action, api)
        for method, pattern, action in _ROUTES:
            match = pattern.fullmatch(path)
            if match is None or method != request.method:
                continue
            repo = self.repos.get(f"{match.group(1)}/{match.group(2)}".lower())
            if repo is None:
                return github_error(404, "Not Found")
            if action == "create":
                return self._create(repo, request.content, web, api)
            if action == "get":
                return self._get(repo, int(match.group(3)), api)
            return httpx2.Response(204) if match.group(3).lower() in self.assignable else github_error(404, "Not Found")
        raise AssertionError(f"FakeGitHub does not model {request.method} {request.url.path}")

    # -- endpoints ---------------------------------------------------------------------------------------

    def _check_headers(self, request: httpx2.Request) -> httpx2.Response | None:
        if not request.headers.get("user-agent"):
            return github_error(
                403,
                "Request forbidden by administrative rules. Please make sure your request "
                "has a User-Agent header (https://docs.github.com/en/rest/overview/resources-in-the"
                "-rest-api#user-agent-required). Check https://developer.github.com for other "
                "possible causes.",
            )
        authorization = request.headers.get("authorization")
        if authorization is None:
            return github_error(401, "Requires authentication")
        scheme, _, credential = authorization.partition(" ")
        if scheme.lower() not in ("bearer", "token") or credential.strip() != self.token:
            return github_error(401, "Bad credentials")
        accept = [part.split(";")[0].strip().lower() for part in request.headers.get("accept", "*/*").split(",")]
        if not any(kind in JSON_TYPES for kind in accept):
            return github_error(415, f"Unsupported 'Accept' header: {accept!r}. Must accept 'application/json'.")
        version = request.headers.get("x-github-api-version")
        if version is not None and version not in API_VERSIONS:
            return github_error(400, f"API version '{version}' is not supported.")
        return None

    def _create(self, repo: str, content: bytes, web: str, api: str) -> httpx2.Response:
        doc = "https://docs.github.com/rest/issues/issues#create-an-issue"
        try:
            payload = json.loads(content) if content else None
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            return github_error(400, "Problems parsing JSON", documentation_url=doc)
        title, text = payload.get("title"), payload.get("body")
        labels, assignees = payload.get("labels", []), payload.get("assignees", [])
        if title is None or (isinstance(title, str) and not title.strip()):
            return github_error(
                422,
                "Validation Failed",
                documentation_url=doc,
                errors=[{"resource": "Issue", "code": "missing_field", "field": "title"}],
            )
        for field, value, ok in (
            ("title", title, isinstance(title, str | int) and not isinstance(title, bool)),
            ("body", text, text is None or isinstance(text, str)),
            (
                "labels",
                labels,
                isinstance(labels, list)
                and all(isinstance(x, str) or (isinstance(x, dict) and isinstance(x.get("name"), str)) for x in labels),
            ),
            ("assignees", assignees, isinstance(assignees, list) and all(isinstance(x, str) for x in assignees)),
        ):
            if not ok:
                return github_error(
                    422,
                    f"Invalid request.\n\nFor 'properties/{field}', {json.dumps(value)} is not a valid value.",
                    documentation_url=doc,
                )
        for login in assignees:
            if login.lower() not in self.assignable:
                return github_error(
                    422,
                    "Validation Failed",
                    documentation_url=doc,
                    errors=[{"value": login, "resource": "Issue", "field": "assignees", "code": "invalid"}],
                )
        number = self._next_number(repo)
        now = self._tick()
        issue: dict[str, Any] = {
            "id": self._new_id(),
            "node_id": f"I_kwDO{self._ids:08d}",
            "number": number,
            "title": str(title),
            "body": text,
            "user": self._user(self.viewer),
            "state": "open",
            "state_reason": None,
            "locked": False,
            "labels": [self._label(repo, x if isinstance(x, str) else x["name"], api) for x in labels],
            "assignees": [self._user(login) for login in assignees],
            "milestone": None,
            "comments": 0,
            "created_at": now,
            "updated_at": now,
            "closed_at": None,
            "closed_by": None,
            "author_association": "MEMBER",
        }
        issue["assignee"] = issue["assignees"][0] if issue["assignees"] else None
        self._paths(issue, repo, number, web=web, api=api)
        self._issues[(repo.lower(), number)] = issue
        return httpx2.Response(201, json=issue, headers={"location": issue["url"]})

    def _account(self, action: str, api: str) -> httpx2.Response:
        if action == "user":
            if self.installation:
                return github_error(
                    403,
                    "Resource not accessible by integration",
                    documentation_url=("https://docs.github.com/rest/users/users#get-the-authenticated-user"),
                )
            return httpx2.Response(200, json=self._user(self.viewer) | {"name": None, "email": None})
        if not self.installation:
            return github_error(
                403,
                "You must authenticate with an installation access token in order to list "
                "repositories for an installation.",
            )
        repos = [
            {"id": 700000 + i, "full_name": name, "url": f"{api}/repos/{name}"}
            for i, name in enumerate(self.repos.values())
        ]
        return httpx2.Response(200, json={"total_count": len(repos), "repositories": repos})

    def _get(self, repo: str, number: int, api: str) -> httpx2.Response:
        moved = self._moved.get((repo.lower(), number))
        if moved is not None:
            location = f"{api}/repos/{self.repos[moved[0]]}/issues/{moved[1]}"
            return httpx2.Response(
                301,
                headers={"location": location},
                json={"message": "Moved Permanently", "url": location, "documentation_url": DOCS},
            )
        issue = self._issues.get((repo.lower(), number))
        if issue is None:
            return github_error(
                404, "Not Found", documentation_url="https://docs.github.com/rest/issues/issues#get-an-issue"
            )
        return httpx2.Response(200, json=issue)

    # -- helpers -----------------------------------------------------------------------------------------

    def _key(self, ref: str) -> tuple[str, int]:
        repo, _, number = ref.partition("#")
        return repo.lower(), int(number)

    def _next_number(self, repo: str) -> int:
        self._numbers[repo.lower()] = self._numbers.get(repo.lower(), 0) + 1
        return self._numbers[repo.lower()]

    def _new_id(self) -> int:
        self._ids += 1
        return self._ids

    def _tick(self) -> str:
        # Real time, one second apart at least: a close is ordered against the decisions made here.
        self._clock = max(self._clock + timedelta(seconds=1), datetime.now(UTC).replace(microsecond=0) - self.clock_lag)
        return self._clock.strftime("%Y-%m-%dT%H:%M:%SZ")

    def user_id(self, login: str) -> int:
        """The numeric id GitHub gives `login` (the same for the fake's life, whatever the case)."""
        return self._user_ids.setdefault(login.lower(), 583231 + len(self._user_ids))

    def _user(self, login: str) -> dict[str, Any]:
        login = self.assignable.get(login.lower(), login)
        kind = "Bot" if self.installation and login == self.viewer else "User"
        return {
            "login": login,
            "id": self.user_id(login),
            "type": kind,
            "site_admin": False,
            "html_url": f"https://github.com/{login}",
            "url": f"https://api.github.com/users/{login}",
        }

    def _label(self, repo: str, name: str, api: str) -> dict[str, Any]:
        key = (repo.lower(), name.lower())
        if key not in self._labels:  # GitHub creates unknown labels for tokens with push access
            self._labels[key] = {
                "id": self._new_id(),
                "node_id": f"LA_kwDO{self._ids:08d}",
                "name": name,
                "url": f"{api}/repos/{repo}/labels/{quote(name)}",
                "color": "ededed",
                "default": False,
                "description": None,
            }
        return dict(self._labels[key])

    @staticmethod
    def _paths(issue: dict[str, Any], repo: str, number: int, *, web: str, api: str) -> None:
        issue["url"] = f"{api}/repos/{repo}/issues/{number}"
        issue["repository_url"] = f"{api}/repos/{repo}"
        issue["html_url"] = f"{web}/{repo}/issues/{number}"
