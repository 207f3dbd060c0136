"""Word documents (.docx): rendered as Markdown, stored as that text with their origin, and read by the same
extractor; hostile packages (zip bombs, zips that are not Word, damaged files) are refused with a sentence.

The documents are built here with python-docx itself, so no binary fixture hides what a test reads."""

from __future__ import annotations

import io
import json
import re
import sqlite3
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.oxml import parse_xml

from postmortem_actions.server.cli.main import main
from postmortem_actions.store import Actor, Store
from postmortem_actions.store.errors import DocumentTooLarge, NotText, PathNotAllowed
from postmortem_actions.tools.document_files import ReadPolicy, document_text, read_document
from postmortem_actions.tools.extraction.extractor import extract
from postmortem_actions.tools.extraction.readers.docx import INSTALL_HINT, docx_to_text
from postmortem_actions.tools.postmortems import parse_postmortem

BY = Actor(actor="assistant", via="test")
LIMIT = 200_000
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
W14 = 'xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml"'


def build(fill: Callable[[Any], None]) -> bytes:
    """The bytes of a .docx that `fill` wrote into a fresh python-docx document."""
    document = docx.Document()
    fill(document)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def postmortem(document: Any) -> None:
    document.add_heading("Checkout outage", 0)
    document.add_heading("Summary", 1)
    document.add_paragraph("The payment queue backed up for forty minutes before anyone noticed.")
    document.add_heading("Action items", 1)
    document.add_paragraph("Add an alert on payment queue depth above 10,000 messages.", style="List Bullet")
    document.add_paragraph("Write the runbook for draining the payment queue.", style="List Number")
    document.add_paragraph("Cap consumer retries at five attempts.", style="List Number")
    table = document.add_table(rows=2, cols=3)
    for cells, values in zip(
        (table.rows[0].cells, table.rows[1].cells),
        (["Action", "Owner", "Type"], ["Add a canary stage to the deploy pipeline", "@dana", "prevent"]),
        strict=True,
    ):
        for cell, value in zip(cells, values, strict=True):
            cell.text = value


def checkbox(paragraph: Any, ticked: bool) -> None:
    """Put a Word content-control checkbox (what Word's Developer tab inserts) at the start of `paragraph`."""
    state = "1" if ticked else "0"
    glyph = "☒" if ticked else "☐"
    paragraph._p.insert(
        1 if paragraph._p.pPr is not None else 0,
        parse_xml(
            f"<w:sdt {W} {W14}><w:sdtPr><w14:checkbox><w14:checked w14:val='{state}'/></w14:checkbox></w:sdtPr>"
            f"<w:sdtContent><w:r><w:t>{glyph}</w:t></w:r></w:sdtContent></w:sdt>"
        ),
    )


# -- rendering ------------------------------------------------------------------------------------------


def test_headings_lists_and_tables_become_the_markdown_blocks() -> None:
    text = docx_to_text(build(postmortem), "pm.docx", LIMIT)
    assert text == (
        "# Checkout outage\n\n## Summary\n\n"
        "The payment queue backed up for forty minutes before anyone noticed.\n\n"
        "## Action items\n\n"
        "- Add an alert on payment queue depth above 10,000 messages.\n"
        "1. Write the runbook for draining the payment queue.\n"
        "2. Cap consumer retries at five attempts.\n\n"
        "| Action | Owner | Type |\n| --- | --- | --- |\n"
        "| Add a canary stage to the deploy pipeline | @dana | prevent |\n"
    )


def test_list_levels_come_from_the_numbering_or_the_list_style() -> None:
    def fill(document: Any) -> None:
        document.add_paragraph("Harden the deploy pipeline.", style="List Bullet")
        document.add_paragraph("Require two reviewers.", style="List Bullet 2")
        item = document.add_paragraph("Block force pushes.")
        item._p.get_or_add_pPr().append(parse_xml(f"<w:numPr {W}><w:ilvl w:val='1'/><w:numId w:val='1'/></w:numPr>"))

    assert docx_to_text(build(fill), "pm.docx", LIMIT) == (
        "- Harden the deploy pipeline.\n  - Require two reviewers.\n  - Block force pushes.\n"
    )


