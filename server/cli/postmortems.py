"""The postmortem commands for people: `add` a file (or correct a stored one's title, severity, incident date),
`extract` its follow-ups, list the stored `postmortems`, `verify` the decision log."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from postmortem_actions.server.cli.arguments import Commands, day
from postmortem_actions.server.cli.formats import add_format, chosen, csv_text, md_table
from postmortem_actions.server.settings import Settings
from postmortem_actions.store import Actor, Store
from postmortem_actions.store.errors import DocumentTooLarge
from postmortem_actions.store.text import visible
from postmortem_actions.tools.document_files import ReadPolicy, document_text, read_document

COMMANDS = ("add", "extract", "postmortems", "verify")
FILE_HELP = (
    "a Markdown, text, HTML, MediaWiki, AsciiDoc, reStructuredText, MDX or Word (.docx) postmortem "
    "(a relative path starts at the working directory)"
)
OVERVIEW_COLUMNS = ["id", "title", "severity", "incident_date", "candidate", "accepted", "done", "killed", "source"]


def add_commands(commands: Commands, common: argparse.ArgumentParser) -> None:
    """Register `add`, `extract`, `postmortems` and `verify` on the CLI's sub-parsers."""
    add = commands.add_parser(
        "add",
        parents=[common],
        help="store a postmortem file; for one already stored, set or correct its title, severity or incident date",
    )
    add.add_argument("file", help=FILE_HELP)
    add.add_argument("--title", help="its title (default: the document's first heading)")
    add.add_argument("--severity", help="SEV0 to SEV5, e.g. SEV2: it sets the default due dates (default: as stated)")
    add.add_argument("--date", type=day, metavar="YYYY-MM-DD", help="the incident's date (default: as stated)")

    extract = commands.add_parser(
        "extract", parents=[common], help="list the follow-ups a postmortem file proposes (nothing is stored)"
    )
    extract.add_argument("file", help=FILE_HELP + "; - reads standard input")
    extract.add_argument(
        "--json", action="store_true", help="the stable JSON contract (docs/cli.md); the same as --format json"
    )
    add_format(extract, pipe="table")

    overview = commands.add_parser(
        "postmortems", parents=[common], help="the stored postmortems, newest first, with their items counted by state"
    )
    add_format(overview, pipe="table")

    verify = commands.add_parser(
        "verify",
        parents=[common],
        help="check the decision log's hash chain and the database guards (exit 1 on a problem)",
    )
    verify.add_argument(
        "--format",
        choices=["text", "json"],
        default=None,
        help="text (a verdict to read) or json; default: text on a terminal, json otherwise",
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run one of the postmortem commands; returns the exit status."""
    match args.command:
        case "add":
            return _add(args, settings)
        case "extract":
            return _extract(args, settings)
        case "postmortems":
            return _overview(args, settings)
    return _verify(args, settings)


def _add(args: argparse.Namespace, settings: Settings) -> int:
    file = Path(args.file).expanduser().resolve()
    # The person names the file, so its own folder is allowed; what it holds is still checked (text, size, keys).
    policy = ReadPolicy(allowed_dirs=(file.parent,), max_bytes=settings.max_bytes, named_by_person=True)
    from postmortem_actions.tools import postmortems  # the document's readers load only for this command

    store = Store(settings.db_path)
    by = Actor(actor=settings.user, via="cli add")
    result = postmortems.parse_postmortem(
        store, by, policy, path=str(file), title=args.title, severity=args.severity, incident_date=args.date
    )
    title, severity, incident = result.title, result.severity, result.incident_date
    changed: dict[str, list[object]] = {}
    if not result.created and (args.title or args.severity or args.date):
        pm, changed = postmortems.edit_postmortem(
            store, by, result.postmortem_id, title=args.title, severity=args.severity, incident_date=args.date
        )
        title, severity, incident = pm.title, pm.severity, pm.incident_date
    verb = "stored" if result.created else "already stored"
    print(f"postmortem {result.postmortem_id} {verb}: {visible(title)}")
    if result.origin:
        print(f"  read from {visible(result.origin)}: the stored text is its rendering as Markdown")
    print(
        f"  severity {severity or '-'}, incident date {incident or '-'}, "
        f"{len(result.sections)} sections, sha256 {result.sha256[:12]}"
    )
    if changed:
        said = ", ".join(
            f"{k.replace('_', ' ')} {visible(str(b or '-'))} → {visible(str(a))}" for k, (b, a) in changed.items()
        )
        print(f"  changed {said} (kept in its history; the text itself never changes)")
    elif not result.created and (args.title or args.severity or args.date):
        print("  nothing to change: it already says that")
    return 0


def _read_for_extract(name: str, max_bytes: int) -> str:
    if name == "-":
        data = sys.stdin.buffer.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise DocumentTooLarge(f"standard input is over the limit of {max_bytes:,} bytes")
        return document_text(data, "standard input", max_bytes)
    file = Path(name).expanduser().resolve()
    policy = ReadPolicy(allowed_dirs=(file.parent,), max_bytes=max_bytes, named_by_person=True)
    return read_document(str(file), policy)[1]


def _extract(args: argparse.Namespace, settings: Settings) -> int:
    from pydantic_core import to_json

    from postmortem_actions.tools.extraction.collector import collector_paused
    from postmortem_actions.tools.extraction.extractor import extract
    from postmortem_actions.tools.extraction.json_contract import (  # the patterns compile only here
        CONTRACT_KEYS,
        as_contract,
    )

    findings = extract(_read_for_extract(args.file, settings.max_bytes), None if args.file == "-" else args.file)
    fmt = "json" if args.json else chosen(args)
    if fmt == "table":
        from postmortem_actions.server.cli.render import findings_view
        from postmortem_actions.server.cli.screen import draw

        draw(findings_view(findings))
        return 0
    with collector_paused():  # tens of thousands of new dicts would set the collector off over every finding
        contract = [as_contract(f) for f in findings]
    if fmt == "json":
        # pydantic's serializer writes what json.dumps(indent=2, ensure_ascii=False) writes, byte for byte, about
        # five times faster: json.dumps leaves its C encoder when asked to indent (tests/test_cli_extract.py)
        print(to_json(contract, indent=2).decode())
        return 0
    rows = [[_joined(c[k]) for k in CONTRACT_KEYS] for c in contract]  # md and csv: the contract's columns
    if fmt == "csv":
        print(csv_text(CONTRACT_KEYS, rows), end="")
    else:
        print(md_table(CONTRACT_KEYS, rows, title="Follow-ups found", empty="No follow-ups found."), end="")
    return 0


def _joined(value: object) -> object:
    """A list (the vague reasons) as one cell; anything else as it is."""
    return "; ".join(str(v) for v in value) if isinstance(value, list) else value


def _overview(args: argparse.Namespace, settings: Settings) -> int:
    rows = Store(settings.db_path, create=False).postmortem_overview()
    fmt = chosen(args)
    if fmt == "table":
        from postmortem_actions.server.cli.render import postmortems_view
        from postmortem_actions.server.cli.screen import draw

        draw(postmortems_view(rows))
        return 0
    if fmt == "json":
        print(
            json.dumps(
                {"items": [r.model_dump(mode="json") for r in rows], "total": len(rows)}, indent=2, ensure_ascii=False
            )
        )
        return 0
    cells = [[getattr(r, c) for c in OVERVIEW_COLUMNS] for r in rows]
    if fmt == "csv":
        print(csv_text(OVERVIEW_COLUMNS, cells), end="")
    else:
        print(md_table(OVERVIEW_COLUMNS, cells, title="Postmortems", empty="No postmortem is stored yet."), end="")
    return 0


def _verify(args: argparse.Namespace, settings: Settings) -> int:
    report = Store(settings.db_path, create=False).verify()
    fmt = args.format or ("text" if sys.stdout.isatty() else "json")
    if fmt == "json":
        print(json.dumps({"database": str(settings.db_path), **report.model_dump()}, indent=2))
    elif report.ok:
        print(f"{settings.db_path}: OK")
        print(
            f"  {report.decisions} decision(s), every one chained to the one before (head {report.head_hash[:12]}…); "
            "every guard is in place."
        )
    else:
        print(f"{settings.db_path}: {len(report.problems)} PROBLEM(S)")
        for problem in report.problems:
            print(f"  - {visible(problem)}")
        print("  Something changed the file outside postmortem-actions: restore a backup, or find out who did.")
    if not report.ok:
        print(f"verify: {len(report.problems)} problem(s) found", file=sys.stderr)
    return 0 if report.ok else 1
