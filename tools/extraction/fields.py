"""What an action item's own words state: a clean one-line text, links and tickets, owner, due date, done.

Only what the text says is taken: an owner is a named person, role or team (never "we"), a due date is
a date or period the text gives (never an effort estimate or a priority), a ticket is an issue, pull
request or tracking link (never an image, a tool's home page or a dashboard).
"""

from __future__ import annotations

import re
from typing import Final
from urllib.parse import urlsplit

from postmortem_actions.store.text import plain, refusal
from postmortem_actions.tools.extraction.prefilter import Guarded, any_in, case_blind, folded

_INLINE_LINK: Final = re.compile(
    r"(!?)\[([^\[\]\n]{0,300})\]\(\s*<?([^()\s<>]{1,2000})>?(?:\s+\"[^\"\n]{0,200}\")?\s*\)"
)
_REF_LINK: Final = re.compile(r"(!?)\[([^\[\]\n]{1,300})\](?:\[([^\[\]\n]{0,200})\])?(?![(:])")
_AUTOLINK: Final = re.compile(r"<(https?://[^\s<>]{1,2000})>")
# "http" first, then the look back at what precedes it: the engine skips from "http" to "http".
_BARE_URL: Final = re.compile(r"http(?<![<\w]http)(?<!\]\(http)s?://[^\s<>()\[\]]{1,2000}")
_HTML_TAG: Final = re.compile(r"</?[a-zA-Z][^<>\n]{0,300}>")
# These open with a literal and look back after it ("X(?<![\w/.-].)" is "(?<![\w/.-])X"): the engine skips from
# literal to literal instead of trying the look-back at every position.
_KEY: Final = re.compile(r"([A-Z](?<![\w/.-].)[A-Z0-9]{1,9})-(\d{1,7})(?![\w-])")
_NOT_KEYS: Final = frozenset(
    [
        "SEV",
        "UTC",
        "GMT",
        "ISO",
        "RFC",
        "CVE",
        "CWE",
        "HTTP",
        "HTTPS",
        "TLS",
        "SSL",
        "UTF",
        "SHA",
        "MD",
        "AES",
        "RSA",
        "COVID",
        "IPV",
        "GPT",
        "FY",
        "PST",
        "PDT",
        "CET",
        "CEST",
        "EST",
        "EDT",
        "IST",
        "AWS",
        "GCP",
        "EC",
        "US",
        "EU",
        "TCP",
        "UDP",
        "DNS",
        "API",
        "SLA",
        "SLO",
        "KPI",
        "OKR",
        "PCI",
        "SOC",
        "HIPAA",
        "GDPR",
        "NIST",
        "TOTP",
        "OTP",
        "WER",
    ]
)
# "Bug 5554823", "Issue 4821", "ticket #123": a tracker's number after the word that names it.
_NAMED_REF: Final = re.compile(r"\b(?:[Bb]ug|BUG|[Ii]ssue|[Tt]icket|crbug)\s?(?::|no\.)?\s?\d{4,10}\b")
_NAMED_REF_WORDS: Final = ("bug", "issue", "ticket")
# What makes a date one something runs from or until, not a deadline: "since", a freeze, "until ... ends".
_NOT_DEADLINE: Final = re.compile(
    r"\b(?:since|freez\w*|frozen|blackout|embargo|started|began|"
    r"until\s+(?:the\s+)?\w+(?:\s+\w+)?\s+(?:ends?|is\s+over|lifts?|finish\w*))",
    re.IGNORECASE,
)
_HASH: Final = re.compile(r"#(?<![\w&/#].)(\d{1,7})\b(?!\s+priority)")
_NOT_TICKET_URL: Final = re.compile(
    r"grafana|datadoghq|kibana|newrelic|dashboard|/d/|/charts?/|/metrics|\.(?:png|jpe?g|gif|svg)(?:$|\?)", re.IGNORECASE
)

