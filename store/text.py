"""Text a person is shown: the characters that could make it say something else, refused on the way in.

A stored text is shown in terminals, web pages, Markdown, CSV, calendars and elicitation forms. A carriage
return rewinds a terminal line, a C1 CSI starts an escape sequence, bidi controls reorder what follows, and
zero-width, tag, filler and variation-selector characters hide words or data; any of them lets the stored text
differ from what the human read before committing to it. So every text field refuses them (issue 10):
single-line fields take no line break at all, multi-line fields take `\\n` and `\\t` and nothing else of the kind.

The set is every code point of the Unicode categories Cc (controls), Cf (format: bidi, zero-width, BOM, soft
hyphen, tags), Zl, Zp and Cs (surrogates), plus the invisible characters outside them (fillers, the combining
grapheme joiner, variation selectors); `tests/test_hidden_text.py` checks it against `unicodedata`. Two more
rules need context: the emoji variation selectors U+FE0E/U+FE0F only after a symbol (a keycap digit included),
and no run of more than 30 combining marks (Unicode's stream-safe limit), which would draw over nearby lines.
Every renderer passes what it shows through `visible()`, for text stored before this check or read from a tracker.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

# Cf, Zl, Zp (Unicode 14, as Python 3.11 ships it), then the default-ignorable characters that render as nothing
# outside those categories: the combining grapheme joiner, Khmer inherent vowels, Hangul fillers, Mongolian free
# variation selectors, the text variation selectors VS1-14 and the supplement VS17-256 (used to smuggle data).
_FORMAT: Final = (
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064"
    "\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U00013438\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
    "\u034f\u17b4\u17b5\u115f\u1160\u3164\uffa0\u180b-\u180d\u180f\ufe00-\ufe0d\U000e0100-\U000e01ef"
)
_CONTROLS: Final = "\x00-\x08\x0b-\x1f\x7f-\x9f"  # C0 but \t and \n, DEL, C1
_SURROGATES: Final = "\ud800-\udfff"

# Anything here in a multi-line field is refused; a single-line field refuses \t and \n as well.
HIDDEN: Final = re.compile(f"[{_CONTROLS}{_FORMAT}{_SURROGATES}]")
HIDDEN_OR_BREAK: Final = re.compile(f"[\t\n{_CONTROLS}{_FORMAT}{_SURROGATES}]")
# The emoji variation selectors, and the longest run of combining marks text may hold.
_EMOJI_VS: Final = re.compile("[\ufe0e\ufe0f]")
MAX_COMBINING_RUN: Final = 30


def _selects_a_symbol(value: str, at: int) -> bool:
    """Whether the variation selector at `at` follows a symbol it can present (or a keycap digit, # or *)."""
    if at == 0:
        return False
    before = value[at - 1]
    if unicodedata.category(before) in ("So", "Sm", "Sk"):
        return True
    return before in "0123456789#*" and value.startswith("\u20e3", at + 1)


def _misplaced_selectors(value: str) -> list[int]:
    return [m.start() for m in _EMOJI_VS.finditer(value) if not _selects_a_symbol(value, m.start())]


def _long_combining_runs(value: str) -> list[tuple[int, int]]:
    """[start, end) of each run of more than MAX_COMBINING_RUN combining marks."""
    runs: list[tuple[int, int]] = []
    start = -1
    for index, char in enumerate(value):
        if unicodedata.combining(char):
            start = index if start < 0 else start
            continue
        if start >= 0 and index - start > MAX_COMBINING_RUN:
            runs.append((start, index))
        start = -1
    if start >= 0 and len(value) - start > MAX_COMBINING_RUN:
        runs.append((start, len(value)))
    return runs


def hidden_characters(value: str, *, multiline: bool = False) -> list[str]:
    """The distinct characters of `value` that a text field refuses, as `U+XXXX` names, in order of appearance."""
    pattern = HIDDEN if multiline else HIDDEN_OR_BREAK
    found = [(m.start(), m.group()) for m in pattern.finditer(value)]
    if not value.isascii():
        found = sorted(found + [(at, value[at]) for at in _misplaced_selectors(value)])
    return list(dict.fromkeys(f"U+{ord(char):04X}" for _, char in found))


def refusal(value: str, *, multiline: bool = False) -> str | None:
    """Why `value` cannot be stored as a text field (a sentence), or None when it can."""
    found = hidden_characters(value, multiline=multiline)
    if found:
        names = ", ".join(found[:5]) + (" …" if len(found) > 5 else "")
        if any("D800" <= name[2:] <= "DFFF" and len(name) == 6 for name in found):
            return f"contains unpaired surrogates ({names}): it is not valid Unicode text"
        if not multiline and set(found) <= {"U+0009", "U+000A"}:
            return "must be one line (it contains a line break or tab)"
        return (
            f"contains characters that are invisible or control the display ({names}): what a person is shown "
            "could differ from what is stored"
        )
    if not value.isascii() and _long_combining_runs(value):
        return (
            f"has a run of more than {MAX_COMBINING_RUN} combining marks, which draws over the text around it: "
            "what a person is shown could differ from what is stored"
        )
    return None


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


def _written_out(value: str) -> str:
    """Misplaced variation selectors written out, and combining runs cut to the limit with a count of the rest."""
    for start, end in reversed(_long_combining_runs(value)):
        keep = start + MAX_COMBINING_RUN
        value = f"{value[:keep]}<{end - keep} more combining marks>{value[end:]}"
    for at in reversed(_misplaced_selectors(value)):
        value = f"{value[:at]}<U+{ord(value[at]):04X}>{value[at + 1 :]}"
    return value


def visible(value: str, *, multiline: bool = False) -> str:
    """`value` as it may be shown: every refused character written out as `<U+XXXX>`, so nothing is hidden.

    Multi-line: a CRLF line end becomes `\\n` (a document's own line ends hide nothing) and tabs stay, but a lone
    CR, which would rewind a terminal line, is written out. Single-line: line breaks and tabs become one space each.
    """
    if multiline:
        shown = HIDDEN.sub(_escape, value.replace("\r\n", "\n"))
    else:
        shown = HIDDEN.sub(_escape, value.replace("\r\n", " ").replace("\n", " ").replace("\t", " "))
    return shown if shown.isascii() else _written_out(shown)


def plain(value: str) -> str:
    """`value` with every character a text field refuses dropped (and combining runs cut to the limit): for text
    derived from a document (a title, a finding's clean line), which may be shown and stored as it is."""
    cleaned = HIDDEN.sub("", value)
    if cleaned.isascii():
        return cleaned
    for at in reversed(_misplaced_selectors(cleaned)):
        cleaned = cleaned[:at] + cleaned[at + 1 :]
    for start, end in reversed(_long_combining_runs(cleaned)):
        cleaned = cleaned[: start + MAX_COMBINING_RUN] + cleaned[end:]
    return cleaned
