"""The stable JSON form of a finding, as `postmortem-actions extract --json` prints it.

Scripts depend on it: the keys, their order and their types change only in a major version (and the
CHANGELOG marks it breaking). Richer detail (lint kinds, the words behind the category, the section)
is in the MCP results, not here.
"""

from __future__ import annotations

from typing import Final

from postmortem_actions.tools.extraction.models import Finding

CONTRACT_KEYS: Final = (
    "text",
    "quote",
    "start",
    "end",
    "category",
    "owner",
    "due",
    "ticket",
    "vague",
    "vague_reasons",
    "in_section",
    "done",
)


def as_contract(finding: Finding) -> dict[str, object]:
    """One finding as the JSON contract's object: exactly `CONTRACT_KEYS`, in that order."""
    return {
        "text": finding.text,
        "quote": finding.quote,
        "start": finding.start,
        "end": finding.end,
        "category": finding.category.value,
        "owner": finding.owner,
        "due": finding.due,
        "ticket": finding.ticket,
        "vague": finding.vague,
        "vague_reasons": [f"{lint.why}; a concrete version needs {lint.needs}" for lint in finding.lint],
        "in_section": finding.in_section,
        "done": finding.done,
    }
