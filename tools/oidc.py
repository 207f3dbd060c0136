"""Single sign-on for the team server: OAuth/OIDC access tokens (JWTs) from an existing identity provider.

The token's signature is checked against the provider's published keys (JWKS, fetched over HTTPS and cached), with
PyJWT and `cryptography` (no crypto here); its issuer and audience must be the configured ones, it must carry an
expiry and not be past it, and only asymmetric algorithms are accepted (never `none`, never a shared-secret HMAC a
public key could be passed off as). A claim (`email` by default, or `sub`) names the person in the people table.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import anyio
import httpx2
import jwt

from postmortem_actions.store import Store
from postmortem_actions.store.errors import ConfigError, InvalidInput
from postmortem_actions.store.tokens import Role
from postmortem_actions.tools.tokens import role_of

log = logging.getLogger("postmortem_actions")

ALGORITHMS: Final = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
KEYS_FOR: Final = 600.0  # seconds a fetched key set is used before it is fetched again
REFETCH_AFTER: Final = 30.0  # an unknown key id fetches the set again, at most this often (key rotation)
LEEWAY: Final = 30  # seconds of clock skew tolerated on exp/nbf/iat


@dataclass(frozen=True)
class OidcConfig:
    """Which provider's tokens are accepted, for which audience, and how a token names a person."""

    issuer: str
    audience: str
    jwks_url: str | None = None  # default: the provider's discovery document says
    claim: str = "email"
    role: Role = "member"


def load_oidc(env: Mapping[str, str]) -> OidcConfig | None:
    """The sign-on settings, or None when no issuer is configured.

    POSTMORTEM_ACTIONS_OIDC_ISSUER, POSTMORTEM_ACTIONS_OIDC_AUDIENCE (both needed), POSTMORTEM_ACTIONS_OIDC_JWKS_URL,
    POSTMORTEM_ACTIONS_OIDC_CLAIM (email, sub, or another claim naming a person), POSTMORTEM_ACTIONS_OIDC_ROLE.

    Raises:
        ConfigError: an issuer without an audience, a URL that is not http(s), or an unknown role.
    """
    issuer = env.get("POSTMORTEM_ACTIONS_OIDC_ISSUER", "").strip()
    if not issuer:
        return None
    audience = env.get("POSTMORTEM_ACTIONS_OIDC_AUDIENCE", "").strip()
    if not audience:
        raise ConfigError(
            "POSTMORTEM_ACTIONS_OIDC_ISSUER is set but POSTMORTEM_ACTIONS_OIDC_AUDIENCE is not: without an audience a "
            "token meant for any other service would be accepted. Set it to this server's client id or URL."
        )
    jwks = env.get("POSTMORTEM_ACTIONS_OIDC_JWKS_URL", "").strip() or None
    for name, url in (("ISSUER", issuer), ("JWKS_URL", jwks)):
        if url is not None and not url.startswith(("https://", "http://")):
            raise ConfigError(f"POSTMORTEM_ACTIONS_OIDC_{name}={url[:80]!r} is not an http(s) URL")
    claim = env.get("POSTMORTEM_ACTIONS_OIDC_CLAIM", "email").strip() or "email"
    try:
        role = role_of(env.get("POSTMORTEM_ACTIONS_OIDC_ROLE", "member"))
    except InvalidInput as exc:
        raise ConfigError(f"POSTMORTEM_ACTIONS_OIDC_ROLE: {exc}") from None
    return OidcConfig(issuer=issuer, audience=audience, jwks_url=jwks, claim=claim, role=role)


@dataclass(frozen=True)
class SignedOn:
    """A verified token: the person it names, the role sign-on gives, its expiry and the client it was issued to."""

    person: str
    role: Role
    expires_at: int
    client_id: str
    issuer: str


@dataclass
class OidcVerifier:
    """Verifies the provider's JWTs; the key set is fetched on first use and cached."""

    config: OidcConfig
    store: Store
    transport: Any = None  # an httpx2 transport, for tests
    clock: Callable[[], float] = field(default=time.monotonic)
    _keys: dict[str, jwt.PyJWK] = field(default_factory=dict)
    _fetched: float = -1e18
    _lock: anyio.Lock = field(default_factory=anyio.Lock)

    async def verify(self, token: str) -> SignedOn | None:
        """The person a valid token names, or None (bad signature, issuer, audience, expiry, algorithm; unknown
        person). Why it was refused is logged at INFO, never the token."""
        try:
            header = jwt.get_unverified_header(token)
            algorithm = header.get("alg")
            if algorithm not in ALGORITHMS:
                raise jwt.InvalidAlgorithmError(f"algorithm {str(algorithm)[:10]!r} is not accepted")
            key = await self._key(str(header.get("kid", "")))
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key,
                algorithms=[algorithm],
                audience=self.config.audience,
                issuer=self.config.issuer,
                leeway=LEEWAY,
                options={"require": ["exp", "iss", "aud"]},
            )
        except (jwt.PyJWTError, OSError, httpx2.HTTPError, ValueError, KeyError, TypeError) as exc:
            log.info("refused a sign-on token: %s", type(exc).__name__)
            return None
        return self._signed_on(claims)

    def _signed_on(self, claims: Mapping[str, Any]) -> SignedOn | None:
        value = claims.get(self.config.claim)
        if not isinstance(value, str) or not value.strip():
            log.info("refused a sign-on token: no %s claim", self.config.claim)
            return None
        by_email = self.config.claim == "email"
        found = self.store.person_by_email(value) if by_email else self.store.person_by_name(value)
        if found is None:
            log.info("refused a sign-on token: its %s names nobody in the people table", self.config.claim)
            return None
        client = claims.get("azp") or claims.get("client_id") or "oidc"
        return SignedOn(found, self.config.role, int(claims["exp"]), str(client)[:200], self.config.issuer)

    async def _key(self, kid: str) -> jwt.PyJWK:
        now = self.clock()
        stale = now - self._fetched > KEYS_FOR
        if stale or (kid not in self._keys and now - self._fetched > REFETCH_AFTER):
            async with self._lock:
                if self.clock() - self._fetched > REFETCH_AFTER or stale:
                    self._keys = await self._fetch()
                    self._fetched = self.clock()
        if kid in self._keys:
            return self._keys[kid]
        if not kid and len(self._keys) == 1:
            return next(iter(self._keys.values()))
        raise KeyError("no key in the provider's key set has this token's key id")

    async def _fetch(self) -> dict[str, jwt.PyJWK]:
        async with httpx2.AsyncClient(transport=self.transport, timeout=10.0, follow_redirects=False) as client:
            url = self.config.jwks_url
            if url is None:
                discovery = self.config.issuer.rstrip("/") + "/.well-known/openid-configuration"
                reply = await client.get(discovery)
                reply.raise_for_status()
                url = str(json.loads(reply.text)["jwks_uri"])
            reply = await client.get(url)
            reply.raise_for_status()
            keys = jwt.PyJWKSet.from_dict(json.loads(reply.text))
        return {str(k.key_id or ""): k for k in keys.keys}
