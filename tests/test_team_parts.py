"""The team server's parts at their edges: which addresses are loopback, a taken port, labels and roles of tokens,
board sessions that expired or were forged with the right key, verifier limits, and a provider with one unnamed key."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path

import httpx2
import pytest
from starlette.requests import Request
from team_fixtures import make_team

from postmortem_actions.server.team.app import is_loopback, listen
from postmortem_actions.server.team.auth import MAX_TOKEN, TeamVerifier
from postmortem_actions.server.web.security import COOKIE, BoardKeys
from postmortem_actions.server.web.sessions import Identity, TeamSessions
from postmortem_actions.store import Store
from postmortem_actions.store.errors import ConfigError, InvalidInput
from postmortem_actions.tools import tokens
from postmortem_actions.tools.oidc import OidcConfig, OidcVerifier


def test_loopback_addresses_are_told_from_the_others() -> None:
    assert all(is_loopback(h) for h in ("127.0.0.1", "localhost", "::1", "[::1]", "127.9.9.9"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "10.0.0.1", "actions.example.com", "::"))


def test_a_taken_port_is_a_sentence() -> None:
    taken = listen("127.0.0.1", 0)
    try:
        with pytest.raises(ConfigError, match=r"cannot listen on 127\.0\.0\.1"):
            listen("127.0.0.1", int(taken.getsockname()[1]))
    finally:
        taken.close()


def test_token_labels_and_roles_are_checked(store: Store) -> None:
    make_team(store)
    with pytest.raises(InvalidInput, match="the label"):
        tokens.create_token(store, "Alice", "member", "laptop\u202e")
    _, record = tokens.create_token(store, "Alice", "viewer", "  two   spaces  ")
    assert record.label == "two spaces"
    with pytest.raises(InvalidInput, match="not a role"):
        tokens.role_of("owner")
    person = store.find_person("Alice")
    with pytest.raises(InvalidInput, match="not a role"):
        store.add_token(person.id, "root", "0" * 64, None)  # type: ignore[arg-type]


def _request(cookie: str) -> Request:
    headers = [(b"cookie", f"{COOKIE}={cookie}".encode())]
    return Request({"type": "http", "method": "GET", "path": "/", "headers": headers, "query_string": b""})


async def _nobody(token: str) -> Identity | None:
    return None


def test_a_session_ends_at_its_expiry_and_a_well_signed_but_malformed_cookie_is_no_session(store: Store) -> None:
    make_team(store)
    sessions = TeamSessions(BoardKeys(b"k" * 32), store, _nobody, secure=True)
    past = Identity("Alice", "member", 0, int(time.time()) - 5, "oidc")
    value, lifetime = sessions.cookie_for(past)
    assert lifetime == 0
    assert sessions.session(_request(value)) is None
    fresh, _ = sessions.cookie_for(Identity("Alice", "member", 0, None, "oidc"))
    assert sessions.session(_request(fresh)) is not None
    gone, _ = sessions.cookie_for(Identity("Nobody", "member", 0, None, "oidc"))
    assert sessions.session(_request(gone)) is None
    payload = base64.urlsafe_b64encode(json.dumps({"p": "Alice"}).encode()).decode()
    assert sessions.session(_request(f"{payload}.{sessions._mac(payload)}")) is None


@pytest.mark.anyio
async def test_the_verifier_refuses_empty_and_oversized_tokens_and_a_store_it_cannot_read(
    store: Store, tmp_path: Path
) -> None:
    team = make_team(store)
    verifier = TeamVerifier(store)
    assert await verifier.identify("") is None
    assert await verifier.identify("pma_" + "x" * MAX_TOKEN) is None
    assert await verifier.verify_token(team.alice) is not None
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"not a database at all" * 100)
    assert await TeamVerifier(Store(broken, lazy=True)).identify(team.alice) is None


@pytest.mark.anyio
async def test_a_provider_with_one_key_and_tokens_without_a_key_id(store: Store) -> None:
    import jwt
    from cryptography.hazmat.primitives.asymmetric import rsa

    make_team(store)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))

    def provider(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, json={"keys": [jwk]})

    config = OidcConfig("https://id.example.com", "pma", "https://id.example.com/keys")
    verifier = OidcVerifier(config, store, transport=httpx2.MockTransport(provider))
    claims = {"iss": config.issuer, "aud": "pma", "email": "alice@example.com", "exp": int(time.time()) + 60}
    signed = await verifier.verify(jwt.encode(claims, key, algorithm="RS256"))
    assert signed is not None
    assert signed.person == "Alice"


def test_the_limiter_remembers_a_bounded_number_of_addresses(monkeypatch: pytest.MonkeyPatch) -> None:
    from postmortem_actions.server.team import limits

    monkeypatch.setattr(limits, "MAX_ADDRESSES", 3)
    limiter = limits.FailureLimiter(limit=1, clock=lambda: 5.0)
    for n in range(5):
        limiter.fail(f"10.0.0.{n}")
    assert [limiter.retry_after(f"10.0.0.{n}") for n in range(5)] == [None, None, 60, 60, 60]


@pytest.mark.anyio
async def test_a_token_without_a_key_id_uses_the_providers_only_key(store: Store) -> None:
    import jwt
    from cryptography.hazmat.primitives.asymmetric import ec

    make_team(store)
    key = ec.generate_private_key(ec.SECP256R1())
    jwk = {**json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key.public_key())), "kid": "only"}
    transport = httpx2.MockTransport(lambda request: httpx2.Response(200, json={"keys": [jwk]}))
    config = OidcConfig("https://id.example.com", "pma", "https://id.example.com/keys")
    verifier = OidcVerifier(config, store, transport=transport)
    claims = {"iss": config.issuer, "aud": "pma", "email": "bob@example.com", "exp": int(time.time()) + 60}
    signed = await verifier.verify(jwt.encode(claims, key, algorithm="ES256"))
    assert signed is not None
    assert signed.person == "Bob"


def test_the_local_boards_guard_refuses_other_methods_and_passes_other_scopes(tmp_path: Path) -> None:
    import anyio

    from postmortem_actions.server.settings import Settings
    from postmortem_actions.server.web.launch import serving
    from postmortem_actions.server.web.security import Guard

    settings = Settings(db_path=tmp_path / "a.db", allowed_dirs=(), max_bytes=1000, user="op")
    with serving(settings) as (base, _board), httpx2.Client(base_url=base) as http:
        assert http.request("PUT", "/").status_code == 405
    seen: list[str] = []

    async def inner(scope: dict[str, object], receive: object, send: object) -> None:
        seen.append(str(scope["type"]))

    guard = Guard(inner, BoardKeys(b"k" * 32), lambda: 1)  # type: ignore[arg-type]
    anyio.run(guard, {"type": "lifespan"}, None, None)  # type: ignore[arg-type]
    assert seen == ["lifespan"]


def test_a_viewer_may_open_nothing_that_writes_the_decision_cards_answer_included() -> None:
    from postmortem_actions.server.mcp.app import tool_table
    from postmortem_actions.server.mcp.roles import read_only_tools

    tools, _arguments = tool_table(())
    readable = read_only_tools(tools)
    assert "answer_decision_card" not in readable
    assert {"decide_action", "record_candidates", "report_status", "revise_candidate"}.isdisjoint(readable)
    assert {"list_actions", "review_agenda", "preview_reminders"} <= readable
