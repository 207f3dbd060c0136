"""The board on the team server, over real HTTP: a person signs in once with their token, gets a cookie bound to
them, and what they decide is recorded as them; a viewer reads but cannot post; revoking the token ends the session;
a decision page named through URL elicitation points at the server's public address and records the signed-in
person."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from contextlib import contextmanager

import anyio
import httpx2
import pytest
from board_fixtures import form_values, notice, seed, url_only  # noqa: F401 -- url_only is a fixture
from mcp.client import ClientRequestContext
from mcp.types import ElicitRequestParams, ElicitRequestURLParams, ElicitResult
from team_fixtures import Team, make_team, mcp_client, running

from postmortem_actions.server.settings import Settings
from postmortem_actions.store import ActionState, Channel, Store


@pytest.fixture
def team_settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, user="server-operator")


def sign_in(http: httpx2.Client, token: str, target: str = "/") -> httpx2.Response:
    """What a person does once: open the sign-in page and paste their token."""
    page = http.get(f"/login?next={target}").text
    csrf = form_values(page)["csrf"]
    return http.post("/login", data={"csrf": csrf, "token": token, "next": target})


@contextmanager
def browser(base: str) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=base, headers={"origin": base}, timeout=20) as http:
        yield http


def test_signing_in_with_a_token_gives_a_strict_httponly_cookie_and_decisions_are_recorded_as_the_person(
    team_settings: Settings, store: Store
) -> None:
    team = make_team(store)
    seeded = seed(store)
    with running(team_settings) as server, browser(server.base_url) as http:
        first = http.get("/")
        assert first.status_code == 303
        assert first.headers["location"] == "/login?next=%2F"
        signed = sign_in(http, team.alice)
        assert signed.status_code == 303
        cookie = signed.headers["set-cookie"].lower()
        assert "httponly" in cookie
        assert "samesite=strict" in cookie
        assert team.alice.lower() not in cookie
        assert "signed in as Alice" in http.get("/").text
        page = http.get(f"/actions/{seeded.candidate}").text
        hidden = form_values(page, "accept")
        reply = http.post(f"/actions/{seeded.candidate}/decide", data={**hidden, "owner": "dana", "due": "2030-04-01"})
    assert reply.status_code == 200, notice(reply.text)
    decision = store.decisions(seeded.candidate)[-1]
    assert (decision.decided_by, decision.channel, decision.owner) == ("Alice", Channel.WEB, "dana")


def test_a_wrong_token_does_not_sign_in_and_a_forged_or_tampered_cookie_is_not_a_session(
    team_settings: Settings, store: Store
) -> None:
    team = make_team(store)
    with running(team_settings) as server, browser(server.base_url) as http:
        refused = sign_in(http, "pma_wrong")
        assert refused.status_code == 401
        assert "not signed in" in refused.text.lower()
        assert "pma_wrong" not in refused.text
        assert sign_in(http, team.vic).status_code == 303
        genuine = http.cookies["pma_board"]
        payload, mac = genuine.split(".")
        http.cookies.clear()
        other = payload.replace("V", "W", 1) if "V" in payload else "x" + payload
        http.cookies.set("pma_board", f"{other}.{mac}")
        assert http.get("/").status_code == 303
        http.cookies.set("pma_board", "garbage")
        assert http.get("/").status_code == 303


def test_a_viewer_reads_the_board_but_cannot_post_anything(team_settings: Settings, store: Store) -> None:
    team = make_team(store)
    seeded = seed(store)
    with running(team_settings) as server, browser(server.base_url) as http:
        sign_in(http, team.vic)
        page = http.get(f"/actions/{seeded.candidate}")
        assert page.status_code == 200
        hidden = form_values(page.text, "kill")
        reply = http.post(f"/actions/{seeded.candidate}/decide", data={**hidden, "reason": "not needed now"})
        status = http.post(f"/actions/{seeded.accepted}/status", data={**hidden, "status": "blocked", "note": "x"})
    assert reply.status_code == 403
    assert "viewer" in reply.text
    assert status.status_code == 403
    assert store.get_action(seeded.candidate).state is ActionState.CANDIDATE
    assert store.get_action(seeded.accepted).work_status is None


def test_revoking_the_token_ends_the_board_session_at_once(team_settings: Settings, store: Store) -> None:
    team = make_team(store)
    with running(team_settings) as server, browser(server.base_url) as http:
        sign_in(http, team.alice)
        assert http.get("/").status_code == 200
        store.revoke_token(team.alice_token_id)
        assert http.get("/").status_code == 303
        assert http.post("/actions/1/decide", data={"kind": "kill"}).status_code == 401


def test_a_form_from_another_session_or_site_is_refused(team_settings: Settings, store: Store) -> None:
    team = make_team(store)
    seeded = seed(store)
    with running(team_settings) as server:
        with browser(server.base_url) as ada:
            sign_in(ada, team.ada)
            adas_form = form_values(ada.get(f"/actions/{seeded.candidate}").text, "kill")
        with browser(server.base_url) as alice:
            sign_in(alice, team.alice)
            target = f"/actions/{seeded.candidate}/decide"
            forged = alice.post(target, data={**adas_form, "reason": "replayed from another session"})
            cross_site = alice.post(target, data={**adas_form}, headers={"origin": "https://evil.example"})
            assert alice.post("/login", data={"token": team.alice}).status_code == 401  # no CSRF token: refused
    assert forged.status_code == 403
    assert cross_site.status_code == 403
    assert store.get_action(seeded.candidate).state is ActionState.CANDIDATE


def test_sign_in_sends_a_person_only_to_a_page_of_this_board(team_settings: Settings, store: Store) -> None:
    team = make_team(store)
    with running(team_settings) as server, browser(server.base_url) as http:
        for target, landed in (("/report", "/report"), ("//evil.example/x", "/"), ("https://evil.example", "/")):
            http.cookies.clear()
            page = http.get("/login").text
            reply = http.post("/login", data={"csrf": form_values(page)["csrf"], "token": team.alice, "next": target})
            assert reply.headers["location"] == landed


@pytest.mark.usefixtures("url_only")
@pytest.mark.anyio
async def test_a_decision_page_points_at_the_public_address_and_records_the_person_who_signs_in(
    team_settings: Settings, store: Store
) -> None:
    team = make_team(store)
    seeded = seed(store)
    seen: list[str] = []

    async def human(context: ClientRequestContext, params: ElicitRequestParams) -> ElicitResult:
        assert isinstance(params, ElicitRequestURLParams)
        seen.append(params.url)
        await anyio.to_thread.run_sync(_answer_in_browser, params.url, team)
        return ElicitResult(action="accept")

    with running(team_settings) as server, anyio.fail_after(30):
        async with mcp_client(server.base_url, team.alice, elicitation_callback=human) as client:
            result = await client.call_tool("decide_action", {"action_id": seeded.candidate})
        assert seen
        assert seen[0].startswith(f"{server.base_url}/d/")
    assert result.structured_content is not None
    decision = store.decisions(seeded.candidate)[-1]
    assert (decision.decided_by, decision.channel, decision.owner) == ("Ada", Channel.WEB, "erin")


def _answer_in_browser(url: str, team: Team) -> None:
    base, path = url.split("/d/")
    with browser(base) as http:
        first = http.get(url)
        assert first.status_code == 303
        assert first.headers["location"].startswith("/login?next=%2Fd%2F")
        # The link reached someone else's browser: whoever signs in answers, and is recorded.
        assert sign_in(http, team.ada, f"/d/{path}").headers["location"] == f"/d/{path}"
        page = http.get(url).text
        hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))
        reply = http.post(url, data={**hidden, "choice": "accept", "owner": "erin", "due": "2030-05-05"})
        assert reply.status_code == 200, reply.text


def test_a_bad_status_report_is_a_sentence_and_other_methods_are_refused(team_settings: Settings, store: Store) -> None:
    team = make_team(store)
    seeded = seed(store)
    with running(team_settings) as server, browser(server.base_url) as http:
        sign_in(http, team.alice)
        hidden = form_values(http.get(f"/actions/{seeded.accepted}").text, "kill")
        target = f"/actions/{seeded.accepted}/status"
        unknown = http.post(target, data={**hidden, "status": "finished"})
        unexplained = http.post(target, data={**hidden, "status": "blocked", "note": " "})
        assert http.request("PUT", target).status_code == 405
    assert unknown.status_code == 400
    assert "is not in_progress or blocked" in notice(unknown.text)
    assert unexplained.status_code == 400
    assert "needs a note" in notice(unexplained.text)
    assert store.get_action(seeded.accepted).work_status is None
