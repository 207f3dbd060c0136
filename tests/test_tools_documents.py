"""A postmortem's shape: sections (Markdown and HTML), title, severity, incident date and fingerprint."""

from __future__ import annotations

import time
from datetime import date
from itertools import pairwise

import pytest

from postmortem_actions.store.errors import InvalidInput
from postmortem_actions.tools.extraction.facts import (
    find_incident_date,
    find_severity,
    find_title,
    fingerprint,
    headings,
    is_html,
    normalise_severity,
    parse_date,
    sections,
)
from postmortem_actions.tools.models import Section

MARKDOWN = """\
Written by the payments team after the review.

# Checkout outage #

Summary of what happened.

## Timeline ##

- 10:02 deploy
- 10:05 alerts

### Impact
#### Detection
##### Response
###### Follow-ups

Add an alert on queue depth.
"""

SETEXT = """\
Checkout outage
===============

What happened.

Action items
------------

- Add an alert.
"""

FENCED = """\
# Runbook

```bash
# not a heading: a shell comment
echo done
```

~~~~
## also not a heading
```
still code
~~~~

## After the code
"""

FRONT_MATTER = """\
---
title: "Checkout outage, October 2020"
date: 2020-10-28
severity: sev-1
tags: [payments]
---
Intro line after the front matter.

# A heading that is not the title

Body.
"""

HTML = """\
<!DOCTYPE html>
<html><head><title>Wiki &raquo; Checkout outage</title></head>
<body>
<div class="meta">exported</div>
<h1 id="t">Checkout <em>outage</em> &amp; recovery</h1>
<p>Summary.</p>
<H2 class="x">Action&nbsp;items</H2>
<ul><li>Add an alert</li></ul>
<h3><a href="#a"><span>Why it <b>took</b> 40&#160;minutes</span></a></h3>
<p>Because.</p>
<h4>Level four</h4><h5>Level five</h5><h6>Level six</h6>
</body></html>
"""


def assert_tiles(text: str, parts: list[Section]) -> None:
    """Sections follow each other without gaps or overlaps up to the end of the text, and each one's offsets
    slice its own text back out of the document; only leading blank space may precede the first one."""
    assert parts
    assert not text[: parts[0].start].strip()
    for before, after in pairwise(parts):
        assert before.end == after.start
    assert parts[-1].end == len(text)
    for part in parts:
        assert part.start < part.end
        assert not part.truncated
        assert text[part.start : part.end] == part.text


# -- Markdown headings -----------------------------------------------------------------------------


def test_atx_headings_of_every_level_are_found_with_closing_hashes_removed() -> None:
    found = [(level, heading) for _, level, heading in headings(MARKDOWN)]

    assert found == [
        (1, "Checkout outage"),
        (2, "Timeline"),
        (3, "Impact"),
        (4, "Detection"),
        (5, "Response"),
        (6, "Follow-ups"),
    ]


def test_text_before_the_first_heading_is_a_level_zero_section() -> None:
    parts = sections(MARKDOWN)

    assert (parts[0].level, parts[0].heading, parts[0].start) == (0, "", 0)
    assert parts[0].text == "Written by the payments team after the review.\n\n"
    assert parts[1].text.startswith("# Checkout outage #\n")


def test_markdown_sections_slice_the_original_text_and_cover_it_in_order() -> None:
    assert_tiles(MARKDOWN, sections(MARKDOWN))


def test_no_preamble_section_when_the_document_starts_with_a_heading() -> None:
    parts = sections(SETEXT)

    assert parts[0].level == 1
    assert_tiles(SETEXT, parts)


def test_blank_lines_before_the_first_heading_make_no_section() -> None:
    text = "\n\n# Outage\n\nBody.\n"
    parts = sections(text)

    assert [(p.level, p.heading) for p in parts] == [(1, "Outage")]
    assert_tiles(text, parts)


def test_a_hash_without_a_space_or_seven_hashes_is_not_a_heading() -> None:
    text = "#hashtag\n\n####### seven\n\n    # indented code\n\n   # three spaces is fine\n"

    assert [h for _, _, h in headings(text)] == ["three spaces is fine"]


def test_a_hash_inside_a_heading_is_kept() -> None:
    assert headings("# Why C# services timed out\n") == [(0, 1, "Why C# services timed out")]


