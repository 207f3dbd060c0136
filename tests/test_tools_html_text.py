"""HTML postmortems (wiki and Confluence exports) rendered as Markdown-like text, with every rendered character
mapped back to the HTML so that a quote found in the rendering is cut from the original document."""

from __future__ import annotations

import html
import re
from itertools import pairwise

import pytest

from postmortem_actions.tools.extraction.readers.html import html_to_text, source_span
from postmortem_actions.tools.extraction.readers.offsets import OffsetMap

_MARKUP = re.compile(r"<!--.*?-->|<[^>]*>", re.DOTALL)


def checked(source: str) -> tuple[str, OffsetMap]:
    """Render `source`, checking the offset invariants every caller relies on."""
    rendered, origin = html_to_text(source)
    assert len(origin) == len(rendered) + 1
    assert origin[-1] == len(source)
    assert all(0 <= a <= b <= len(source) for a, b in pairwise([0, *origin]))
    return rendered, origin


def render(source: str) -> str:
    return checked(source)[0]


def collapse(text: str) -> str:
    return " ".join(text.replace("\xa0", " ").split())


def visible(fragment: str) -> str:
    """What a reader sees of an HTML fragment: tags and comments removed, entities decoded, spaces collapsed."""
    return collapse(html.unescape(_MARKUP.sub(" ", fragment)))


def quoted(source: str, needle: str, rendering: tuple[str, OffsetMap] | None = None) -> str:
    """Find `needle` in the rendering of `source` and return the visible text of the source span it maps to."""
    rendered, origin = rendering or html_to_text(source)
    start = rendered.index(needle)
    s, e = source_span(origin, start, start + len(needle))
    return visible(source[s:e])


# Headings, paragraphs, line breaks


def test_headings_become_atx_lines_with_blank_lines_around() -> None:
    source = "<h1>Checkout\n   outage</h1><p>Intro.</p><h2>Timeline</h2><h3>Root <em>cause</em></h3>Text"
    assert render(source) == "# Checkout outage\n\nIntro.\n\n## Timeline\n\n### Root *cause*\n\nText"


def test_a_heading_stays_on_one_line_through_breaks_and_blocks() -> None:
    assert render("<h2>Action<br>items <div>and follow-ups</div></h2>") == "## Action items and follow-ups"


def test_an_empty_heading_leaves_nothing_behind() -> None:
    assert render("<p>a</p><h2> </h2><p>b</p>") == "a\n\nb"


def test_paragraphs_are_separated_by_a_blank_line_and_br_breaks_a_line() -> None:
    source = "<div><p>First para.</p>\n\n<p>Second<br>line two<br/><br>after a gap</p></div><section>Third</section>"
    assert render(source) == "First para.\n\nSecond\nline two\n\nafter a gap\n\nThird"


def test_whitespace_inside_text_collapses_as_a_browser_shows_it() -> None:
    source = "<p>  The   queue\n\tbacked   up <b>for</b>\n  forty minutes.  </p>"
    assert render(source) == "The queue backed up **for** forty minutes."


def test_blockquote_lines_are_prefixed() -> None:
    source = "<p>Said:</p><blockquote><p>We should page earlier.</p><p>And alert on queue depth.</p></blockquote>After"
    assert render(source) == "Said:\n\n> We should page earlier.\n>\n> And alert on queue depth.\n\nAfter"


# Lists


def test_nested_lists_are_indented_two_spaces_per_level() -> None:
    source = """<ul>
      <li>Detection
        <ul>
          <li>Alert on queue depth</li>
          <li>Page the on-call
            <ul><li>within <b>five</b> minutes</li></ul>
          </li>
        </ul>
      </li>
      <li>Recovery</li>
    </ul><p>Done.</p>"""
    assert render(source) == (
        "- Detection\n  - Alert on queue depth\n  - Page the on-call\n    - within **five** minutes\n"
        "- Recovery\n\nDone."
    )


def test_an_item_keeps_its_paragraphs_on_one_line_and_text_after_a_sublist_below_it() -> None:
    source = "<ul><li><p>Rotate the keys</p><p>for all services</p><ul><li>sub</li></ul>then audit</li></ul>"
    assert render(source) == "- Rotate the keys for all services\n  - sub\n  then audit"


def test_ordered_lists_are_numbered_in_order_and_honour_start() -> None:
    source = (
        "<ol><li>First</li><li>Second<ol><li>inner</li><li>inner two</li></ol></li><li>Third</li></ol>"
        "<ol start='4'><li>Fourth</li></ol>"
    )
    assert render(source) == "1. First\n2. Second\n  1. inner\n  2. inner two\n3. Third\n\n4. Fourth"