_MONTH: Final = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
# In lower case, like the other case-blind patterns here, so the due date can be read case-sensitively from
# folded text ("Q3", "FY26", "EOQ" match as before: every pattern using it is case-blind).
_DATE: Final = (
    rf"(?:\d{{4}}-\d{{2}}-\d{{2}}|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?|"
    rf"\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}(?:,?\s+\d{{4}})?|{_MONTH}\s+\d{{4}}|[qh][1-4]\s?(?:fy)?\d{{2,4}}|"
    rf"fy\s?\d{{2,4}}|(?:the\s+)?(?:end|middle|start|beginning)\s+of\s+(?:the\s+)?(?:week|month|quarter|year|sprint|"
    rf"[qh][1-4](?:\s+\d{{4}})?|{_MONTH}(?:\s+\d{{4}})?|\d{{4}})|(?:next|this)\s+(?:week|month|quarter|sprint|year)|"
    rf"eo[wmqy]|\d{{1,2}}/\d{{1,2}}/\d{{2,4}})"
)
_RANGE: Final = rf"{_DATE}(?:\s*(?:-|–|—|to|through)\s*{_DATE})?"
# Each keyword by its first letter, then a look back for the start of a word ("d(?<!\w.)" is "\bd"): a letter that
# starts no keyword is passed over at once, and one that does is tried against its own keywords only.
_DUE_IN_TEXT_SOURCE: Final = (
    r"(?:d(?<!\w.)(?:ue(?:\s+date)?|eadline)|b(?<!\w.)(?:y|efore)|u(?<!\w.)ntil|e(?<!\w.)ta|"
    r"t(?<!\w.)arget(?:\s+date)?|n(?<!\w.)o\s+later\s+than|a(?<!\w.)t|i(?<!\w.)n|f(?<!\w.)or|w(?<!\w.)ithin)"
    rf"\b\s*:?\s*({_RANGE})(?![\w-])"
)
_DUE_IN_TEXT: Final = re.compile(_DUE_IN_TEXT_SOURCE, re.IGNORECASE)
_DUE_IN_FOLDED: Final = case_blind(_DUE_IN_TEXT_SOURCE)  # the same matches, over folded text, four times faster
_DUE_IN_HEADING: Final = re.compile(
    rf"\(\s*(?:due\s*:?\s*|by\s+|target\s*:?\s*)?({_RANGE})\s*\)|"
    rf"\b(?:due|by|target|until)\s*:?\s*({_RANGE})",
    re.IGNORECASE,
)
# Every form of _DATE holds four digits in a row, a quarter or half ("q3", "h1"), or one of these words or marks;
# most action items hold none of them, even those with a number ("queue 7", "above 10k").
_DATE_NUMBERS: Final = re.compile(r"\d\d\d\d|[qh][1-4]")
_DATE_WORDS: Final = (
    "fy",
    "/",
    "jan",
    "feb",
    "mar",
    "apr",
    "may",
    "jun",
    "jul",
    "aug",
    "sep",
    "oct",
    "nov",
    "dec",
    "end",
    "middle",
    "start",
    "beginning",
    "next",
    "this",
    "eo",
)
_DUE_CELL: Final = re.compile(rf"^\W*({_RANGE})\W*$", re.IGNORECASE)

_WORD_IN_NAME: Final = r"[\w'-]{0,40}(?:\.[\w'-]{1,40}){0,3}"  # dots only inside: "@dana." ends at "dana"
_NAME: Final = (
    rf"@?[A-Za-z]{_WORD_IN_NAME}"
    rf"(?:\s+(?!(?i:and|to|by|due|eta|deadline|target|ticket|status|priority|add|fix)\b)[A-Z]{_WORD_IN_NAME}){{0,3}}"
)
HANDLE: Final = r"@[A-Za-z0-9][\w-]{0,38}"  # a GitHub-style handle: "@dana", "@sre-oncall"
_OWNER: Final = re.compile(
    rf"(?i:\b(?:owners?|owned\s+by|assignee|assigned\s+to|dri|responsible)\b)\s*[:=-]?\s*({_NAME})|"
    rf"\(\s*({HANDLE})\b|(?:^|\s)[-–—]\s*({HANDLE})\s*$|^({HANDLE})\s*[:–—-]|"
    r"\b((?:[Tt]he\s+)?[A-Z][\w-]*(?:\s+[A-Z][\w-]*){0,2}\s+team)\s+(?:will|is\s+going\s+to|owns|plans?\s+to)\b"
)
# Literals a match of _OWNER needs besides "@" and "team" (folded, as its case-blind part matches them).
_OWNER_WORDS: Final = ("owne", "assign", "dri", "responsible")
_NOT_OWNERS: Final = frozenset({"we", "us", "our", "i", "me", "the team", "team", "tbd", "none", "n/a", "unassigned"})

