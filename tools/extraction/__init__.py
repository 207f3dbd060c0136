"""Extraction: what a postmortem proposes, read without a model or the network.

The flow: a reader turns the document into blocks with exact offsets (`readers/`: Markdown and plain text, HTML);
`purposes` gives each section a purpose (follow-up, timeline, advice, response, narrative); `tables`, `followups`,
`label_lines` and `sentences` find the items; `fields` reads owner, due date, tickets and done marks; `categories`
and `lint` judge them; `extractor` puts it together and drops repeats. `evidence` locates a candidate's quote,
`coverage` reports the findings no candidate covers, and `json_contract` is the stable `extract --json` shape.

The names below load on first use: the patterns compile when a document is first read, not when a server starts.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from postmortem_actions.tools.extraction.coverage import coverage_gap, covers
    from postmortem_actions.tools.extraction.evidence import locate
    from postmortem_actions.tools.extraction.extractor import extract
    from postmortem_actions.tools.extraction.facts import find_incident_date, find_severity, find_title, sections
    from postmortem_actions.tools.extraction.json_contract import as_contract
    from postmortem_actions.tools.extraction.lint import lint_action, lint_findings
    from postmortem_actions.tools.extraction.models import CoverageGap, Finding, LintFinding, LintResult

_WHERE = {
    "coverage_gap": "coverage",
    "covers": "coverage",
    "locate": "evidence",
    "extract": "extractor",
    "find_incident_date": "facts",
    "find_severity": "facts",
    "find_title": "facts",
    "sections": "facts",
    "as_contract": "json_contract",
    "lint_action": "lint",
    "lint_findings": "lint",
    **dict.fromkeys(("CoverageGap", "Finding", "LintFinding", "LintResult"), "models"),
}

__all__ = [
    "CoverageGap",
    "Finding",
    "LintFinding",
    "LintResult",
    "as_contract",
    "coverage_gap",
    "covers",
    "extract",
    "find_incident_date",
    "find_severity",
    "find_title",
    "lint_action",
    "lint_findings",
    "locate",
    "sections",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