def test_setext_headings_are_found_at_the_start_of_their_text_line() -> None:
    found = headings(SETEXT)

    assert found == [(0, 1, "Checkout outage"), (SETEXT.index("Action items"), 2, "Action items")]
    assert_tiles(SETEXT, sections(SETEXT))


def test_a_rule_after_a_blank_line_is_not_a_setext_heading() -> None:
    text = "# Outage\n\nParagraph.\n\n---\n\nMore.\n"

    assert [h for _, _, h in headings(text)] == ["Outage"]


def test_headings_inside_fenced_code_blocks_are_ignored() -> None:
    found = [(level, heading) for _, level, heading in headings(FENCED)]

    assert found == [(1, "Runbook"), (2, "After the code")]
    assert_tiles(FENCED, sections(FENCED))


def test_a_rule_right_after_a_closing_fence_is_not_a_heading() -> None:
    text = "# Outage\n\n```\nkubectl rollout undo\n```\n---\n\n## Next\n"

    assert [h for _, _, h in headings(text)] == ["Outage", "Next"]


def test_an_unclosed_fence_hides_the_rest_of_the_document() -> None:
    text = "# Outage\n\n```\n# inside\n\n## still inside\n"

    assert [h for _, _, h in headings(text)] == ["Outage"]


def test_front_matter_is_skipped_when_looking_for_headings() -> None:
    parts = sections(FRONT_MATTER)

    # Its closing "---" would otherwise make "tags: [payments]" a setext heading.
    assert [(p.level, p.heading) for p in parts] == [(0, ""), (1, "A heading that is not the title")]
    assert parts[0].text.startswith("---\ntitle:")
    assert_tiles(FRONT_MATTER, parts)


def test_crlf_markdown_sections_keep_crlf_offsets() -> None:
    crlf = MARKDOWN.replace("\n", "\r\n")
    parts = sections(crlf)

    assert [(p.level, p.heading) for p in parts] == [(p.level, p.heading) for p in sections(MARKDOWN)]
    assert_tiles(crlf, parts)


def test_crlf_setext_headings_and_front_matter_are_recognised() -> None:
    for text in (SETEXT, FRONT_MATTER):
        crlf = text.replace("\n", "\r\n")
        assert [(p.level, p.heading) for p in sections(crlf)] == [(p.level, p.heading) for p in sections(text)]
        assert_tiles(crlf, sections(crlf))


def test_a_document_without_headings_is_one_level_zero_section() -> None:
    text = "Just a paragraph about the outage.\nAnd another line.\n"

    assert sections(text) == [Section(heading="", level=0, start=0, end=len(text), text=text)]


# -- HTML --------------------------------------------------------------------------------------------


def test_an_html_export_is_recognised_as_html() -> None:
    assert is_html(HTML)
    assert is_html("<h1>a</h1><p>b</p><h2>c</h2>")
    assert not is_html(MARKDOWN)


def test_html_headings_of_every_level_are_found_with_tags_and_entities_resolved() -> None:
    found = [(level, heading) for _, level, heading in headings(HTML)]

    assert found == [
        (1, "Checkout outage & recovery"),
        (2, "Action items"),
        (3, "Why it took 40 minutes"),
        (4, "Level four"),
        (5, "Level five"),
        (6, "Level six"),
    ]


def test_html_sections_slice_the_original_text_and_cover_it_in_order() -> None:
    parts = sections(HTML)

    assert parts[0].level == 0
    assert parts[1].text.startswith('<h1 id="t">')
    assert_tiles(HTML, parts)


# -- the section-text budget ------------------------------------------------------------------------


def test_section_texts_share_a_budget_and_are_cut_beyond_it() -> None:
    text = "# One\n" + "a" * 50 + "\n# Two\n" + "b" * 50 + "\n# Three\n" + "c" * 50 + "\n"

    parts = sections(text, budget=80)

    assert [len(p.text) for p in parts] == [57, 23, 0]
    assert [p.truncated for p in parts] == [False, True, True]
    assert [p.text for p in parts] == [text[p.start : p.start + len(p.text)] for p in parts]
    # The offsets still describe the whole section, so the full text stays addressable.
    assert [(p.start, p.end) for p in parts] == [(p.start, p.end) for p in sections(text)]


def test_the_default_budget_leaves_an_ordinary_postmortem_whole() -> None:
    assert not any(p.truncated for p in sections(MARKDOWN * 50))


def test_a_long_document_is_cut_at_the_default_budget() -> None:
    text = "# Big\n" + "word " * 20_000

    (part,) = sections(text)

    assert part.truncated
    assert len(part.text) == 60_000
    assert part.end == len(text)


