"""Follow-through: the review's questions (what is overdue, the agenda, a status summary, the completion audit), the
report as a page, and plain-file exports (Markdown, CSV, JSON, iCalendar)."""

from postmortem_actions.tools.followthrough.exports import ExportRow, export_rows, to_csv, to_ics, to_json, to_markdown
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
