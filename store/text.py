"""Text a person is shown: the characters that could make it say something else, refused on the way in.

A stored text is shown in terminals, web pages, Markdown, CSV, calendars and elicitation forms. A carriage
return rewinds a terminal line, a C1 CSI starts an escape sequence, bidi controls reorder what follows, and
zero-width, tag and filler characters hide words; any of them lets the stored text differ from what the
human read before committing to it. So every text field refuses them (issue 10): single-line fields take
no line break at all, multi-line fields take `\\n` and `\\t` and nothing else of the kind.

The set is every code point of the Unicode categories Cc (controls), Cf (format: bidi, zero-width, BOM,
soft hyphen, tags), Zl, Zp and Cs (surrogates), plus the invisible fillers and variation selectors that are
not in those categories; `tests/test_text.py` checks it against `unicodedata`. Every renderer passes what
it shows through `visible()`, for text stored before this check or read from a tracker.
"""

from __future__ import annotations

import re
from typing import Final

# Cf, Zl, Zp (Unicode 14, as Python 3.11 ships it), then the default-ignorable fillers that render as nothing
# (Hangul fillers, Mongolian free variation selectors, the variation selector supplement used to smuggle data).
_FORMAT: Final = (
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064"
    "\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U00013438\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
    "\u115f\u1160\u3164\uffa0\u180b-\u180d\u180f\U000e0100-\U000e01ef"
)
_CONTROLS: Final = "\x00-\x08\x0b-\x1f\x7f-\x9f"  # C0 but \t and \n, DEL, C1
_SURROGATES: Final = "\ud800-\udfff"

# Anything here in a multi-line field is refused; a single-line field refuses \t and \n as well.
HIDDEN: Final = re.compile(f"[{_CONTROLS}{_FORMAT}{_SURROGATES}]")
HIDDEN_OR_BREAK: Final = re.compile(f"[\t\n{_CONTROLS}{_FORMAT}{_SURROGATES}]")


def hidden_characters(value: str, *, multiline: bool = False) -> list[str]:
    """The distinct characters of `value` that a text field refuses, as `U+XXXX` names, in order of appearance."""
    pattern = HIDDEN if multiline else HIDDEN_OR_BREAK
    return list(dict.fromkeys(f"U+{ord(m.group()):04X}" for m in pattern.finditer(value)))


def refusal(value: str, *, multiline: bool = False) -> str | None:
    """Why `value` cannot be stored as a text field (a sentence), or None when it can."""
    found = hidden_characters(value, multiline=multiline)
    if not found:
        return None
    names = ", ".join(found[:5]) + (" …" if len(found) > 5 else "")
    if not multiline and set(found) <= {"U+0009", "U+000A"}:
        return "must be one line (it contains a line break or tab)"
    return (f"contains characters that are invisible or control the display ({names}): what a person is shown "
            "could differ from what is stored")


def check(value: str, *, multiline: bool = False) -> str:
    """`value` stripped, when it can be stored as a text field (a multi-line one's CRLF line ends become `\\n`).

    Raises:
        ValueError: the value is blank, or has a control, format, separator or invisible character (`\\n` and
            `\\t` are allowed when `multiline`); pydantic validators turn it into a field error.
    """
    value = (value.replace("\r\n", "\n") if multiline else value).strip()
    if not value:
        raise ValueError("must not be blank")
    reason = refusal(value, multiline=multiline)
    if reason is not None:
        raise ValueError(reason)
    return value


def check_line(value: str) -> str:
    """`check` for a single-line field (a pydantic `AfterValidator`)."""
    return check(value)


def check_multiline(value: str) -> str:
    """`check` for a multi-line field (a pydantic `AfterValidator`)."""
    return check(value, multiline=True)


def _escape(match: re.Match[str]) -> str:
    return f"<U+{ord(match.group()):04X}>"


def visible(value: str, *, multiline: bool = False) -> str:
    """`value` as it may be shown: every refused character written out as `<U+XXXX>`, so nothing is hidden.

    Multi-line: a CRLF line end becomes `\n` (a document's own line ends hide nothing) and tabs stay, but a lone
    CR, which would rewind a terminal line, is written out. Single-line: line breaks and tabs become one space each.
    """
    if multiline:
        return HIDDEN.sub(_escape, value.replace("\r\n", "\n"))
    return HIDDEN.sub(_escape, value.replace("\r\n", " ").replace("\n", " ").replace("\t", " "))
