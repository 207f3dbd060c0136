"""The postmortem commands for people: `add` a file, `extract` its follow-ups, `list` the action items, `verify` the
decision log."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from postmortem_actions.server.cli.arguments import Commands, day
from postmortem_actions.server.cli.render import action_table, findings_table
from postmortem_actions.server.settings import Settings
from postmortem_actions.store import ActionFilter, ActionState, Actor, Category, Store
from postmortem_actions.store.errors import DocumentTooLarge
from postmortem_actions.store.text import visible
from postmortem_actions.tools import queries
from postmortem_actions.tools.document_files import ReadPolicy, document_text, read_document

COMMANDS = ("add", "extract", "list", "verify")


def add_commands(commands: Commands, common: argparse.ArgumentParser) -> None:
    """Register `add`, `extract`, `list` and `verify` on the CLI's sub-parsers."""
    add = commands.add_parser("add", parents=[common], help="store a postmortem file")
    add.add_argument("file")
    add.add_argument("--title")
    add.add_argument("--severity", help="e.g. SEV2")
    add.add_argument("--date", type=day, metavar="YYYY-MM-DD", help="incident date")

    extract = commands.add_parser(
        "extract", parents=[common], help="list the follow-ups a postmortem file proposes (nothing is stored)"
    )
    extract.add_argument(
        "file",
        help="a Markdown, text, HTML, MediaWiki, AsciiDoc, reStructuredText, MDX or Word (.docx) postmortem; "
        "- reads standard input",
    )
    extract.add_argument(
        "--json", action="store_true", help="print the stable JSON contract instead of a table (see README)"
    )

    lister = commands.add_parser("list", parents=[common], help="list action items")
    lister.add_argument("--postmortem", type=int)
    lister.add_argument("--state", choices=[s.value for s in ActionState])
    lister.add_argument("--owner")
    lister.add_argument("--category", choices=[c.value for c in Category])
    lister.add_argument("--due-before", type=day, metavar="YYYY-MM-DD")
    lister.add_argument("--due-after", type=day, metavar="YYYY-MM-DD")
    lister.add_argument("--limit", type=int, default=queries.DEFAULT_PAGE)
    lister.add_argument("--offset", type=int, default=0)
    lister.add_argument("--format", choices=["table", "json"], default="table")

    commands.add_parser(
        "verify",
        parents=[common],
        help="check the decision log's hash chain and the database guards (exit 1 on a problem)",
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run one of the postmortem commands; returns the exit status."""
    match args.command:
        case "add":
            return _add(args, settings)
        case "extract":
            return _extract(args, settings)
        case "list":
            return _list(args, settings)
    return _verify(settings)


def _add(args: argparse.Namespace, settings: Settings) -> int:
    file = Path(args.file).expanduser().resolve()
    # The human names the file, so its own folder is allowed; the text/size/key-material checks still apply.
    policy = ReadPolicy(allowed_dirs=(file.parent,), max_bytes=settings.max_bytes)
    from postmortem_actions.tools import postmortems  # the document's readers load only for this command

    store = Store(settings.db_path)
    result = postmortems.parse_postmortem(
        store,
        Actor(actor=settings.user, via="cli"),
        policy,
        path=str(file),
        title=args.title,
        severity=args.severity,
        incident_date=args.date,
    )
    verb = "stored" if result.created else "already stored"
    print(f"postmortem {result.postmortem_id} {verb}: {visible(result.title)}")
    if result.origin:
        print(f"  read from {visible(result.origin)}: the stored text is its rendering as Markdown")
    print(
        f"  severity {result.severity or '-'}, incident date {result.incident_date or '-'}, "
        f"{len(result.sections)} sections, sha256 {result.sha256[:12]}"
    )
    return 0


def _read_for_extract(name: str, max_bytes: int) -> str:
    if name == "-":
        data = sys.stdin.buffer.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise DocumentTooLarge(f"standard input is over the limit of {max_bytes:,} bytes")
        return document_text(data, "standard input", max_bytes)
    file = Path(name).expanduser().resolve()
    return read_document(str(file), ReadPolicy(allowed_dirs=(file.parent,), max_bytes=max_bytes))[1]


def _extract(args: argparse.Namespace, settings: Settings) -> int:
    from postmortem_actions.tools.extraction.extractor import extract
    from postmortem_actions.tools.extraction.json_contract import (
        as_contract,  # the extractor's patterns compile only here
    )

    findings = extract(_read_for_extract(args.file, settings.max_bytes), None if args.file == "-" else args.file)
    if args.json:
        print(json.dumps([as_contract(f) for f in findings], indent=2, ensure_ascii=False))
    else:
        print(findings_table(findings))
    return 0


def _list(args: argparse.Namespace, settings: Settings) -> int:
    where = ActionFilter(
        postmortem_id=args.postmortem,
        state=args.state,
        owner=args.owner,
        category=args.category,
        due_before=args.due_before,
        due_after=args.due_after,
    )
    page = queries.list_actions(Store(settings.db_path, create=False), where, limit=args.limit, offset=args.offset)
    if args.format == "json":
        print(page.model_dump_json(indent=2))
    else:
        print(action_table(page.items, page.total, page.offset))
    return 0


def _verify(settings: Settings) -> int:
    report = Store(settings.db_path, create=False).verify()
    print(json.dumps({"database": str(settings.db_path), **report.model_dump()}, indent=2))
    if not report.ok:
        print(f"verify: {len(report.problems)} problem(s) found", file=sys.stderr)
    return 0 if report.ok else 1