# -- title -------------------------------------------------------------------------------------------


def test_the_title_comes_from_front_matter_first() -> None:
    assert find_title(FRONT_MATTER) == "Checkout outage, October 2020"


def test_the_title_is_the_first_top_level_heading() -> None:
    text = "intro\n\n## Background\n\n# The real title\n\n# A later top heading\n"

    assert find_title(text) == "The real title"
    assert find_title(SETEXT) == "Checkout outage"


def test_the_title_is_the_highest_heading_when_there_is_no_level_one() -> None:
    assert find_title("## Summary\n\n### Details\n") == "Summary"


def test_an_html_title_tag_is_used_when_there_are_no_headings() -> None:
    text = "<html><head><title> Outage &amp; <b>recovery</b> </title></head><body><p>Text</p></body></html>"

    assert find_title(text) == "Outage & recovery"


def test_an_html_h1_wins_over_the_title_tag() -> None:
    assert find_title(HTML) == "Checkout outage & recovery"


def test_without_headings_the_title_is_the_first_non_blank_line() -> None:
    assert find_title("\n\n   \nDatabase failover went wrong\nThe rest.\n") == "Database failover went wrong"
    assert find_title("---\nauthor: x\n---\n\nFirst line after front matter\n") == "First line after front matter"


def test_a_title_is_at_most_300_characters() -> None:
    assert len(find_title("# " + "x" * 400 + "\n")) == 300
    assert len(find_title("y" * 400)) == 300


# -- severity ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Severity: SEV2\n\nText.", "SEV2"),
        ("This was a sev-1 incident.", "SEV1"),
        ("Classified as SEV 3 by the IC.", "SEV3"),
        ("**Severity:** Sev-4", "SEV4"),
        ("Severity level: 0", "SEV0"),
        ("| Severity | Sev5 |", "SEV5"),
        ("several 3 things happened", None),
        ("We had no classification.", None),
        ("sev 10 is not a level", None),
    ],
)
def test_severity_is_read_from_the_document(text: str, expected: str | None) -> None:
    assert find_severity(text) == expected


def test_severity_comes_from_front_matter_first() -> None:
    assert find_severity("---\nseverity: 'SEV 2'\n---\nLater it says Severity: SEV4\n") == "SEV2"
    assert find_severity(FRONT_MATTER) == "SEV1"


def test_an_unusable_front_matter_severity_falls_back_to_the_body() -> None:
    assert find_severity("---\nseverity: P1\n---\nSeverity: SEV3\n") == "SEV3"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("SEV2", "SEV2"),
        ("sev-1", "SEV1"),
        ("SEV 3", "SEV3"),
        ("3", "SEV3"),
        (" severity: 0 ", "SEV0"),
        ("Sev_5", "SEV5"),
    ],
)
def test_normalise_severity_accepts_the_usual_spellings(value: str, expected: str) -> None:
    assert normalise_severity(value) == expected


@pytest.mark.parametrize("value", ["P1", "SEV9", "SEV-6", "high", "", "SEV1 and SEV2"])
def test_normalise_severity_refuses_what_is_not_sev0_to_sev5(value: str) -> None:
    with pytest.raises(InvalidInput, match=r"is not one of SEV0\.\.SEV5") as caught:
        normalise_severity(value)

    assert repr(value) in str(caught.value)


# -- incident date -----------------------------------------------------------------------------------


def test_the_incident_date_comes_from_front_matter() -> None:
    assert find_incident_date(FRONT_MATTER, "pasted") == date(2020, 10, 28)
    assert find_incident_date("---\nincident_date: 5 March 2021\n---\nDate: 2020-01-01\n", "pasted") == date(2021, 3, 5)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Incident date: October 28, 2020", date(2020, 10, 28)),
        ("Date: 28 Oct 2020", date(2020, 10, 28)),
        ("Date: 28th Oct. 2020", date(2020, 10, 28)),
        ("**Date:** 2021-06-01", date(2021, 6, 1)),
        ("| Date of the incident | Sept 3, 2022 |", date(2022, 9, 3)),
        ("Occurred on: 2019-12-31 at 23:59 UTC", date(2019, 12, 31)),
    ],
)
def test_the_incident_date_comes_from_a_date_line(line: str, expected: date) -> None:
    assert find_incident_date(f"# Outage\n\n{line}\n\nBody.\n", "pasted") == expected


