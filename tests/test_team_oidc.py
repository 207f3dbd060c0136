"""Single sign-on against a local test issuer: a real loopback HTTP server publishing its discovery document and key
set, tokens signed with keys made here. A good token is accepted and names the person by email; a wrong audience or
issuer, an expired token, another key, `alg: none` and an HMAC forged with the public key are all refused."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from typing import Any

import anyio
import httpx2
import jwt
import pytest
from board_fixtures import form_values, seed
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from loopback import served
from mcp.client import ClientRequestContext
from mcp.types import ElicitRequestFormParams, ElicitRequestParams, ElicitResult
from team_fixtures import make_team, mcp_client, running

from postmortem_actions.server.settings import Settings
from postmortem_actions.store import ActionState, Store
from postmortem_actions.store.errors import ConfigError
from postmortem_actions.tools.oidc import OidcConfig, OidcVerifier, load_oidc

AUDIENCE = "postmortem-actions"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())


class Issuer:
    """The test identity provider: its URL, and how many times its key set was fetched."""

    def __init__(self) -> None:
        self.url = ""
        self.fetches = 0
        self.keys: list[dict[str, Any]] = [
            {**json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(KEY.public_key())), "kid": "k1", "use": "sig"},
            {**json.loads(jwt.algorithms.ECAlgorithm.to_jwk(EC_KEY.public_key())), "kid": "e1", "use": "sig"},
        ]

    def handle(self, request: httpx2.Request) -> httpx2.Response:
        if request.url.path == "/.well-known/openid-configuration":
            return httpx2.Response(200, json={"issuer": self.url, "jwks_uri": f"{self.url}/keys"})
        if request.url.path == "/keys":
            self.fetches += 1
            return httpx2.Response(200, json={"keys": self.keys})
        return httpx2.Response(404)

    def token(self, key: Any = KEY, kid: str = "k1", algorithm: str = "RS256", **claims: Any) -> str:
        now = int(time.time())
        body = {"iss": self.url, "aud": AUDIENCE, "sub": "u-1", "email": "alice@example.com", "iat": now}
        body |= {"exp": now + 600, **claims}
        return jwt.encode(
            {k: v for k, v in body.items() if v is not None}, key, algorithm=algorithm, headers={"kid": kid}
        )


@pytest.fixture
def issuer() -> Iterator[Issuer]:
    found = Issuer()
    with served(found.handle) as url:
        found.url = url
        yield found


@pytest.fixture
def config(issuer: Issuer) -> OidcConfig:
    return OidcConfig(issuer=issuer.url, audience=AUDIENCE)


def _none_token(issuer: Issuer) -> str:
    def part(data: dict[str, Any]) -> str:
        return jwt.utils.base64url_encode(json.dumps(data).encode()).decode()

    claims = {"iss": issuer.url, "aud": AUDIENCE, "email": "alice@example.com", "exp": int(time.time()) + 600}
    return f"{part({'alg': 'none', 'kid': 'k1'})}.{part(claims)}."


def _hmac_with_public_key(issuer: Issuer) -> str:
    public_pem = KEY.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    claims = {"iss": issuer.url, "aud": AUDIENCE, "email": "alice@example.com", "exp": int(time.time()) + 600}
    header = json.dumps({"alg": "HS256", "kid": "k1", "typ": "JWT"}).encode()
    body = jwt.utils.base64url_encode(json.dumps(claims).encode()).decode()
    signing = f"{jwt.utils.base64url_encode(header).decode()}.{body}"
    mac = hmac.new(public_pem, signing.encode(), hashlib.sha256).digest()
    return f"{signing}.{jwt.utils.base64url_encode(mac).decode()}"


@pytest.mark.anyio
async def test_good_tokens_name_the_person_and_every_forgery_is_refused(
    store: Store, issuer: Issuer, config: OidcConfig
) -> None:
    make_team(store)
    verifier = OidcVerifier(config, store)
    good = await verifier.verify(issuer.token())
    assert good is not None
    assert (good.person, good.role) == ("Alice", "member")
    by_ec = await verifier.verify(issuer.token(key=EC_KEY, kid="e1", algorithm="ES256", email="BOB@example.com"))
    assert by_ec is not None
    assert by_ec.person == "Bob"
    refused = {
        "wrong audience": issuer.token(aud="another-service"),
        "wrong issuer": issuer.token(iss="https://evil.example"),
        "expired": issuer.token(exp=int(time.time()) - 120),
        "no expiry": issuer.token(exp=None),
        "wrong key": issuer.token(key=OTHER_KEY),
        "unknown key id": issuer.token(kid="k9"),
        "alg none": _none_token(issuer),
        "hmac with the public key": _hmac_with_public_key(issuer),
        "unknown person": issuer.token(email="mallory@example.com"),
        "no email": issuer.token(email=None),
        "not a jwt": "a.b.c",
    }
    for why, token in refused.items():
        assert await verifier.verify(token) is None, why
    assert issuer.fetches <= 2  # cached: fetched once, and once more for the unknown key id
    by_sub = OidcVerifier(dataclasses.replace(config, claim="sub", role="viewer"), store)
    named = await by_sub.verify(issuer.token(sub="vic"))
    assert named is not None
    assert (named.person, named.role) == ("Vic", "viewer")
    assert await by_sub.verify(issuer.token(sub="u-404")) is None


@pytest.mark.anyio
async def test_the_key_set_is_cached_and_refetched_for_a_new_key_only_after_a_pause(
    store: Store, issuer: Issuer, config: OidcConfig
) -> None:
    make_team(store)
    now = [0.0]
    verifier = OidcVerifier(dataclasses.replace(config, jwks_url=f"{issuer.url}/keys"), store, clock=lambda: now[0])
    for _ in range(5):
        assert await verifier.verify(issuer.token()) is not None
    assert issuer.fetches == 1
    assert await verifier.verify(issuer.token(kid="k2")) is None
    assert issuer.fetches == 1  # a rotation is looked for at most every 30 s
    now[0] += 31
    issuer.keys.append({**issuer.keys[0], "kid": "k2"})
    assert await verifier.verify(issuer.token(kid="k2")) is not None
    assert issuer.fetches == 2


@pytest.mark.anyio
async def test_a_sign_on_token_works_over_http_on_mcp_and_the_board_with_the_resource_metadata(
    settings: Settings, store: Store, issuer: Issuer, config: OidcConfig
) -> None:
    make_team(store)
    seeded = seed(store)

    async def accepting(context: ClientRequestContext, params: ElicitRequestParams) -> ElicitResult:
        assert isinstance(params, ElicitRequestFormParams)
        return ElicitResult(action="accept", content={"decision": "kill", "reason": "covered by #2"})

    with running(dataclasses.replace(settings, user="op"), oidc=config) as server:
        async with httpx2.AsyncClient(base_url=server.base_url) as http:
            metadata = (await http.get("/.well-known/oauth-protected-resource/mcp")).json()
            assert metadata["resource"] == f"{server.base_url}/mcp"
            assert metadata["authorization_servers"] == [issuer.url]
            refused = await http.post("/mcp", json={}, headers={"authorization": f"Bearer {issuer.token(aud='x')}"})
            assert refused.status_code == 401
            assert "resource_metadata=" in refused.headers["www-authenticate"]
        with anyio.fail_after(30):
            async with mcp_client(server.base_url, issuer.token(), elicitation_callback=accepting) as client:
                result = await client.call_tool("decide_action", {"action_id": seeded.candidate})
        assert not result.is_error, result.content
        with httpx2.Client(base_url=server.base_url, headers={"origin": server.base_url}) as browser:
            csrf = form_values(browser.get("/login").text)["csrf"]
            signed = browser.post("/login", data={"csrf": csrf, "token": issuer.token(email="bob@example.com")})
            assert signed.status_code == 303
            assert "signed in as Bob" in browser.get("/").text
    assert store.get_action(seeded.candidate).state is ActionState.KILLED
    assert store.decisions(seeded.candidate)[-1].decided_by == "Alice"


def test_sign_on_settings_need_an_audience_and_urls() -> None:
    assert load_oidc({}) is None
    found = load_oidc(
        {
            "POSTMORTEM_ACTIONS_OIDC_ISSUER": "https://id.example.com",
            "POSTMORTEM_ACTIONS_OIDC_AUDIENCE": "pma",
            "POSTMORTEM_ACTIONS_OIDC_CLAIM": "sub",
            "POSTMORTEM_ACTIONS_OIDC_ROLE": "viewer",
        }
    )
    assert found == OidcConfig("https://id.example.com", "pma", None, "sub", "viewer")
    with pytest.raises(ConfigError, match="AUDIENCE is not"):
        load_oidc({"POSTMORTEM_ACTIONS_OIDC_ISSUER": "https://id.example.com"})
    bad_url = {"POSTMORTEM_ACTIONS_OIDC_ISSUER": "id.example.com", "POSTMORTEM_ACTIONS_OIDC_AUDIENCE": "a"}
    with pytest.raises(ConfigError, match="not an http"):
        load_oidc(bad_url)
    bad_role = {
        "POSTMORTEM_ACTIONS_OIDC_ISSUER": "https://id.example.com",
        "POSTMORTEM_ACTIONS_OIDC_AUDIENCE": "a",
        "POSTMORTEM_ACTIONS_OIDC_ROLE": "root",
    }
    with pytest.raises(ConfigError, match="not a role"):
        load_oidc(bad_role)
