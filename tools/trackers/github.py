"""GitHub Issues as a tracker: file an action item as an issue, read its state back, recognise its URLs.

Works against github.com (`https://api.github.com`), GitHub Enterprise Cloud with data residency
(`https://api.SUBDOMAIN.ghe.com`) and GitHub Enterprise Server (`https://HOST/api/v3`). Every request goes
through `Session`, which retries and maps HTTP failures onto the domain errors; the token lives only in the
client's headers (httpx2 masks it in their repr) and never in a message.
"""

from __future__ import annotations

import re
import time
from typing import Any
from urllib.parse import urlsplit

import httpx2

from postmortem_actions.tools.trackers.base import (
    RemoteIssue,
    Sleep,
    TicketRequest,
    TrackerConfig,
    TrackerIdentity,
    TrackerName,
    parse_timestamp,
)
from postmortem_actions.tools.trackers.errors import (
    TrackerAuthFailed,
    TrackerError,
    TrackerNotConfigured,
    TrackerTargetNotFound,
    TrackerUnavailable,
)
from postmortem_actions.tools.trackers.session import Session

API_VERSION = "2022-11-28"
MEDIA_TYPE = "application/vnd.github+json"

_OWNER = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})"
_NAME = r"[A-Za-z0-9._-]{1,100}"
_REPO = re.compile(rf"({_OWNER})/({_NAME})")
_REF = re.compile(rf"({_OWNER})/({_NAME})#([1-9][0-9]{{0,9}})")
_ISSUE_PATH = re.compile(rf"/({_OWNER})/({_NAME})/issues/([1-9][0-9]{{0,9}})/?")
# GitHub logins are letters, digits and single inner hyphens, at most 39 characters. A few legacy accounts
# break the hyphen rule, so the shape test is lenient: GitHub's assignees endpoint has the final word.
_LOGIN = re.compile(_OWNER)


def _repo_parts(text: str) -> tuple[str, str] | None:
    """`("owner", "repo")` for an "owner/repo" string, or None when it is not shaped like one."""
    match = _REPO.fullmatch(text.strip())
    if match is None or match.group(2) in (".", ".."):
        return None
    return match.group(1), match.group(2)


def web_host(base_url: str) -> str:
    """The host issue pages live on for an API base URL: api.github.com -> github.com, GHES -> its own host."""
    try:
        parts = urlsplit(base_url)
        host, port = parts.hostname or "", parts.port  # lower-cased, without credentials
    except ValueError:
        return ""
    host = host.removeprefix("api.") if host.startswith("api.") else host
    # A port the scheme implies is not part of the pages' address (https://api.github.com:443 -> github.com).
    return host if port is None or (parts.scheme, port) in (("https", 443), ("http", 80)) else f"{host}:{port}"


