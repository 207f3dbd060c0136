"""Linear: file an issue in a team and read it back, through Linear's GraphQL API.

Every call is one `POST {base_url}/graphql` with a JSON `{"query", "variables"}` body, sent through the
shared `Session` (retries, `Retry-After`, domain errors). Personal API keys go in the `Authorization`
header as they are, without "Bearer". Linear reports most failures as GraphQL `errors` in a 200 answer
and some (authentication, bad variables) with HTTP 400; both forms map onto the same domain errors here.
"""

from __future__ import annotations

import re
import time
from collections.abc import Generator
from dataclasses import replace
from typing import Any

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
    TrackerRejected,
    TrackerTargetNotFound,
    TrackerUnavailable,
)
from postmortem_actions.tools.trackers.session import Session

_TEAM = "query Team($filter: TeamFilter) { teams(filter: $filter) { nodes { id key name } } }"
_USERS = "query Users($filter: UserFilter) { users(filter: $filter) { nodes { id name displayName email active } } }"
_LABELS = "query Labels($filter: IssueLabelFilter) { issueLabels(filter: $filter) { nodes { id name team { id } } } }"
_CREATE = (
    "mutation IssueCreate($input: IssueCreateInput!) { issueCreate(input: $input) { success "
    "issue { id identifier url state { name type } } } }"
)
_VIEWER = "query Viewer { viewer { id name displayName email } }"
_HISTORY = (
    "history(first: 100, after: $after) { nodes { createdAt actor { id name displayName app } "
    "botActor { id type name } toState { id name type } } pageInfo { hasNextPage endCursor } }"
)
_ISSUE = (
    "query Issue($id: String!, $after: String) { issue(id: $id) { identifier url state { id name type } "
    f"completedAt canceledAt {_HISTORY} }} }}"
)
HISTORY_PAGES = 5  # at most 500 history entries are read to find who closed an issue
_ISSUE_URL = re.compile(r"https?://linear\.app/[\w.-]+/issue/([A-Za-z][A-Za-z0-9]*-\d+)(?:[/?#].*)?", re.ASCII)


def graphql_failure(errors: list[Any], what: str, secret: str = "") -> TrackerError:
    """The domain error (returned, not raised) for Linear's GraphQL `errors`, whatever the HTTP status:
    TrackerUnavailable for RATELIMITED, TrackerAuthFailed for authentication or permission errors,
    TrackerTargetNotFound for "Entity not found", else TrackerRejected with Linear's message (`secret` blanked)."""
    first = next((e for e in errors if isinstance(e, dict)), {})
    ext = _obj(first.get("extensions"))
    code, kind = str(ext.get("code", "")).upper(), str(ext.get("type", "")).lower()
    message, shown = str(first.get("message") or ""), ext.get("userPresentableMessage")
    detail = message if not isinstance(shown, str) or shown in message else f"{message} ({shown})"
    detail = " ".join((detail.replace(secret, "***") if secret else detail).split())[:300] or "no message"
    if code == "RATELIMITED" or kind == "ratelimited":
        return TrackerUnavailable(
            f"linear is rate-limiting requests while trying to {what}: {detail}. Nothing more was sent; try again later"
        )
    if code in ("AUTHENTICATION_ERROR", "FORBIDDEN") or kind in ("authentication error", "forbidden"):
        return TrackerAuthFailed(
            f"linear refused the credentials while trying to {what}: {detail}. Check the API "
            "key (a personal key is sent without 'Bearer') and its access to the team"
        )
    if message.lower().startswith("entity not found"):
        return TrackerTargetNotFound(
            f"linear found nothing while trying to {what}: {detail}. Check the team key "
            "and the issue identifier, and that the API key can see them"
        )
    return TrackerRejected(f"linear refused the request while trying to {what}: {detail}")


def _obj(value: Any) -> dict[str, Any]:
    """`value` when it is a JSON object, else an empty one."""
    return value if isinstance(value, dict) else {}


def _nodes(connection: Any) -> list[dict[str, Any]]:
    """The object nodes of a GraphQL connection (`{"nodes": [...]}`); [] for anything else."""
    nodes = _obj(connection).get("nodes")
    return [n for n in nodes if isinstance(n, dict)] if isinstance(nodes, list) else []