_DONE_MARK: Final = Guarded(
    re.compile(
        r"✅|✔|☑|^\W{0,4}(?:done|completed?|fixed|shipped|resolved)\b(?:\W|$)|[\[(]\s*(?:done|completed?|fixed|shipped|"
        r"resolved|closed|merged)\b[^)\]\n]{0,60}[)\]]\W*$|(?:\*\*|__)[ \t]*(?:done|completed?|fixed|shipped|resolved)"
        r"[ \t]*[.!]?[ \t]*(?:\*\*|__)[ \t.]*$",
        re.IGNORECASE,
    )
)
# "... **Done**": a status word in bold ends the item (a wiki's bold "Done" renders so).
_BOLD_STATUS: Final = re.compile(
    r"[ \t]*(?:\*\*|__)[ \t]*(?:done|completed?|fixed|shipped|resolved)[ \t]*[.!]?[ \t]*(?:\*\*|__)[ \t.]*$",
    re.IGNORECASE,
)
_DONE_TENSE: Final = Guarded(
    re.compile(
        r"^(?:(?:we|i)(?:\s+have|'ve)\s+(?:already\s+)?(?!to\b|been\s+asked)\w+(?:ed|en|wn|ilt|ade|ut)\b|"
        r"[^.;]{0,160}?\b(?:has|have)\s+(?:already\s+)?been\s+\w+(?:ed|en|wn|ne|ilt|ade|ut)\b)",
        re.IGNORECASE,
    )
)
_DONE_STATUS: Final = re.compile(
    r"^\W*(?:done|completed?|fixed|closed|resolved|shipped|merged|finished|yes)\W*$|✅|✔", re.IGNORECASE
)
_TRAILING_STATUS: Final = Guarded(
    re.compile(
        r"\s*(?:\*\*|__)?\s*[\[(]\s*(?:done|completed?|fixed|shipped|resolved|closed|merged|in\s+progress|todo|wip)\b"
        r"[^)\]\n]{0,60}[)\]]\s*(?:\*\*|__)?\s*\.?\s*$|\s*(?:✅|✔|☑)\s*$",
        re.IGNORECASE,
    )
)
_LEADING_MARK: Final = re.compile(
    r"^\s*(?:\[\s*(?:action\s+items?|ai|todo|follow[- ]?up|done|x)\s*\]|(?:\*\*|__)?(?:action\s+items?|ai|todo|"
    r"follow[- ]?up|next\s+step)\s*(?:\*\*|__)?\s*:\s*(?:\*\*|__)?)\s*",
    re.IGNORECASE,
)


_EMPTY_ASIDE: Final = re.compile(r"\(\s*([^()]{0,200}?)[\s,;]*\)")
# What _EMPTY_ASIDE changes: an aside that opens with a space, closes after a space or separator, or is empty.
_ASIDE_TO_TIDY: Final = re.compile(r"\(\s|[\s,;]\)|\(\)")
_STATUS_WORD: Final = re.compile(r"^\s*(?:DONE|TODO|WIP)\b[\s:–—-]*")
_STATUS_WORDS: Final = ("DONE", "TODO", "WIP")
# Every change clean() makes needs one of these characters or _STATUS_WORDS, or a character outside printable ASCII.
_MARKUP_CHAR: Final = re.compile(r"[:\[<(*_~]")
# A trailing status mark opens with one of these (see _TRAILING_STATUS).
_STATUS_OPENERS: Final = ("[", "(", "✅", "✔", "☑")


