"""The base of every model that crosses into or out of `tools/`, and the text types its fields use.

What a person will be shown must be what is stored: text fields refuse control, format and invisible characters
(`store/text.py`).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict

from postmortem_actions.store import text

# What a person will be shown must be what is stored: no control, format or invisible characters (store.text).
Line = Annotated[str, AfterValidator(text.check_line)]
"""One line of text: no line breaks, tabs, controls or invisible characters; stripped; not blank."""
MultiLine = Annotated[str, AfterValidator(text.check_multiline)]
"""Text that may span lines (\\n and \\t), with no other control or invisible characters; stripped; not blank."""


def _quote(value: str) -> str:
    # A quote is only matched against the document (whitespace-insensitively) and the document's own slice is
    # what gets stored, so its line ends may be a copy of the document's CRLF; nothing else may hide in it.
    text.check(value.replace("\r", ""), multiline=True)
    return value.strip()


Quote = Annotated[str, AfterValidator(_quote)]
"""Evidence as the assistant copied it: like `MultiLine`, and CR line ends may stay."""


class Model(BaseModel):
    """Base of operation inputs and results: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid", defer_build=True)
