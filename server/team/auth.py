"""Who a request is for: the team server's token verifier (the SDK's `TokenVerifier` hook).

A `pma_…` token is looked up by its SHA-256 hash (one indexed read); anything else with the shape of a JWT goes to
single sign-on when it is configured. The person becomes the access token's subject, and their role its scopes:
the gate records the subject as the decider, and `RoleGuard` reads the scopes. No token ever reaches a log.
"""

from __future__ import annotations

import logging

from mcp.server.auth.provider import AccessToken

from postmortem_actions.server.mcp.roles import SCOPES
from postmortem_actions.server.web.sessions import Identity
from postmortem_actions.store import Store
from postmortem_actions.store.errors import PostmortemActionsError
from postmortem_actions.tools.oidc import OidcVerifier
from postmortem_actions.tools.tokens import PREFIX, token_hash

log = logging.getLogger("postmortem_actions")
MAX_TOKEN = 8192  # longer than any JWT a provider issues; refused before anything parses it


class TeamVerifier:
    """Verifies the team server's bearer tokens: ours (`token create`) and, if configured, sign-on JWTs."""

    def __init__(self, store: Store, oidc: OidcVerifier | None = None) -> None:
        self.store = store
        self.oidc = oidc

    async def identify(self, token: str) -> Identity | None:
        """The person and role a token speaks for, or None (unknown, revoked, expired, forged)."""
        if not token or len(token) > MAX_TOKEN:
            return None
        if token.startswith(PREFIX):
            try:
                holder = self.store.token_holder(token_hash(token))
            except PostmortemActionsError as exc:
                log.warning("could not check a token: %s", exc)
                return None
            if holder is None:
                return None
            return Identity(holder.person, holder.role, holder.token_id, None, f"token-{holder.token_id}")
        if self.oidc is not None and token.count(".") == 2:
            signed = await self.oidc.verify(token)
            if signed is not None:
                return Identity(signed.person, signed.role, 0, signed.expires_at, signed.client_id, signed.issuer)
        return None

    async def verify_token(self, token: str) -> AccessToken | None:
        """The SDK's hook: an access token whose subject is the person and whose scopes are their role's."""
        who = await self.identify(token)
        if who is None:
            return None
        return AccessToken(
            token=token,
            client_id=who.client_id,
            scopes=list(SCOPES[who.role]),
            expires_at=who.expires_at,
            subject=who.person,
            claims={"iss": who.issuer} if who.issuer else None,
        )