def test_the_incident_date_comes_from_an_iso_date_in_the_title() -> None:
    assert find_incident_date("# 2024-02-29 checkout outage\n\nBody.\n", "pasted") == date(2024, 2, 29)


def test_the_incident_date_comes_from_a_dated_file_name() -> None:
    assert find_incident_date("# Outage\n\nBody.\n", "/docs/pm/2023-07-14-db-failover.md") == date(2023, 7, 14)


def test_without_any_date_the_incident_date_is_unknown() -> None:
    assert find_incident_date("# Outage\n\nBody.\n", "pasted") is None


@pytest.mark.parametrize("impossible", ["2021-02-30", "2021-13-01", "February 30, 2021", "31 Apr 2021"])
def test_impossible_dates_are_ignored(impossible: str) -> None:
    assert parse_date(impossible) is None
    assert find_incident_date(f"# Outage\n\nDate: {impossible}\n", "pasted") is None


def test_an_impossible_date_falls_through_to_a_later_source() -> None:
    text = "# Outage\n\nDate: 2021-02-30\n"

    assert find_incident_date(text, "/docs/2021-03-02-outage.md") == date(2021, 3, 2)


def test_parse_date_takes_the_earliest_date_in_the_text() -> None:
    assert parse_date("from 3 May 2021 until 2021-05-04") == date(2021, 5, 3)
    assert parse_date("2021-02-30 or rather 2021-03-01") == date(2021, 3, 1)


# -- fingerprint -------------------------------------------------------------------------------------


def test_the_fingerprint_ignores_line_ending_style() -> None:
    lf = MARKDOWN

    assert fingerprint(lf.replace("\n", "\r\n")) == fingerprint(lf)
    assert fingerprint(lf.replace("\n", "\r")) == fingerprint(lf)


def test_the_fingerprint_changes_with_the_words() -> None:
    assert fingerprint(MARKDOWN) != fingerprint(MARKDOWN.replace("alert", "alarm"))
    assert len(fingerprint(MARKDOWN)) == 64


# -- hostile input: every pattern stays linear ----------------------------------------------------------
# These inputs took minutes (cubic backtracking) before the patterns were rewritten; now milliseconds.


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("sev" + " " * 40_000 + "x", id="severity-label-then-spaces"),
        pytest.param("Severity" + "*_ " * 20_000 + "x", id="severity-label-then-emphasis"),
    ],
)
def test_a_severity_label_followed_by_a_long_run_of_spaces_is_read_at_once(text: str) -> None:
    assert find_severity(text) is None


def test_an_atx_heading_padded_with_spaces_is_read_at_once() -> None:
    # A section's name is its heading as findings name it: one line, runs of spaces as one.
    started = time.monotonic()
    assert headings("# a" + " " * 200_000 + "b") == [(0, 1, "a b")]
    assert time.monotonic() - started < 5


def test_html_with_many_unclosed_headings_is_read_at_once() -> None:
    # An <h1> never closed holds the rest of the page: one heading of 200,000 words, read in linear time.
    started = time.monotonic()
    [(start, level, title)] = headings("<html>" + "<h1>x" * 200_000)
    assert (start, level, set(title.split())) == (6, 1, {"x"})
    assert time.monotonic() - started < 10


def test_a_date_label_followed_by_a_long_run_of_spaces_is_read_at_once() -> None:
    assert find_incident_date("Date" + " " * 50_000 + "x", "pasted") is None


def test_a_due_date_in_an_action_item_is_not_the_incident_date() -> None:
    text = "# Checkout outage\n\n- Add a 5xx alert (owner: dana, due date: 2026-05-01)\n"
    assert find_incident_date(text, "pasted") is None


def test_a_bold_incident_date_label_is_found() -> None:
    assert find_incident_date("# Outage\n\n**Incident date:** 2026-10-14\n", "pasted") == date(2026, 10, 14)


def test_a_rule_after_a_list_item_is_not_a_setext_heading() -> None:
    assert headings("- Fix the pool\n---\n") == []


def test_only_cr_and_lf_end_lines() -> None:
    assert headings("text\u2028# Not a heading\x0c# Nor this\n") == []


def test_a_closing_hash_run_is_dropped_only_after_a_space() -> None:
    assert headings("# Title #\n## C#\n### x ###  \n") == [(0, 1, "Title"), (10, 2, "C#"), (16, 3, "x")]
