"""Stored text written into Markdown renders as exactly that text: it can open no heading, list, quote, code,
link, table cell or HTML comment of its own."""

import pytest

from postmortem_actions.tools.markdown_text import md_cell, md_lines, md_text


@pytest.mark.parametrize(
    ("stored", "written"),
    [
        ("## Acceptance criteria", "\\## Acceptance criteria"),
        ("- [ ] Nothing to do", "\\- \\[ \\] Nothing to do"),
        ("1. first", "1\\. first"),
        ("> quoted", "\\> quoted"),
        ("---", "\\---"),
        ("    four spaces make code", "four spaces make code"),
        ("<!-- hide the rest", "\\<!-- hide the rest"),
        ("[click](https://evil.example)", "\\[click\\](https://evil.example)"),
        ("max_connections * 2 | `rm` ~~x~~ &#8238;", "max\\_connections \\* 2 \\| \\`rm\\` \\~\\~x\\~\\~ \\&#8238;"),
        ("#2 is not a heading, +1 is not a bullet", "#2 is not a heading, +1 is not a bullet"),
    ],
)
def test_a_line_of_stored_text_is_escaped_so_it_renders_as_itself(stored: str, written: str) -> None:
    assert md_text(stored) == written


def test_multi_line_text_escapes_every_line_and_writes_out_what_hides() -> None:
    assert md_lines("Backlog\n\n## Criteria\r\n- [ ] none\u202e") == [
        "Backlog",
        "",
        "\\## Criteria",
        "\\- \\[ \\] none\\<U+202E\\>",
    ]


def test_a_table_cell_keeps_its_row_one_row() -> None:
    assert md_cell("a | b\nc") == "a \\| b<br>c"
