"""A fake of Linear's GraphQL endpoint, for `httpx2.MockTransport`, that checks requests the way Linear does.

    fake = FakeLinear()                                  # workspace "acme", API key `API_KEY`
    adapter = connect_linear(config, transport=fake.transport(), sleep=slept.append)

It keeps teams (ENG, OPS, each with Linear's five workflow states), users, labels and issues (with their
state history) in memory. It accepts only `POST /graphql` with a JSON body holding a `query` string and an
`Authorization` header equal to the API key ("Bearer <key>" is refused, as Linear refuses it for personal
keys), checks that variables are declared and required ones provided, as a GraphQL server does, and answers
the operations the Linear adapter uses, recognised by their root field: `teams(filter: $f)`, `users(filter: $f)`,
`issueLabels(filter: $f)`, `issueCreate(input: $i)`, `issue(id: ...)` and `viewer` (the API key's own user,
"Postmortem Bot"). Filters are evaluated (eq, in, eqIgnoreCase, null, and/or, nested team); fields that do not
occur in the query text are left out of the answer, so an adapter reading a field it did not select sees it
missing. An issue's `history(first: N, after: $cursor)` is paged with `pageInfo`, newest first (set
`history_newest_first = False` for the other order: Linear does not document it); each entry has `actor` (null
for an automation) and `botActor` (set when an integration made the change).

Knobs: `queue()` canned answers (responses or exceptions, one per request, before anything else), the
canned-response builders (`too_many_requests`, `ratelimited`, `auth_error`, `graphql_error`,
`bad_gateway`), `complete()` / `cancel()` / `move()` an issue as a given user or integration, `transfer()` it
to another team, `add_user()` / `add_label()` / `add_issue()`, `viewer` (the key's user), `auth_error_status`
(400, or 200), and `requests`, the record of every request.
"""

from __future__ import annotations

import json
import re
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx2

API_KEY = "lin_api_FAKEk3y0123456789abcdefghijklmnopqrstuv"
STATES: tuple[tuple[str, str], ...] = (
    ("Backlog", "backlog"),
    ("Todo", "unstarted"),
    ("In Progress", "started"),
    ("Done", "completed"),
    ("Canceled", "canceled"),
)
_CREATE_FIELDS = {
    "teamId",
    "title",
    "description",
    "assigneeId",
    "dueDate",
    "labelIds",
    "priority",
    "stateId",
    "projectId",
    "cycleId",
    "parentId",
    "estimate",
    "subscriberIds",
    "id",
}
_COMPARATORS = {"eq", "neq", "in", "nin", "eqIgnoreCase", "neqIgnoreCase", "null"}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _id(kind: str, name: str) -> str:
    """A stable UUID for a fake entity, shaped like Linear's ids."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"https://linear.app/fake/{kind}/{name}"))


@dataclass
class State:
    """A workflow state; `type` is Linear's: backlog, unstarted, started, completed, canceled (or triage)."""

    id: str
    name: str
    type: str


@dataclass
class Team:
    """A team: its key prefixes issue identifiers ("ENG-1")."""

    id: str
    key: str
    name: str
    states: list[State]
    issue_count: int = 0


@dataclass
class User:
    """A workspace member; `active` False is a deactivated account."""

    id: str
    name: str
    display_name: str
    email: str
    active: bool = True
    app: bool = False  # an OAuth application's user, not a person


@dataclass
class Label:
    """An issue label; `team_id` None is a workspace label usable in every team."""

    id: str
    name: str
    team_id: str | None


@dataclass
class HistoryEntry:
    """One state change of an issue, by `actor` (None: done by an automation), or by an integration (`bot`,
    e.g. {"type": "github", "name": "GitHub"})."""

    id: str
    created_at: str
    actor: User | None
    from_state: State | None
    to_state: State
    bot: dict[str, Any] | None = None


@dataclass
class Issue:
    """An issue as the fake stores it."""

    id: str
    identifier: str
    team: Team
    title: str
    description: str | None
    state: State
    url: str
    created_at: str
    assignee: User | None = None
    due_date: str | None = None
    labels: list[Label] = field(default_factory=list)
    completed_at: str | None = None
    canceled_at: str | None = None
    history: list[HistoryEntry] = field(default_factory=list)
    previous_identifiers: list[str] = field(default_factory=list)


