"""The extractor's prefilters: a pattern is skipped only when it cannot match, so no result changes.

Each guarded pattern is checked against the plain pattern on texts built to sit near its words, including the
characters re.IGNORECASE folds onto ASCII letters ("ſ", "ı", "İ", the Kelvin sign).
"""

from __future__ import annotations

import itertools
import re

import pytest

from postmortem_actions.store import Category
from postmortem_actions.tools.extraction import categories, category_terms, extractor, followups, lint
from postmortem_actions.tools.extraction import fields as item_fields
from postmortem_actions.tools.extraction import sentences as statements
from postmortem_actions.tools.extraction.prefilter import Guarded, case_blind, folded, needles

ODD = ["\u017f", "\u0131", "\u0130", "\u212a"]  # ſ ı İ K: re.IGNORECASE matches them to s, i, i, k
WORDS = [
    "Investigate",
    "INVESTIGATING",
    "look into",
    "Improve",
    "more",
    "etc",
    "...",
    "and so on",
    "focus on",
    "be careful",
    "make sure all",
    "ensure every",
    "Thanks",
    "sorry",
    "Apologise",
    "won't do",
    "rejected",
    "~~dropped~~",
    "not planned",
    "the",
    "it",
    "was",
    "caused",
    "runbook",
    "Docs",
    "roll back",
    "2FA",
    "on-call",
    "status page",
    "rate-limit",
    "fix",
    "you",
    "Please",
    "would have",
    "should've",
    "had we",
    "decided not",
    "will continue to",
    "already",
    "have since",
    "should",
    "it would be useful",
    "the following",
    "as follows",
    "implemented changes",
    "we have",
    "has been",
    "fixed",
    "(done)",
    "[closed]",
    "\u2705",
    "a",
    ".",
    ",",
    ":",
    "(",
    ")",
    "-",
    " ",
    "x",
]


def _texts() -> list[str]:
    pairs = [" ".join(p) for p in itertools.product(WORDS, repeat=2)]
    odd = [w.replace(letter, o) for w in WORDS for letter, o in zip("sikK", ODD, strict=True) if letter in w]
    return pairs + odd + [f"{o}{w}" for o in ODD for w in WORDS]


GUARDED = [pytest.param(g, id=kind) for kind, g, _, _ in lint._GUARDED_RULES] + [
    pytest.param(g, id=name)
    for name, g in [
        ("blanket", lint._GUARDED_BLANKET),
        ("dropped", followups._DROPPED),
        ("not-a-task", followups._NOT_A_TASK_WORDS),
        ("umbrella", followups.UMBRELLA),
        ("advice", statements._ADVICE),
        ("counterfactual", statements._COUNTERFACTUAL),
        ("rejected", statements._REJECTED),
        ("generic", statements._GENERIC),
        ("done-prose", statements._DONE_PROSE),
        ("section-proposal", statements._SECTION_PROPOSAL),
        ("done-mark", item_fields._DONE_MARK),
        ("done-tense", item_fields._DONE_TENSE),
    ]
]


@pytest.mark.parametrize("guarded", GUARDED)
def test_a_guarded_pattern_finds_exactly_what_the_plain_pattern_finds(guarded: Guarded) -> None:
    assert guarded.needles  # else the guard would never skip anything
    assert guarded.folded is not None  # each is written in lower case, so it also runs over folded text
    for text in _texts():
        plain = guarded.pattern.search(text)
        skipped = guarded.search(text)
        assert (plain and plain.span()) == (skipped and skipped.span()), text


@pytest.mark.parametrize("guarded", GUARDED)
def test_a_guarded_span_is_the_plain_patterns_span_when_one_alternative_runs_alone(guarded: Guarded) -> None:
    for text in [*_texts(), "we will not", "and so on, and more", "taken steps: the following", "Had we known"]:
        plain = guarded.pattern.search(text)
        assert (plain and plain.span()) == guarded.span(text), text


@pytest.mark.parametrize(
    ("source", "alone"),
    [
        (r"\b(?:a[|)]b|c\|d|(?:e|f)g)\b", [r"a(?<!\w.)(?:[|)]b)\b", r"c(?<!\w.)(?:\|d)\b", r"\b(?:(?:e|f)g)\b"]),
        (r"\betc\b|[]|]x|…", [r"e(?<!\w.)(?:tc\b)", r"(?:[]|]x)", "(?:…)"]),
        (r"\b(?:ab)\b|(?:cd)", [r"(?:\b(?:ab)\b)", "(?:(?:cd))"]),  # "(?:ab)\b|(?:cd" is not one group
        (r"\b(?:a?b|cd)", [r"\b(?:a?b)", r"c(?<!\w.)(?:d)"]),  # a letter made optional stays behind "\b"
        (r"[\]|]x|y", [r"(?:[\]|]x)", "(?:y)"]),
    ],
)
def test_each_alternative_of_a_pattern_runs_alone_as_the_pattern_would_run_it(source: str, alone: list[str]) -> None:
    guarded = Guarded(re.compile(source, re.IGNORECASE))
    assert [pattern.pattern for _, pattern in guarded.alone] == alone


