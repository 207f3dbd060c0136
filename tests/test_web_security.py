"""The board from the attacker's side: another origin, a rebinding host, a forged or replayed form, a stolen link.

Each refusal is checked twice: the status a browser would see, and that nothing was written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx2
import pytest
from board_fixtures import Seeded, board_client, form_values, seed

from postmortem_actions.server.settings import Settings
from postmortem_actions.server.web.security import COOKIE
from postmortem_actions.store import Store
from postmortem_actions.tools import decision_links, decisions


@pytest.fixture
def seeded(store: Store) -> Seeded:
    return seed(store)


def _open_link(store: Store, seeded: Seeded) -> str:
    question = decisions.ask_decide(
        store,
        seeded.candidate,
        proposed_owner="dana",
        proposed_due=None,
        note="dana owns checkout",
        table=decisions.DueTable(),
        today=datetime.now(UTC).date(),
    )
    code = decision_links.new_code()
    decision_links.open_link(store, question, note="dana owns checkout", via="url", client="test/1", code=code)
    return code


@pytest.mark.parametrize("path", ["/", "/actions/1", "/postmortems/1", "/report", "/section/overdue"])
def test_without_the_cookie_no_page_shows_any_data(settings: Settings, seeded: Seeded, path: str) -> None:
    with board_client(settings, signed_in=False) as (client, _board):
        reply = client.get(path)
        client.cookies.set(COOKIE, "0" * 64)
        forged = client.get(path)
    for r in (reply, forged):
        assert r.status_code == 401
        assert "Checkout" not in r.text
        assert "runbook" not in r.text
        assert "postmortem-actions web" in r.text


def test_signing_in_sets_a_strict_http_only_cookie_and_drops_the_token_from_the_address(
    settings: Settings, seeded: Seeded
) -> None:
    with board_client(settings, signed_in=False) as (client, board):
        reply = client.get(f"/login?k={board.keys.login_token}")
        wrong = client.get("/login?k=" + "f" * 64)
    cookie = reply.headers["set-cookie"].lower()
    assert reply.status_code == 303
    assert reply.headers["location"] == "/"
    assert "httponly" in cookie
    assert "samesite=strict" in cookie
    assert wrong.status_code == 403
    assert "set-cookie" not in wrong.headers


@pytest.mark.parametrize("origin", ["http://evil.example", "null", "http://127.0.0.1:1", ""])
def test_a_form_from_another_origin_is_refused_and_nothing_written(
    settings: Settings, store: Store, seeded: Seeded, origin: str
) -> None:
    with board_client(settings) as (client, _board):
        hidden = form_values(client.get(f"/actions/{seeded.candidate}").text, "kill")
        request = client.build_request("POST", f"/actions/{seeded.candidate}/decide", data={**hidden, "reason": "x"})
        if origin:
            request.headers["origin"] = origin
        else:  # no Origin at all
            del request.headers["origin"]
        reply = client.send(request)
    assert reply.status_code == 403
    assert store.decisions(seeded.candidate) == []


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8787", "127.0.0.1.nip.io"])
def test_a_request_naming_another_host_is_refused_dns_rebinding(
    settings: Settings, store: Store, seeded: Seeded, host: str
) -> None:
    with board_client(settings) as (client, _board):
        hidden = form_values(client.get(f"/actions/{seeded.candidate}").text, "kill")
        page = client.get("/", headers={"host": host})
        post = client.post(
            f"/actions/{seeded.candidate}/decide", data={**hidden, "reason": "x"}, headers={"host": host}
        )
    assert (page.status_code, post.status_code) == (403, 403)
    assert "Checkout" not in page.text
    assert store.decisions(seeded.candidate) == []


@pytest.mark.parametrize("token", [None, "", "0" * 64])
def test_a_missing_or_wrong_csrf_token_is_refused_and_nothing_written(
    settings: Settings, store: Store, seeded: Seeded, token: str | None
) -> None:
    with board_client(settings) as (client, _board):
        hidden = form_values(client.get(f"/actions/{seeded.candidate}").text, "kill")
        hidden.pop("csrf")
        data = {**hidden, "reason": "x"} | ({"csrf": token} if token is not None else {})
        reply = client.post(f"/actions/{seeded.candidate}/decide", data=data)
        status = client.post(f"/actions/{seeded.accepted}/status", data={"status": "blocked", "note": "n"})
    assert (reply.status_code, status.status_code) == (403, 403)
    assert store.decisions(seeded.candidate) == []
    assert store.get_action(seeded.accepted).work_status is None


@pytest.mark.parametrize(
    "path",
    [
        "/actions/1/decide?kind=accept&owner=mallory&due=2030-01-01",
        "/actions/2/status?status=blocked&note=x",
        "/login?k=x&next=/actions/1/decide",
    ],
)
def test_no_get_changes_anything(settings: Settings, store: Store, seeded: Seeded, path: str) -> None:
    before = (store.decisions(), [store.get_action(i) for i in (1, 2)])
    with board_client(settings) as (client, _board):
        reply = client.get(path)
    assert reply.status_code in (403, 405)
    assert (store.decisions(), [store.get_action(i) for i in (1, 2)]) == before


def test_a_decision_link_answers_once_with_exactly_what_the_page_showed(
    settings: Settings, store: Store, seeded: Seeded
) -> None:
    code = _open_link(store, seeded)
    with board_client(settings, signed_in=False) as (client, _board):  # the code is the page's own credential
        page = client.get(f"/d/{code}")
        assert page.status_code == 200
        assert 'value="dana"' in page.text
        assert "dana owns checkout" in page.text
        hidden = form_values(page.text)
        answer = {**hidden, "choice": "accept", "owner": "dana", "due": "2030-05-01"}
        first = client.post(f"/d/{code}", data=answer)
        replay = client.post(f"/d/{code}", data=answer)
        reread = client.get(f"/d/{code}")
    assert first.status_code == 200
    assert "accepted action" in first.text
    assert replay.status_code == 410
    assert "used already" in replay.text
    assert reread.status_code == 410
    [decision] = store.decisions(seeded.candidate)
    assert (decision.owner, str(decision.due), decision.channel) == ("dana", "2030-05-01", "web")


def test_an_expired_or_unknown_link_is_refused(
    settings: Settings, store: Store, seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(decision_links, "LINK_TTL", timedelta(seconds=-1))  # a link already past its time
    code = _open_link(store, seeded)
    with board_client(settings, signed_in=False) as (client, _board):
        expired = client.get(f"/d/{code}")
        unknown = client.get(f"/d/{decision_links.new_code()}")
    assert expired.status_code == 410
    assert "has expired" in expired.text
    assert unknown.status_code == 410
    assert "not one we issued" in unknown.text
    assert store.decisions(seeded.candidate) == []


def test_a_link_for_an_item_that_changed_cannot_record(settings: Settings, store: Store, seeded: Seeded) -> None:
    code = _open_link(store, seeded)
    with board_client(settings) as (client, _board):
        hidden = form_values(client.get(f"/d/{code}").text)
        page = client.get(f"/actions/{seeded.candidate}").text
        client.post(f"/actions/{seeded.candidate}/decide", data={**form_values(page, "kill"), "reason": "dup"})
        reply = client.post(f"/d/{code}", data={**hidden, "choice": "accept", "owner": "x", "due": "2030-01-01"})
    assert reply.status_code == 409
    assert "cannot record anything" in reply.text
    assert [d.kind for d in store.decisions(seeded.candidate)] == ["kill"]


def test_a_link_form_needs_its_own_token_not_the_boards(settings: Settings, store: Store, seeded: Seeded) -> None:
    code = _open_link(store, seeded)
    other = _open_link(store, seeded)
    with board_client(settings) as (client, board):
        hidden = form_values(client.get(f"/d/{other}").text)  # a token for another link
        reply = client.post(f"/d/{code}", data={**hidden, "choice": "kill", "reason": "x"})
        board_token = client.post(f"/d/{code}", data={**hidden, "csrf": board.keys.csrf(), "choice": "kill"})
    assert (reply.status_code, board_token.status_code) == (403, 403)
    assert store.decisions(seeded.candidate) == []


def test_the_board_sends_headers_that_keep_links_and_frames_private(settings: Settings, seeded: Seeded) -> None:
    with board_client(settings) as (client, _board):
        reply = client.get(f"/actions/{seeded.candidate}")
    # A decision link never leaks through Referer to another site (and same-origin forms keep their Origin).
    assert reply.headers["referrer-policy"] == "same-origin"
    assert "frame-ancestors 'none'" in reply.headers["content-security-policy"]
    assert "default-src 'none'" in reply.headers["content-security-policy"]
    assert reply.headers["cache-control"] == "no-store"


def test_the_health_check_tells_nothing_that_signs_in(settings: Settings, seeded: Seeded) -> None:
    with board_client(settings, signed_in=False) as (client, board):
        body = client.get("/healthz").text
    for secret in (board.keys.login_token, board.keys.cookie, board.keys.secret.hex(), board.keys.csrf()):
        assert secret not in body
    assert httpx2.codes.OK