class GitHubAdapter:
    """Files and reads issues in one GitHub repository (`config.target`, "owner/repo")."""

    name: TrackerName = "github"

    def __init__(self, config: TrackerConfig, session: Session) -> None:
        """Bind the adapter to a repository and a session.

        Raises:
            TrackerNotConfigured: the target is not "owner/repo" or the base URL is not an http(s) URL.
        """
        parts = _repo_parts(config.target)
        if parts is None:
            raise TrackerNotConfigured(f"the GitHub target must be 'owner/repo', not {config.target!r}")
        if urlsplit(config.base_url).scheme not in ("https", "http") or not web_host(config.base_url):
            raise TrackerNotConfigured(
                f"the GitHub base URL must be https://api.github.com or https://HOST/api/v3, not {config.base_url!r}"
            )
        self.config = config
        self.session = session
        self.owner, self.repo = parts
        self.target = f"{self.owner}/{self.repo}"
        self.host = web_host(config.base_url)
        self._identity: TrackerIdentity | None = None

    def __repr__(self) -> str:
        return f"GitHubAdapter(base_url={self.config.base_url!r}, target={self.target!r})"

    def close(self) -> None:
        """Close the underlying HTTP client."""
        self.session.client.close()

    def create(self, request: TicketRequest) -> RemoteIssue:
        """File `request` as a new issue and return it as GitHub reports it.

        GitHub issues have no due date, so a due date becomes a "Due: YYYY-MM-DD" line at the end of the body.
        The owner is assigned only when it is a login GitHub says is assignable in the repository; otherwise
        the issue is filed unassigned and `RemoteIssue.warnings` says so. Labels are sent by name (GitHub
        creates unknown ones for tokens with push access). Assignees or labels GitHub silently dropped (a
        token without push access) are reported as warnings too.

        Raises:
            TrackerAuthFailed: bad token, or one without the Issues write permission (401/403).
            TrackerTargetNotFound: the repository does not exist or the token cannot see it (404), or its
                issues are disabled (410).
            TrackerRejected: GitHub refused a field (422, its message included).
            TrackerUnavailable: rate limits, 5xx or timeouts after the retries, or an unreadable answer.
        """
        what = f"create an issue in {self.target}"
        body = request.body.rstrip()
        if request.due is not None:
            body = f"{body}\n\nDue: {request.due.isoformat()}" if body else f"Due: {request.due.isoformat()}"
        payload: dict[str, Any] = {"title": request.title, "body": body, "labels": list(request.labels)}
        warnings: list[str] = []
        login: str | None = None
        if request.assignee is not None and request.assignee.strip():
            login = self._assignable_login(request.assignee)
            if login is None:
                warnings.append(
                    f"owner '{request.assignee.strip()}' is not an assignable GitHub login in "
                    f"{self.target}; the issue was left unassigned"
                )
            else:
                payload["assignees"] = [login]
        issue = _json_object(
            self.session.request("POST", f"/repos/{self.target}/issues", what=what, idempotent=False, json=payload),
            what,
            created=True,
        )
        if login is not None and login.lower() not in _logins(issue.get("assignees")):
            warnings.append(
                f"GitHub did not assign '{login}' in {self.target} (the token may lack push access); "
                "the issue is unassigned"
            )
        returned_labels = _names(issue.get("labels"))
        dropped = [label for label in request.labels if label.lower() not in returned_labels]
        if dropped:
            warnings.append(
                f"GitHub dropped the label(s) {', '.join(dropped)} in {self.target} (the token may lack push access)"
            )
        return self._remote(issue, what, f"{self.target}#", tuple(warnings))

    def fetch(self, ref: str) -> RemoteIssue:
        """Read issue `ref` ("owner/repo#N"): its state, whether it was closed as not planned, and who closed it.

        A transferred issue is followed to its new repository (GitHub answers 301) and reported under its new ref.

        Raises:
            TrackerTargetNotFound: `ref` is not "owner/repo#N", or the issue or repository is not visible (404/410).
            TrackerAuthFailed, TrackerRejected, TrackerUnavailable: as for `create`.
        """
        match = _REF.fullmatch(ref.strip())
        if match is None or match.group(2) in (".", ".."):
            raise TrackerTargetNotFound(f"{ref!r} is not a GitHub issue ref (expected owner/repo#number)")
        owner, repo, number = match.groups()
        what = f"read issue {owner}/{repo}#{number}"
        issue = _json_object(
            self.session.request("GET", f"/repos/{owner}/{repo}/issues/{number}", what=what), what, created=False
        )
        if issue.get("pull_request") is not None:
            raise TrackerTargetNotFound(f"{owner}/{repo}#{number} is a pull request, not an issue")
        return self._remote(issue, what, None, ())

    def ref_from_url(self, url: str) -> str | None:
        """ "owner/repo#N" for an issue page URL on this GitHub host, or None (pull requests, other hosts, others)."""
        try:
            parts = urlsplit(url.strip())
        except ValueError:
            return None
        host = parts.netloc.lower()  # exactly the pages' host: no credentials, no other port
        hosts = {self.host, f"www.{self.host}"} if self.host == "github.com" else {self.host}
        if parts.scheme not in ("https", "http") or host not in hosts:
            return None
        match = _ISSUE_PATH.fullmatch(parts.path)
        if match is None or match.group(2) in (".", ".."):
            return None
        owner, repo, number = match.groups()
        return f"{owner}/{repo}#{number}"

    def identity(self) -> TrackerIdentity:
        """The account the token acts as (`GET /user`), asked on first use and then remembered.

        A GitHub App installation token has no user (GitHub answers 403 there); it is recognised by GitHub
        listing the installation's repositories for it, and acts as the app's bot account.

        Raises:
            TrackerAuthFailed: GitHub refused the token (and it is not an installation token).
            TrackerUnavailable: GitHub could not be reached, or answered without the account's login and id.
            TrackerError: any other failure of the lookup.
        """
        if self._identity is None:
            what = "look up the account this token belongs to"
            try:
                user = _json_object(self.session.request("GET", "/user", what=what), what, created=False)
            except TrackerAuthFailed:
                if not self._is_installation():
                    raise
                self._identity = TrackerIdentity(name="this GitHub App's bot account", id=None)
                return self._identity
            login, number = user.get("login"), user.get("id")
            if not isinstance(login, str) or not login or not isinstance(number, int) or isinstance(number, bool):
                raise TrackerUnavailable(f"github answered without the account's login and id while trying to {what}")
            self._identity = TrackerIdentity(name=login, id=str(number))
        return self._identity

    def _is_installation(self) -> bool:
        """Whether the token is a GitHub App installation token (only those may list the installation's
        repositories)."""
        try:
            self.session.request(
                "GET",
                "/installation/repositories",
                params={"per_page": 1},
                what="check whether the token belongs to a GitHub App installation",
            )
        except TrackerError:
            return False
        return True

    def _assignable_login(self, owner: str) -> str | None:
        """The login to assign for an owner as the human wrote it, or None when GitHub says it cannot be assigned.

        Raises:
            TrackerError: any failure of the check other than GitHub's 404 "not assignable".
        """
        login = owner.strip().removeprefix("@")
        if not _LOGIN.fullmatch(login):
            return None
        try:
            self.session.request(
                "GET",
                f"/repos/{self.target}/assignees/{login}",
                what=f"check whether '{login}' can be assigned issues in {self.target}",
            )
        except TrackerTargetNotFound:
            return None  # 404: not assignable (or the repository is missing, which the create then reports)
        return login

    def _remote(
        self, issue: dict[str, Any], what: str, ref_prefix: str | None, warnings: tuple[str, ...]
    ) -> RemoteIssue:
        """A `RemoteIssue` from GitHub's issue JSON. Its ref comes from the page URL GitHub gives; when that URL is
        not an issue page on this host, `ref_prefix` and the number stand in (for an issue just filed), or with
        None the URL itself does, which no configured target matches (an issue read back might live anywhere).

        Raises:
            TrackerUnavailable: the JSON lacks the number, page URL or state.
        """
        number, url, state = issue.get("number"), issue.get("html_url"), issue.get("state")
        if not isinstance(number, int) or not isinstance(url, str) or not isinstance(state, str):
            raise TrackerUnavailable(f"github answered without an issue number, URL or state while trying to {what}")
        closed = state == "closed"
        login, user_id = _person(issue.get("closed_by")) if closed else (None, None)
        closed_at = parse_timestamp(issue.get("closed_at")) if closed else None
        fallback = f"{ref_prefix}{number}" if ref_prefix is not None else url
        return RemoteIssue(
            ref=self.ref_from_url(url) or fallback,
            url=url,
            state=state,
            closed=closed,
            # a duplicate is not this item's work done: it is reported like "not planned"
            not_planned=closed and issue.get("state_reason") in ("not_planned", "duplicate"),
            closed_by=login,
            warnings=warnings,
            closed_at=closed_at,
            closed_by_id=user_id,
        )


