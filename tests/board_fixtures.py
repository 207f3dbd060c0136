"""A seeded database and a signed-in HTTP client for the web board's tests (a real board on loopback)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx2
import pytest
from mcp.client.session import ClientSession
from mcp.types import ElicitationCapability, UrlElicitationCapability

from postmortem_actions.server.settings import Settings
from postmortem_actions.server.web.app import Board
from postmortem_actions.server.web.launch import serving
from postmortem_actions.store import Actor, Channel, DecisionKind, HumanDecision, NewAction, NewPostmortem, Store

BY = Actor(actor="assistant", via="test")
TEXT = """\
# Checkout outage

Severity: SEV2

## What happened

Checkout failed for 40 minutes. The timeline is below.

## Action items

- Add an alert on checkout error rate above 2% for 5 minutes.
- Write the runbook for failing over the payment gateway.
- Cap retries to the payment gateway at three attempts.
- Rehearse the gateway failover every quarter.
- Investigate better dashboards for checkout.
"""
QUOTES = (
    "Add an alert on checkout error rate above 2% for 5 minutes",
    "Write the runbook for failing over the payment gateway",
    "Cap retries to the payment gateway at three attempts",
    "Rehearse the gateway failover every quarter",
)


@dataclass(frozen=True)
class Seeded:
    """Ids of the seeded items: one candidate per quote, one accepted, one done, one killed."""

    postmortem: int
    candidate: int
    accepted: int
    done: int
    killed: int


def seed(store: Store) -> Seeded:
    """A postmortem with four actions in four states (decided through the terminal channel)."""
    pm, _ = store.add_postmortem(
        NewPostmortem(
            title="Checkout outage",
            source="checkout.md",
            text=TEXT,
            sha256=hashlib.sha256(TEXT.encode()).hexdigest(),
            severity="SEV2",
        ),
        BY,
    )
    added = store.add_actions(
        pm.id,
        [
            NewAction(
                text=q,
                done_when=f"done: {q.lower()}",
                problem="checkout failed unnoticed",
                category="detect",
                quote=q,
                quote_start=TEXT.index(q),
                quote_end=TEXT.index(q) + len(q),
                proposed_owner="team-payments",
                proposed_due=date(2030, 1, 15),
            )
            for q in QUOTES
        ],
        BY,
    )
    candidate, accepted, done, killed = (a.id for a, _ in added)

    def decide(action_id: int, kind: DecisionKind, **values: object) -> None:
        human = HumanDecision(kind=kind, decided_by="lee", channel=Channel.TERMINAL, **values)
        store.record_decision(action_id, human)

    for action_id in (accepted, done):
        decide(action_id, DecisionKind.ACCEPT, owner="carol", due=date(2030, 2, 1))
    decide(done, DecisionKind.COMPLETE, evidence="PR 12")
    decide(killed, DecisionKind.KILL, reason="superseded")
    return Seeded(pm.id, candidate, accepted, done, killed)


@contextmanager
def board_client(settings: Settings, *, signed_in: bool = True) -> Iterator[tuple[httpx2.Client, Board]]:
    """A real board on loopback and an HTTP client that behaves like the signed-in browser (same Origin)."""
    with (
        serving(settings) as (base, board),
        httpx2.Client(base_url=base, headers={"origin": base}, timeout=10) as client,
    ):
        if signed_in:
            reply = client.get(f"/login?k={board.keys.login_token}")
            assert reply.status_code == 303, reply.text
        yield client, board


def form_values(page: str, kind: str | None = None) -> dict[str, str]:
    """The hidden fields (version, csrf, kind) of the page's form for `kind` (or its only form)."""
    forms = re.findall(r"<form method=\"post\".*?</form>", page, re.DOTALL)
    for form in forms:
        hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))
        if kind is None or hidden.get("kind") == kind:
            return hidden
    raise AssertionError(f"no form for {kind!r} on the page")


def notice(page: str) -> str:
    """The text of the page's notice (what was recorded or refused)."""
    found = re.search(r'class="notice (?:good|bad)">(.*?)</div>', page, re.DOTALL)
    assert found is not None, page[:500]
    return found.group(1)


@pytest.fixture
def url_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Clients that declare URL-mode elicitation only (as some hosts do): the SDK's client declares both modes."""
    build = ClientSession._build_capabilities

    def url_mode(self: ClientSession, version: str) -> Any:
        caps = build(self, version)
        if caps.elicitation is not None:
            caps = caps.model_copy(update={"elicitation": ElicitationCapability(url=UrlElicitationCapability())})
        return caps

    monkeypatch.setattr(ClientSession, "_build_capabilities", url_mode)
