"""A follow-up as the extractor first finds it, before its category and lint are settled."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from postmortem_actions.store.records import Category
from postmortem_actions.tools.extraction.models import Placement

# The longest text judged for its category, vagueness and repeats: beyond it, a text is a paste, not one action.
MAX_JUDGED: Final = 1000


@dataclass(slots=True)
class RawItem:
    """Where a follow-up sits and what its own words state; `extractor` turns it into a `Finding`."""

    start: int
    end: int
    text: str
    placement: Placement
    in_section: bool
    section: int
    lint_text: str
    context: str  # the whole item or sentence, for the category's reasons
    done: bool = False
    owner: str | None = None
    due: str | None = None
    tickets: list[str] = field(default_factory=list)
    category: tuple[Category, list[str]] | None = None
    problem_only: bool = False
    core: str | None = None  # the deliverable, when it is not the start of `context` (a bold title's description)