def _body(response: httpx2.Response) -> dict[str, Any]:
    """The response's JSON object, or {} when the body is not one."""
    try:
        return _obj(response.json())
    except ValueError:
        return {}


def _errors_of(response: httpx2.Response) -> list[Any] | None:
    """The GraphQL `errors` list of a response body, or None when there is none (or no JSON)."""
    errors = _body(response).get("errors")
    return errors if isinstance(errors, list) and errors else None


class _GraphQLErrorsOn400(httpx2.Auth):
    """A per-request hook (it adds no header) that maps a 400 carrying GraphQL errors like the 200 form, before
    the session would turn it into a generic refusal."""

    requires_response_body = True

    def __init__(self, what: str, secret: str) -> None:
        self.what = what
        self._secret = secret

    def auth_flow(self, request: httpx2.Request) -> Generator[httpx2.Request, httpx2.Response, None]:
        """Send the request unchanged; raise the mapped `TrackerError` for a 400 with GraphQL errors."""
        response = yield request
        errors = _errors_of(response) if response.status_code == 400 else None
        if errors:
            raise graphql_failure(errors, self.what, self._secret)


class LinearAdapter:
    """Files issues in the Linear team whose key is `config.target` and reads them back.

    Raises only `TrackerError` subclasses. The API key stays in the session's headers; it is in no message
    and not in this object's repr.
    """

    name: TrackerName = "linear"

    def __init__(self, config: TrackerConfig, session: Session) -> None:
        self.config = config
        self.session = session
        self._team_id: str | None = None
        self._identity: TrackerIdentity | None = None

    def close(self) -> None:
        """Release the HTTP connections."""
        self.session.client.close()

    def __repr__(self) -> str:
        return f"LinearAdapter(base_url={self.config.base_url!r}, team={self.config.target!r})"

    def graphql(self, query: str, variables: dict[str, Any], *, what: str, mutation: bool = False) -> dict[str, Any]:
        """POST one GraphQL operation and return its `data` object.

        Raises the session's errors for HTTP failures, `graphql_failure`'s for GraphQL `errors` (HTTP 200 or
        400), and TrackerUnavailable for an answer without a GraphQL `data` object.
        """
        response = self.session.request(
            "POST",
            "/graphql",
            json={"query": query, "variables": variables},
            what=what,
            idempotent=not mutation,
            auth=_GraphQLErrorsOn400(what, self.config.token),
        )
        errors = _errors_of(response)
        if errors:
            raise graphql_failure(errors, what, self.config.token)
        data = _body(response).get("data")
        if not isinstance(data, dict):
            raise TrackerUnavailable(f"linear answered without GraphQL data while trying to {what}; try again later")
        return data

    def create(self, request: TicketRequest) -> RemoteIssue:
        """File `request` in the team; an unknown owner or label is left out with a warning, never created.

        Raises:
            TrackerTargetNotFound: no team has the configured key (or the API key cannot see it).
            TrackerRejected: Linear refused a field (its message is included).
            TrackerAuthFailed, TrackerUnavailable: see `graphql`.
        """
        team_id = self._team()
        warnings: list[str] = []
        fields: dict[str, Any] = {"teamId": team_id, "title": request.title, "description": request.body}
        who = (request.assignee or "").strip().lstrip("@").strip()
        if who and (assignee_id := self._assignee(who, warnings)):
            fields["assigneeId"] = assignee_id
        if request.labels and (label_ids := self._labels(team_id, request.labels, warnings)):
            fields["labelIds"] = label_ids
        if request.due:
            fields["dueDate"] = request.due.isoformat()
        what = f"create an issue in team {self.config.target}"
        payload = _obj(self.graphql(_CREATE, {"input": fields}, what=what, mutation=True).get("issueCreate"))
        issue = _obj(payload.get("issue")) if payload.get("success") else {}
        if not issue.get("identifier"):
            raise TrackerRejected(f"linear did not create the issue while trying to {what} (success was false)")
        return self._remote(issue, warnings=tuple(warnings))

    def fetch(self, ref: str) -> RemoteIssue:
        """Read issue `ref` ("ENG-42" or Linear's id): its state, and who completed or canceled it.

        Raises:
            TrackerTargetNotFound: no such issue, or the API key cannot see it.
            TrackerAuthFailed, TrackerRejected, TrackerUnavailable: see `graphql`.
        """
        what = f"read issue {ref}"
        issue = _obj(self.graphql(_ISSUE, {"id": ref}, what=what).get("issue"))
        if not issue.get("identifier"):
            raise TrackerTargetNotFound(f"linear found nothing while trying to {what}; check the identifier")
        remote = self._remote(issue)
        if not remote.closed:
            return remote
        changes, complete = self._state_changes(ref, _obj(issue.get("history")), what)
        return closer_of(remote, _obj(issue.get("state")), changes, complete)

    def identity(self) -> TrackerIdentity:
        """The user the API key belongs to (the `viewer`), asked on first use and remembered.

        Raises:
            TrackerUnavailable: Linear could not be reached, or answered without the user's id.
            TrackerAuthFailed, TrackerError: see `graphql`.
        """
        if self._identity is None:
            what = "look up the user this API key belongs to"
            viewer = _obj(self.graphql(_VIEWER, {}, what=what).get("viewer"))
            user_id, name = viewer.get("id"), viewer.get("name") or viewer.get("displayName")
            if not isinstance(user_id, str) or not user_id:
                raise TrackerUnavailable(f"linear answered without the user's id while trying to {what}")
            self._identity = TrackerIdentity(name=str(name) if name else user_id, id=user_id)
        return self._identity

    def _state_changes(self, ref: str, history: dict[str, Any], what: str) -> tuple[list[dict[str, Any]], bool]:
        """The issue's state changes read (any order) and whether they include its newest one.

        Linear does not document the order of an issue's history, so it is worked out from the entries: a first
        page that runs newest to oldest holds the newest change; otherwise pages are read on, at most
        `HISTORY_PAGES`, until there are no more.
        """
        nodes = _nodes(history)
        stamps = [str(n.get("createdAt") or "") for n in nodes]
        for _ in range(HISTORY_PAGES - 1):
            info = _obj(history.get("pageInfo"))
            if info.get("hasNextPage") is not True or (len(stamps) > 1 and stamps[0] > stamps[-1]):
                break
            history = _obj(
                _obj(self.graphql(_ISSUE, {"id": ref, "after": info.get("endCursor")}, what=what).get("issue")).get(
                    "history"
                )
            )
            nodes += _nodes(history)
        descending = len(stamps) > 1 and stamps[0] > stamps[-1]
        complete = descending or _obj(history.get("pageInfo")).get("hasNextPage") is not True
        return [n for n in nodes if _obj(n.get("toState"))], complete

    def ref_from_url(self, url: str) -> str | None:
        """ "ENG-42" for https://linear.app/<workspace>/issue/ENG-42/<slug>, None for any other URL."""
        match = _ISSUE_URL.fullmatch(url.strip())
        return match.group(1).upper() if match else None

    def _team(self) -> str:
        """The id of the configured team (looked up once). Raises TrackerTargetNotFound when there is none."""
        if self._team_id is None:
            key = self.config.target.strip().upper()
            data = self.graphql(_TEAM, {"filter": {"key": {"eq": key}}}, what=f"look up team {key}")
            team = next((t for t in _nodes(data.get("teams")) if t.get("key") == key and t.get("id")), None)
            if team is None:
                raise TrackerTargetNotFound(
                    f"linear has no team with key '{key}' that this API key can see. Check "
                    "the configured team key (Settings → Teams) and the key's access"
                )
            self._team_id = str(team["id"])
        return self._team_id

    def _assignee(self, who: str, warnings: list[str]) -> str | None:
        """The id of the one active user whose email, display name or name is `who` (any case), or None."""
        wanted = who.casefold()
        filt = {"or": [{f: {"eqIgnoreCase": who}} for f in ("email", "displayName", "name")]}
        data = self.graphql(_USERS, {"filter": filt}, what=f"find the Linear user for owner '{who}'")
        users = [u for u in _nodes(data.get("users")) if u.get("active") and u.get("id")]
        for field in ("email", "displayName", "name"):
            matches = [u for u in users if str(u.get(field) or "").casefold() == wanted]
            if len(matches) == 1:
                return str(matches[0]["id"])
            if matches:
                warnings.append(f"owner '{who}' matches {len(matches)} Linear users; left unassigned")
                return None
        warnings.append(f"owner '{who}' matches no active Linear user; left unassigned")
        return None

    def _labels(self, team_id: str, names: list[str], warnings: list[str]) -> list[str]:
        """Ids of the existing team or workspace labels named in `names` (any case); the rest get a warning."""
        wanted = list(dict.fromkeys(n.strip() for n in names if n.strip()))
        if not wanted:
            return []
        filt = {
            "and": [
                {"or": [{"name": {"eqIgnoreCase": n}} for n in wanted]},
                {"or": [{"team": {"id": {"eq": team_id}}}, {"team": {"null": True}}]},
            ]
        }
        data = self.graphql(_LABELS, {"filter": filt}, what=f"look up labels in team {self.config.target}")
        found: dict[str, str] = {}
        for label in sorted(
            (n for n in _nodes(data.get("issueLabels")) if n.get("id")), key=lambda n: not n.get("team")
        ):  # the team's own labels before workspace labels
            found.setdefault(str(label.get("name") or "").casefold(), str(label["id"]))
        warnings.extend(
            f"label '{n}' does not exist in Linear team {self.config.target}; skipped (labels are not created)"
            for n in wanted
            if n.casefold() not in found
        )
        return list(dict.fromkeys(found[n.casefold()] for n in wanted if n.casefold() in found))

    @staticmethod
    def _remote(issue: dict[str, Any], warnings: tuple[str, ...] = ()) -> RemoteIssue:
        """A RemoteIssue from an issue object: completed and canceled are closed; canceled is also not_planned."""
        state = _obj(issue.get("state"))
        kind = state.get("type")
        return RemoteIssue(
            ref=str(issue.get("identifier")),
            url=str(issue.get("url") or ""),
            state=str(state.get("name") or kind or "unknown"),
            closed=kind in ("completed", "canceled"),
            not_planned=kind == "canceled",
            warnings=warnings,
        )


