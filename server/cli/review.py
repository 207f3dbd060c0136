"""The review for people: `overdue`, `agenda`, `summary`, `report` — tables in a terminal, json/md/csv for pipes."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from postmortem_actions.server.cli.arguments import Commands, day
from postmortem_actions.server.cli.formats import add_format, chosen, csv_text
from postmortem_actions.server.cli.output import write_output
from postmortem_actions.server.settings import Settings
from postmortem_actions.store import Category, Store
from postmortem_actions.tools import followthrough as ft
from postmortem_actions.tools.markdown_text import md_text

if TYPE_CHECKING:
    from rich.console import RenderableType

COMMANDS = ("overdue", "agenda", "summary", "report")


def add_commands(commands: Commands, common: argparse.ArgumentParser) -> None:
    """Register the review commands on the CLI's sub-parsers."""

    def review(name: str, help_text: str) -> argparse.ArgumentParser:
        parser = commands.add_parser(name, parents=[common], help=help_text)
        parser.add_argument(
            "--as-of", type=day, default=None, metavar="YYYY-MM-DD", help="compute for this day (default: today)"
        )
        add_format(parser, pipe="md")
        return parser

    owner_help = "only this owner's items (case-insensitive)"
    postmortem_help = "only this postmortem's items"
    overdue = review("overdue", "accepted items past their due date, most overdue first")
    overdue.add_argument("--owner", help=owner_help)
    overdue.add_argument("--postmortem", type=int, metavar="ID", help=postmortem_help)
    overdue.add_argument("--category", choices=[c.value for c in Category], help="only items of this category")
    overdue.add_argument("--limit", type=int, default=50, help="at most this many items (the total is exact)")
    agenda = review("agenda", "the review meeting's agenda")
    agenda.add_argument("--owner", help=owner_help)
    agenda.add_argument("--postmortem", type=int, metavar="ID", help=postmortem_help)
    summary = review("summary", "a status summary: counts, open items, what changed")
    summary.add_argument("--postmortem", type=int, metavar="ID", help=postmortem_help)
    summary.add_argument("--since", type=day, metavar="YYYY-MM-DD", help="changes from this day")
    summary.add_argument("--until", type=day, metavar="YYYY-MM-DD", help="changes before this day")
    summary.add_argument(
        "--audience",
        choices=["engineering", "leadership"],
        default="engineering",
        help="engineering: every open item; leadership: counts and what is overdue",
    )
    report = review("report", "the follow-through report: completion, aging, category balance, who to follow up")
    report.add_argument("--since", type=day, metavar="YYYY-MM-DD", help="items accepted from this day")
    report.add_argument("--until", type=day, metavar="YYYY-MM-DD", help="items accepted before this day")
    report.add_argument(
        "--group-by",
        choices=["postmortem", "owner", "category", "severity"],
        default="postmortem",
        help="one row per postmortem (default), owner, category or severity",
    )
    report.add_argument("--html", type=Path, metavar="FILE", help="also write a self-contained HTML page with charts")
    report.add_argument(
        "--force",
        action="store_true",
        help="with --html: replace FILE even if it is not an HTML page (never the database, its journal or its key)",
    )


ITEM_COLUMNS = ["id", "postmortem", "owner", "due", "days_overdue", "status", "note", "ticket", "text"]


def _item_rows(items: list[ft.ReviewItem]) -> list[list[object]]:
    return [
        [i.action_id, i.postmortem_id, i.owner, i.due, i.days_overdue, i.work_status, i.status_note, i.ticket, i.text]
        for i in items
    ]


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run one review command; returns the exit status.

    Raises:
        PostmortemActionsError: the database is missing, or an id names nothing.
        OutputNotWritten: the --html file was refused or could not be written.
    """
    store = Store(settings.db_path, create=False)
    as_of = args.as_of or date.today()
    fmt = chosen(args)
    show = {"overdue": _overdue, "agenda": _agenda, "summary": _summary}.get(args.command)
    if show is None:
        report = ft.followthrough_report(store, as_of=as_of, since=args.since, until=args.until, group_by=args.group_by)
        if args.html is not None:
            write_output(
                args.html, ft.render_html(report), "html", force=args.force, protected=settings.protected_paths
            )
            print(f"wrote {args.html}", file=sys.stderr)
        out = _report(report, fmt)
    else:
        out = show(store, args, as_of, fmt)
    if isinstance(out, str):
        print(out, end="")
    else:
        from postmortem_actions.server.cli.screen import draw

        draw(out)
    return 0


def _overdue(store: Store, args: argparse.Namespace, as_of: date, fmt: str) -> str | RenderableType:
    page = ft.list_overdue(
        store, as_of=as_of, owner=args.owner, postmortem_id=args.postmortem, category=args.category, limit=args.limit
    )
    if fmt == "json":
        return page.model_dump_json(indent=2) + "\n"
    if fmt == "md":
        lines = [
            f"- #{i.action_id} {md_text(i.text)} — {md_text(i.owner or '-')}, due {i.due}, {i.days_overdue} days "
            "overdue" + (f"; {md_text(i.status_note)}" if i.status_note else "")
            for i in page.items
        ]
        return f"# Overdue on {as_of} ({page.total})\n\n" + ("\n".join(lines) or "- none") + "\n"
    if fmt == "csv":
        return csv_text(ITEM_COLUMNS, _item_rows(page.items))
    from postmortem_actions.server.cli.review_views import overdue_view

    return overdue_view(page)


def _agenda(store: Store, args: argparse.Namespace, as_of: date, fmt: str) -> str | RenderableType:
    agenda = ft.review_agenda(store, as_of=as_of, owner=args.owner, postmortem_id=args.postmortem)
    if fmt == "json":
        return agenda.model_dump_json(indent=2) + "\n"
    if fmt == "csv":
        rows: list[list[object]] = [
            [s.key, i.action_id, i.owner, i.due, i.prompt, i.text] for s in agenda.sections for i in s.items
        ]
        return csv_text(["section", "id", "owner", "due", "prompt", "text"], rows)
    if fmt == "md":
        return agenda.markdown + "\n"
    from postmortem_actions.server.cli.review_views import agenda_view

    return agenda_view(agenda)


def _summary(store: Store, args: argparse.Namespace, as_of: date, fmt: str) -> str | RenderableType:
    summary = ft.draft_status_summary(
        store, as_of=as_of, postmortem_id=args.postmortem, since=args.since, until=args.until, audience=args.audience
    )
    if fmt == "json":
        return summary.model_dump_json(indent=2) + "\n"
    if fmt == "csv":
        return csv_text(ITEM_COLUMNS, _item_rows(summary.open_items))
    if fmt == "md":
        return summary.markdown + "\n"
    from postmortem_actions.server.cli.review_views import summary_view

    return summary_view(summary)


_REPORT_COLUMNS = [
    "group",
    "accepted",
    "done",
    "done_on_time",
    "killed",
    "open",
    "overdue",
    "completion_rate",
    "median_days_to_done",
]


def _report(report: ft.FollowthroughReport, fmt: str) -> str | RenderableType:
    if fmt == "json":
        return report.model_dump_json(indent=2) + "\n"
    if fmt == "csv":
        rows: list[list[object]] = [
            [
                g.key,
                g.accepted,
                g.done,
                g.done_on_time,
                g.killed,
                g.open,
                g.overdue,
                g.completion_rate,
                g.median_days_to_done,
            ]
            for g in [*report.groups, report.total]
        ]
        return csv_text(_REPORT_COLUMNS, rows)
    if fmt == "md":
        return report.markdown + "\n"
    from postmortem_actions.server.cli.review_views import report_view

    return report_view(report)
