"""The gate's test setting, shared by the attacker's suites (the elicitation gate, the MCP Apps card): one postmortem
with an item in every state, and what "nothing changed" means."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from mcp import Client

from postmortem_actions.store import ActionFilter, Channel, DecisionKind, HumanDecision, Store

RecordSample = Callable[[Client], Awaitable[tuple[int, list[int]]]]
Snapshot = tuple[list[dict[str, Any]], list[dict[str, Any]]]


def snapshot(store: Store) -> Snapshot:
    """Every action as a full record, and the decision log."""
    return (
        [a.model_dump(mode="json") for a in store.actions(ActionFilter())],
        [d.model_dump(mode="json") for d in store.decisions()],
    )


def assert_unchanged(store: Store, before: Snapshot) -> None:
    """Nothing was written: every action and the decision log as they were, and the chain verifies."""
    after = snapshot(store)
    assert [(a["id"], a["state"], a["owner"], a["due"]) for a in after[0]] == [
        (a["id"], a["state"], a["owner"], a["due"]) for a in before[0]
    ]
    assert after == before
    report = store.verify()
    assert report.ok, report.problems


@dataclass(frozen=True)
class Items:
    postmortem: int
    candidate: int
    accepted: int
    done: int
    killed: int
    spare: int


def decide_directly(store: Store, action_id: int, kind: DecisionKind, **values: Any) -> None:
    """A human decision typed elsewhere (the terminal): how the setting gets items past the candidate stage."""
    store.record_decision(
        action_id, HumanDecision(kind=kind, decided_by="tester", channel=Channel.TERMINAL, client="setup", **values)
    )


async def setting(server: Any, store: Store, record_sample: RecordSample) -> Items:
    """The sample postmortem's items: a candidate, an accepted one, a done one, a killed one and a spare candidate."""
    async with Client(server) as plain:
        pm, ids = await record_sample(plain)
    decide_directly(store, ids[1], DecisionKind.ACCEPT, owner="dana", due=date(2027, 1, 15))
    decide_directly(store, ids[2], DecisionKind.ACCEPT, owner="erin", due=date(2027, 2, 1))
    decide_directly(store, ids[2], DecisionKind.COMPLETE, evidence="PR #12 merged")
    decide_directly(store, ids[3], DecisionKind.KILL, reason="Duplicate of the paging work")
    return Items(pm, ids[0], ids[1], ids[2], ids[3], ids[4])