def test_items_without_closing_tags_are_still_separate_items() -> None:
    assert render("<ul><li>one<li>two<li>three</ul>") == "- one\n- two\n- three"


def test_checkbox_inputs_become_task_boxes() -> None:
    source = (
        '<ul><li><input type="checkbox" checked disabled> Add the alert</li>'
        '<li><input type="checkbox"> Write the runbook</li><li>No box</li></ul>'
    )
    assert render(source) == "- [x] Add the alert\n- [ ] Write the runbook\n- No box"


def test_github_task_list_items_get_one_box_each() -> None:
    source = (
        '<ul class="contains-task-list"><li class="task-list-item">'
        '<input type="checkbox" class="task-list-item-checkbox" checked> Done thing</li>'
        '<li class="task-list-item"><input type="checkbox" class="task-list-item-checkbox"> Open thing</li></ul>'
    )
    assert render(source) == "- [x] Done thing\n- [ ] Open thing"


def test_confluence_task_lists_become_task_boxes() -> None:
    source = (
        '<ul class="inline-task-list" data-inline-tasks-content-id="1">'
        '<li data-inline-task-id="1" class="checked"><span>Ticked by class</span></li>'
        '<li data-inline-task-id="2"><span>Not ticked</span></li></ul>'
        '<ul class="task-list"><li data-task-status="complete">Ticked by status</li>'
        '<li data-task-status="incomplete">Open by status</li><li>Open by list</li></ul>'
    )
    assert render(source) == (
        "- [x] Ticked by class\n- [ ] Not ticked\n\n- [x] Ticked by status\n- [ ] Open by status\n- [ ] Open by list"
    )


# Tables


def test_a_table_with_thead_and_th_cells() -> None:
    source = """<table>
      <thead><tr><th>Action</th><th>Owner</th></tr></thead>
      <tbody>
        <tr><td>Add   queue
            alert</td><td>Jane</td></tr>
        <tr><td><p>Rotate keys</p><p>weekly</p></td><td></td></tr>
      </tbody>
    </table>"""
    assert render(source) == "| Action | Owner |\n| --- | --- |\n| Add queue alert | Jane |\n| Rotate keys weekly | |"


def test_a_table_without_header_cells_takes_its_first_row_as_the_header() -> None:
    source = "<p>Before</p><table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table><p>After</p>"
    assert render(source) == "Before\n\n| a | b |\n| --- | --- |\n| c | d |\n\nAfter"


def test_pipes_in_cells_are_escaped_and_lists_in_cells_stay_in_the_cell() -> None:
    source = "<table><tr><td>a|b &#124; c</td><td><ul><li>one</li><li>two</li></ul></td></tr></table>"
    assert render(source) == "| a\\|b \\| c | one two |\n| --- | --- |"


def test_rows_and_cells_without_closing_tags() -> None:
    assert render("<table><tr><td>a<td>b<tr><td>c<td>d</table>") == "| a | b |\n| --- | --- |\n| c | d |"


# Inline markup, links, code


def test_inline_emphasis_marks() -> None:
    source = (
        "<p><strong>Strong</strong> <b>bold</b> <em>em</em> <i>it</i> <s>gone</s> <del>del</del> "
        "<strike>old</strike> <code>kubectl get pods</code></p>"
    )
    assert render(source) == "**Strong** **bold** *em* *it* ~~gone~~ ~~del~~ ~~old~~ `kubectl get pods`"


def test_spaces_at_the_edges_of_emphasis_move_outside_the_marks() -> None:
    assert render("<p>a<b> bold </b>b and <em></em>c<i> </i>d</p>") == "a **bold** b and c d"


def test_links_show_their_label_and_unescaped_target() -> None:
    source = (
        '<p>See <a href="https://wiki.example.com/x?a=1&amp;b=2">the runbook</a>, '
        '<a name="anchor">a named anchor</a> and <a href="https://x.example"></a>nothing.</p>'
    )
    assert render(source) == "See [the runbook](https://wiki.example.com/x?a=1&b=2), a named anchor and nothing."


def test_pre_becomes_a_fenced_block_that_keeps_its_text() -> None:
    source = "<p>Run:</p><pre>\n$ kubectl rollout undo \\\n    deploy/api\n\n<b>done</b> &amp;&amp; exit</pre>Then"
    assert render(source) == "Run:\n\n```\n$ kubectl rollout undo \\\n    deploy/api\n\ndone && exit\n```\n\nThen"