def test_checkboxes_content_controls_and_glyphs_become_task_boxes() -> None:
    def fill(document: Any) -> None:
        document.add_heading("Follow-ups", 1)
        checkbox(document.add_paragraph("Rotate the leaked token."), ticked=True)
        checkbox(document.add_paragraph("Add secret scanning to CI.", style="List Bullet"), ticked=False)
        document.add_paragraph("☐ Review the access logs.")
        document.add_paragraph("☑ Revoke the old deploy key.")

    assert docx_to_text(build(fill), "pm.docx", LIMIT) == (
        "# Follow-ups\n\n- [x] Rotate the leaked token.\n- [ ] Add secret scanning to CI.\n"
        "- [ ] Review the access logs.\n- [x] Revoke the old deploy key.\n"
    )


def test_code_quotes_bold_labels_and_one_cell_boxes_keep_their_meaning() -> None:
    def fill(document: Any) -> None:
        document.add_paragraph().add_run("Next steps").bold = True
        document.add_paragraph("TODO: this line is a log message", style="macro")
        document.add_paragraph("Someone said we should page earlier.", style="Quote")
        box = document.add_table(rows=1, cols=1)
        box.rows[0].cells[0].paragraphs[0].text = "Inside a box."
        document.add_paragraph("After | the box.")

    text = docx_to_text(build(fill), "pm.docx", LIMIT)
    assert text == (
        "# Next steps\n\n```\nTODO: this line is a log message\n```\n\n"
        "> Someone said we should page earlier.\n\nInside a box.\n\nAfter | the box.\n"
    )


def test_deleted_revisions_and_field_codes_are_not_text() -> None:
    def fill(document: Any) -> None:
        paragraph = document.add_paragraph("Kept words.")
        paragraph._p.append(
            parse_xml(f"<w:del {W} w:id='1' w:author='x'><w:r><w:delText>gone</w:delText></w:r></w:del>")
        )
        paragraph._p.append(parse_xml(f"<w:r {W}><w:instrText>HYPERLINK x</w:instrText></w:r>"))
        paragraph._p.append(parse_xml(f"<w:r {W}><w:tab/><w:t>After a tab.</w:t></w:r>"))

    assert docx_to_text(build(fill), "pm.docx", LIMIT) == "Kept words. After a tab.\n"


# -- extraction and storage ------------------------------------------------------------------------------


def test_the_extractor_finds_the_items_of_a_word_postmortem(tmp_path: Path) -> None:
    path = tmp_path / "checkout.docx"
    path.write_bytes(build(postmortem))
    text = read_document(str(path), ReadPolicy(allowed_dirs=(tmp_path,), max_bytes=LIMIT))[1]
    findings = extract(text)
    assert [f.text for f in findings] == [
        "Add an alert on payment queue depth above 10,000 messages.",
        "Write the runbook for draining the payment queue.",
        "Cap consumer retries at five attempts.",
        "Add a canary stage to the deploy pipeline",
    ]
    assert all(text[f.start : f.end] == f.quote for f in findings)
    assert findings[-1].owner == "@dana"
    assert findings[-1].category == "prevent"


def test_parse_postmortem_stores_the_rendering_with_its_origin(tmp_path: Path) -> None:
    (tmp_path / "checkout.docx").write_bytes(build(postmortem))
    store = Store(tmp_path / "actions.db")
    result = parse_postmortem(store, BY, ReadPolicy(allowed_dirs=(tmp_path,), max_bytes=LIMIT), path="checkout.docx")
    assert result.origin == "docx:checkout.docx"
    assert result.title == "Checkout outage"
    assert [s.heading for s in result.sections][-2:] == ["Summary", "Action items"]
    stored = store.get_postmortem(result.postmortem_id)
    assert stored.origin == "docx:checkout.docx"
    assert stored.text.startswith("# Checkout outage\n")
    assert all(stored.text[f.start : f.end] == f.quote for f in result.findings)
    pasted = parse_postmortem(store, BY, ReadPolicy(allowed_dirs=(tmp_path,)), text="# Other\n\nText.\n")
    assert pasted.origin is None