@dataclass
class Call:
    """One request as the fake received it; `operation` is the root field it recognised, if any."""

    method: str
    path: str
    headers: httpx2.Headers
    body: dict[str, Any] | None
    operation: str | None = None

    @property
    def query(self) -> str:
        """The GraphQL document sent ("" when there was none)."""
        return str((self.body or {}).get("query") or "")

    @property
    def variables(self) -> dict[str, Any]:
        """The GraphQL variables sent ({} when there were none)."""
        variables = (self.body or {}).get("variables")
        return variables if isinstance(variables, dict) else {}


class _GraphQLError(Exception):
    """Raised inside the fake to answer with a GraphQL error body."""

    def __init__(self, response: httpx2.Response) -> None:
        super().__init__("graphql error")
        self.response = response


class FakeLinear:
    """In-memory Linear GraphQL API; call it with an `httpx2.Request`, or use `transport()`.

    `api_key` is the only accepted `Authorization` value; `workspace` is the URL key in issue URLs
    (https://linear.app/<workspace>/issue/ENG-1/<slug>). Seeded: teams ENG and OPS; users dana (Dana Scully,
    dana@acme.test), fox (Fox Mulder), and the deactivated skinner; labels "Postmortem" and "Reliability"
    in ENG, "Backend" in OPS, and the workspace label "Incident".
    """

    auth_error_status = 400  # Linear answers authentication errors with 400; set 200 for the other form
    history_newest_first = True  # the order history pages come in

    def __init__(self, api_key: str = API_KEY, *, workspace: str = "acme") -> None:
        self.api_key = api_key
        self.workspace = workspace
        self.teams: dict[str, Team] = {}
        self.users: list[User] = []
        self.labels: list[Label] = []
        self.issues: dict[str, Issue] = {}
        self.requests: list[Call] = []
        self._queue: deque[httpx2.Response | Exception] = deque()
        self._clock = datetime.now(UTC).replace(microsecond=0)  # real time: closes compare with our decisions
        for key, name in (("ENG", "Engineering"), ("OPS", "Operations")):
            states = [State(_id("state", f"{key}/{n}"), n, t) for n, t in STATES]
            self.teams[key] = Team(_id("team", key), key, name, states)
        self.add_user("Dana Scully", "dana", "dana@acme.test")
        self.add_user("Fox Mulder", "fox", "fox@acme.test")
        self.add_user("Walter Skinner", "skinner", "skinner@acme.test", active=False)
        self.viewer = self.add_user("Postmortem Bot", "postmortem-bot", "postmortem-bot@acme.test")
        for label, team in (("Postmortem", "ENG"), ("Reliability", "ENG"), ("Backend", "OPS"), ("Incident", None)):
            self.add_label(label, team)

    # -- knobs -------------------------------------------------------------------------------------------

    def transport(self) -> httpx2.MockTransport:
        """An httpx2 transport answered by this fake."""
        return httpx2.MockTransport(self)

    def queue(self, *answers: httpx2.Response | Exception) -> None:
        """Answer the next requests with these, in order (an exception is raised, as the network would)."""
        self._queue.extend(answers)

    def add_user(self, name: str, display_name: str, email: str, *, active: bool = True, app: bool = False) -> User:
        """Add a workspace member (`app`: an OAuth application's user)."""
        user = User(_id("user", email), name, display_name, email, active, app)
        self.users.append(user)
        return user

    def add_label(self, name: str, team: str | None) -> Label:
        """Add a label to team key `team`, or to the workspace when `team` is None."""
        label = Label(_id("label", f"{team}/{name}"), name, self.teams[team].id if team else None)
        self.labels.append(label)
        return label

    def add_issue(self, team: str, title: str, *, description: str | None = None) -> Issue:
        """File an issue directly (as if made in Linear's app); it starts in Backlog."""
        owner = self.teams[team]
        owner.issue_count += 1
        identifier = f"{owner.key}-{owner.issue_count}"
        slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60] or "issue"
        issue = Issue(
            _id("issue", identifier),
            identifier,
            owner,
            title,
            description,
            owner.states[0],
            f"https://linear.app/{self.workspace}/issue/{identifier}/{slug}",
            self._tick(),
        )
        self.issues[identifier] = issue
        return issue

    def move(self, ref: str, state: str, *, by: str | None, bot: dict[str, Any] | None = None) -> None:
        """Move issue `ref` to the state named `state` as user `by` (display name, name or email; None: an
        automation) or through an integration (`bot`, Linear's botActor), recording it in the issue's history
        and setting completedAt/canceledAt like Linear."""
        issue = self.issues[ref]
        target = next(s for s in issue.team.states if s.name == state)
        actor = None if by is None else next(u for u in self.users if by in (u.display_name, u.name, u.email))
        now = self._tick()
        issue.history.append(HistoryEntry(_id("history", f"{ref}/{now}"), now, actor, issue.state, target, bot))
        issue.state = target
        issue.completed_at = now if target.type == "completed" else None
        issue.canceled_at = now if target.type == "canceled" else None

    def complete(self, ref: str, *, by: str | None, bot: dict[str, Any] | None = None) -> None:
        """Move issue `ref` to Done as `by` (or through the integration `bot`)."""
        self.move(ref, "Done", by=by, bot=bot)

    def cancel(self, ref: str, *, by: str | None) -> None:
        """Move issue `ref` to Canceled as `by`."""
        self.move(ref, "Canceled", by=by)

    def transfer(self, ref: str, team: str) -> str:
        """Move issue `ref` to another team: it gets that team's next identifier (the old one still finds it, as
        in Linear) and the state of the same name there. Returns the new identifier."""
        issue = self.issues.pop(ref)
        owner = self.teams[team]
        owner.issue_count += 1
        issue.previous_identifiers.append(issue.identifier)
        issue.identifier, issue.team = f"{owner.key}-{owner.issue_count}", owner
        issue.state = next(s for s in owner.states if s.name == issue.state.name)
        issue.url = f"https://linear.app/{self.workspace}/issue/{issue.identifier}/{issue.url.rsplit('/', 1)[-1]}"
        self.issues[issue.identifier] = issue
        return issue.identifier

    def calls(self, operation: str) -> list[Call]:
        """The recorded requests for one operation ("teams", "users", "issueLabels", "issueCreate", "issue")."""
        return [c for c in self.requests if c.operation == operation]

    # -- canned answers ----------------------------------------------------------------------------------

    @staticmethod
    def graphql_error(
        message: str,
        *,
        code: str,
        type: str,
        status: int = 200,
        presentable: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx2.Response:
        """A response carrying one GraphQL error shaped like Linear's (`extensions.type`, `.code`...)."""
        extensions: dict[str, Any] = {"type": type, "code": code, "statusCode": status, "userError": True}
        if presentable:
            extensions["userPresentableMessage"] = presentable
        return httpx2.Response(
            status, headers=headers, json={"errors": [{"message": message, "extensions": extensions}]}
        )

    @staticmethod
    def auth_error(status: int = 400, message: str = "Authentication required, not authenticated") -> httpx2.Response:
        """Linear's answer to a missing or wrong API key."""
        return FakeLinear.graphql_error(
            message,
            code="AUTHENTICATION_ERROR",
            type="authentication error",
            status=status,
            presentable="You need to authenticate to access this operation.",
        )

    @staticmethod
    def ratelimited(status: int = 400) -> httpx2.Response:
        """Linear's RATELIMITED GraphQL error (no Retry-After)."""
        return FakeLinear.graphql_error(
            "Rate limit exceeded",
            code="RATELIMITED",
            type="ratelimited",
            status=status,
            presentable="You have exceeded the API rate limit. Try again later.",
        )

    @staticmethod
    def too_many_requests(retry_after: str = "2") -> httpx2.Response:
        """HTTP 429 with a Retry-After header and Linear's rate-limit headers."""
        response = FakeLinear.ratelimited(status=429)
        response.headers.update({"Retry-After": retry_after, "X-RateLimit-Requests-Remaining": "0"})
        return response

    @staticmethod
    def bad_gateway() -> httpx2.Response:
        """An HTML 502 from the load balancer in front of the API."""
        return httpx2.Response(502, headers={"Content-Type": "text/html"}, text="<html><h1>502 Bad Gateway</h1></html>")

    # -- the endpoint ------------------------------------------------------------------------------------

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        """Answer one request like api.linear.app would."""
        try:
            body = json.loads(request.content) if request.content else None
        except ValueError:
            body = None
        call = Call(request.method, request.url.path, request.headers, body if isinstance(body, dict) else None)
        self.requests.append(call)
        if self._queue:
            answer = self._queue.popleft()
            if isinstance(answer, Exception):
                raise answer
            return answer
        if request.url.path != "/graphql":
            return httpx2.Response(404, text="Not Found")
        if request.method != "POST":
            return httpx2.Response(405, headers={"Allow": "POST"}, text="Method Not Allowed")
        auth = request.headers.get("Authorization", "")
        if auth != self.api_key:
            message = (
                "It looks like you're trying to use an API key as a Bearer token. Remove the Bearer prefix "
                "from the Authorization header."
                if auth.lower().startswith("bearer ")
                else "Authentication required, not authenticated"
            )
            return self.auth_error(self.auth_error_status, message)
        try:
            if not request.headers.get("Content-Type", "").startswith("application/json") or call.body is None:
                raise _GraphQLError(self._invalid("POST body sent invalid JSON or no application/json content type"))
            query = call.body.get("query")
            if not isinstance(query, str) or not query.strip():
                raise _GraphQLError(self._invalid("Must provide query string."))
            variables = call.body.get("variables") or {}
            if not isinstance(variables, dict):
                raise _GraphQLError(
                    self._invalid("Variables must be provided as an Object where each property is a variable value.")
                )
            call.operation = _operation(query)
            self._check_variables(query, variables)
            data = self._execute(call.operation, query, variables)
        except _GraphQLError as error:
            return error.response
        return httpx2.Response(200, json={"data": _select(data, query)})

    def _execute(self, operation: str | None, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        if operation == "issueCreate":
            issue = self._create(self._argument(query, "issueCreate", "input", variables))
            return {"issueCreate": {"success": True, "lastSyncId": 1, "issue": self._issue(issue)}}
        lists = {"issueLabels": self._label_nodes, "teams": self._team_nodes, "users": self._user_nodes}
        if operation in lists:
            filt = self._argument(query, operation, "filter", variables)
            if filt is not None and not isinstance(filt, dict):
                raise _GraphQLError(self._invalid(f'Expected type "{operation}Filter" to be an object.'))
            return {operation: {"nodes": [n for n in lists[operation]() if _matches(n, filt or {})]}}
        if operation == "viewer":
            return {"viewer": _user(self.viewer)}
        if operation == "issue":
            ref = str(self._argument(query, "issue", "id", variables)).upper()
            found = next(
                (i for i in self.issues.values() if ref in (i.identifier, i.id.upper(), *i.previous_identifiers)), None
            )
            if found is None:
                raise _GraphQLError(
                    self.graphql_error(
                        "Entity not found: Issue",
                        code="INVALID_INPUT",
                        type="invalid input",
                        presentable="Could not find referenced Issue.",
                    )
                )
            return {"issue": self._issue(found, self._history_page(query, variables))}
        name = re.search(r"{\s*(\w+)", query)
        raise _GraphQLError(
            self._invalid(
                f'Cannot query field "{name.group(1) if name else "?"}" on type "Query".',
                code="GRAPHQL_VALIDATION_FAILED",
            )
        )

    def _argument(self, query: str, root: str, arg: str, variables: dict[str, Any]) -> Any:
        """The value of `root(arg: ...)`: a `$variable` or a string literal."""
        match = re.search(rf'\b{root}\s*\([^)]*\b{arg}\s*:\s*(?:\$(\w+)|"([^"]*)")', query)
        if match is None:
            if arg == "filter":
                return None
            raise _GraphQLError(
                self._invalid(
                    f'Field "{root}" argument "{arg}" is required, but it was not '
                    "provided (this fake reads it from a $variable or a string literal)",
                    code="GRAPHQL_VALIDATION_FAILED",
                )
            )
        return variables.get(match.group(1)) if match.group(1) else match.group(2)

    @staticmethod
    def _check_variables(query: str, variables: dict[str, Any]) -> None:
        header = query.split("{", 1)[0]
        declared = dict(re.findall(r"\$(\w+)\s*:\s*([\w\[\]!]+)", header))
        for name, kind in declared.items():
            if kind.endswith("!") and variables.get(name) is None:
                raise _GraphQLError(
                    FakeLinear._invalid(
                        f'Variable "${name}" of required type "{kind}" was not provided.', code="BAD_USER_INPUT"
                    )
                )
        for name in re.findall(r"\$(\w+)", query[len(header) :]):
            if name not in declared:
                raise _GraphQLError(
                    FakeLinear._invalid(f'Variable "${name}" is not defined.', code="GRAPHQL_VALIDATION_FAILED")
                )

    def _create(self, data: Any) -> Issue:
        """Validate an IssueCreateInput like Linear (coercion errors 400, argument validation 200) and file it."""

        def coercion(detail: str) -> _GraphQLError:
            return _GraphQLError(
                self._invalid(
                    f'Variable "$input" got invalid value {json.dumps(data)}; {detail}', code="BAD_USER_INPUT"
                )
            )

        def argument(detail: str) -> _GraphQLError:
            return _GraphQLError(
                self.graphql_error(
                    "Argument Validation Error", code="INVALID_INPUT", type="invalid input", presentable=detail
                )
            )

        if not isinstance(data, dict):
            raise coercion('Expected type "IssueCreateInput" to be an object.')
        self._coerce_create(data, coercion)
        team = next((t for t in self.teams.values() if t.id == data["teamId"]), None)
        if team is None:
            raise argument("teamId must be the id of a team in this workspace")
        if not data["title"].strip():
            raise argument("title should not be empty")
        assignee = None
        if data.get("assigneeId") is not None:
            assignee = next((u for u in self.users if u.id == data["assigneeId"]), None)
            if assignee is None or not assignee.active:
                raise argument("assigneeId must be the id of an active user in this workspace")
        chosen = []
        for label_id in data.get("labelIds") or []:
            label = next((x for x in self.labels if x.id == label_id), None)
            if label is None or label.team_id not in (None, team.id):
                raise argument(f"labelIds: {label_id} is not a label of team {team.key} or of the workspace")
            chosen.append(label)
        issue = self.add_issue(team.key, data["title"], description=data.get("description"))
        issue.assignee, issue.due_date, issue.labels = assignee, data.get("dueDate"), chosen
        return issue

    @staticmethod
    def _coerce_create(data: dict[str, Any], coercion: Callable[[str], _GraphQLError]) -> None:
        """GraphQL's coercion of an IssueCreateInput: known fields, required strings, a date, a list of ids."""
        unknown = sorted(set(data) - _CREATE_FIELDS)
        if unknown:
            raise coercion(f'Field "{unknown[0]}" is not defined by type "IssueCreateInput".')
        for name in ("teamId", "title"):
            if not isinstance(data.get(name), str):
                raise coercion(f'Field "{name}" of required type "String!" was not provided.')
        due = data.get("dueDate")
        if due is not None and not _valid_date(due):
            raise coercion(
                f'Expected type "TimelessDate" at "input.dueDate"; {json.dumps(due)} is not a valid date (YYYY-MM-DD).'
            )
        labels = data.get("labelIds") or []
        if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
            raise coercion('Expected type "[String!]" at "input.labelIds".')

    # -- payloads ----------------------------------------------------------------------------------------

    def _team_nodes(self) -> list[dict[str, Any]]:
        return [{"id": t.id, "key": t.key, "name": t.name} for t in self.teams.values()]

    def _user_nodes(self) -> list[dict[str, Any]]:
        return [_user(u) for u in self.users]

    def _label_nodes(self) -> list[dict[str, Any]]:
        teams = {t.id: t for t in self.teams.values()}
        return [
            {"id": x.id, "name": x.name, "team": {"id": x.team_id, "key": teams[x.team_id].key} if x.team_id else None}
            for x in self.labels
        ]

    def _history_page(self, query: str, variables: dict[str, Any]) -> tuple[int, int]:
        """(offset, size) of the history page `history(first: N, after: $cursor)` asks for (default 50, max 250;
        a cursor is the offset it continues from, as an opaque string)."""
        match = re.search(r"\bhistory\s*\(([^)]*)\)", query)
        args = match.group(1) if match else ""
        first = re.search(r"\bfirst\s*:\s*(\d+)", args)
        after = re.search(r"\bafter\s*:\s*\$(\w+)", args)
        size = int(first.group(1)) if first else 50
        if size > 250:
            raise _GraphQLError(self._invalid("first must be at most 250", code="INVALID_INPUT"))
        cursor = variables.get(after.group(1)) if after else None
        return (int(cursor.removeprefix("history:")) if isinstance(cursor, str) else 0), size

    def _issue(self, issue: Issue, page: tuple[int, int] = (0, 50)) -> dict[str, Any]:
        def state(s: State | None) -> dict[str, Any] | None:
            return None if s is None else {"id": s.id, "name": s.name, "type": s.type}

        ordered = list(reversed(issue.history)) if self.history_newest_first else list(issue.history)
        start, size = page
        shown = ordered[start : start + size]
        return {
            "id": issue.id,
            "identifier": issue.identifier,
            "title": issue.title,
            "description": issue.description,
            "url": issue.url,
            "createdAt": issue.created_at,
            "dueDate": issue.due_date,
            "state": state(issue.state),
            "team": {"id": issue.team.id, "key": issue.team.key, "name": issue.team.name},
            "assignee": _user(issue.assignee) if issue.assignee else None,
            "labels": {"nodes": [{"id": x.id, "name": x.name} for x in issue.labels]},
            "completedAt": issue.completed_at,
            "canceledAt": issue.canceled_at,
            "history": {
                "nodes": [
                    {
                        "id": h.id,
                        "createdAt": h.created_at,
                        "actor": _user(h.actor) if h.actor else None,
                        "botActor": h.bot,
                        "fromState": state(h.from_state),
                        "toState": state(h.to_state),
                    }
                    for h in shown
                ],
                "pageInfo": {"hasNextPage": start + size < len(ordered), "endCursor": f"history:{start + len(shown)}"},
            },
        }

    @staticmethod
    def _invalid(message: str, code: str = "BAD_USER_INPUT") -> httpx2.Response:
        """A 400 GraphQL error as Linear's server answers malformed requests and variables."""
        return FakeLinear.graphql_error(message, code=code, type="graphql error", status=400)

    def _tick(self) -> str:
        # Real time, one second apart at least: a close is ordered against the decisions made here.
        self._clock = max(self._clock + timedelta(seconds=1), datetime.now(UTC).replace(microsecond=0))
        return self._clock.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _operation(query: str) -> str | None:
    """The root field the query calls, among the ones the fake answers."""
    for root in ("issueCreate", "issueLabels", "teams", "users", "issue"):
        if re.search(rf"\b{root}\s*\(", query):
            return root
    return "viewer" if re.search(r"{\s*viewer\s*{", query) else None


def _user(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "name": user.name,
        "displayName": user.display_name,
        "email": user.email,
        "active": user.active,
        "app": user.app,
    }


def _valid_date(value: Any) -> bool:
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _matches(node: dict[str, Any], filt: dict[str, Any]) -> bool:
    """Whether `node` passes a Linear filter (comparators, and/or, nested relation filters)."""
    for key, condition in filt.items():
        if key in ("and", "or"):
            results = [_matches(node, f) for f in condition]
            if not (all(results) if key == "and" else any(results)):
                return False
            continue
        if key not in node:
            raise _GraphQLError(FakeLinear._invalid(f'Field "{key}" is not defined by the filter type.'))
        value = node[key]
        if not isinstance(condition, dict):
            raise _GraphQLError(FakeLinear._invalid(f'Expected a comparator object for filter field "{key}".'))
        if "null" in condition and (value is None) != bool(condition["null"]):
            return False
        if set(condition) <= _COMPARATORS:
            if not _compare(value, condition):
                return False
        elif value is None or not _matches(value, condition):
            return False
    return True


def _compare(value: Any, comparator: dict[str, Any]) -> bool:
    folded = value.casefold() if isinstance(value, str) else value
    checks: dict[str, Callable[[Any], bool]] = {
        "eq": lambda x: value == x,
        "neq": lambda x: value != x,
        "in": lambda x: value in x,
        "nin": lambda x: value not in x,
        "eqIgnoreCase": lambda x: folded == str(x).casefold(),
        "neqIgnoreCase": lambda x: folded != str(x).casefold(),
        "null": lambda x: True,
    }
    return all(checks[op](arg) for op, arg in comparator.items())


def _select(value: Any, query: str) -> Any:
    """Drop the object keys whose names do not occur in the query text (a cheap stand-in for a selection set)."""
    if isinstance(value, list):
        return [_select(v, query) for v in value]
    if isinstance(value, dict):
        return {k: _select(v, query) for k, v in value.items() if re.search(rf"\b{k}\b", query)}
    return value