def test_a_pattern_that_is_not_case_blind_keeps_its_alternatives_as_written() -> None:
    guarded = Guarded(re.compile(r"\bWe\b|\bplease\b"))
    assert [pattern.pattern for _, pattern in guarded.alone] == [r"(?:\bWe\b)", r"(?:\bplease\b)"]
    assert guarded.span("So We said: please") == (3, 5)


@pytest.mark.parametrize("source", [r"(a)|\1", r"(?P<x>a)|(?P=x)", r"(?i)a|b", r"[ab|c", r"a)|(b", r"alert|page(?:s"])
def test_a_pattern_whose_alternatives_cannot_stand_alone_runs_whole(source: str) -> None:
    try:
        pattern = re.compile(source, re.IGNORECASE)
    except re.error:
        return
    assert Guarded(pattern).alone == ()


def test_folding_keeps_the_length_and_lowers_what_ignorecase_matches_to_ascii_letters() -> None:
    for odd in ODD:
        assert len(folded(f"A{odd}B")) == 3
    assert folded("\u017f\u0131\u0130\u212aÉ") == "siikÉ"
    assert folded("Add ALERTS") == "add alerts"


def test_every_match_holds_one_of_the_needles() -> None:
    pattern = re.compile(r"\b(?:investigat(?:e|ing)|look(?:ing)?\s+into|see\s+if)\b", re.IGNORECASE)
    assert needles(pattern) == ("investigat", "look", "see")


@pytest.mark.parametrize("source", [r"\d+", r"a?b?", r"(?:x|\w)", r"[a-z]+", r".*"])
def test_a_pattern_that_can_match_without_a_literal_has_no_needles(source: str) -> None:
    assert needles(re.compile(source)) is None
    assert Guarded(re.compile(source)).possible("")  # and is never skipped


def test_a_needle_that_contains_another_is_dropped() -> None:
    assert needles(re.compile(r"alert|alerting|page")) == ("alert", "page")


def _case_blind(terms: tuple[tuple[str, int], ...]) -> re.Pattern[str]:
    """A category's terms the straightforward way: one case-blind alternation, term by term."""
    return re.compile("|".join(rf"(?P<t{n}>\b(?:{p})\b)" for n, (p, _) in enumerate(terms)), re.IGNORECASE)


@pytest.mark.parametrize("category", list(category_terms.TERMS))
def test_a_category_pattern_finds_what_its_terms_find_case_blind(category: Category) -> None:
    straightforward = _case_blind(category_terms.TERMS[category])
    branched = categories._COMPILED[category]
    for text in [*_texts(), "Roll back and ROLLING BACK a rollback", "update our status page", "clean- up", "docs.x"]:
        expected = [(m.span(), m.lastgroup) for m in straightforward.finditer(text)]
        found = [(m.span(), categories._TERM_OF[m.lastgroup or ""]) for m in branched.finditer(folded(text))]
        assert found == expected, text


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("Add the alert by the end of the quarter", "the end of the quarter"),
        ("Ship it by next sprint", "next sprint"),
        ("Rotate the keys by EOQ", "EOQ"),
        ("Rotate the keys by end of March", "end of March"),
        ("Ship it by Q3 2026", "Q3 2026"),
        ("Ship it by 3/4/26", "3/4/26"),
        ("Ship it by the \u017ftart of the year", "the \u017ftart of the year"),
    ],
)
def test_a_due_date_is_read_whether_it_has_digits_or_only_words(text: str, due: str) -> None:
    assert item_fields.due(text) == due


def test_a_text_without_a_digit_or_a_date_word_has_no_due_date() -> None:
    assert item_fields.due("Add an alert on queue depth at the front door") is None


def test_one_pass_over_a_text_finds_each_categorys_terms_as_a_search_per_category_does() -> None:
    for text in [*_texts(), "roll back and rolling back a rollback", "update the status page docs: on-call drills"]:
        lowered = folded(text)
        expected = {
            cat: [(categories._TERM_OF[m.lastgroup or ""], m.start(), m.end()) for m in pattern.finditer(lowered)]
            for cat, pattern in categories._COMPILED.items()
        }
        assert categories.term_matches(lowered) == {cat: hits for cat, hits in expected.items() if hits}, text


