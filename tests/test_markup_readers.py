"""The MediaWiki, AsciiDoc, reStructuredText and MDX readers: each renders the Markdown the extractor reads, keeps
every quote an exact slice of the source, keeps code, quoted logs, timelines, navigation and footers out of the
findings, and reads hostile input in linear time."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import pytest
from markup_samples import BY_EXTENSION, EXPECTED, TICKET, TRAPS

from postmortem_actions.tools.extraction.extractor import extract
from postmortem_actions.tools.extraction.facts import sections
from postmortem_actions.tools.extraction.readers.asciidoc import asciidoc_to_text
from postmortem_actions.tools.extraction.readers.markdown import parse_blocks
from postmortem_actions.tools.extraction.readers.mdx import mdx_to_text
from postmortem_actions.tools.extraction.readers.mediawiki import mediawiki_to_text
from postmortem_actions.tools.extraction.readers.offsets import OffsetMap
from postmortem_actions.tools.extraction.readers.rendering import placer
from postmortem_actions.tools.extraction.readers.rst import rst_to_text
from postmortem_actions.tools.extraction.readers.supermd import supermd_to_text

Reader = Callable[[str], tuple[str, OffsetMap]]
READERS: dict[str, Reader] = {".wiki": mediawiki_to_text, ".adoc": asciidoc_to_text, ".rst": rst_to_text}


def wiki(source: str) -> str:
    return mediawiki_to_text(source)[0]


def adoc(source: str) -> str:
    return asciidoc_to_text(source)[0]


def rst(source: str) -> str:
    return rst_to_text(source)[0]


def texts(source: str, name: str) -> list[str]:
    return [f.text for f in extract(source, name)]


# -- The same postmortem in every markup ----------------------------------------------------------------------


@pytest.mark.parametrize("extension", list(BY_EXTENSION))
def test_every_markup_gives_the_same_findings_with_quotes_that_slice_the_source(extension: str) -> None:
    source = BY_EXTENSION[extension]
    found = extract(source, "postmortem" + extension)
    assert [f.text for f in found] == EXPECTED
    for f in found:
        assert source[f.start : f.end] == f.quote
    summary, alert, investigate, _, row = found
    assert alert.ticket == TICKET
    assert alert.category.value == "detect"
    assert alert.in_section
    assert investigate.vague
    assert not alert.vague
    assert (row.owner, row.due) == ("@dana", "2026-06-01")
    assert not summary.in_section  # the summary's commitment is prose


@pytest.mark.parametrize("extension", list(BY_EXTENSION))
def test_no_reader_turns_code_logs_timelines_navigation_or_footers_into_findings(extension: str) -> None:
    for f in extract(BY_EXTENSION[extension], "postmortem" + extension):
        assert not any(trap in f.quote for trap in TRAPS), f.quote


@pytest.mark.parametrize("extension", list(BY_EXTENSION))
def test_sections_start_at_their_heading_markup(extension: str) -> None:
    source = BY_EXTENSION[extension]
    found = {s.heading: s for s in sections(source, name="postmortem" + extension)}
    assert {"Timeline", "Action items"} <= set(found)
    action = found["Action items"]
    assert source[action.start : action.end].lstrip("=# \n").startswith("Action items")
    assert "Rotate the cache credentials" in action.text


@pytest.mark.parametrize("extension", list(READERS))
def test_every_block_maps_to_a_source_slice_holding_its_words_in_order(extension: str) -> None:
    source = BY_EXTENSION[extension]
    rendered, origin = READERS[extension](source)
    place = placer(source, rendered, origin)
    assert len(origin) == len(rendered) + 1
    assert origin[-1] == len(source)
    doc = parse_blocks(rendered)
    assert doc.blocks
    for block in doc.blocks:
        start, end = place(block.start, block.end)
        quote = source[start:end]
        pos = 0
        for word in re.findall(r"[A-Za-z0-9]{2,}", rendered[block.start : block.end]):
            if word in ("https", "jira", "example", "com", "browse"):
                continue  # a link's address is written after its label
            found = quote.find(word, pos)
            assert found >= 0, (word, quote)
            pos = found + len(word)


# -- MediaWiki -------------------------------------------------------------------------------------------------


def test_wiki_headings_take_their_level_from_the_equals_signs() -> None:
    assert wiki("= One =\n== Two ==\n=== Three ===\n====== Six ======\n") == (
        "# One\n\n## Two\n\n### Three\n\n###### Six\n\n"
    )
    assert wiki("== Not closed\n") == "== Not closed\n"
    assert wiki("====\n").strip() == "===="


def test_wiki_lists_nest_by_their_marks_and_a_term_reads_as_a_bold_line() -> None:
    assert wiki("* a\n** b\n# c\n## d\n") == "- a\n  - b\n1. c\n  1. d\n"
    assert wiki("; Follow-ups\n* a\n") == "**Follow-ups**\n\n- a\n"
    assert wiki("* a\nafter\n") == "- a\n\nafter\n"  # a wiki item is one line
    assert wiki(": a reply\n") == "a reply\n"


def test_wiki_emphasis_links_and_hidden_markup() -> None:
    assert wiki("'''Bold''' and ''it'' and '''''both'''''\n") == "**Bold** and *it* and ***both***\n"
    assert wiki("'''open\n") == "**open**\n"  # a wiki closes emphasis at the line's end
    assert wiki("''''four''''\n") == "'**four'**\n"
    assert wiki("[[Runbook|the runbook]] and [[Grafana]] and [[:Category:X]]\n") == (
        "the runbook and Grafana and Category:X\n"
    )
    assert wiki("a [[File:x.png|thumb]] b [[Category:Incidents]]\n") == "a  b \n"
    assert wiki("[https://x.example/1 OPS-1] and [https://x.example/2]\n") == (
        "[OPS-1](https://x.example/1) and https://x.example/2\n"
    )
    assert wiki("a<br/>b <code>c</code>\n") == "a b c\n"


def test_wiki_templates_references_comments_and_code_are_not_text() -> None:
    assert wiki("a {{t|{{inner|x}}|y}} b\n") == "a  b\n"
    assert wiki("{{Infobox\n| a = we will\n}}\nText\n") == "Text\n"
    assert wiki("We will fix it.<ref>source</ref><ref name=x /> Done.\n") == "We will fix it. Done.\n"
    assert wiki("a <!-- we will\nnot --> b\n") == "a \n b\n"
    assert wiki("<pre>\nwe will\n</pre>\nafter\n") == "after\n"
    assert wiki('<syntaxhighlight lang="sh">we will</syntaxhighlight>\n') == ""
    assert wiki(" code line\ntext\n") == "text\n"
    assert wiki("__TOC__\ntext\n") == "text\n"


def test_wiki_unclosed_markup_hides_only_its_own_line() -> None:
    assert wiki("{{unclosed\n== Action items ==\n* Add it\n") == "## Action items\n\n- Add it\n"
    assert wiki("a <!-- open\nb\n") == "a \nb\n"
    assert wiki("a <ref>open\nb\n") == "a \nb\n"
    assert wiki("a }} b\n") == "a }} b\n"


def test_wiki_tables_become_rows_with_the_first_as_header() -> None:
    source = (
        '{| class="wikitable"\n|+ Caption\n! Action !! Owner\n|-\n| style="x" | Add it || [[User:Dana|dana]]\n'
        "|-\n| Split\n| lee\n|}\n"
    )
    assert wiki(source) == "\n| Action | Owner |\n| --- | --- |\n| Add it | dana |\n| Split | lee |\n\n"


def test_wiki_blockquotes_are_quotes() -> None:
    assert wiki("<blockquote>we will</blockquote>\nafter\n") == "> we will\nafter\n"
    assert wiki("<blockquote>\n* a\n</blockquote>\n") == "- a\n".replace("- ", "> - ")


# -- AsciiDoc --------------------------------------------------------------------------------------------------


def test_adoc_headings_lists_and_block_titles() -> None:
    assert adoc("= Title\n\n== Two\n\n=== Three ===\n") == "# Title\n\n\n## Two\n\n\n### Three\n\n"
    assert adoc("* a\n** b\n- c\n. one\n.. two\n1. three\n") == "- a\n  - b\n- c\n1. one\n  1. two\n1. three\n"
    assert adoc("* [x] done\n* [*] also\n* [ ] open\n") == "- [x] done\n- [x] also\n- [ ] open\n"
    assert adoc(".Follow-ups\n* a\n") == "**Follow-ups**\n\n- a\n"
    assert adoc("* a\n+\nmore\n") == "- a\nmore\n"  # a continuation joins the next block to the item


def test_adoc_inline_bold_links_and_references() -> None:
    assert adoc("*Rate limits*: add them\n") == "**Rate limits**: add them\n"
    assert adoc("**both** and a*b*c\n") == "**both** and a*b*c\n"
    assert adoc("https://x.example/1[OPS-1] and link:https://y.example[docs] and https://z.example[]\n") == (
        "[OPS-1](https://x.example/1) and [docs](https://y.example) and https://z.example\n"
    )
    assert adoc("see <<runbook,the runbook>> and <<other>> and xref:a.adoc[A]\n") == (
        "see the runbook and other and A\n"
    )
    assert adoc("Fix it.footnote:[we will] [[anchor]]\n") == "Fix it. \n"


def test_adoc_code_comments_attributes_and_macros_are_not_text() -> None:
    assert adoc("[source,sh]\n----\nwe will\n----\nafter\n") == "after\n"
    assert adoc("[source]\nwe will\nstill code\n\nafter\n") == "\nafter\n"
    assert adoc("....\nwe will\n....\n////\nwe will\n////\n++++\n<b>we will</b>\n++++\n") == ""
    assert adoc("// we will\n:attr: we will\n:flag!:\nimage::x.png[we will]\ninclude::a.adoc[]\n") == ""
    assert adoc("text\n\n  indented literal we will\n") == "text\n\n"
    assert adoc("NOTE: We will add it.\n") == "We will add it.\n"
    assert adoc("[quote, alice]\nwe will restart it\n") == "> we will restart it\n"
    assert adoc("____\nwe will\n____\n").strip() == "> we will"


def test_adoc_tables_read_a_row_per_column_count() -> None:
    source = "|===\n|Action |Owner\n\n|Add it\n|dana\n\n|Split |lee\n|===\n"
    assert adoc(source) == "\n| Action | Owner |\n| --- | --- |\n| Add it | dana |\n| Split | lee |\n\n"


def test_adoc_unclosed_blocks_hide_what_follows_as_asciidoc_does() -> None:
    assert adoc("----\nwe will\n\n== Later\n") == ""


# -- reStructuredText ------------------------------------------------------------------------------------------


def test_rst_title_levels_follow_the_order_styles_first_appear() -> None:
    source = "=====\nTitle\n=====\n\nOne\n===\n\nSub\n---\n\nTwo\n===\n"
    headings = [line for line in rst(source).splitlines() if line.startswith("#")]
    assert headings == ["# Title", "## One", "### Sub", "## Two"]
    assert rst("Short\n==\n") == "Short\n==\n"  # an underline shorter than the title (and than 4) is text
    assert rst("a\n\n----\n\nb\n").split() == ["a", "b"]  # a transition


def test_rst_lists_enumerators_and_nesting() -> None:
    assert rst("#. a\n#. b\n(1) c\nA) d\n") == "1. a\n1. b\n1. c\n1. d\n"
    assert rst("- a\n  continued\n\n  - nested\n* b\n") == "- a\ncontinued\n\n  - nested\n- b\n"


def test_rst_directives_are_skipped_except_admonitions_and_todo() -> None:
    source = (
        ".. code-block:: python\n\n   we will\n\n.. image:: x.png\n   :alt: we will\n\n"
        ".. toctree::\n\n   page\n\n.. note::\n   :class: x\n\n   We will add it.\n\n"
        ".. todo:: Rotate the keys\n\n.. rubric:: Follow-ups\n\n.. admonition:: Why\n\n   Because.\n"
    )
    assert rst(source).split("\n\n\n")[-1].split() == rst(source).split("\n\n\n")[-1].split()
    rendered = rst(source)
    assert "we will" not in rendered
    assert "page" not in rendered
    assert ":class:" not in rendered
    assert "We will add it." in rendered
    assert "TODO: Rotate the keys" in rendered
    assert "**Follow-ups**" in rendered
    assert "**Why**" in rendered
    assert "Because." in rendered


def test_rst_comments_targets_footnotes_and_literal_blocks_are_not_text() -> None:
    assert rst(".. we will\n   still comment\n\n.. _target: https://x\n.. [1] we will\n\ntext\n").split() == ["text"]
    assert rst("Run this::\n\n    we will\n\nafter\n").split() == ["Run", "this:", "after"]
    assert rst("Run this ::\n\n    we will\n").split() == ["Run", "this"]
    assert rst("::\n\n    we will\n").split() == []
    assert rst(">>> we_will()\nout\n\nafter\n").split() == ["after"]


def test_rst_fields_quotes_line_blocks_and_inline_markup() -> None:
    assert rst(":Owner: dana\n:Date: 2021-06-03\n").split("\n") == ["Owner: dana", "", "Date: 2021-06-03", "", ""]
    assert rst("Text\n\n    10:05 alice: we will restart it\n") == "Text\n\n> 10:05 alice: we will restart it\n"
    assert rst("| a line\n") == "a line\n"
    assert rst("Use ``vacuum`` and `OPS-1 <https://x.example/1>`_ and :doc:`runbook` and `ref`_ [#]_\n") == (
        "Use `vacuum` and [OPS-1](https://x.example/1) and runbook and ref \n"
    )
    assert rst(":ref:`the guide <guide>` and `<https://x.example>`_\n") == "the guide and https://x.example\n"


def test_rst_grid_and_simple_tables_become_rows() -> None:
    grid = "+-----+-----+\n| A   | B   |\n+=====+=====+\n| x   | y   |\n+-----+-----+\n"
    assert rst(grid) == "\n| A | B |\n| --- | --- |\n| x | y |\n"
    simple = "===  =====\nA    B\n===  =====\nx    y y\n===  =====\n\nafter\n"
    assert rst(simple) == "\n| A | B |\n| --- | --- |\n| x | y y |\n\n\nafter\n"


# -- MDX -------------------------------------------------------------------------------------------------------


def test_mdx_blanks_jsx_and_esm_and_keeps_every_offset() -> None:
    source = (
        "import { A } from 'a'\nimport B,\n  { C } from 'b'\nexport const meta = {\n  x: 1,\n}\n\n"
        '<Callout type="warn" data={{a: ">"}}>\nWe will add it.\n</Callout>\n\n'
        "Use `{code}` and `<Tag>` here <Badge>new</Badge> {props.x} a < b <https://x.example/y>\n\n"
        "<Chart\n  values={[1, 2]}\n/>\n\n```jsx\n<Real code={1} />\n```\n"
    )
    rendered = mdx_to_text(source)
    assert len(rendered) == len(source)
    assert [i for i, c in enumerate(rendered) if c == "\n"] == [i for i, c in enumerate(source) if c == "\n"]
    kept = rendered.split()
    assert kept == [
        *("We", "will", "add", "it.", "Use", "`{code}`", "and", "`<Tag>`", "here", "new", "a", "<", "b"),
        *("<https://x.example/y>", "```jsx", "<Real", "code={1}", "/>", "```"),
    ]


def test_mdx_a_blank_line_ends_an_unclosed_tag_or_expression() -> None:
    assert mdx_to_text("<Open attr='x\n\nWe will add it.\n").split() == ["We", "will", "add", "it."]
    assert mdx_to_text("{open\n\nWe will add it.\n").split() == ["We", "will", "add", "it."]
    assert mdx_to_text("a `` ` `` {x} b\n").split() == ["a", "``", "`", "``", "b"]


# -- Hostile input ---------------------------------------------------------------------------------------------

SIZE = 300_000
HOSTILE = {
    "quotes": "'''" * (SIZE // 3),
    "equals": "=" * SIZE,
    "equal_lines": ("=" * 9 + "\n") * (SIZE // 10),
    "backticks": "`" * SIZE,
    "backtick_runs": "".join("`" * (k % 60 + 1) + "a" for k in range(SIZE // 31)),
    "dots": ".." * (SIZE // 2),
    "dot_lines": ".. \n" * (SIZE // 4),
    "directives": ".. note::\n   x\n" * (SIZE // 16),
    "templates": "{{" * (SIZE // 2),
    "closings": "}}" * (SIZE // 2),
    "nested_templates": "{{a|" * (SIZE // 8) + "}}" * (SIZE // 8),
    "angles": "<" * SIZE,
    "open_tags": "<a " * (SIZE // 3),
    "braces": "{" * SIZE,
    "stars": "*" * SIZE,
    "star_words": "*a " * (SIZE // 3),
    "links": "[[" * (SIZE // 2),
    "open_links": "[[a|" * (SIZE // 4),
    "pipes": "|" * SIZE,
    "table_lines": "{|\n" + "|-\n| a || b\n" * (SIZE // 12),
    "comments": "<!--" * (SIZE // 4),
    "refs": "<ref>" * (SIZE // 5),
    "colons": ":" * SIZE,
    "field_lines": ":a: b\n" * (SIZE // 6),
    "dash_lines": "----\n" * (SIZE // 5),
    "deep_lists": "".join("*" * (k % 200 + 1) + " item\n" for k in range(SIZE // 100)),
    "adoc_links": "https://x[" * (SIZE // 10),
    "rst_links": "`a <" * (SIZE // 4),
    "xrefs": "<<" * (SIZE // 2),
    "scripty_links": '[a]($x.y("' * (SIZE // 10),
    "scripty_nested": "[a]($" + "(" * (SIZE // 2),
    "spaces": " " * SIZE,
    "indents": "".join(" " * (k % 100) + "x\n" for k in range(SIZE // 50)),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_input_is_rendered_in_linear_time_and_size(name: str) -> None:
    # Not a speed test (bench/extraction.py measures speed): a generous bound that only quadratic work breaks.
    source = HOSTILE[name]
    started = time.perf_counter()
    for reader in READERS.values():
        rendered, origin = reader(source)
        assert len(rendered) <= 4 * len(source) + 16
        assert len(origin) == len(rendered) + 1
    assert len(mdx_to_text(source)) == len(source)
    assert len(supermd_to_text(source)) == len(source)
    assert time.perf_counter() - started < 20


@pytest.mark.parametrize("extension", [*READERS, ".mdx", ".smd"])
def test_mixed_hostile_markup_is_extracted_in_linear_time(extension: str) -> None:
    source = "".join(text[:10_000] + "\n" for text in HOSTILE.values())
    started = time.perf_counter()
    for f in extract(source, "postmortem" + extension):
        assert source[f.start : f.end] == f.quote
    assert time.perf_counter() - started < 30


def test_a_bold_done_ending_a_wiki_item_marks_it_done_and_leaves_its_text() -> None:
    found = extract("== Action items ==\n* Write the failover runbook. '''Done'''\n* Add a lag alert\n", "x.wiki")
    assert [(f.text, f.done) for f in found] == [("Write the failover runbook.", True), ("Add a lag alert", False)]
    assert found[0].quote == "Write the failover runbook. '''Done'''"
    markdown = extract("## Action items\n\n- Investigate the lag **DONE**\n- We are **done** with it\n")
    assert [(f.text, f.done) for f in markdown] == [("Investigate the lag", True), ("We are done with it", False)]


def test_the_less_common_shapes_of_each_reader() -> None:
    # An AsciiDoc cell whose text runs on, and a table the document never closes.
    assert adoc("|===\n|Action |Owner\n|Add it\nacross lines |dana\n") == (
        "\n| Action | Owner |\n| --- | --- |\n| Add it across lines | dana |\n"
    )
    # A wiki heading and a cell whose markup is split by a comment.
    assert wiki("== <!-- c --> Action items <!-- d --> ==\n") == "## Action items\n\n"
    assert wiki('{|\n| style="a" <!-- c --> | Add it\n|}\n') == "\n| Add it |\n| --- |\n\n"
    # An item's details after a blank line, in reStructuredText.
    assert rst("- Add it\n\n  Details here.\n\nAfter.\n") == "- Add it\n\n  Details here.\n\nAfter.\n"