# What is dropped, entities, line endings


def test_head_scripts_styles_comments_and_images_are_dropped() -> None:
    source = """<!DOCTYPE html><html><head><title>Not shown</title><style>p { color: red }</style>
    <script>if (a < b) { document.write("<p>no</p>") }</script></head>
    <body><!-- a comment <p>hidden</p> --><p>Shown <img src="x.png" alt="chart"> text</p>
    <noscript>enable js</noscript><svg><text>label</text></svg><script type="module">x()</script>
    <?xml version="1.0"?><p>End</p></body></html>"""
    assert render(source) == "Shown text\n\nEnd"


def test_a_document_that_leaves_out_the_closing_head_tag_keeps_its_body() -> None:
    assert render("<html><head><meta charset=utf-8><title>T</title><body><p>Body text</p>") == "Body text"


def test_entities_are_decoded() -> None:
    source = "<p>R&amp;D &lt;b&gt; caf&eacute; it&#8217;s &#x201C;ok&#x201d; a&nbsp;&nbsp;b &copy &bogus; 5 & 6</p>"
    assert render(source) == "R&D <b> café it’s “ok” a b © &bogus; 5 & 6"


def test_an_entity_maps_to_its_ampersand_and_a_span_ending_on_it_covers_it_whole() -> None:
    source = "<p>Tom &amp; Jerry</p>"
    rendered, origin = html_to_text(source)
    amp = rendered.index("&")
    assert origin[amp] == source.index("&amp;")
    assert source_span(origin, 0, amp + 1) == (source.index("Tom"), source.index("&amp;") + len("&amp;"))


def test_crlf_input_renders_like_lf_input() -> None:
    lf = "<h2>Action items</h2>\n<ul>\n  <li>Add the\n  alert</li>\n</ul>\n<pre>\nline 1\nline 2\n</pre>\n"
    crlf = lf.replace("\n", "\r\n")
    assert render(crlf) == render(lf) == "## Action items\n\n- Add the alert\n\n```\nline 1\nline 2\n```"
    assert quoted(crlf, "Add the alert") == "Add the alert"


# Offsets back into the source


def test_text_characters_map_to_their_own_offsets_and_synthetic_ones_to_their_tag() -> None:
    source = "<ul>\n<li>Rotate <b>keys</b></li></ul>"
    rendered, origin = html_to_text(source)
    assert rendered == "- Rotate **keys**"
    assert origin[:2] == [source.index("<li>")] * 2
    assert [source[origin[i]] for i in range(2, 9)] == list("Rotate ")
    assert origin[9] == source.index("<b>")
    assert origin[15] == source.index("</b>")
    assert source[origin[11] : origin[11] + 4] == "keys"


def test_source_span_refuses_spans_outside_the_rendering() -> None:
    rendered, origin = html_to_text("<p>abc</p>")
    assert source_span(origin, 1, 1) == (origin[1], origin[1])
    for start, end in ((-1, 2), (2, 1), (0, len(rendered) + 1)):
        with pytest.raises(ValueError, match="outside"):
            source_span(origin, start, end)


def test_tag_and_attribute_names_are_case_insensitive() -> None:
    source = '<UL CLASS="Task-List"><LI DATA-TASK-STATUS="COMPLETE">Upper <B>case</B></LI></UL><TABLE><TR><TH>A</TABLE>'
    assert render(source) == "- [x] Upper **case**\n\n| A |\n| --- |"


def test_empty_input() -> None:
    rendered, origin = html_to_text("")
    assert (rendered, list(origin)) == ("", [0])
    assert render("   \n ") == ""