@pytest.mark.parametrize("source", [r"\bwe\s+will\b", r"(?:alert|page)s?\S*", r"[a-z]+\d", r"won't|etc\.|…"])
def test_a_lower_case_pattern_finds_in_folded_text_what_it_finds_case_blind_in_the_text(source: str) -> None:
    blind, sensitive = re.compile(source, re.IGNORECASE), case_blind(source)
    for text in [*_texts(), "WE WILL", "We \u017fhall", "ALERTS!", "PAGE\u212a", "WON'T", "ETC. \u2026"]:
        assert [m.span() for m in blind.finditer(text)] == [m.span() for m in sensitive.finditer(folded(text))], text


@pytest.mark.parametrize("source", [r"The\s+team", r"(?i:x)", r"(?-i:[A-Z])", "caf\u00e9"])
def test_a_pattern_with_capitals_inline_flags_or_accented_letters_is_not_made_case_sensitive(source: str) -> None:
    with pytest.raises(ValueError, match=r"lower case|inline flags"):
        case_blind(source)


@pytest.mark.parametrize(
    ("look_back_first", "pattern"),
    [
        pytest.param(r"(?<![.!?])[.!?]++[\"'”’)\]*_`]*+(?=\s)", statements._BOUNDARY, id="sentence-boundary"),
        pytest.param(r"(?<=[a-z0-9)`\]])[.!?](?:\s|$)", lint._SENTENCE_END, id="deliverable-end"),
        pytest.param(r"(?<![\w/.-])([A-Z][A-Z0-9]{1,9})-(\d{1,7})(?![\w-])", item_fields._KEY, id="ticket-key"),
        pytest.param(r"(?<![\w&/#])#(\d{1,7})\b(?!\s+priority)", item_fields._HASH, id="ticket-number"),
    ],
)
def test_a_pattern_that_reads_its_literal_before_looking_back_finds_what_the_look_back_first_form_finds(
    look_back_first: str, pattern: re.Pattern[str]
) -> None:
    spec = re.compile(look_back_first)
    parts = [
        "a",
        "AB",
        "Z",
        "9",
        "12",
        ".",
        "!",
        "?",
        "...",
        '"',
        ")",
        "]",
        "`",
        "*",
        "-",
        "/",
        "#",
        "&",
        " ",
        "\n",
        "e.g.",
        "priority",
    ]
    for text in ["".join(p) for p in itertools.product(parts, repeat=4)]:
        for start in (0, 1):
            expected = [(m.span(), m.groups()) for m in spec.finditer(text, start)]
            assert [(m.span(), m.groups()) for m in pattern.finditer(text, start)] == expected, text


FOLDED = [
    pytest.param(getattr(module, name), id=name)
    for module, names in [
        (followups, ["_NOT_A_TASK_LEAD", "_FIELD_LINE", "_CRITERION", "TRACKING_LINE"]),
        (extractor, ["_MARKER", "_POINTER", "_DOCUMENTATION"]),
        (
            statements,
            [
                "_IMPERATIVE",
                "_FUTURE",
                "_PROPOSAL_QUESTION",
                "_DONE_STEP",
                "_COMPARATIVE",
                "STATUS_NOTE",
                "_COMMIT_FOLDED",
            ],
        ),
        (lint, ["_BARE", "_PURPOSE"]),
        (categories, ["_LEAD_VERB"]),
        (item_fields, ["_DUE_IN_FOLDED"]),
    ]
    for name in names
]


@pytest.mark.parametrize("pattern", FOLDED)
def test_a_pattern_run_over_folded_text_finds_what_it_finds_case_blind(pattern: re.Pattern[str]) -> None:
    blind = re.compile(pattern.pattern, re.IGNORECASE)
    extra = [
        "Owner: SRE",
        "TRACKING ISSUE: x",
        "[Action items]",
        "ENSURE it",
        "ADD A CHECK",
        "WILL ship",
        "Should we add a canary?",
        "We've Added",
        "The more we plan, the less",
        "(Fixed by x)",
        "Investigate x",
        "FIX IT",
        "so that",
        "by Q3 2026",
        "In the \u017fummer",
        "\u0130nvestigate",
        "Due: EOQ",
    ]
    for text in [*_texts(), *extra]:
        lowered = folded(text)
        assert [m.span() for m in pattern.finditer(lowered)] == [m.span() for m in blind.finditer(text)], text
