"""Action-item tables: which column holds the action, the owner, the due date, the ticket, the status and the type.

A table is read for actions when it sits in a follow-up section, or anywhere when its header names an
action column next to an owner, due date, status or ticket column (the common postmortem templates:
`Action Item | Type | Owner | Bug`, `Task | Owner | Due date | Status`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final

from postmortem_actions.store.records import Category
from postmortem_actions.tools.extraction import fields as item_fields
from postmortem_actions.tools.extraction.purposes import SectionInfo
from postmortem_actions.tools.extraction.readers.markdown import Block, Document

_ROLES: Final = (
    ("priority", re.compile(r"\b(?:priority|prio|severity|sev|effort|size|estimate|points)\b", re.IGNORECASE)),
    ("status", re.compile(r"\b(?:status|state|done|progress|complete[d]?|resolved)\b", re.IGNORECASE)),
    ("type", re.compile(r"\b(?:type|category|kind|class)\b", re.IGNORECASE)),
    ("owner", re.compile(r"\b(?:owners?|assignees?|assigned|who|responsible|dri|team|lead)\b", re.IGNORECASE)),
    ("due", re.compile(r"\b(?:due|deadline|target|eta|when|date|milestone|by)\b", re.IGNORECASE)),
    (
        "ticket",
        re.compile(r"\b(?:bugs?|tickets?|issues?|jira|links?|tracking|prs?|references?|ref|id|url)\b", re.IGNORECASE),
    ),
    (
        "text",
        re.compile(
            r"\b(?:actions?|items?|tasks?|descriptions?|follow[\s-]?ups?|to[\s-]?dos?|remediations?|what|"
            r"titles?|summary|work|fix(?:es)?|improvements?|recommendations?|mitigations?|measures?)\b",
            re.IGNORECASE,
        ),
    ),
)
_ACTION_HEADER: Final = re.compile(
    r"\b(?:actions?|tasks?|follow[\s-]?ups?|to[\s-]?dos?|remediations?|work\s+items?)\b", re.IGNORECASE
)
# The author's own category words, mapped onto ours (the labelling guide's four). A column that names one of ours
# ("Mitigate", "Prevention") is the author's decision and wins over any guess; a looser word ("Repair", "Docs") is
# mapped, and the documentation rule may still apply.
_TYPES: Final[tuple[tuple[Category, re.Pattern[str]], ...]] = (
    (Category.DETECT, re.compile(r"\b(?:detect\w*|monitor\w*|alert\w*|observab\w*|visibility)\b", re.IGNORECASE)),
    (
        Category.MITIGATE,
        re.compile(
            r"\b(?:mitigat\w*|recover\w*|repair\w*|restor\w*|response|rollback|resilien\w*|diagnos\w*|debug\w*)\b",
            re.IGNORECASE,
        ),
    ),
    (
        Category.PROCESS,
        re.compile(
            r"\b(?:process\w*|docs?|documentation|runbooks?|communicat\w*|comms|train\w*|polic\w*|people|"
            r"organi[sz]ation\w*)\b",
            re.IGNORECASE,
        ),
    ),
    (Category.PREVENT, re.compile(r"\b(?:prevent\w*|fix\w*|harden\w*|root\s+cause|test\w*)\b", re.IGNORECASE)),
)
OWN_CATEGORY: Final = re.compile(
    r"^\W*(?:prevent(?:ion|ive|ative)?|detect(?:ion|ive)?|mitigat(?:e|ion|ions)|process)\W*$", re.IGNORECASE
)
# A due cell that is no deadline: a reference ("Bug 5554823"), or a date something runs from or until ("since
# 2024-04-01", "until the freeze ends on 2024-06-30").
_DONE_MARK_CELL: Final = re.compile(r"\bDONE\b|✅|✔|\[x\]", re.IGNORECASE)
_TODO_MARK_CELL: Final = re.compile(r"\bTODO\b|\bopen\b|\bin\s+progress\b|\bnot\s+started\b", re.IGNORECASE)


@dataclass(slots=True)
class TableRow:
    """One action from a table row: the action cell's span and what the other cells state."""

    start: int
    end: int
    text: str
    section: int
    shown: str = ""  # the text as one clean line (item_fields.clean)
    owner: str | None = None
    due: str | None = None
    tickets: list[str] = field(default_factory=list)
    done: bool = False
    category: Category | None = None
    category_cell: str = ""