CONFLUENCE = """<!DOCTYPE html>
<html>
<head>
<title>Engineering : Payments outage 2024-03-12</title>
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8">
<style type="text/css">body { font-family: Arial; }</style>
</head>
<body class="theme-default aui-theme-default">
<div id="page">
<div id="main" class="aui-page-panel">
<div id="main-header">
<h1 id="title-heading" class="pagetitle">
  <span id="title-text"> Engineering : Payments outage 2024-03-12 </span>
</h1>
</div>
<div id="content" class="view">
<div class="page-metadata">Created by <span class="author"> Jane Doe</span>, last modified on Mar 14, 2024</div>
<div id="main-content" class="wiki-content group">
<h2 id="Paymentsoutage-Summary">Summary</h2>
<p>Card payments failed for 47&nbsp;minutes after a certificate expired&hellip; Customers saw
&ldquo;payment declined&rdquo;.</p>
<h2 id="Paymentsoutage-Actionitems">Action items</h2>
<ul class="inline-task-list" data-inline-tasks-content-id="123456">
<li data-inline-task-id="1" class="checked"><span class="placeholder-inline-tasks">Add expiry alerting for the
gateway certificate</span></li>
<li data-inline-task-id="2"><span class="placeholder-inline-tasks">Automate certificate rotation &amp; renewal
<a class="confluence-userlink user-mention" data-username="bob" href="https://wiki.example.com/display/~bob"
data-linked-resource-id="99">Bob Smith</a></span></li>
<li data-inline-task-id="3"><span class="placeholder-inline-tasks">Write a runbook for <code>cert-manager</code>
failures <time datetime="2024-04-01" class="date-future">01 Apr 2024</time></span></li>
</ul>
<div class="table-wrap"><table class="confluenceTable"><colgroup><col><col><col><col></colgroup>
<tbody>
<tr><th class="confluenceTh">Action</th><th class="confluenceTh">Owner</th><th class="confluenceTh">Due date</th>
<th class="confluenceTh">Status</th></tr>
<tr><td class="confluenceTd"><p>Add expiry alerting</p></td><td class="confluenceTd">Jane Doe</td>
<td class="confluenceTd"><time datetime="2024-03-29">29 Mar 2024</time></td>
<td class="confluenceTd"><span class="status-macro aui-lozenge aui-lozenge-success">DONE</span></td></tr>
<tr><td class="confluenceTd">Rotate certs | automatically</td><td class="confluenceTd">Bob&nbsp;Smith</td>
<td class="confluenceTd">2024-04-15</td><td class="confluenceTd"><span class="status-macro">IN PROGRESS</span></td></tr>
</tbody></table></div>
</div>
</div>
</div>
</div>
<div id="footer"><section class="footer-body"><p>Document generated by Confluence on Mar 14, 2024 10:12</p></section>
</div>
</body>
</html>
"""

CONFLUENCE_RENDERED = """\
# Engineering : Payments outage 2024-03-12

## Summary

Card payments failed for 47 minutes after a certificate expired… Customers saw “payment declined”.

## Action items

- [x] Add expiry alerting for the gateway certificate
- [ ] Automate certificate rotation & renewal [Bob Smith](https://wiki.example.com/display/~bob)
- [ ] Write a runbook for `cert-manager` failures 01 Apr 2024

| Action | Owner | Due date | Status |
| --- | --- | --- | --- |
| Add expiry alerting | Jane Doe | 29 Mar 2024 | DONE |
| Rotate certs \\| automatically | Bob Smith | 2024-04-15 | IN PROGRESS |"""


def test_a_confluence_export_renders_as_markdown() -> None:
    assert render(CONFLUENCE) == CONFLUENCE_RENDERED


@pytest.mark.parametrize(
    "needle",
    [
        "Add expiry alerting for the gateway certificate",
        "Automate certificate rotation & renewal",
        "Bob Smith",
        "failures 01 Apr 2024",
        "Action",
        "Owner",
        "Due date",
        "Status",
        "Jane Doe",
        "29 Mar 2024",
        "DONE",
        "2024-04-15",
        "IN PROGRESS",
        "Card payments failed for 47 minutes after a certificate expired… Customers saw “payment declined”.",
    ],
)
def test_rendered_items_and_cells_map_back_to_their_source_text(needle: str) -> None:
    assert quoted(CONFLUENCE, needle) == needle


def test_a_cell_with_an_escaped_pipe_maps_back_to_the_cell() -> None:
    assert quoted(CONFLUENCE, "Rotate certs \\| automatically") == "Rotate certs | automatically"


def test_the_markdown_reader_finds_the_items_and_rows_and_their_quotes_come_from_the_html() -> None:
    # Imported here: tools/blocks.py is new alongside this module, and only this test depends on it.
    from postmortem_actions.tools.extraction.readers.markdown import parse_blocks

    rendered, origin = html_to_text(CONFLUENCE)
    document = parse_blocks(rendered)
    assert [h.title for h in document.sections[1:]] == [
        "Engineering : Payments outage 2024-03-12",
        "Summary",
        "Action items",
    ]
    items = [b for b in document.blocks if b.kind == "item"]
    assert [b.checked for b in items] == [True, False, False]
    s, e = source_span(origin, items[0].start, items[0].end)
    assert visible(CONFLUENCE[s:e]) == "Add expiry alerting for the gateway certificate"
    rows = [b for b in document.blocks if b.kind == "row"]
    assert [b.header for b in rows] == [True, False, False]
    cells = [visible(CONFLUENCE[slice(*source_span(origin, *cell))]) for cell in rows[1].cells]
    assert cells == ["Add expiry alerting", "Jane Doe", "29 Mar 2024", "DONE"]


