"""The formats every listing command offers the same way: `--format table|json|md|csv`.

`table` is drawn for a person (screen.py); `json` is the data as the MCP tools return it; `md` and `csv` are
plain text for pipes, reports and spreadsheets. A command states its default in its help: the review commands
write Markdown into a pipe and a table on a terminal; `list`, `postmortems` and `extract` draw their table either way,
as they always did.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from collections.abc import Sequence
from typing import Final, Literal

from postmortem_actions.store.text import visible
from postmortem_actions.tools.markdown_text import md_cell

Format = Literal["table", "json", "md", "csv"]
FORMATS: Final[tuple[Format, ...]] = ("table", "json", "md", "csv")


def add_format(parser: argparse.ArgumentParser, *, pipe: Format) -> None:
    """Offer `--format` on a listing command; `pipe` is what it writes when standard output is not a terminal."""
    default = "a table" if pipe == "table" else f"a table on a terminal, {pipe} otherwise"
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        help=f"table (for people), json (the data), md (Markdown) or csv (spreadsheets); default: {default}",
    )
    parser.set_defaults(pipe_format=pipe)


def chosen(args: argparse.Namespace) -> Format:
    """The format asked for, else the command's default for where standard output goes."""
    if args.format is not None:
        return args.format  # type: ignore[no-any-return]
    pipe: Format = args.pipe_format
    return "table" if sys.stdout.isatty() else pipe


def csv_text(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """CSV with a header row; no cell hides text or starts a spreadsheet formula; None is an empty cell."""
    from postmortem_actions.tools.followthrough.exports import csv_safe

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(
        [csv_safe(visible("" if cell is None else str(cell), multiline=True)) for cell in row] for row in rows
    )
    return out.getvalue()


def md_table(header: Sequence[str], rows: Sequence[Sequence[object]], *, title: str, empty: str) -> str:
    """A Markdown document: `title` as a heading, then a table (or `empty` when there are no rows)."""
    lines = [f"# {title}", ""]
    if not rows:
        return "\n".join([*lines, empty, ""])
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "|".join("---" for _ in header) + "|")
    for row in rows:
        lines.append(
            "| " + " | ".join(md_cell(visible("" if c is None else str(c), multiline=True)) for c in row) + " |"
        )
    return "\n".join(lines) + "\n"
