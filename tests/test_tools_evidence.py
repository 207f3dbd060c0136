"""Locating an evidence quote: forgiving about case, spacing, emphasis marks and typography, strict about
words, and always answering with offsets that slice the quoted passage back out of the document."""

from __future__ import annotations

import pytest

from postmortem_actions.store.errors import InvalidInput, QuoteNotFound
from postmortem_actions.tools.extraction.evidence import MIN_QUOTE_CHARS, locate

TEXT = (
    "# Checkout outage\n\n"
    "The queue backed up for forty minutes before anyone noticed.\n\n"
    "## Action items\n\n"
    "- We will add an alert on queue depth above 10,000 messages.\n"
    "- Rehearse the failover runbook every quarter.\n"
)


def found(text: str, quote: str) -> str:
    start, end = locate(text, quote)
    assert 0 <= start < end <= len(text)
    return text[start:end]


def test_an_exact_quote_is_found_at_its_offsets() -> None:
    quote = "add an alert on queue depth above 10,000 messages"

    assert locate(TEXT, quote) == (TEXT.index(quote), TEXT.index(quote) + len(quote))


def test_the_first_occurrence_is_the_one_located() -> None:
    text = "Restart the worker pool. Later: restart the worker pool."

    assert locate(text, "restart the worker pool") == (0, len("Restart the worker pool"))


def test_case_does_not_matter() -> None:
    assert found(TEXT, "REHEARSE THE FAILOVER RUNBOOK") == "Rehearse the failover runbook"
    assert found("WE WILL ROTATE THE KEYS", "we will rotate the keys") == "WE WILL ROTATE THE KEYS"


def test_runs_of_whitespace_and_line_breaks_are_one_space() -> None:
    text = "We will add an\n   alert on\tqueue\r\n\r\ndepth soon."

    assert found(text, "add an alert on queue depth") == "add an\n   alert on\tqueue\r\n\r\ndepth"
    assert found(TEXT, "  the queue\n backed   up\tfor  ") == "The queue backed up for"
    assert found(text, "add\u00a0an alert\u2003on queue depth") == "add an\n   alert on\tqueue\r\n\r\ndepth"


def test_a_quote_does_not_match_words_run_together() -> None:
    with pytest.raises(QuoteNotFound):
        locate("we will add an alertonqueue depth", "add an alert on queue depth")


def test_emphasis_and_code_marks_in_the_document_are_skipped() -> None:
    text = "**Action:** add an `alert` on **queue depth** for `billing-worker` pods."

    assert found(text, "Action: add an alert on queue depth") == "Action:** add an `alert` on **queue depth"
    assert found(text, "queue depth for billing-worker pods") == "queue depth** for `billing-worker` pods"


def test_emphasis_and_code_marks_in_the_quote_are_skipped() -> None:
    text = "Action: add an alert on queue depth for billing-worker pods."

    assert found(text, "**Action:** add an `alert` on **queue depth**") == "Action: add an alert on queue depth"
    assert found(text, "`billing-worker` pods") == "billing-worker pods"


@pytest.mark.parametrize(
    ("document", "quote"),
    [
        ("we won\u2019t ship on Fridays again", "we won't ship on Fridays again"),
        ("we won't ship on Fridays again", "we won\u2019t ship on Fridays again"),
        ("we won\u2018t ship on Fridays again", "we won\u02bct ship on Fridays again"),
        ("we won\u02bct ship on Fridays again", "we won't ship on Fridays again"),
        ("the \u201cfreeze\u201d flag blocks deploys", 'the "freeze" flag blocks deploys'),
        ('the "freeze" flag blocks deploys', "the \u201cfreeze\u201d flag blocks deploys"),
        ("roll back \u2013 then page the owner", "roll back - then page the owner"),
        ("roll back - then page the owner", "roll back \u2014 then page the owner"),
        ("run the fail\u2010over drill", "run the fail-over drill"),
        ("run the fail-over drill", "run the fail\u2011over drill"),
        ("run the fail\u2014over drill", "run the fail\u2010over drill"),
    ],
)
def test_typographic_quotes_and_dashes_match_their_plain_forms_both_ways(document: str, quote: str) -> None:
    text = f"Decision: {document}.\n"

    assert found(text, quote) == document


def test_a_different_punctuation_mark_is_a_different_word() -> None:
    with pytest.raises(QuoteNotFound):
        locate("roll back, then page the owner", "roll back - then page the owner")


def test_accented_letters_match_case_insensitively_with_str_offsets() -> None:
    text = "Résumé: the CAFÉ service crashed. Nächste Schritte: Größe der Warteschlange überwachen."

    assert found(text, "the café service crashed") == "the CAFÉ service crashed"
    assert found(text, "größe der warteschlange ÜBERWACHEN") == "Größe der Warteschlange überwachen"