def _same_state(one: dict[str, Any], other: dict[str, Any]) -> bool:
    """Whether two workflow states are the same one (by id when both have one, else by name and type)."""
    if one.get("id") and other.get("id"):
        return bool(one["id"] == other["id"])
    return (one.get("name"), one.get("type")) == (other.get("name"), other.get("type"))


def closer_of(remote: RemoteIssue, state: dict[str, Any], changes: list[dict[str, Any]], complete: bool) -> RemoteIssue:
    """`remote` with who closed it: the actor of the newest state change, when that change led to the state the
    issue is in and was made by a person. An automation (no actor), an integration (`botActor`, e.g. GitHub
    closing it when a pull request merged) or an application's user is nobody. When that change is not among
    the entries read, or led elsewhere, nobody is named and `closer_unknown` says why."""
    if not complete:
        return replace(
            remote,
            closer_unknown=f"the state change that closed it is not among the "
            f"{HISTORY_PAGES * 100} history entries read (Linear has more)",
        )
    latest = max(changes, key=lambda n: str(n.get("createdAt") or ""), default=None)
    if latest is None:
        return replace(remote, closer_unknown="its history has no state change that says who closed it")
    to_state = _obj(latest.get("toState"))
    if not _same_state(to_state, state):
        return replace(
            remote,
            closer_unknown=f"its latest state change in the history is to "
            f"{to_state.get('name') or to_state.get('type')}, not to {remote.state}",
        )
    actor = _obj(latest.get("actor"))
    name, user_id = actor.get("name") or actor.get("displayName"), actor.get("id")
    closed_at = parse_timestamp(latest.get("createdAt"))
    if latest.get("botActor") or actor.get("app") is not False or not name or not isinstance(user_id, str):
        return replace(remote, closed_at=closed_at)
    return replace(remote, closed_by=str(name), closed_by_id=user_id, closed_at=closed_at)


def connect_linear(
    config: TrackerConfig, *, transport: httpx2.BaseTransport | None = None, sleep: Sleep = time.sleep
) -> LinearAdapter:
    """A LinearAdapter on a new httpx2 client for `config` (a `transport` replaces the network in tests)."""
    client = httpx2.Client(
        base_url=config.base_url,
        headers={"Authorization": config.token, "Content-Type": "application/json", "User-Agent": "postmortem-actions"},
        timeout=20,
        transport=transport,
    )
    return LinearAdapter(config, Session("linear", client, sleep=sleep))
