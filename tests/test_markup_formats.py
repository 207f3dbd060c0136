"""Which markup a postmortem is read as: the extension where it names one, the content otherwise; and the new
extensions accepted end to end by `extract`, `add` and `parse_postmortem(path=...)`."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest
from markup_samples import BY_EXTENSION, EXPECTED, MARKDOWN, MDX, MEDIAWIKI, RST
from mcp import Client
from mcp_results import ok
from test_cli_extract import extract_json

from postmortem_actions.server.cli.main import main
from postmortem_actions.store import Store
from postmortem_actions.tools.document_files import TEXT_SUFFIXES, ReadPolicy, resolve_allowed
from postmortem_actions.tools.extraction.readers.detect import FORMATS, SUFFIX_FORMATS, detect_format, sniff

FORMAT_OF = {".md": "markdown", ".wiki": "mediawiki", ".adoc": "asciidoc", ".rst": "rst", ".mdx": "mdx"}
HTML = "<!doctype html><html><body><h1>T</h1><h2>Action items</h2><ul><li>Add an alert</li></ul></body></html>"


# -- Detection -------------------------------------------------------------------------------------------------


def test_every_allowed_extension_has_a_format_or_lets_the_content_decide() -> None:
    assert set(SUFFIX_FORMATS) == set(TEXT_SUFFIXES)
    assert {fmt for fmt in SUFFIX_FORMATS.values() if fmt} == set(FORMATS)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a.md", "markdown"),
        ("a.MARKDOWN", "markdown"),
        ("a.mdx", "mdx"),
        ("a.rst", "rst"),
        ("a.adoc", "asciidoc"),
        ("a.asciidoc", "asciidoc"),
        ("a.wiki", "mediawiki"),
        ("/x/y/a.mediawiki", "mediawiki"),
        ("a.html", "html"),
        ("a.htm", "html"),
    ],
)
def test_a_known_extension_decides_whatever_the_content(name: str, expected: str) -> None:
    assert detect_format("plain words\n", name) == expected


def test_a_markdown_file_holding_an_html_page_is_read_as_html_as_it_always_was() -> None:
    assert detect_format(HTML, "export.md") == "html"


@pytest.mark.parametrize("name", [None, "", "pasted", "notes.txt", "notes.text", "notes.org", "scan.docx", "x.json"])
@pytest.mark.parametrize("extension", list(BY_EXTENSION))
def test_without_a_known_extension_the_content_decides(name: str | None, extension: str) -> None:
    assert detect_format(BY_EXTENSION[extension], name) == FORMAT_OF[extension]
    assert detect_format(HTML, name) == "html"


@pytest.mark.parametrize(
    "text",
    [
        MARKDOWN,
        "Title\n=====\n\nSub\n---\n\n- item\n\n----\n\nText with a = b and == c.\n",
        "# Outage\n\n```js\nimport x from 'y'\n<Widget />\n```\n\n```\n== Not a heading ==\n.. note:: x\n```\n",
        "# Outage\n\n== stays a line ==\n\nOne line with '''quotes''' and [[brackets]].\n",
        "# Outage\n\n.. a line that looks like a comment\n\n## Action items\n\n- Add it\n",
        "Plain text without any markup at all.\n",
    ],
)
def test_markdown_and_plain_text_stay_markdown(text: str) -> None:
    assert sniff(text) == "markdown"


def test_one_line_of_another_markup_is_not_enough() -> None:
    assert sniff("== Only heading ==\n\nSome text.\n") == "markdown"
    assert sniff("= Only title\n\nSome text.\n") == "markdown"
    assert sniff("Text\n\n.. note:: one directive\n") == "markdown"
    assert sniff("# A\n\n## B\n\n== C ==\n\n'''x'''\n") == "markdown"  # more Markdown headings than wiki ones


def test_one_capitalised_tag_is_not_mdx_but_components_are() -> None:
    assert sniff("# Outage\n\n<REDACTED> ran the script at 10:02.\n") == "markdown"
    assert sniff("# Outage\n\n<Callout>\nWe will add it.\n</Callout>\n\n<Chart />\n") == "mdx"


def test_pasted_text_is_detected_for_each_markup() -> None:
    assert sniff(MEDIAWIKI) == "mediawiki"
    assert sniff(RST) == "rst"
    assert sniff(MDX) == "mdx"
    assert sniff("Title\n=====\n\nA :ref:`role` and `a link <https://x.example>`_.\n") == "rst"


# -- The file read policy --------------------------------------------------------------------------------------


@pytest.mark.parametrize("extension", [".mdx", ".wiki", ".mediawiki", ".rst", ".adoc", ".asciidoc"])
def test_the_new_extensions_are_read(tmp_path: Path, extension: str) -> None:
    path = tmp_path / ("outage" + extension)
    path.write_text("text\n", encoding="utf-8")
    assert resolve_allowed(str(path), ReadPolicy(allowed_dirs=(tmp_path,))) == path.resolve()


# -- The command line ------------------------------------------------------------------------------------------


@pytest.fixture
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in list(os.environ):
        if name.startswith("POSTMORTEM_ACTIONS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("POSTMORTEM_ACTIONS_DB", str(tmp_path / "db" / "actions.db"))
    monkeypatch.setenv("POSTMORTEM_ACTIONS_USER", "tester")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    folder = tmp_path / "docs"
    folder.mkdir()
    return folder


@pytest.mark.parametrize("extension", [".mdx", ".wiki", ".mediawiki", ".rst", ".adoc", ".asciidoc"])
def test_extract_reads_each_markup_by_its_extension(
    clean_env: Path, capsys: pytest.CaptureFixture[str], extension: str
) -> None:
    source = BY_EXTENSION.get(extension) or BY_EXTENSION[{".mediawiki": ".wiki", ".asciidoc": ".adoc"}[extension]]
    path = clean_env / ("outage" + extension)
    path.write_bytes(source.encode("utf-8"))
    found = extract_json(capsys, str(path))
    assert [f["text"] for f in found] == EXPECTED
    assert all(source[f["start"] : f["end"]] == f["quote"] for f in found)


def test_extract_from_standard_input_detects_the_markup(
    clean_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(MEDIAWIKI.encode("utf-8"))))
    found = extract_json(capsys, "-")
    assert [f["text"] for f in found] == EXPECTED


def test_add_stores_a_wiki_page_with_its_sections(clean_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = clean_env / "outage.wiki"
    path.write_bytes(MEDIAWIKI.encode("utf-8"))
    assert main(["add", str(path)]) == 0
    out = capsys.readouterr().out
    assert "postmortem 1 stored" in out
    assert "3 sections" in out


# -- MCP -------------------------------------------------------------------------------------------------------


@pytest.fixture
def mode() -> str:
    return "auto"


@pytest.mark.anyio
@pytest.mark.parametrize("extension", [".wiki", ".adoc", ".rst", ".mdx"])
async def test_parse_postmortem_reads_each_markup_and_coverage_uses_the_same_findings(
    client: Client, docs_dir: Path, store: Store, extension: str
) -> None:
    source = BY_EXTENSION[extension]
    (docs_dir / ("outage" + extension)).write_bytes(source.encode("utf-8"))
    parsed = ok(await client.call_tool("parse_postmortem", {"path": "outage" + extension}))
    assert [f["text"] for f in parsed["findings"]] == EXPECTED
    assert "Action items" in [s["heading"] for s in parsed["sections"]]
    stored = store.get_postmortem(parsed["postmortem_id"]).text
    assert stored == source
    first = parsed["findings"][1]
    candidate = {
        "text": "Alert when database connections pass 90% of the pool.",
        "done_when": "The alert pages the on-call at 90% connection saturation.",
        "problem": "Connection saturation went unnoticed.",
        "category": "detect",
        "quote": first["quote"],
    }
    recorded = ok(
        await client.call_tool(
            "record_candidates", {"postmortem_id": parsed["postmortem_id"], "candidates": [candidate]}
        )
    )
    gap = [g["quote"] for g in recorded["coverage_gap"]]
    assert first["quote"] not in gap
    assert len(gap) == len(EXPECTED) - 1
    resource = await client.read_resource(f"postmortem://{parsed['postmortem_id']}/findings")
    listed = json.loads(resource.contents[0].text)  # type: ignore[union-attr]
    assert [f["text"] for f in listed] == EXPECTED
