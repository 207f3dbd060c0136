"""`postmortem-actions demo`: the real server over stdio, driven by the SDK's client, step by step.

The demo plays the assistant with a scripted list of candidates for the bundled sample postmortem,
including one the text does not support and two attempts to commit an owner, so a newcomer sees the
gates refuse them.
"""

from __future__ import annotations

import os
import sys
import tempfile
import textwrap
from datetime import date
from importlib.resources import files
from pathlib import Path
from typing import Any

import anyio

from postmortem_actions.server.cli.demo_forms import answer_at_terminal
from postmortem_actions.server.cli.render import action_table
from postmortem_actions.store import ActionSummary

SAMPLE = "checkout-outage.md"

CANDIDATES: list[dict[str, Any]] = [
    {
        "text": "Add a CI check that fails when total worker connections exceed 80% of the database's max_connections",
        "done_when": "A deploy manifest that over-subscribes connections fails CI in the order-service repository",
        "problem": "Worker count and max_connections are configured in two places that nothing compares",
        "category": "prevent",
        "size": "M",
        "proposed_owner": "dana",
        "quote": "Add a CI check that fails when total worker connections exceed 80% of `max_connections`",
    },
    {
        "text": "Page the payments on-call when the checkout 5xx rate exceeds 5% for 3 minutes",
        "done_when": "A synthetic 5xx burst in staging pages the on-call within 4 minutes",
        "problem": "The only checkout alert watched p99 latency, so 38% errors paged no one for 24 minutes",
        "category": "detect",
        "size": "S",
        "proposed_owner": "lee",
        "quote": "Page the on-call when the checkout 5xx rate exceeds 5% for 3 minutes",
    },
    {
        "text": "Write a runbook entry for database connection exhaustion, including the rollback command",
        "done_when": "The runbook entry is linked from the connection-count alert and was used in a drill",
        "problem": "Diagnosis and rollback depended on who happened to be on call",
        "category": "mitigate",
        "size": "S",
        "quote": "Write a runbook entry for connection exhaustion, including the rollback command",
    },
    {
        "text": "Add status-page updates to the incident commander's checklist with a 10-minute target for SEV1/SEV2",
        "done_when": "The checklist has the step, and the next SEV1/SEV2 updates the status page within 10 minutes",
        "problem": "Customers heard nothing for 31 minutes",
        "category": "process",
        "size": "S",
        "quote": "move the status page update into the incident commander's checklist",
    },
    {
        "text": "Double the database's max_connections",
        "done_when": "max_connections is 2x its current value",
        "problem": "Connection exhaustion",
        "category": "prevent",
        "quote": "we agreed to double max_connections on the primary",
    },
]


def _say(text: str = "") -> None:
    print(textwrap.indent(text, "  ") if text else "")


