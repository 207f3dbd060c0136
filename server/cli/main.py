"""The `postmortem-actions` command: the MCP server and the human's side of the tool.

Commands that do not speak MCP never import the SDK (its import alone takes about a second).
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

from postmortem_actions.server.cli.export import add_commands as add_export_commands
from postmortem_actions.server.cli.export import run as run_export
from postmortem_actions.server.cli.review import add_commands as add_review_commands
from postmortem_actions.server.cli.review import day
from postmortem_actions.server.cli.review import run as run_review
from postmortem_actions.server.settings import Settings
from postmortem_actions.server.version import VERSION
from postmortem_actions.store import ActionFilter, ActionState, ActionSummary, Actor, Category, Store
from postmortem_actions.store.errors import DocumentTooLarge, PostmortemActionsError
from postmortem_actions.store.text import visible
from postmortem_actions.tools import postmortems, queries
from postmortem_actions.tools.document_files import ReadPolicy, check_text, decode, read_document
from postmortem_actions.tools.extraction.models import Finding


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="postmortem-actions",
        description="Turn incident postmortems into action items a human commits to. "
        "With no command, serves MCP over stdio.",
    )
    parser.add_argument("--version", action="version", version=f"postmortem-actions {VERSION}")
    db_help = "database file (default: $POSTMORTEM_ACTIONS_DB, else $XDG_DATA_HOME/postmortem-actions/actions.db)"
    parser.add_argument("--db", help=db_help)
    # --db is also accepted after the command; SUPPRESS keeps a later default from erasing an earlier value.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", default=argparse.SUPPRESS, help=db_help)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    serve = commands.add_parser(
        "serve", parents=[common], help="serve MCP over stdio (what an editor or chat client runs)"
    )
    serve.add_argument(
        "--allow-dir",
        action="append",
        default=[],
        metavar="DIR",
        help="folder parse_postmortem may read files from (repeatable; default: working dir)",
    )

    add = commands.add_parser("add", parents=[common], help="store a postmortem file")
    add.add_argument("file")
    add.add_argument("--title")
    add.add_argument("--severity", help="e.g. SEV2")
    add.add_argument("--date", type=day, metavar="YYYY-MM-DD", help="incident date")

    extract = commands.add_parser(
        "extract", parents=[common], help="list the follow-ups a postmortem file proposes (nothing is stored)"
    )
    extract.add_argument("file", help="a Markdown, text or HTML postmortem; - reads standard input")
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

    decide = commands.add_parser(
        "decide", parents=[common], help="decide one action yourself, in this terminal (accept, kill, defer, re-plan…)"
    )
    decide.add_argument("action_id", type=int)
    triage = commands.add_parser(
        "triage", parents=[common], help="walk through a postmortem's undecided candidates, in this terminal"
    )
    triage.add_argument("postmortem_id", type=int)

    add_review_commands(commands, common)
    add_export_commands(commands, common)

    commands.add_parser(
        "verify",
        parents=[common],
        help="check the decision log's hash chain and the database guards (exit 1 on a problem)",
    )

    demo = commands.add_parser(
        "demo", parents=[common], help="run the server over stdio on a bundled postmortem and show each step"
    )
    demo.add_argument("--keep", action="store_true", help="write into --db instead of a throwaway database")
    return parser


def _cmd_add(args: argparse.Namespace, settings: Settings) -> int:
    file = Path(args.file).expanduser().resolve()
    # The human names the file, so its own folder is allowed; the text/size/key-material checks still apply.
    policy = ReadPolicy(allowed_dirs=(file.parent,), max_bytes=settings.max_bytes)
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
        return check_text(decode(data), max_bytes)
    file = Path(name).expanduser().resolve()
    return read_document(str(file), ReadPolicy(allowed_dirs=(file.parent,), max_bytes=max_bytes))[1]


def findings_table(findings: Sequence[Finding]) -> str:
    """Findings as a readable terminal listing: one block per follow-up, flags first."""
    width = max(shutil.get_terminal_size((120, 20)).columns, 80)
    lines: list[str] = []
    for n, f in enumerate(findings, start=1):
        flags = [f.category.value, "in section" if f.in_section else "prose"] + ["done"] * f.done + ["VAGUE"] * f.vague
        lines.append(_fit(f"{n:>3}. {visible(f.text)}", width - 1))
        lines.append(f"     {' · '.join(flags)}   (chars {f.start}-{f.end})")
        details = [
            f"{label}: {visible(value)}"
            for label, value in (("owner", f.owner), ("due", f.due), ("ticket", f.ticket))
            if value
        ]
        if details:
            lines.append(_fit(f"     {'   '.join(details)}", width - 1))
        for lint in f.lint:
            lines.append(_fit(f"     vague ({visible(lint.words) or lint.kind}): {lint.why}", width - 1))
    counts = (
        f"{len(findings)} follow-up(s): {sum(f.in_section for f in findings)} in follow-up sections, "
        f"{sum(not f.in_section for f in findings)} in prose, {sum(f.done for f in findings)} already done, "
        f"{sum(f.vague for f in findings)} vague"
    )
    return "\n".join([*lines, counts])


def _cmd_extract(args: argparse.Namespace, settings: Settings) -> int:
    from postmortem_actions.tools.extraction.extractor import extract
    from postmortem_actions.tools.extraction.json_contract import (
        as_contract,  # the extractor's patterns compile only here
    )

    findings = extract(_read_for_extract(args.file, settings.max_bytes))
    if args.json:
        print(json.dumps([as_contract(f) for f in findings], indent=2, ensure_ascii=False))
    else:
        print(findings_table(findings))
    return 0


def _fit(text: str, width: int) -> str:
    """`text` in at most `width` characters, a cut marked with '…'."""
    return text if len(text) <= width else text[: width - 1] + "…"


def action_table(items: Sequence[ActionSummary], total: int, offset: int) -> str:
    """Actions as a terminal table; proposed owners and dates are marked with '?'."""
    width = max(shutil.get_terminal_size((120, 20)).columns, 80)
    lines = [f"{'id':>5}  {'pm':>4}  {'state':<9}  {'category':<8}  {'owner':<14}  {'due':<11}  text"]
    for a in items:
        # A proposal keeps its '?' however long the name: a cut name must never read as a committed one.
        owner = (
            _fit(visible(a.owner), 14)
            if a.owner
            else (_fit(visible(a.proposed_owner), 13) + "?" if a.proposed_owner else "-")
        )
        due = str(a.due) if a.due else (f"{a.proposed_due}?" if a.proposed_due else "-")
        line = (
            f"{a.id:>5}  {a.postmortem_id:>4}  {a.state:<9}  {a.category:<8}  {owner:<14}  {due:<11}  {visible(a.text)}"
        )
        lines.append(_fit(line, width))
    shown = f"{offset + 1}-{offset + len(items)}" if items else "none"
    lines.append(f"{shown} of {total} action(s); '?' marks a proposal no human has committed")
    return "\n".join(lines)


def _cmd_list(args: argparse.Namespace, settings: Settings) -> int:
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


def _cmd_verify(settings: Settings) -> int:
    report = Store(settings.db_path, create=False).verify()
    print(json.dumps({"database": str(settings.db_path), **report.model_dump()}, indent=2))
    if not report.ok:
        print(f"verify: {len(report.problems)} problem(s) found", file=sys.stderr)
    return 0 if report.ok else 1


def _cmd_serve(settings: Settings) -> int:
    # stdout is the protocol on stdio: every log line goes to stderr.
    logging.basicConfig(
        level=settings.log_level, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if sys.stdin.isatty():
        print(
            "postmortem-actions: serving MCP over stdio, which is what an editor or chat client runs.\n"
            "  Try `postmortem-actions demo` to watch it work, or --help. Ctrl-D or Ctrl-C stops.",
            file=sys.stderr,
        )
    import anyio

    from postmortem_actions.server.mcp.app import build_server  # the SDK is imported only by commands that speak MCP
    from postmortem_actions.server.mcp.stdio import serve_stdio

    anyio.run(serve_stdio, build_server(settings))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `postmortem-actions` console script; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        settings = Settings.load(db=args.db, allow_dirs=getattr(args, "allow_dir", ()))
        match args.command:
            case None | "serve":
                return _cmd_serve(settings)
            case "add":
                return _cmd_add(args, settings)
            case "list":
                return _cmd_list(args, settings)
            case "extract":
                return _cmd_extract(args, settings)
            case "verify":
                return _cmd_verify(settings)
            case "overdue" | "agenda" | "summary" | "report":
                return run_review(args, settings)
            case "export" | "sync":
                return run_export(args, settings)
            case "decide" | "triage":
                from postmortem_actions.server.cli.decide import decide, require_terminal, triage

                require_terminal()
                store = Store(settings.db_path, create=False)
                if args.command == "decide":
                    decide(store, settings, args.action_id)
                else:
                    triage(store, settings, args.postmortem_id)
                return 0
            case "demo":
                from postmortem_actions.server.cli.demo import run_demo

                if args.keep:
                    Store(settings.db_path)  # a bad --db fails here, readably, not inside the server
                return run_demo(settings.db_path if args.keep else None)
    except PostmortemActionsError as exc:
        print(f"postmortem-actions: {visible(str(exc), multiline=True)}", file=sys.stderr)
        return 2
    except (KeyboardInterrupt, EOFError):
        print("\npostmortem-actions: stopped; what was decided before stays recorded, nothing else.", file=sys.stderr)
        return 130
    return 2


if __name__ == "__main__":
    sys.exit(main())
