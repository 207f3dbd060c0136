"""Follow-through: the review's questions (what is overdue, the agenda, a status summary, the completion audit), the
report as a page, and plain-file exports (Markdown, CSV, JSON, iCalendar)."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from postmortem_actions.tools.followthrough.exports import (
        ExportRow,
        export_rows,
        to_csv,
        to_ics,
        to_json,
        to_markdown,
    )
    from postmortem_actions.tools.followthrough.models import (
        Agenda,
        AgendaPart,
        Audience,
        FollowthroughReport,
        GroupFigures,
        MonthFigures,
        OverduePage,
        ReviewItem,
        StatusSummary,
    )
    from postmortem_actions.tools.followthrough.report_html import render_html
    from postmortem_actions.tools.followthrough.review import (
        draft_status_summary,
        followthrough_report,
        list_overdue,
        review_agenda,
    )

_WHERE = {
    **dict.fromkeys(("ExportRow", "export_rows", "to_csv", "to_ics", "to_json", "to_markdown"), "exports"),
    **dict.fromkeys(
        (
            "Agenda",
            "AgendaPart",
            "Audience",
            "FollowthroughReport",
            "GroupFigures",
            "MonthFigures",
            "OverduePage",
            "ReviewItem",
            "StatusSummary",
        ),
        "models",
    ),
    "render_html": "report_html",
    **dict.fromkeys(("draft_status_summary", "followthrough_report", "list_overdue", "review_agenda"), "review"),
}

__all__ = [
    "Agenda",
    "AgendaPart",
    "Audience",
    "ExportRow",
    "FollowthroughReport",
    "GroupFigures",
    "MonthFigures",
    "OverduePage",
    "ReviewItem",
    "StatusSummary",
    "draft_status_summary",
    "export_rows",
    "followthrough_report",
    "list_overdue",
    "render_html",
    "review_agenda",
    "to_csv",
    "to_ics",
    "to_json",
    "to_markdown",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