def _due(cell: str) -> str | None:
    """The due date a due column's cell states: a date or period, or any text with a number that is neither a
    reference nor a date something runs from or until."""
    if not cell or item_fields.not_a_deadline(cell):
        return None
    return item_fields.due_cell(cell) or (
        cell if re.search(r"\d", cell) and not item_fields.tickets(cell, {}, any_key=True) else None
    )


def _roles(doc: Document, header: Block) -> dict[str, int]:
    roles: dict[str, int] = {}
    for column, (s, e) in enumerate(header.cells):
        name = item_fields.clean(doc.text[s:e], doc.definitions)
        for role, pattern in _ROLES:
            if pattern.search(name) and role not in roles:
                roles[role] = column
                break
    return roles


def table_rows(doc: Document, infos: list[SectionInfo]) -> list[TableRow]:
    """The actions in the document's action-item tables, one per body row with a non-empty action cell."""
    rows: list[TableRow] = []
    headers: dict[int, tuple[dict[str, int], bool]] = {}
    for index, block in enumerate(doc.blocks):
        if block.kind != "row":
            continue
        if block.header:
            roles = _roles(doc, block)
            names = " ".join(doc.text[s:e] for s, e in block.cells)
            in_followup = infos[block.section].purpose == "followup"
            action_table = "text" in roles and bool(_ACTION_HEADER.search(names)) and len(roles) >= 2
            headers[index] = (roles, in_followup or action_table)
            continue
        roles, wanted = headers.get(block.table, ({}, infos[block.section].purpose == "followup"))
        if not wanted or infos[block.section].purpose in ("timeline", "advice", "skip"):
            continue
        if (row := _row(doc, block, roles, infos[block.section])) is not None:
            rows.append(row)
    return rows


def _row(doc: Document, block: Block, roles: dict[str, int], info: SectionInfo) -> TableRow | None:
    cells = block.cells
    if not cells:
        return None

    def cell(role: str) -> str:
        column = roles.get(role)
        if column is None or column >= len(cells):
            return ""
        s, e = cells[column]
        return doc.text[s:e]

    column = roles.get("text")
    if column is None or column >= len(cells):
        taken = set(roles.values())
        free = [i for i in range(len(cells)) if i not in taken] or list(range(len(cells)))
        column = max(free, key=lambda i: cells[i][1] - cells[i][0])
    start, end = cells[column]
    action = doc.text[start:end]
    shown = item_fields.clean(action, doc.definitions)
    tracked = any(role in roles for role in ("text", "owner", "due", "status", "ticket"))
    if len(shown) < 3 or (not tracked and len(shown.split()) < 2):
        return None  # a table of data ("| bureau | createBureau |", "| CNAME | share.america.gov |"), not of work
    row_text = doc.text[block.start : block.end]
    owner_cell = item_fields.clean(cell("owner"), doc.definitions)
    due_text = item_fields.clean(cell("due"), doc.definitions)
    status = cell("status")
    ticket_cell = cell("ticket")
    tickets = item_fields.tickets(ticket_cell, doc.definitions, any_key=True) or item_fields.tickets(
        action, doc.definitions
    )
    kind = cell("type")
    category = next((cat for cat, pattern in _TYPES if pattern.search(kind)), None) if kind else None
    done = (
        item_fields.done_status(status)
        if status.strip()
        else bool(_DONE_MARK_CELL.search(row_text) and not _TODO_MARK_CELL.search(row_text)) or item_fields.done(action)
    )
    return TableRow(
        start=start,
        end=end,
        text=action,
        section=block.section,
        shown=shown,
        owner=owner_cell
        if owner_cell and owner_cell.lower() not in ("we", "tbd", "-", "n/a", "none", "?")
        else item_fields.owner(action) or info.owner,
        due=_due(due_text) or item_fields.due(action) or info.due,
        tickets=tickets + item_fields.tickets(due_text, doc.definitions) + info.tickets,
        done=done or info.done,
        category=category,
        category_cell=" ".join(kind.split()),
    )
