"""The GitHub adapter through the real Session and httpx2 client, against FakeGitHub (no network, no sleeping).

Request shapes follow GitHub's REST API (2022-11-28): POST /repos/{owner}/{repo}/issues, GET
/repos/{owner}/{repo}/issues/{number}, GET /repos/{owner}/{repo}/assignees/{login} (204 assignable, 404 not).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx2
import pytest
from fake_github import (
    FakeGitHub,
    github_error,
    primary_rate_limit,
    secondary_rate_limit,
    server_error,
)
from tracker_protocol import assert_implements_the_protocol

from postmortem_actions.tools.trackers.base import (
    TicketRequest,
    TrackerAdapter,
    TrackerConfig,
    TrackerIdentity,
)
from postmortem_actions.tools.trackers.errors import (
    TrackerAuthFailed,
    TrackerError,
    TrackerNotConfigured,
    TrackerRejected,
    TrackerTargetNotFound,
    TrackerUnavailable,
)
from postmortem_actions.tools.trackers.github import GitHubAdapter, connect_github
from postmortem_actions.tools.trackers.session import retry_after_seconds

TOKEN = "ghp_S3cretT0kenValue0123456789abcdefXYZ"
REPO = "acme/web"
API = "https://api.github.com"
GHE = "https://ghe.acme.io/api/v3"


@dataclass
class Rig:
    fake: FakeGitHub
    adapter: GitHubAdapter
    slept: list[float] = field(default_factory=list)

    def paths(self) -> list[str]:
        return [f"{r.method} {r.path}" for r in self.fake.received]


def make_rig(base_url: str = API, token: str = TOKEN, target: str = REPO) -> Rig:
    fake = FakeGitHub(token=TOKEN, repos=[REPO, "acme/platform"], assignable=["dana", "Lee-Ops"])
    slept: list[float] = []
    config = TrackerConfig(tracker="github", base_url=base_url, target=target, token=token)
    adapter = connect_github(config, transport=httpx2.MockTransport(fake), sleep=slept.append)
    return Rig(fake, adapter, slept)


@pytest.fixture
def rig() -> Rig:
    return make_rig()


def ticket(**changes: Any) -> TicketRequest:
    fields: dict[str, Any] = {
        "title": "Add an alert on billing queue depth above 10,000 messages",
        "body": "From the postmortem *Billing queue backlog* (2026-03-04).",
        "body_adf": {"type": "doc", "version": 1, "content": []},
        "labels": ["postmortem", "sev2"],
        "assignee": None,
        "due": None,
    }
    fields.update(changes)
    return TicketRequest(**fields)


# -- create -----------------------------------------------------------------------------------------------


def test_the_adapter_satisfies_the_protocol(rig: Rig) -> None:
    adapter: TrackerAdapter = rig.adapter
    assert_implements_the_protocol(adapter, "github")


def test_create_with_an_assignable_login_checks_it_then_assigns(rig: Rig) -> None:
    issue = rig.adapter.create(ticket(assignee="@dana"))

    assert rig.paths() == ["GET /repos/acme/web/assignees/dana", "POST /repos/acme/web/issues"]
    post = rig.fake.received[-1]
    assert post.headers["authorization"] == f"Bearer {TOKEN}"
    assert post.headers["accept"] == "application/vnd.github+json"
    assert post.headers["x-github-api-version"] == "2022-11-28"
    assert post.headers["user-agent"] == "postmortem-actions"
    assert post.headers["content-type"] == "application/json"
    assert post.body == {
        "title": "Add an alert on billing queue depth above 10,000 messages",
        "body": "From the postmortem *Billing queue backlog* (2026-03-04).",
        "labels": ["postmortem", "sev2"],
        "assignees": ["dana"],
    }
    assert issue.ref == "acme/web#1"
    assert issue.url == "https://github.com/acme/web/issues/1"
    assert (issue.state, issue.closed, issue.not_planned, issue.closed_by) == ("open", False, False, None)
    assert issue.warnings == ()
    stored = rig.fake.issue("acme/web#1")
    assert [u["login"] for u in stored["assignees"]] == ["dana"]
    assert [label["name"] for label in stored["labels"]] == ["postmortem", "sev2"]


def test_create_without_an_owner_sends_no_assignees(rig: Rig) -> None:
    issue = rig.adapter.create(ticket(labels=[]))
    assert rig.paths() == ["POST /repos/acme/web/issues"]
    assert rig.fake.received[-1].body == {"title": ticket().title, "body": ticket().body, "labels": []}
    assert issue.warnings == ()


def test_a_name_that_is_not_a_login_is_left_unassigned_with_a_warning(rig: Rig) -> None:
    issue = rig.adapter.create(ticket(assignee="Dana Smith"))
    assert rig.paths() == ["POST /repos/acme/web/issues"]  # not login-shaped: no assignability check
    assert "assignees" not in rig.fake.received[-1].body
    assert issue.warnings == (
        "owner 'Dana Smith' is not an assignable GitHub login in acme/web; the issue was left unassigned",
    )
    assert rig.fake.issue(issue.ref)["assignees"] == []


def test_a_login_github_says_is_not_assignable_is_left_unassigned_with_a_warning(rig: Rig) -> None:
    issue = rig.adapter.create(ticket(assignee="mallory"))
    assert rig.paths() == ["GET /repos/acme/web/assignees/mallory", "POST /repos/acme/web/issues"]
    assert "assignees" not in rig.fake.received[-1].body
    assert issue.warnings == (
        "owner 'mallory' is not an assignable GitHub login in acme/web; the issue was left unassigned",
    )


def test_assignees_and_labels_github_silently_dropped_are_reported() -> None:
    rig = make_rig()
    dropped = {
        "number": 7,
        "html_url": "https://github.com/acme/web/issues/7",
        "state": "open",
        "labels": [{"name": "Postmortem"}],
        "assignees": [],
    }  # a token without push access
    rig.fake.fail_next(httpx2.Response(204), httpx2.Response(201, json=dropped))
    issue = rig.adapter.create(ticket(assignee="dana"))
    assert issue.ref == "acme/web#7"
    assert issue.warnings == (
        "GitHub did not assign 'dana' in acme/web (the token may lack push access); the issue is unassigned",
        "GitHub dropped the label(s) sev2 in acme/web (the token may lack push access)",
    )


def test_the_due_date_becomes_the_last_line_of_the_body(rig: Rig) -> None:
    rig.adapter.create(ticket(due=date(2026, 4, 1)))
    assert rig.fake.received[-1].body["body"] == (
        "From the postmortem *Billing queue backlog* (2026-03-04).\n\nDue: 2026-04-01"
    )
    rig.adapter.create(ticket(body="", due=date(2026, 4, 2)))
    assert rig.fake.received[-1].body["body"] == "Due: 2026-04-02"


def test_github_enterprise_server_base_url() -> None:
    rig = make_rig(base_url=GHE)
    issue = rig.adapter.create(ticket(assignee="Lee-Ops"))
    assert [r.url for r in rig.fake.received] == [
        "https://ghe.acme.io/api/v3/repos/acme/web/assignees/Lee-Ops",
        "https://ghe.acme.io/api/v3/repos/acme/web/issues",
    ]
    assert issue.url == "https://ghe.acme.io/acme/web/issues/1"
    assert issue.ref == "acme/web#1"
    assert rig.adapter.fetch(issue.ref).url == issue.url
    assert rig.fake.received[-1].url == "https://ghe.acme.io/api/v3/repos/acme/web/issues/1"
    assert rig.adapter.ref_from_url("https://ghe.acme.io/acme/web/issues/1") == "acme/web#1"
    assert rig.adapter.ref_from_url("https://github.com/acme/web/issues/1") is None


# -- fetch ------------------------------------------------------------------------------------------------


def test_fetch_an_open_issue(rig: Rig) -> None:
    ref = rig.adapter.create(ticket()).ref
    issue = rig.adapter.fetch(ref)
    assert rig.paths()[-1] == "GET /repos/acme/web/issues/1"
    assert (issue.ref, issue.state, issue.closed, issue.not_planned, issue.closed_by) == (
        "acme/web#1",
        "open",
        False,
        False,
        None,
    )


@pytest.mark.parametrize(("reason", "not_planned"), [("completed", False), ("not_planned", True), ("duplicate", True)])
def test_fetch_a_closed_issue_reports_how_and_by_whom(rig: Rig, reason: Any, not_planned: bool) -> None:
    ref = rig.adapter.create(ticket()).ref
    rig.fake.close(ref, by="dana", reason=reason)
    issue = rig.adapter.fetch(ref)
    assert (issue.state, issue.closed, issue.not_planned, issue.closed_by) == ("closed", True, not_planned, "dana")


def test_fetch_a_reopened_issue_is_open_again(rig: Rig) -> None:
    ref = rig.adapter.create(ticket()).ref
    rig.fake.close(ref, by="dana", reason="not_planned")
    rig.fake.reopen(ref)
    issue = rig.adapter.fetch(ref)
    assert (issue.state, issue.closed, issue.not_planned, issue.closed_by) == ("open", False, False, None)


def test_fetch_follows_a_transferred_issue_to_its_new_ref(rig: Rig) -> None:
    ref = rig.adapter.create(ticket()).ref
    moved = rig.fake.transfer(ref, "acme/platform")
    issue = rig.adapter.fetch(ref)
    assert rig.paths()[-2:] == ["GET /repos/acme/web/issues/1", "GET /repos/acme/platform/issues/1"]
    assert rig.fake.received[-1].headers["authorization"] == f"Bearer {TOKEN}"  # same origin: kept
    assert issue.ref == moved == "acme/platform#1"


def test_fetch_of_a_missing_issue_is_target_not_found(rig: Rig) -> None:
    with pytest.raises(TrackerTargetNotFound, match=r"read issue acme/web#99: Not Found"):
        rig.adapter.fetch("acme/web#99")


@pytest.mark.parametrize("ref", ["acme/web", "acme/web#0", "#3", "acme/web#3/../x", "../x#1", "acme/..#1"])
def test_a_malformed_ref_is_refused_without_a_request(rig: Rig, ref: str) -> None:
    with pytest.raises(TrackerTargetNotFound, match="not a GitHub issue ref"):
        rig.adapter.fetch(ref)
    assert rig.fake.received == []


# -- ref_from_url -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "ref"),
    [
        ("https://github.com/acme/web/issues/12", "acme/web#12"),
        ("https://github.com/acme/web/issues/12/", "acme/web#12"),
        ("https://github.com/acme/web/issues/12#issuecomment-3", "acme/web#12"),
        ("https://github.com/acme/web/issues/12?q=1", "acme/web#12"),
        ("https://www.github.com/Acme/my.repo_x/issues/3", "Acme/my.repo_x#3"),
        ("https://github.com/acme/web/pull/12", None),
        ("https://github.com/acme/web/issues", None),
        ("https://github.com/acme/web/issues/new", None),
        ("https://github.com/acme/web/issues/12/comments", None),
        ("https://api.github.com/repos/acme/web/issues/12", None),
        ("https://gitlab.com/acme/web/issues/12", None),
        ("https://github.com.evil.example/acme/web/issues/12", None),
        ("ftp://github.com/acme/web/issues/12", None),
        ("acme/web#12", None),
        ("not a url", None),
    ],
)
def test_ref_from_url(rig: Rig, url: str, ref: str | None) -> None:
    assert rig.adapter.ref_from_url(url) == ref


# -- errors -----------------------------------------------------------------------------------------------


def test_a_bad_token_is_auth_failed_with_githubs_message() -> None:
    rig = make_rig(token="ghp_wrongWRONGwrong0000000000000000")
    with pytest.raises(
        TrackerAuthFailed,
        match=r"\(401\) while trying to create an issue in acme/web: Bad "
        r"credentials",
    ) as caught:
        rig.adapter.create(ticket())
    assert "ghp_wrong" not in str(caught.value)
    assert rig.slept == []


def test_a_token_without_the_issues_permission_is_auth_failed(rig: Rig) -> None:
    rig.fake.fail_next(github_error(403, "Resource not accessible by personal access token"))
    with pytest.raises(TrackerAuthFailed, match=r"\(403\).*Resource not accessible by personal access token"):
        rig.adapter.create(ticket())
    assert len(rig.fake.received) == 1


def test_an_unknown_repository_is_target_not_found() -> None:
    rig = make_rig(target="acme/nope")
    with pytest.raises(
        TrackerTargetNotFound,
        match=r"\(404\) while trying to create an issue in acme/nope: "
        r"Not Found",
    ):
        rig.adapter.create(ticket(assignee="dana"))
    # the assignee check 404s too (GitHub cannot tell "not assignable" from "no repository"); the create says it
    assert rig.paths() == ["GET /repos/acme/nope/assignees/dana", "POST /repos/acme/nope/issues"]


def test_a_field_github_refuses_is_rejected_with_githubs_message(rig: Rig) -> None:
    with pytest.raises(
        TrackerRejected,
        match=r"\(422\) while trying to create an issue in acme/web: "
        r"Validation Failed; title missing_field",
    ):
        rig.adapter.create(ticket(title="  "))
    assert rig.slept == []


def test_an_assignee_refused_at_creation_is_rejected(rig: Rig) -> None:
    rig.fake.fail_next(httpx2.Response(204))  # the check said yes, then access was revoked
    with pytest.raises(TrackerRejected, match=r"Validation Failed; assignees invalid"):
        rig.adapter.create(ticket(assignee="mallory"))


def test_429_with_retry_after_is_waited_for_then_succeeds(rig: Rig) -> None:
    rig.fake.fail_next(secondary_rate_limit(7, status=429))
    issue = rig.adapter.create(ticket())
    assert rig.slept == [7.0]
    assert rig.paths() == ["POST /repos/acme/web/issues"] * 2
    assert issue.ref == "acme/web#1"


def test_a_retry_after_given_as_an_http_date_is_waited_for_until_that_moment(rig: Rig) -> None:
    when = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=30)
    rig.fake.fail_next(github_error(429, "slow down", headers={"retry-after": format_datetime(when, usegmt=True)}))
    assert rig.adapter.create(ticket()).ref == "acme/web#1"
    [waited] = rig.slept
    assert 27.0 <= waited <= 30.0  # the seconds left until the date, read a moment after it was written


def test_retry_after_reads_seconds_and_http_dates_and_ignores_anything_else() -> None:
    now = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
    assert retry_after_seconds("12", now) == 12.0
    assert retry_after_seconds("Fri, 04 Dec 2026 12:00:45 GMT", now) == 45.0
    assert retry_after_seconds("Fri, 04 Dec 2026 11:59:00 GMT", now) == 0.0  # a date already past: no wait
    assert retry_after_seconds("soon", now) is None
    assert retry_after_seconds(None, now) is None


def test_403_secondary_rate_limit_with_retry_after_is_retried_not_auth_failed(rig: Rig) -> None:
    rig.fake.fail_next(secondary_rate_limit(3, status=403))
    assert rig.adapter.create(ticket()).ref == "acme/web#1"
    assert rig.slept == [3.0]


def test_403_primary_rate_limit_is_retried_until_the_reset(rig: Rig) -> None:
    rig.fake.fail_next(primary_rate_limit(int(time.time()) + 2))
    assert rig.adapter.create(ticket()).ref == "acme/web#1"
    assert len(rig.slept) == 1
    assert 0.0 <= rig.slept[0] <= 2.0


def test_502_twice_then_success_backs_off_exponentially(rig: Rig) -> None:
    ref = rig.adapter.create(ticket()).ref
    rig.fake.fail_next(server_error(502), server_error(502))
    assert rig.adapter.fetch(ref).ref == "acme/web#1"
    assert rig.slept == [1.0, 2.0]
    assert len(rig.fake.received) == 4


def test_a_create_that_may_have_been_filed_is_not_sent_again(rig: Rig) -> None:
    # A 502 or a timeout after the POST left: GitHub may have filed it, and a retry would file a duplicate.
    rig.fake.fail_next(server_error(502))
    with pytest.raises(TrackerUnavailable, match=r"may have been filed anyway, so it was not sent again"):
        rig.adapter.create(ticket())
    rig.fake.fail_next(httpx2.ReadTimeout("The read operation timed out"))
    with pytest.raises(TrackerUnavailable, match=r"may have been filed anyway"):
        rig.adapter.create(ticket())
    assert rig.slept == []
    assert rig.paths() == ["POST /repos/acme/web/issues"] * 2


def test_a_create_the_tracker_did_not_process_is_retried(rig: Rig) -> None:
    rig.fake.fail_next(secondary_rate_limit(5, status=429))
    assert rig.adapter.create(ticket()).ref == "acme/web#1"
    assert rig.slept == [5.0]


def test_a_persistent_503_is_unavailable_after_four_attempts(rig: Rig) -> None:
    rig.fake.fail_next(*(server_error(503) for _ in range(5)))
    with pytest.raises(
        TrackerUnavailable,
        match=r"github answered 503 while trying to read issue acme/web#1; "
        r"gave up after 4 attempts",
    ):
        rig.adapter.fetch("acme/web#1")
    assert rig.slept == [1.0, 2.0, 4.0]
    assert rig.paths() == ["GET /repos/acme/web/issues/1"] * 4


def test_a_retry_after_longer_than_the_limit_is_not_waited_for(rig: Rig) -> None:
    rig.fake.fail_next(secondary_rate_limit(3600, status=429))
    with pytest.raises(TrackerUnavailable, match=r"asks to wait 3600 s, longer than 60 s"):
        rig.adapter.create(ticket())
    assert rig.slept == []
    assert len(rig.fake.received) == 1


def test_a_timeout_of_a_read_is_retried(rig: Rig) -> None:
    ref = rig.adapter.create(ticket()).ref
    rig.fake.fail_next(httpx2.ReadTimeout("The read operation timed out"))
    assert rig.adapter.fetch(ref).state == "open"
    assert rig.slept == [1.0]


def test_timeouts_throughout_are_unavailable(rig: Rig) -> None:
    rig.fake.fail_next(*(httpx2.ConnectTimeout("timed out") for _ in range(4)))
    with pytest.raises(TrackerUnavailable, match=r"did not answer in time while trying to read issue acme/web#1"):
        rig.adapter.fetch("acme/web#1")
    assert rig.slept == [1.0, 2.0, 4.0]


def test_a_2xx_that_is_not_json_is_unavailable_and_says_the_issue_may_exist(rig: Rig) -> None:
    rig.fake.fail_next(httpx2.Response(201, text="<html>proxy</html>"))
    with pytest.raises(TrackerUnavailable, match=r"may have been created"):
        rig.adapter.create(ticket())


def test_the_token_never_appears_in_errors_reprs_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    failures: list[httpx2.Response | Exception] = [
        github_error(401, "Bad credentials"),
        github_error(403, "Resource not accessible by personal access token"),
        github_error(404, "Not Found"),
        github_error(422, "Validation Failed"),
        secondary_rate_limit(3600, status=429),
        *(server_error(503) for _ in range(4)),
        *(httpx2.ReadTimeout(f"timed out {TOKEN}") for _ in range(4)),
        *(httpx2.ConnectError(f"refused {TOKEN}") for _ in range(4)),
    ]
    rig = make_rig()
    rig.fake.fail_next(*failures)
    caught: list[TrackerError] = []
    while rig.fake._queue:
        with pytest.raises(TrackerError) as error:
            rig.adapter.create(ticket(assignee="Dana Smith"))
        caught.append(error.value)
    # 5 refusals; 503s and read timeouts after a POST are not retried (4 + 4); connect errors are (1 after 4)
    assert len(caught) == 14
    config = rig.adapter.config
    texts = (
        [str(e) for e in caught]
        + [repr(e) for e in caught]
        + [repr(rig.adapter), repr(config), repr(rig.adapter.session.client.headers), caplog.text]
    )
    assert all(TOKEN not in text for text in texts)
    assert TOKEN in rig.fake.received[0].headers["authorization"]  # it was sent, only never shown


# -- configuration ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "base_url", "token"),
    [
        ("acme", API, TOKEN),
        ("acme/web/extra", API, TOKEN),
        ("acme/..", API, TOKEN),
        (REPO, "api.github.com", TOKEN),
        (REPO, API, "  "),
    ],
)
def test_unusable_configuration_is_not_configured(target: str, base_url: str, token: str) -> None:
    config = TrackerConfig(tracker="github", base_url=base_url, target=target, token=token)
    with pytest.raises(TrackerNotConfigured) as caught:
        connect_github(config, transport=httpx2.MockTransport(FakeGitHub(token=TOKEN, repos=[REPO])))
    assert TOKEN not in str(caught.value)


# -- the fake itself (other suites rely on it checking requests as GitHub does) ---------------------------


def test_the_fake_checks_credentials_accept_and_fields() -> None:
    fake = FakeGitHub(token=TOKEN, repos=[REPO], assignable=["dana"])
    headers = {"Authorization": f"Bearer {TOKEN}", "Accept": "application/vnd.github+json"}
    with httpx2.Client(base_url=API, transport=httpx2.MockTransport(fake)) as client:
        assert client.post("/repos/acme/web/issues", json={"title": "x"}).json()["message"] == "Requires authentication"
        assert (
            client.post(
                "/repos/acme/web/issues", json={"title": "x"}, headers={**headers, "Accept": "text/html"}
            ).status_code
            == 415
        )
        missing = client.post("/repos/acme/web/issues", json={"body": "x"}, headers=headers)
        assert (missing.status_code, missing.json()["errors"]) == (
            422,
            [{"resource": "Issue", "code": "missing_field", "field": "title"}],
        )
        refused = client.post("/repos/acme/web/issues", json={"title": "x", "assignees": ["eve"]}, headers=headers)
        assert (refused.status_code, refused.json()["errors"][0]["field"]) == (422, "assignees")
        created = client.post("/repos/ACME/Web/issues", json={"title": "x", "labels": ["a b"]}, headers=headers)
        assert created.status_code == 201
        assert created.headers["location"] == "https://api.github.com/repos/acme/web/issues/1"
        assert created.json()["labels"][0]["name"] == "a b"
        assert created.json()["user"]["login"] == "postmortem-bot"
        assert client.get("/repos/acme/web/assignees/DANA", headers=headers).status_code == 204
        assert client.get("/repos/acme/other/issues/1", headers=headers).json()["message"] == "Not Found"


# -- who closed it, and who the token is ---------------------------------------------------------------------


@pytest.mark.parametrize("kind", [None, "Bot", "Organization", "Mannequin", "user"])
def test_a_closer_github_does_not_type_as_a_user_is_not_a_person(rig: Rig, kind: str | None) -> None:
    ref = rig.adapter.create(ticket()).ref
    rig.fake.close(ref, by="dana")
    issue = rig.fake.issue(ref)
    if kind is None:
        del issue["closed_by"]["type"]  # unknown is not a person
    else:
        issue["closed_by"]["type"] = kind
    rig.fake.fail_next(httpx2.Response(200, json=issue))

    fetched = rig.adapter.fetch(ref)

    assert (fetched.closed, fetched.closed_by, fetched.closed_by_id) == (True, None, None)


def test_a_person_who_closed_it_is_named_with_their_user_id(rig: Rig) -> None:
    ref = rig.adapter.create(ticket()).ref
    rig.fake.close(ref, by="dana")
    fetched = rig.adapter.fetch(ref)
    assert (fetched.closed_by, fetched.closed_by_id) == ("dana", str(rig.fake.user_id("dana")))


def test_the_tokens_own_account_is_asked_once_and_only_when_wanted(rig: Rig) -> None:
    ref = rig.adapter.create(ticket()).ref
    rig.adapter.fetch(ref)
    assert "GET /user" not in rig.paths()

    first, second = rig.adapter.identity(), rig.adapter.identity()

    assert first == second == TrackerIdentity(name="postmortem-bot", id=str(rig.fake.user_id("postmortem-bot")))
    assert rig.paths().count("GET /user") == 1
    assert rig.fake.received[-1].headers["authorization"] == f"Bearer {TOKEN}"


def test_an_installation_token_acts_as_its_apps_bot_account() -> None:
    fake = FakeGitHub(token=TOKEN, repos=[REPO], installation=True)
    config = TrackerConfig(tracker="github", base_url=API, target=REPO, token=TOKEN)
    adapter = connect_github(config, transport=httpx2.MockTransport(fake))

    identity = adapter.identity()

    assert identity.id is None
    assert "GitHub App" in identity.name
    assert [f"{r.method} {r.path}" for r in fake.received] == ["GET /user", "GET /installation/repositories"]


def test_a_token_github_will_not_name_is_an_error_and_is_asked_again_next_time(rig: Rig) -> None:
    rig.fake.fail_next(github_error(401, "Bad credentials"))
    with pytest.raises(TrackerAuthFailed, match=r"look up the account this token belongs to"):
        rig.adapter.identity()
    rig.fake.fail_next(httpx2.Response(200, json={"login": "postmortem-bot"}))  # no id: not usable
    with pytest.raises(TrackerUnavailable, match=r"without the account's login and id"):
        rig.adapter.identity()
    assert rig.adapter.identity().name == "postmortem-bot"