def test_cjk_and_emoji_offsets_are_python_string_offsets() -> None:
    text = "🔥🔥 障害報告 🚒: 監視アラートを追加する 🚀 and add a 🚨 alert on queue depth"

    start, end = locate(text, "監視アラートを追加する")
    assert (start, end) == (text.index("監視"), text.index("監視") + len("監視アラートを追加する"))
    assert found(text, "🚀 and add a 🚨 alert") == "🚀 and add a 🚨 alert"


def test_combining_characters_are_kept_in_the_slice() -> None:
    text = "Cafe\u0301 outage: add a rate limiter to the API gateway."

    assert found(text, "cafe\u0301 outage: add a rate limiter") == "Cafe\u0301 outage: add a rate limiter"


@pytest.mark.parametrize("quote", ["add alert", "a b c d e f g h i", "**`  x  `**", "", "          "])
def test_a_quote_shorter_than_the_minimum_is_refused(quote: str) -> None:
    with pytest.raises(QuoteNotFound, match=f"too short to be evidence; quote at least {MIN_QUOTE_CHARS}"):
        locate(TEXT, quote)


def test_the_minimum_counts_letters_not_spaces_or_marks() -> None:
    assert found("xx abcde fghij yy", "**abcde**   `fghij`") == "abcde fghij"


def test_an_absent_quote_is_refused_naming_the_quote() -> None:
    with pytest.raises(QuoteNotFound) as caught:
        locate(TEXT, "migrate the database to Postgres")

    message = str(caught.value)
    assert "'migrate the database to Postgres' does not occur in the postmortem" in message
    assert "copy the supporting sentence verbatim" in message
    assert isinstance(caught.value, InvalidInput)


def test_a_long_absent_quote_is_shortened_in_the_message() -> None:
    quote = "we will completely rebuild the deployment pipeline " * 4

    with pytest.raises(QuoteNotFound) as caught:
        locate(TEXT, quote)

    message = str(caught.value)
    assert repr(quote[:77] + "...") in message
    assert quote[:78] not in message


def test_a_quote_of_exactly_80_characters_is_shown_whole() -> None:
    quote = "x" * 80

    with pytest.raises(QuoteNotFound, match=repr(quote)):
        locate(TEXT, quote)


def test_one_changed_word_is_not_found() -> None:
    with pytest.raises(QuoteNotFound):
        locate(TEXT, "Rehearse the failover runbook every month")


@pytest.mark.parametrize(
    "quote",
    [
        "a.b*c(d)[e]",
        "match ^start$ and end|or {2,3}",
        "the regex \\d+ and \\w*? and (?P<x>y)",
        "price is $5.00 + tax?",
        "use [a-z]+ not [^0-9]",
    ],
)
def test_regex_metacharacters_in_a_quote_are_literal(quote: str) -> None:
    text = f"We documented: {quote} in the runbook."

    assert found(text, quote) == quote


def test_a_dot_in_a_quote_does_not_match_any_character() -> None:
    with pytest.raises(QuoteNotFound):
        locate("the pattern axb*c(d)[e] again", "the pattern a.b*c(d)[e] again")
    with pytest.raises(QuoteNotFound):
        locate("the pattern abbbc(d)[e] again", "the pattern ab*c(d)[e] again")


def test_a_quote_at_the_end_of_a_megabyte_document_is_found() -> None:
    filler = "The on-call engineer restarted a node and watched the graphs. " * 17_000
    tail = "Finally, we will rotate the database credentials every quarter."
    text = filler + tail
    assert len(text) > 1_000_000

    assert locate(text, "we will ROTATE the database   credentials every quarter") == (
        len(filler) + tail.index("we will"),
        len(text) - 1,
    )


def test_a_pathological_quote_against_a_repetitive_document_is_refused() -> None:
    text = "a " * 100_000  # 200 kB
    quote = "a " * 200 + "b"

    with pytest.raises(QuoteNotFound, match="does not occur"):
        locate(text, quote)


def test_a_repetitive_quote_that_does_occur_is_found_at_its_first_place() -> None:
    text = "a " * 50_000 + "b " + "a " * 10
    quote = "a " * 100 + "b"

    start, end = locate(text, quote)
    assert (start, end) == (len("a " * 49_900), len("a " * 50_000) + 1)


def test_underscore_emphasis_and_strike_through_are_skipped() -> None:
    text = "- __Action:__ add the ~~old~~ queue alert on billing depth"
    start, end = locate(text, "Action: add the old queue alert")
    assert text[start:end] == "Action:__ add the ~~old~~ queue alert"