def _person(user: object) -> tuple[str | None, str | None]:
    """(login, user id) of a GitHub user object that is a person, else (None, None).

    Only `type: "User"` is a person: a bot or an app (a stale workflow, an automation), an organization, a
    mannequin or a user whose type GitHub did not give decides nothing. A "[bot]" login is a bot whatever its type.
    """
    if not isinstance(user, dict) or user.get("type") != "User":
        return None, None
    login, number = user.get("login"), user.get("id")
    if (
        not isinstance(login, str)
        or not login
        or login.endswith("[bot]")
        or not isinstance(number, int)
        or isinstance(number, bool)
    ):
        return None, None
    return login, str(number)


def _json_object(response: httpx2.Response, what: str, *, created: bool) -> dict[str, Any]:
    """The JSON object a successful response carries.

    Raises:
        TrackerUnavailable: the body is not a JSON object (e.g. a proxy's HTML page).
    """
    try:
        data = response.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        maybe = " The issue may have been created; check the repository before trying again." if created else ""
        raise TrackerUnavailable(
            f"github answered {response.status_code} with something other than an issue while trying to {what}.{maybe}"
        )
    return data


def _logins(users: object) -> set[str]:
    """Lower-cased logins of a list of GitHub user objects."""
    items = users if isinstance(users, list) else []
    return {u["login"].lower() for u in items if isinstance(u, dict) and isinstance(u.get("login"), str)}


def _names(labels: object) -> set[str]:
    """Lower-cased names of a list of GitHub label objects (or plain names)."""
    items = labels if isinstance(labels, list) else []
    names = (label.get("name") if isinstance(label, dict) else label for label in items)
    return {name.lower() for name in names if isinstance(name, str)}


def connect_github(
    config: TrackerConfig, *, transport: httpx2.BaseTransport | None = None, sleep: Sleep = time.sleep
) -> GitHubAdapter:
    """A `GitHubAdapter` on a new httpx2 client authenticated with `config.token`.

    `transport` replaces the network (tests pass `httpx2.MockTransport`); `sleep` is the session's backoff
    sleep. Redirects are followed: GitHub answers 301/307 for renamed repositories and transferred issues,
    and httpx2 drops the Authorization header on any redirect to another origin.

    Raises:
        TrackerNotConfigured: no token, or a target or base URL the adapter cannot use.
    """
    if not config.token.strip():
        raise TrackerNotConfigured("no GitHub token is configured")
    client = httpx2.Client(
        base_url=config.base_url,
        headers={
            "Authorization": f"Bearer {config.token.strip()}",
            "Accept": MEDIA_TYPE,
            "X-GitHub-Api-Version": API_VERSION,
            "User-Agent": "postmortem-actions",
        },
        timeout=20,
        transport=transport,
        follow_redirects=True,
    )
    try:
        return GitHubAdapter(config, Session("github", client, sleep=sleep))
    except TrackerNotConfigured:
        client.close()
        raise