def links(fragment: str, definitions: dict[str, str]) -> list[str]:
    """Every link target in a Markdown fragment, in order: inline, autolinks, bare URLs, reference links."""
    found: list[tuple[int, str]] = []
    if "](" in fragment:
        for m in _INLINE_LINK.finditer(fragment):
            if not m.group(1):
                found.append((m.start(), m.group(3)))
    if "<" in fragment:
        for m in _AUTOLINK.finditer(fragment):
            found.append((m.start(), m.group(1)))
    if "://" in fragment:
        for m in _BARE_URL.finditer(fragment):
            found.append((m.start(), m.group(0).rstrip(".,;:!?'\"*_")))
    if definitions and "[" in fragment:
        for m in _REF_LINK.finditer(fragment):
            key = (m.group(3) or m.group(2)).strip().lower()
            if not m.group(1) and key in definitions:
                found.append((m.start(), definitions[key]))
    if not found:
        return []
    return list(dict.fromkeys(url for _, url in sorted(found)))


def tickets(fragment: str, definitions: dict[str, str], *, any_key: bool = False) -> list[str]:
    """Ticket references in a fragment: issue/PR/tracking links, `ABC-123` keys and `#123` numbers.

    `any_key` accepts keys that usually name something else ("DNS-412" in a Bug column)."""
    if not fragment:
        return []
    refs = [url for url in links(fragment, definitions) if _is_ticket_url(url)]
    plain = _BARE_URL.sub(" ", fragment) if "://" in fragment else fragment
    plain = _AUTOLINK.sub(" ", plain) if "<" in plain else plain
    plain = _INLINE_LINK.sub(" ", plain) if "](" in plain else plain
    # "[#294][issue-294]": the label names the link; the URL from the definition is the ticket.
    if definitions and "[" in plain:
        plain = _REF_LINK.sub(
            lambda m: " " if (m.group(3) or m.group(2)).strip().lower() in definitions else m.group(0), plain
        )
    if "-" in plain:
        refs += [m.group(0) for m in _KEY.finditer(plain) if any_key or m.group(1) not in _NOT_KEYS]
    if "#" in plain:
        refs += [m.group(0) for m in _HASH.finditer(plain)]
    if any(word in plain.lower() for word in _NAMED_REF_WORDS):
        refs += [m.group(0) for m in _NAMED_REF.finditer(plain)]
    return list(dict.fromkeys(refs)) if refs else refs


# A name in code and nothing else: "`COPYRIGHT_QUERY`" (not a command, "`make test`", which has a space).
_CODE_NAME: Final = re.compile(r"`[^`\s]{1,80}`")


def only_a_code_name(text: str) -> bool:
    """Whether an item is only a name in code (`COPYRIGHT_QUERY`), emphasis and a final stop aside: a list of such
    names in a follow-up section names things (queries, hosts, fields), it sets no task."""
    bare = text.strip().strip("*_").rstrip(".,;:").strip()
    return _CODE_NAME.fullmatch(bare) is not None


def not_a_deadline(text: str) -> bool:
    """Whether a date in `text` is one something runs from or until ("since 2024-04-01", "until the freeze ends on
    June 30"), not a deadline."""
    return bool(_NOT_DEADLINE.search(text))


def _is_ticket_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False  # "http://[x/1": not a URL (unbalanced brackets in the host)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return False
    return parts.path.strip("/") != "" and not _NOT_TICKET_URL.search(url)


def due(fragment: str, lowered: str | None = None) -> str | None:
    """A due date or period the fragment states ('by 2026-01-15', 'Q4 2025', 'at the end of 2023').

    `lowered` is `prefilter.folded(fragment)` when the caller has it."""
    if not fragment:
        return None
    lowered = folded(fragment) if lowered is None else lowered
    if not any_in(lowered, _DATE_WORDS) and not _DATE_NUMBERS.search(lowered):
        return None
    for match in _DUE_IN_FOLDED.finditer(lowered):
        clause = max(lowered.rfind(mark, 0, match.start()) for mark in (";", ". ", ", then", "(")) + 1
        if not _NOT_DEADLINE.search(lowered, max(0, clause, match.start() - 60), match.end()):
            return " ".join(fragment[match.start(1) : match.end(1)].split())
    return None