def test_cli_add_says_what_the_text_was_read_from(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "checkout.docx"
    path.write_bytes(build(postmortem))
    assert main(["--db", str(tmp_path / "a.db"), "add", str(path)]) == 0
    out = capsys.readouterr().out
    assert "postmortem 1 stored: Checkout outage" in out
    assert "read from docx:checkout.docx" in out


def test_cli_extract_reads_a_docx_file_and_standard_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "checkout.docx"
    data = build(postmortem)
    path.write_bytes(data)
    assert main(["--db", str(tmp_path / "a.db"), "extract", str(path), "--json"]) == 0
    from_file = json.loads(capsys.readouterr().out)
    assert len(from_file) == 4
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert main(["--db", str(tmp_path / "a.db"), "extract", "-", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == from_file
    assert not (tmp_path / "a.db").exists()


@pytest.mark.anyio
async def test_the_mcp_tool_reads_a_docx_and_reports_its_origin(settings: Any, docs_dir: Path) -> None:
    from mcp import Client

    from postmortem_actions.server.mcp.app import build_server

    (docs_dir / "checkout.docx").write_bytes(build(postmortem))
    async with Client(build_server(settings)) as client:
        parsed = await client.call_tool("parse_postmortem", {"path": "checkout.docx"})
        assert not parsed.is_error, parsed.content
        assert parsed.structured_content is not None
        assert parsed.structured_content["origin"] == "docx:checkout.docx"
        assert parsed.structured_content["findings_total"] == 4
        resource = await client.read_resource(f"postmortem://{parsed.structured_content['postmortem_id']}")
    stored = json.loads(resource.contents[0].text)  # type: ignore[union-attr]
    assert stored["origin"] == "docx:checkout.docx"
    assert stored["text"].startswith("# Checkout outage\n")


# -- hostile and broken packages -------------------------------------------------------------------------


def zipped(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(name, data)
    return out.getvalue()


def test_a_zip_bomb_is_refused_before_anything_is_unpacked() -> None:
    bomb = zipped({"[Content_Types].xml": b"<x/>", "word/document.xml": b"<" + b"a" * 5_000_000})
    assert len(bomb) < 20_000
    started = time.perf_counter()
    with pytest.raises(DocumentTooLarge, match=r"unpacks to 5,000,005 bytes.*zip bomb.*nothing was read"):
        docx_to_text(bomb, "bomb.docx", max_bytes=100_000)
    assert time.perf_counter() - started < 2.0


def test_a_package_with_thousands_of_parts_is_refused() -> None:
    parts = {"[Content_Types].xml": b"<x/>", "word/document.xml": b"<x/>"} | {f"p/{n}": b"" for n in range(5001)}
    with pytest.raises(DocumentTooLarge, match="5,003 parts"):
        docx_to_text(zipped(parts), "many.docx", max_bytes=LIMIT)


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"# Just Markdown\n", "is not a Word document"),
        (zipped({"readme.txt": b"hello"}), r"not a Word document \(no word/document.xml\)"),
        (b"PK\x03\x04" + b"\x00" * 64, "damaged"),
        (zipped({"[Content_Types].xml": b"<broken", "word/document.xml": b"<w:document"}), "could not be read"),
    ],
    ids=["text", "other-zip", "truncated", "corrupt-xml"],
)
def test_what_is_not_a_readable_word_document_is_refused_with_a_sentence(data: bytes, says: str) -> None:
    with pytest.raises(NotText, match=says) as refused:
        docx_to_text(data, "pm.docx", LIMIT)
    assert "nothing was" in str(refused.value)


def test_a_truncated_real_document_is_refused(tmp_path: Path) -> None:
    data = build(postmortem)
    with pytest.raises(NotText, match=r"damaged|could not be read"):
        document_text(data[: len(data) // 2], "cut.docx", LIMIT)


def test_a_huge_docx_file_is_refused_by_its_size(tmp_path: Path) -> None:
    (tmp_path / "big.docx").write_bytes(b"PK\x03\x04" + b"\x00" * 2000)
    with pytest.raises(DocumentTooLarge, match="limit"):
        read_document("big.docx", ReadPolicy(allowed_dirs=(tmp_path,), max_bytes=1000))


def test_other_office_files_are_still_not_read(tmp_path: Path) -> None:
    (tmp_path / "pm.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(PathNotAllowed, match=r"only document files are read \(.*\.docx"):
        read_document("pm.doc", ReadPolicy(allowed_dirs=(tmp_path,)))


def test_without_python_docx_the_refusal_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "docx", None)  # what an environment without the extra looks like to import
    with pytest.raises(NotText, match="pip install 'postmortem-actions\\[docx\\]'"):
        docx_to_text(build(postmortem), "pm.docx", LIMIT)
    assert "postmortem-actions[docx]" in INSTALL_HINT


def nested_tables(depth: int) -> bytes:
    """A real document with `depth` one-cell tables nested inside each other around one word."""
    data = build(lambda document: document.add_paragraph("Top."))
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        parts = {name: package.read(name) for name in package.namelist()}
    nested = "<w:tbl><w:tr><w:tc>" * depth + "<w:p><w:r><w:t>deep</w:t></w:r></w:p>" + "</w:tc></w:tr></w:tbl>" * depth
    body = parts["word/document.xml"].decode()
    parts["word/document.xml"] = body.replace("<w:sectPr", nested + "<w:sectPr", 1).encode()
    return zipped(parts)


def test_nested_boxes_are_read_and_hostile_nesting_is_refused_quickly() -> None:
    assert docx_to_text(nested_tables(40), "boxes.docx", LIMIT) == "Top.\n\ndeep\n"
    started = time.perf_counter()
    with pytest.raises(NotText, match=r"could not be read as a Word document \(XMLSyntaxError\)"):
        docx_to_text(nested_tables(5000), "deep.docx", LIMIT)
    assert time.perf_counter() - started < 5.0


# -- migration 0009 ---------------------------------------------------------------------------------------


def test_migration_0009_adds_the_origin_and_keeps_stored_postmortems(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    store = Store(path)
    parse_postmortem(store, BY, ReadPolicy(allowed_dirs=(tmp_path,)), text="# Old\n\nText.\n")
    with sqlite3.connect(path) as conn:  # as a database from before 0009 looks: no origin column, one fewer step
        conn.execute("ALTER TABLE postmortems DROP COLUMN origin")
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = '0009_postmortem_origin'")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        conn.execute(f"PRAGMA user_version = {version - 1}")
    reopened = Store(path)
    old = reopened.get_postmortem(1)
    assert (old.title, old.origin) == ("Old", None)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM _sqlite_migrations WHERE name = '0009_postmortem_origin'").fetchone()


# -- how other editors write structure ---------------------------------------------------------------------


def test_a_bold_line_is_a_sub_heading_whose_paragraphs_are_read_as_follow_ups() -> None:
    def fill(document: Any) -> None:
        document.add_heading("Summary", 1)
        document.add_paragraph("The queue backed up for forty minutes.")
        document.add_paragraph().add_run("Long-term improvements").bold = True
        document.add_paragraph("Add an alert on queue depth above 10,000 messages.")
        document.add_paragraph("Action item: Dana to write the queue drain runbook.")
        document.add_paragraph().add_run("This bold sentence ends like one.").bold = True

    text = docx_to_text(build(fill), "pm.docx", LIMIT)
    assert "## Long-term improvements\n" in text
    assert "\nThis bold sentence ends like one.\n" in text
    findings = extract(text)
    assert [(f.text, f.owner) for f in findings] == [
        ("Add an alert on queue depth above 10,000 messages.", None),
        ("Dana to write the queue drain runbook.", "Dana"),
    ]


def numbering(document: Any, num_id: int, fmt: str, glyph: str) -> None:
    """Add a one-level list definition to the document's numbering part, as Google Docs writes its checklists."""
    part = document.part.numbering_part.element
    part.append(
        parse_xml(
            f"<w:abstractNum {W} w:abstractNumId='{num_id}'><w:lvl w:ilvl='0'><w:numFmt w:val='{fmt}'/>"
            f"<w:lvlText w:val='{glyph}'/></w:lvl></w:abstractNum>"
        )
    )
    part.append(parse_xml(f"<w:num {W} w:numId='{num_id}'><w:abstractNumId w:val='{num_id}'/></w:num>"))


def listed(document: Any, text: str, num_id: int, level: int = 0) -> None:
    paragraph = document.add_paragraph(text)
    paragraph._p.get_or_add_pPr().append(
        parse_xml(f"<w:numPr {W}><w:ilvl w:val='{level}'/><w:numId w:val='{num_id}'/></w:numPr>")
    )


def test_a_checklist_numbering_and_decimal_counters_by_level() -> None:
    def fill(document: Any) -> None:
        numbering(document, 90, "bullet", "☐")
        numbering(document, 91, "decimal", "%1.")
        listed(document, "Rotate the keys.", 90)
        listed(document, "Add the alert.", 91)
        listed(document, "Write the runbook.", 91)

    assert docx_to_text(build(fill), "pm.docx", LIMIT) == (
        "- [ ] Rotate the keys.\n1. Add the alert.\n2. Write the runbook.\n"
    )


def test_outline_levels_and_translated_heading_styles_are_headings() -> None:
    def fill(document: Any) -> None:
        outlined = document.add_paragraph("Action items")
        outlined._p.get_or_add_pPr().append(parse_xml(f"<w:outlineLvl {W} w:val='1'/>"))
        document.add_paragraph("Add the alert.", style="List Bullet")
        document.styles.element.append(
            parse_xml(
                f"<w:style {W} w:type='paragraph' w:styleId='berschrift2'><w:name w:val='Überschrift 2'/></w:style>"
            )
        )
        document.add_paragraph("Zeitlinie")._p.get_or_add_pPr().append(
            parse_xml(f"<w:pStyle {W} w:val='berschrift2'/>")
        )

    text = docx_to_text(build(fill), "pm.docx", LIMIT)
    assert text.startswith("## Action items\n\n- Add the alert.\n")
    assert text.endswith("## Zeitlinie\n")


def test_a_document_with_no_numbering_part_reads_its_list_styles() -> None:
    data = build(lambda document: document.add_paragraph("Add the alert.", style="List Number"))
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        parts = {name: package.read(name) for name in package.namelist() if name != "word/numbering.xml"}
    rels = parts["word/_rels/document.xml.rels"].decode()
    parts["word/_rels/document.xml.rels"] = re.sub(r"<Relationship [^>]*numbering[^>]*/>", "", rels).encode()
    assert docx_to_text(zipped(parts), "pm.docx", LIMIT) == "1. Add the alert.\n"


def test_block_content_controls_hyphens_and_a_trailing_code_block_are_read() -> None:
    def fill(document: Any) -> None:
        document.add_paragraph("Before.")
        document.element.body.insert(
            1,
            parse_xml(
                f"<w:sdt {W}><w:sdtPr/><w:sdtContent><w:p><w:r><w:t>Inside a control.</w:t></w:r></w:p>"
                "</w:sdtContent></w:sdt>"
            ),
        )
        document.element.body.insert(2, parse_xml(f"<w:sdt {W}><w:sdtPr/></w:sdt>"))
        paragraph = document.add_paragraph("Roll")
        paragraph._p.append(parse_xml(f"<w:r {W}><w:noBreakHyphen/><w:t>back.</w:t></w:r>"))
        document.add_paragraph("", style="macro")
        document.add_paragraph("exit 1", style="macro")

    assert (
        docx_to_text(build(fill), "pm.docx", LIMIT)
        == "Before.\n\nInside a control.\n\nRoll-back.\n\n```\nexit 1\n```\n"
    )


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (zipped({"[Content_Types].xml": b"<x/>", "word/document.xml": b"<" + b"a" * 3_000_000}), "zip bomb"),
        (zipped({"readme.txt": b"hello"}), "not a Word document"),
        (b"PK\x03\x04" + b"\x00" * 64, "damaged"),
    ],
    ids=["bomb", "other-zip", "corrupt"],
)
def test_a_refused_docx_stores_nothing_and_the_cli_says_one_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], data: bytes, says: str
) -> None:
    (tmp_path / "bad.docx").write_bytes(data)
    store = Store(tmp_path / "actions.db")
    with pytest.raises((NotText, DocumentTooLarge), match=says):
        parse_postmortem(store, BY, ReadPolicy(allowed_dirs=(tmp_path,), max_bytes=100_000), path="bad.docx")
    assert store.list_postmortems() == []
    assert main(["--db", str(tmp_path / "cli.db"), "add", str(tmp_path / "bad.docx")]) != 0
    out, err = capsys.readouterr()
    assert out == ""
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert "bad.docx" in err


def test_a_hyperlink_keeps_its_address_so_the_ticket_behind_it_is_read() -> None:
    def fill(document: Any) -> None:
        document.add_heading("Action items", 1)
        item = document.add_paragraph("Add retries to the client, tracked in ", style="List Bullet")
        rid = document.part.relate_to(
            "https://github.com/example/repo/issues/42",
            "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink",
            is_external=True,
        )
        R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
        item._p.append(parse_xml(f"<w:hyperlink {W} {R} r:id='{rid}'><w:r><w:t>this issue</w:t></w:r></w:hyperlink>"))
        item._p.append(parse_xml(f"<w:r {W}><w:t>.</w:t></w:r>"))

    text = docx_to_text(build(fill), "pm.docx", LIMIT)
    assert "- Add retries to the client, tracked in [this issue](https://github.com/example/repo/issues/42).\n" in text
    [finding] = extract(text)
    assert finding.ticket == "https://github.com/example/repo/issues/42"
