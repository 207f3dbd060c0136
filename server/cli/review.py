"""The review for people: `overdue`, `agenda`, `summary`, `report` — tables in a terminal, json/md/csv for pipes."""

from __future__ import annotations

import argparse
import csv
import io
import sys
from datetime import date
from pathlib import Path

from postmortem_actions.server.cli.arguments import Commands, day
from postmortem_actions.server.cli.output import write_output
from postmortem_actions.server.settings import Settings
from postmortem_actions.store import Category, Store
from postmortem_actions.store.text import visible
from postmortem_actions.tools import followthrough as ft
from postmortem_actions.tools.followthrough.exports import csv_safe
from postmortem_actions.tools.markdown_text import md_text

FORMATS = ["table", "json", "md", "csv"]


COMMANDS = ("overdue", "agenda", "summary", "report")


def add_commands(commands: Commands, common: argparse.ArgumentParser) -> None:
    """Register the review commands on the CLI's sub-parsers."""

    def review(name: str, help_text: str) -> argparse.ArgumentParser:
        parser = commands.add_parser(name, parents=[common], help=help_text)
        parser.add_argument("--as-of", type=day, default=None, metavar="YYYY-MM-DD", help="compute for this day")
        parser.add_argument(
            "--format",
            choices=FORMATS,
            default=None,
            help="table in a terminal; json, md or csv for pipes (default: table on a tty, else md)",
        )
        return parser

    overdue = review("overdue", "accepted items past their due date, most overdue first")
    overdue.add_argument("--owner")
    overdue.add_argument("--postmortem", type=int)
    overdue.add_argument("--category", choices=[c.value for c in Category])
    overdue.add_argument("--limit", type=int, default=50)
    agenda = review("agenda", "the review meeting's agenda")
    agenda.add_argument("--owner")
    agenda.add_argument("--postmortem", type=int)
    summary = review("summary", "a status summary: counts, open items, what changed")
    summary.add_argument("--postmortem", type=int)
    summary.add_argument("--since", type=day, metavar="YYYY-MM-DD", help="changes from this day")
    summary.add_argument("--until", type=day, metavar="YYYY-MM-DD", help="changes before this day")
    summary.add_argument("--audience", choices=["engineering", "leadership"], default="engineering")
    report = review("report", "the follow-through report: completion, aging, category balance")
    report.add_argument("--since", type=day, metavar="YYYY-MM-DD", help="items accepted from this day")
    report.add_argument("--until", type=day, metavar="YYYY-MM-DD", help="items accepted before this day")
    report.add_argument("--group-by", choices=["postmortem", "owner", "category", "severity"], default="postmortem")
    report.add_argument("--html", type=Path, metavar="FILE", help="also write a self-contained HTML page with charts")
    report.add_argument(
        "--force",
        action="store_true",
        help="with --html: replace FILE even if it is not an HTML page (never the database, its journal or its key)",
    )


def _csv(header: list[str], rows: list[list[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    # Nothing in a cell may hide text from the person reading it, nor start a spreadsheet formula.
    writer.writerows([csv_safe(visible(str(cell), multiline=True)) for cell in row] for row in rows)
    return out.getvalue()


def _items_table(items: list[ft.ReviewItem], fmt: str) -> str:
    header = ["id", "postmortem", "owner", "due", "days_overdue", "status", "note", "ticket", "text"]
    rows: list[list[object]] = [
        [
            i.action_id,
            i.postmortem_id,
            i.owner or "",
            i.due or "",
            i.days_overdue or "",
            i.work_status or "",
            i.status_note or "",
            i.ticket or "",
            i.text,
        ]
        for i in items
    ]
    if fmt == "csv":
        return _csv(header, rows)
    widths = [5, 4, 14, 10, 5, 11]
    lines = [f"{'id':>5}  {'pm':>4}  {'owner':<14}  {'due':<10}  {'late':>5}  {'status':<11}  text"]
    for r in rows:
        lines.append(
            f"{r[0]:>5}  {r[1]:>4}  {visible(str(r[2]))[: widths[2]]:<14}  {r[3]!s:<10}  {r[4]!s:>5}  "
            f"{str(r[5])[:11]:<11}  {visible(str(r[8]))}" + (f"  [{visible(str(r[6]))}]" if r[6] else "")
        )
    return "\n".join(lines)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run one review command; returns the exit status.

    Raises:
        PostmortemActionsError: the database is missing, or an id names nothing.
        OutputNotWritten: the --html file was refused or could not be written.
    """
    store = Store(settings.db_path, create=False)
    as_of = args.as_of or date.today()
    fmt = args.format or ("table" if sys.stdout.isatty() else "md")
    show = {"overdue": _overdue, "agenda": _agenda, "summary": _summary}.get(args.command)
    if show is not None:
        print(show(store, args, as_of, fmt), end="")
        return 0
    report = ft.followthrough_report(store, as_of=as_of, since=args.since, until=args.until, group_by=args.group_by)
    if args.html is not None:
        write_output(args.html, ft.render_html(report), "html", force=args.force, protected=settings.protected_paths)
        print(f"wrote {args.html}", file=sys.stderr)
    print(_report(report, fmt), end="")
    return 0


def _overdue(store: Store, args: argparse.Namespace, as_of: date, fmt: str) -> str:
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
        return _items_table(page.items, fmt)
    return _items_table(page.items, fmt) + f"\n{len(page.items)} of {page.total} overdue on {as_of}\n"


def _agenda(store: Store, args: argparse.Namespace, as_of: date, fmt: str) -> str:
    agenda = ft.review_agenda(store, as_of=as_of, owner=args.owner, postmortem_id=args.postmortem)
    if fmt == "json":
        return agenda.model_dump_json(indent=2) + "\n"
    if fmt == "csv":
        rows: list[list[object]] = [
            [s.key, i.action_id, i.owner or "", i.due or "", i.prompt or "", i.text]
            for s in agenda.sections
            for i in s.items
        ]
        return _csv(["section", "id", "owner", "due", "prompt", "text"], rows)
    return agenda.markdown + "\n"


def _summary(store: Store, args: argparse.Namespace, as_of: date, fmt: str) -> str:
    summary = ft.draft_status_summary(
        store, as_of=as_of, postmortem_id=args.postmortem, since=args.since, until=args.until, audience=args.audience
    )
    if fmt == "json":
        return summary.model_dump_json(indent=2) + "\n"
    if fmt == "csv":
        return _items_table(summary.open_items, "csv")
    return summary.markdown + "\n"


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


def _report(report: ft.FollowthroughReport, fmt: str) -> str:
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
                "" if g.completion_rate is None else g.completion_rate,
                "" if g.median_days_to_done is None else g.median_days_to_done,
            ]
            for g in [*report.groups, report.total]
        ]
        return _csv(_REPORT_COLUMNS, rows)
    return report.markdown + "\n"