def due_in_heading(heading: str) -> str | None:
    """A period a section heading sets for its items ('Long-term (Q4 2025 - Q1 2026)', 'Due: March 2026')."""
    match = _DUE_IN_HEADING.search(heading)
    if match is None:
        return None
    return " ".join((match.group(1) or match.group(2)).split())


def due_cell(cell: str) -> str | None:
    """A table cell that holds a date or period, as written."""
    match = _DUE_CELL.match(cell)
    return " ".join(match.group(1).split()) if match else None


def owner(fragment: str, lowered: str | None = None) -> str | None:
    """An owner the fragment names: 'Owner: Dana', '(@dana)', '— @dana', 'The SRE team will ...'.

    `lowered` is `prefilter.folded(fragment)` when the caller has it."""
    if not fragment:
        return None
    lowered = folded(fragment) if lowered is None else lowered
    if "@" not in fragment and "team" not in fragment and not any_in(lowered, _OWNER_WORDS):
        return None
    for match in _OWNER.finditer(fragment):
        name = next(g for g in match.groups() if g)
        name = name.strip(" .,:;").removeprefix("the ").removeprefix("The ")
        if name.lower() not in _NOT_OWNERS:
            return name
    return None


def done(fragment: str, lowered: str | None = None) -> bool:
    """Whether the fragment marks itself done ('(Done)', '✅', 'DONE:') or states it in the perfect tense.

    `lowered` is `prefilter.folded(fragment)` when the caller has it."""
    if not fragment:
        return False
    # Folding keeps "*", "_" and " ", so it commutes with the strip below.
    lowered = folded(fragment) if lowered is None else lowered
    return bool(_DONE_MARK.found(fragment, lowered) or _DONE_TENSE.match(fragment.strip("*_ "), lowered.strip("*_ ")))


def done_status(cell: str) -> bool:
    """Whether a status cell says done."""
    return bool(_DONE_STATUS.search(cell))


def clean(fragment: str, definitions: dict[str, str]) -> str:
    """One readable line: links reduced to their labels, trailing links and status marks, emphasis dropped."""
    line = " ".join(fragment.split())
    if _MARKUP_CHAR.search(line) is None and line.isascii() and line.isprintable() and not any_in(line, _STATUS_WORDS):
        return line.strip(" -–—|:;,(")  # nothing below would change it
    lead = _LEADING_MARK.match(fragment) if ":" in fragment or "[" in fragment else None
    text = fragment[lead.end() :] if lead else fragment  # anchored: one match at most, at the start
    if "](" in text:
        text = _INLINE_LINK.sub(lambda m: "" if m.group(1) else m.group(2), text)
    if "<" in text:
        text = _AUTOLINK.sub("", text)
    if definitions and "[" in text:
        text = _REF_LINK.sub(
            lambda m: (
                m.group(2)
                if not m.group(1) and (m.group(3) or m.group(2)).strip().lower() in definitions
                else m.group(0)
            ),
            text,
        )
    if "<" in text:
        text = _HTML_TAG.sub("", text)
    text = " ".join(text.split())
    if "://" in text:
        text = _BARE_URL.sub(
            lambda m: "" if m.end() >= len(text) - 1 or text[m.start() - 1 : m.start()] in "(," else m.group(0), text
        )
    if "(" in text and _ASIDE_TO_TIDY.search(text):
        text = _EMPTY_ASIDE.sub(lambda m: f"({m.group(1)})" if m.group(1) else "", text)
    if text.rstrip(" \t.").endswith(("**", "__")):
        text = _BOLD_STATUS.sub("", text)
    text = text.replace("**", "").replace("__", "").replace("~~", "")
    if any_in(text, _STATUS_OPENERS) and _TRAILING_STATUS.found(text):
        text = _TRAILING_STATUS.pattern.sub("", text)
    if any_in(text, _STATUS_WORDS):
        text = text[status.end() :] if (status := _STATUS_WORD.match(text)) else text
    # The clean line may become a candidate's text: nothing a text field refuses stays in it (store.text).
    if not (text.isascii() and text.isprintable()) and refusal(text) is not None:
        text = plain(text)
    return " ".join(text.split()).strip(" -–—|:;,(")