async def _drive(db: Path, sample: Path, keep: bool) -> None:
    from mcp import Client, StdioServerParameters  # only the demo and the server import the SDK
    from mcp.types import TextContent

    env = {
        "POSTMORTEM_ACTIONS_DB": str(db),
        "POSTMORTEM_ACTIONS_ALLOWED_DIRS": str(sample.parent),
        "POSTMORTEM_ACTIONS_USER": os.environ.get("POSTMORTEM_ACTIONS_USER", "demo-user"),
        "POSTMORTEM_ACTIONS_LOG_LEVEL": "WARNING",
    }
    params = StdioServerParameters(command=sys.executable, args=["-m", "postmortem_actions.server", "serve"], env=env)
    # Only a person at a terminal can answer the server's questions; without one the client declares no
    # elicitation, exactly like a host that cannot show a form.
    interactive = sys.stdin.isatty() and sys.stdout.isatty()
    print(f"1. Starting the server over stdio: {sys.executable} -m postmortem_actions.server serve")
    async with Client(params, elicitation_callback=answer_at_terminal if interactive else None) as client:
        tools = (await client.list_tools()).tools
        _say(
            f"protocol {client.protocol_version}; tools: "
            + ", ".join(
                f"{t.name}{' (read-only)' if t.annotations and t.annotations.read_only_hint else ''}" for t in tools
            )
        )

        print(f"\n2. parse_postmortem(path={sample.name!r})")
        parsed = await client.call_tool("parse_postmortem", {"path": str(sample)})
        pm = parsed.structured_content or {}
        _say(f"postmortem #{pm['postmortem_id']}: {pm['title']}")
        _say(f"severity {pm['severity']}, incident date {pm['incident_date']}, {pm['chars']} characters")
        _say("sections: " + " | ".join(s["heading"] or "(preamble)" for s in pm["sections"]))
        _say(f"the server's extractor found {pm['findings_total']} follow-up(s), each with its exact quote:")
        for f in pm["findings"]:
            flags = f["category"] + (", vague" if f["vague"] else "") + ("" if f["in_section"] else ", prose")
            _say(f"  [{flags}] {f['text'][:100]}")

        print(f"\n3. record_candidates: the assistant proposes {len(CANDIDATES)} actions, each with an evidence quote")
        recorded = await client.call_tool(
            "record_candidates", {"postmortem_id": pm["postmortem_id"], "candidates": CANDIDATES}
        )
        result = recorded.structured_content or {}
        for item in result["recorded"]:
            _say(f"#{item['action_id']} {item['status']}: {item['text']}")
        for item in result["rejected"]:
            _say(f"REJECTED: {item['text']}\n    because {item['reason']}")
        for gap in result["coverage_gap"]:
            _say(f"NOT COVERED (the assistant must record it or tell you why not): {gap['text']}")

        print("\n4. The assistant tries to commit an owner itself")
        first = result["recorded"][0]["action_id"]
        attempt = await client.call_tool(
            "record_candidates", {"postmortem_id": pm["postmortem_id"], "candidates": CANDIDATES[:1], "owner": "dana"}
        )
        refusal = " ".join(c.text for c in attempt.content if isinstance(c, TextContent))
        _say(f"record_candidates(..., owner='dana') -> {refusal if attempt.is_error else 'accepted?!'}")
        attempt = await client.call_tool(
            "revise_candidate", {"action_id": first, "changes": {"state": "accepted", "owner": "dana"}}
        )
        refusal = " ".join(" ".join(c.text.split()) for c in attempt.content if isinstance(c, TextContent))
        _say(
            f"revise_candidate(changes={{state: accepted, owner: dana}}) -> "
            f"{refusal[:150] + '…' if attempt.is_error else 'accepted?!'}"
        )

        print("\n5. decide_action: the assistant proposes an owner and date; only the human can commit them")
        targets = result["recorded"] if interactive else result["recorded"][:1]
        for item in targets:
            proposal = next((c for c in CANDIDATES if c["text"] == item["text"]), {})
            decided = await client.call_tool(
                "decide_action", {"action_id": item["action_id"], "proposed_owner": proposal.get("proposed_owner")}
            )
            text = " ".join(c.text for c in decided.content if isinstance(c, TextContent))
            _say(
                f"#{item['action_id']}: "
                + ((decided.structured_content or {}).get("message", "") if not decided.is_error else text)
            )
        if not interactive:
            _say(
                "No person is at this terminal to answer, so nothing can be committed: every item stays undecided.\n"
                "Run the demo in a terminal to answer the forms yourself."
            )

        print("\n6. list_actions(postmortem_id=...)")
        listed = await client.call_tool("list_actions", {"postmortem_id": pm["postmortem_id"]})
        page = listed.structured_content or {}
        items = [ActionSummary.model_validate(a) for a in page["items"]]
        _say(action_table(items, page["total"], page["offset"]))

    print(
        f"\nOn {date.today():%Y-%m-%d}: owners and due dates change only by a human decision, recorded with who"
        "\ndecided, when and through which channel (`postmortem-actions verify` checks the chain)."
    )
    print(f"Database: {db}" + ("" if keep else " (throwaway; `demo --keep` writes into --db instead)"))


def run_demo(db: Path | None) -> int:
    """Run the demo against `db`, or a throwaway database when None; returns the exit status."""
    sample = Path(str(files("postmortem_actions.server") / "samples" / SAMPLE))
    if db is not None:
        anyio.run(_drive, db, sample, True)
        return 0
    with tempfile.TemporaryDirectory(prefix="postmortem-actions-demo-") as tmp:
        anyio.run(_drive, Path(tmp) / "demo.db", sample, False)
    return 0