# Broken and hostile input


@pytest.mark.parametrize(
    "source",
    [
        "<ul><li>unclosed item<li>another",
        "<table><tr><td>no closing tags",
        "<p>stray < and <<< and a <b>bold never closed",
        "<p>a</b></i></em></a></li></ul></table></pre></blockquote> b",
        "<div <p>broken attribute",
        "<a href='x'",
        "</ p>< p>text<//p>",
        "<!-- never closed comment <p>text</p>",
        "<script>never closed",
        "<pre>unclosed <b>pre",
        "<li><table><tr><td><li>cell item<table><tr><td>nested</td></tr></table></td></tr></table></li>",
        "<h1><h2>nested headings</h1></h2>",
        "<blockquote><blockquote>deep</blockquote>",
        "text with & and &# and &#x and &#xZZ; and &;",
        "<input type=checkbox checked>outside a list",
        "<td>a cell</td> without a table",
        "\x00<p>\ufeffcontrol characters\x0b</p>",
    ],
)
def test_malformed_html_never_raises_and_keeps_its_text(source: str) -> None:
    rendered = render(source)
    words = re.findall(r"[a-z]{4,}", _MARKUP.sub(" ", source.split("<!--")[0].split("<script>")[0]))
    assert all(word in rendered for word in words if word not in ("href", "type", "checkbox", "checked"))


@pytest.mark.parametrize(
    "source",
    [
        "<" * 100_000,
        "<a " * 100_000,
        "</a " * 100_000,
        '<a x="' * 100_000,
        "<!" * 100_000,
        "<b>" * 100_000 + "x" + "</i>" * 100_000,
        "<ul>" * 50_000 + "<li>x" * 50_000,
        "<blockquote>" * 50_000 + "<p>x" * 1_000,
        "&#" * 100_000,
        "a  " * 100_000,
        "<td>|" * 100_000,
    ],
)
def test_hostile_input_returns(source: str) -> None:
    assert len(render(source)) <= 4 * len(source)  # and the rendering stays linear in the input


def test_deep_nesting_does_not_indent_without_bound() -> None:
    rendered = render("<ul>" * 1_000 + "<li>deep")
    assert rendered == "  " * 16 + "- deep"  # a thousand levels deep, indented as sixteen


def test_a_megabyte_export_renders_every_item_and_row() -> None:
    items = "".join(
        f'<li data-inline-task-id="{n}"{" class=checked" if n % 3 == 0 else ""}><span>Rotate the '
        f'<b>signing</b> key for service-{n} &amp; notify <a href="https://wiki/~u{n}">owner {n}</a></span></li>\n'
        for n in range(5_000)
    )
    rows = "".join(
        f"<tr><td>Fix alert {n}</td><td>Owner&nbsp;{n}</td><td>2024-05-{n % 28 + 1:02d}</td><td>Open</td></tr>\n"
        for n in range(5_000)
    )
    prose = "<p>" + "The queue backed up and nobody noticed for a while. " * 6_000 + "</p>\n"
    source = (
        f"<html><body><h1>Postmortem</h1>{prose}<h2>Action items</h2><ul class='inline-task-list'>{items}</ul>"
        f"<table><tr><th>Action</th><th>Owner</th><th>Due</th><th>Status</th></tr>{rows}</table></body></html>"
    )
    assert len(source) > 1_000_000
    rendering = checked(source)
    rendered = rendering[0]
    lines = rendered.split("\n")
    tasks = [line for line in lines if line.startswith("- [")]
    assert len(tasks) == 5_000
    assert sum(line.startswith("- [x]") for line in tasks) == 1_667
    assert (
        tasks[4_999] == "- [ ] Rotate the **signing** key for service-4999 & notify [owner 4999](https://wiki/~u4999)"
    )
    table = [line for line in lines if line.startswith("| ")]
    assert len(table) == 5_002
    assert table[-1] == "| Fix alert 4999 | Owner 4999 | 2024-05-16 | Open |"
    assert quoted(source, "Fix alert 4321", rendering) == "Fix alert 4321"
    assert quoted(source, "key for service-4321 & notify", rendering) == "key for service-4321 & notify"
