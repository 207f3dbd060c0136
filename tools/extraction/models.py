"""What the extractor finds and says: a finding (a follow-up the document proposes, with its exact evidence), the
vagueness linter's verdict, and a finding no candidate covers."""

from __future__ import annotations

from typing import Any, Literal, TypeVar

from pydantic import BaseModel, Field

from postmortem_actions.store.records import Category
from postmortem_actions.tools.schema import Model

LintKind = Literal["exploratory", "unbounded", "etc", "no_object", "intent_only", "no_deliverable"]
Placement = Literal["table", "list", "checklist", "lines", "marker", "section_prose", "prose"]


class LintFinding(Model):
    """One reason an action has no finish line, and what a concrete version needs."""

    kind: LintKind = Field(description="exploratory | unbounded | etc | no_object | intent_only | no_deliverable")
    words: str = Field(description="The words in the action that raised it")
    why: str = Field(description="Why this wording has no finish line")
    needs: str = Field(description="What a concrete rewrite must name")


class LintResult(Model):
    """The verdict of the vagueness linter on one action text."""

    text: str
    vague: bool
    findings: list[LintFinding]
    advice: str = Field(description="How to rewrite it, or why it can stay as it is")


class Finding(Model):
    """A follow-up action the document proposes, found by the extractor (a suggestion, not a record)."""

    text: str = Field(description="The action as one clean line")
    quote: str = Field(description="The exact text of the document it comes from")
    start: int = Field(description="Offset of the quote in the stored text (Python code points)")
    end: int
    category: Category = Field(description="Suggested category")
    category_words: list[str] = Field(description="The words that suggested the category (empty: the default)")
    owner: str | None = Field(description="Owner as the document states it, for this item or its section")
    due: str | None = Field(description="Due date or period as the document states it")
    ticket: str | None = Field(description="Ticket or issue links, joined with ', '")
    done: bool = Field(description="The document marks or states it as already done")
    in_section: bool = Field(description="True inside a follow-up section or list (or with an explicit marker)")
    placement: Placement = Field(description="Where it sat: table row, list item, checklist, line, marker, prose")
    section: str = Field(description="Heading of the section it sat in")
    vague: bool
    lint: list[LintFinding]


class CoverageGap(Model):
    """A finding of the document that no recorded candidate covers."""

    text: str
    quote: str
    start: int
    end: int
    category: Category
    in_section: bool
    done: bool


_M = TypeVar("_M", bound=BaseModel)
_set = object.__setattr__


def built(model: type[_M], values: dict[str, Any]) -> _M:
    """An instance of `model` holding `values`, which the extractor computed itself: exactly the model's fields, each
    of its type (tests/test_extractor_models.py checks that every finding equals the validated one).

    What pydantic's `model_construct` does for a model without aliases, defaults or private attributes, without its
    per-field loop: a 5 MB document has tens of thousands of findings, and validating values we made cost a tenth of
    reading them (issue 10, finding 5)."""
    instance = model.__new__(model)
    _set(instance, "__dict__", values)
    _set(instance, "__pydantic_fields_set__", set(values))
    _set(instance, "__pydantic_extra__", None)
    _set(instance, "__pydantic_private__", None)
    return instance
