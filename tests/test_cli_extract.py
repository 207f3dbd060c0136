"""`postmortem-actions extract FILE [--json]`: the follow-ups a file proposes, printed and never stored.

In-process through `main([...])` with captured output, plus one run of the installed console script for the
JSON contract. Every test points the database settings at tmp_path and checks nothing was created there.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from postmortem_actions.server.cli.main import main
from postmortem_actions.tools.extraction.json_contract import CONTRACT_KEYS

# The stable contract, spelled out here: a change to it must break this test.
KEYS = (
    "text",
    "quote",
    "start",
    "end",
    "category",
    "owner",
    "due",
    "ticket",
    "vague",
    "vague_reasons",
    "in_section",
    "done",
)
CATEGORIES = {"prevent", "detect", "mitigate", "process"}
CLI_TIMEOUT_S = 60.0

DOCUMENT = """\
# Queue outage

Severity: SEV2

## Summary

The consumer fleet stalled for an hour. We will add request coalescing to the product cache service.

## Action items

- [x] Add an alert on queue depth above 10,000 messages (owner: @dana, due 2026-05-01, OPS-123).
- [ ] Investigate the cache behaviour
- [ ] Write the manual replay procedure into the billing runbook.
"""
DOCUMENT_TEXTS = [
    "We will add request coalescing to the product cache service.",
    "Add an alert on queue depth above 10,000 messages (owner: @dana, due 2026-05-01, OPS-123).",
    "Investigate the cache behaviour",
    "Write the manual replay procedure into the billing runbook.",
]
HTML_PAGE = (
    "<!doctype html><html><head><title>Wiki export</title></head><body><h1>DNS outage</h1>"
    "<p>Resolvers timed out.</p><h2>Action items</h2><ul>"
    "<li>Add a resolver latency alert above 200 ms.</li>"
    "<li>Write the resolver failover runbook &amp; drill it.</li></ul></body></html>\n"
)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"


@dataclass(frozen=True)
class Places:
    """Where a database could be written: the configured file, the default under XDG_DATA_HOME, and --db."""

    env_db: Path
    xdg: Path
    flag_db: Path

    def assert_untouched(self) -> None:
        for path in (self.env_db.parent, self.xdg, self.flag_db.parent):
            assert not path.exists(), f"{path} was created"


@pytest.fixture
def places(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Places:
    found = Places(
        env_db=tmp_path / "env-db" / "actions.db", xdg=tmp_path / "xdg", flag_db=tmp_path / "flag-db" / "actions.db"
    )
    for name in list(os.environ):
        if name.startswith("POSTMORTEM_ACTIONS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("POSTMORTEM_ACTIONS_DB", str(found.env_db))
    monkeypatch.setenv("XDG_DATA_HOME", str(found.xdg))
    monkeypatch.setenv("POSTMORTEM_ACTIONS_USER", "tester")
    monkeypatch.setenv("COLUMNS", "200")  # the listing cuts lines at the terminal width
    return found


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    return folder


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    if isinstance(content, str):
        path.write_bytes(content.encode("utf-8"))  # no newline translation: the bytes are exactly these
    else:
        path.write_bytes(content)
    return path


def extract_json(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, Any]]:
    assert main(["extract", *args, "--json"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    found: list[dict[str, Any]] = json.loads(out)
    return found


def assert_contract(findings: list[dict[str, Any]], text: str) -> None:
    """Exactly the contract's keys in order, with their types, and quotes that slice `text`."""
    assert isinstance(findings, list)
    for f in findings:
        assert tuple(f) == KEYS
        assert [type(f[k]) for k in ("text", "quote", "start", "end")] == [str, str, int, int]
        assert f["text"].strip()
        assert 0 <= f["start"] < f["end"] <= len(text)
        assert text[f["start"] : f["end"]] == f["quote"]
        assert f["category"] in CATEGORIES
        for optional in ("owner", "due", "ticket"):
            assert f[optional] is None or type(f[optional]) is str
        assert type(f["vague"]) is bool
        assert type(f["vague_reasons"]) is list
        assert all(type(reason) is str and reason for reason in f["vague_reasons"])
        assert f["vague"] == bool(f["vague_reasons"])
        assert type(f["in_section"]) is bool
        assert type(f["done"]) is bool


def one_line_error(capsys: pytest.CaptureFixture[str], status: int) -> str:
    """A failed command: non-zero, nothing on stdout, one readable line on stderr, no traceback."""
    out, err = capsys.readouterr()
    assert status != 0
    assert out == ""
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("postmortem-actions: ")
    assert len(lines[0]) > len("postmortem-actions: ") + 15
    return lines[0]


def stdin_bytes(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))


# -- the JSON contract ----------------------------------------------------------------------------------


def test_the_contract_keys_are_the_documented_ones_in_order() -> None:
    assert CONTRACT_KEYS == KEYS


def test_json_is_a_list_of_contract_objects_whose_quotes_slice_the_file(
    places: Places, docs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = write(docs, "queue.md", DOCUMENT)
    findings = extract_json(capsys, str(file))

    assert_contract(findings, file.read_bytes().decode("utf-8"))
    assert [f["text"] for f in findings] == DOCUMENT_TEXTS
    places.assert_untouched()


def test_json_carries_owner_due_ticket_done_vagueness_and_placement_as_the_document_states_them(
    places: Places, docs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prose, alert, vague, runbook = extract_json(capsys, str(write(docs, "queue.md", DOCUMENT)))

    assert (prose["in_section"], prose["done"], prose["vague"]) == (False, False, False)
    assert (alert["owner"], alert["due"], alert["ticket"], alert["done"]) == ("@dana", "2026-05-01", "OPS-123", True)
    assert (alert["category"], alert["in_section"]) == ("detect", True)
    assert (vague["vague"], vague["done"], vague["in_section"]) == (True, False, True)
    [reason] = vague["vague_reasons"]
    assert "an activity, not a result" in reason
    assert "a concrete version needs" in reason
    assert (runbook["category"], runbook["vague_reasons"], runbook["owner"]) == ("process", [], None)


def test_a_document_without_follow_ups_prints_an_empty_list(
    places: Places, docs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = write(docs, "quiet.md", "# Quiet night\n\nThe pager stayed quiet. Nothing broke.\n")
    assert extract_json(capsys, str(file)) == []
    places.assert_untouched()


def test_non_ascii_text_is_printed_as_is_with_code_point_offsets(
    places: Places, docs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "# Panne — file d'attente\n\n## Action items\n\n- Add an alert on the café queue depth above 10 000 ✅\n"
    file = write(docs, "panne.md", text)
    assert main(["extract", str(file), "--json"]) == 0
    out = capsys.readouterr().out
    assert "café" in out  # not \u00e9 escapes
    findings = json.loads(out)
    assert_contract(findings, text)
    assert len(findings) == 1


def test_the_json_is_laid_out_exactly_as_json_dumps_with_two_space_indent_lays_it_out(
    places: Places, docs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The layout scripts may diff against: written by pydantic's serializer, it must stay json.dumps's.
    text = (
        '# Panne\n\n## Action items\n\n- Add a "queue" alert on C:\\spool\tdepth — café ✅ 😀 (owner: @dana)\n'
        "- [x] Page the on-call engineer on lag\n- Investigate things etc.\n"
    )
    file = write(docs, "layout.md", text)
    assert main(["extract", str(file), "--json"]) == 0
    out = capsys.readouterr().out
    assert out == json.dumps(json.loads(out), indent=2, ensure_ascii=False) + "\n"
    assert len(json.loads(out)) == 3


# -- the readable listing -------------------------------------------------------------------------------


def test_the_plain_form_is_a_numbered_listing_with_flags_details_and_a_counts_line(
    places: Places, docs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = write(docs, "queue.md", DOCUMENT)
    findings = extract_json(capsys, str(file))
    assert main(["extract", str(file)]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()

    assert err == ""
    for n, f in enumerate(findings, start=1):
        flags = (
            [f["category"], "in section" if f["in_section"] else "prose"]
            + ["done"] * f["done"]
            + ["VAGUE"] * f["vague"]
        )
        head = lines.index(f"{n:>3}. {f['text']}")
        assert lines[head + 1] == f"     {' · '.join(flags)}   (chars {f['start']}-{f['end']})"
    assert "     owner: @dana   due: 2026-05-01   ticket: OPS-123" in lines
    assert "     prevent · in section · VAGUE   (chars" in out
    assert "     detect · in section · done   (chars" in out
    assert "     prevent · prose   (chars" in out
    assert any(line.startswith("     vague (Investigate): it names an activity, not a result") for line in lines)
    assert lines[-1] == "4 follow-up(s): 3 in follow-up sections, 1 in prose, 1 already done, 1 vague"
    places.assert_untouched()


def test_the_plain_form_of_a_document_without_follow_ups_is_just_the_counts(
    places: Places, docs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = write(docs, "quiet.md", "# Quiet night\n\nThe pager stayed quiet.\n")
    assert main(["extract", str(file)]) == 0
    assert capsys.readouterr().out == "0 follow-up(s): 0 in follow-up sections, 0 in prose, 0 already done, 0 vague\n"


# -- standard input -------------------------------------------------------------------------------------


def test_a_dash_reads_standard_input_and_gives_the_same_findings_as_the_file(
    places: Places, docs: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from_file = extract_json(capsys, str(write(docs, "queue.md", DOCUMENT)))
    stdin_bytes(monkeypatch, DOCUMENT.encode("utf-8"))

    from_stdin = extract_json(capsys, "-")
    assert from_stdin == from_file
    assert_contract(from_stdin, DOCUMENT)
    places.assert_untouched()


def test_a_dash_prints_the_listing_too(
    places: Places, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    stdin_bytes(monkeypatch, DOCUMENT.encode("utf-8"))
    assert main(["extract", "-"]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("4 follow-up(s): ")
    places.assert_untouched()


@pytest.mark.parametrize(
    ("data", "limit", "fragment"),
    [
        (b"", None, "the document is empty"),
        (b"  \n\t\n", None, "the document is empty"),
        (PNG, None, "not UTF-8 or UTF-16 text"),
        (b"# X\n\n- Add an alert \xff on depth.\n", None, "not UTF-8 or UTF-16 text"),
        (DOCUMENT.encode("utf-8"), "100", "standard input is over the limit of 100 bytes"),
    ],
    ids=["empty", "blank", "png", "undecodable", "over-limit"],
)
def test_bad_standard_input_is_one_readable_line(
    places: Places,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    data: bytes,
    limit: str | None,
    fragment: str,
) -> None:
    if limit is not None:
        monkeypatch.setenv("POSTMORTEM_ACTIONS_MAX_BYTES", limit)
    stdin_bytes(monkeypatch, data)
    assert fragment in one_line_error(capsys, main(["extract", "-"]))
    places.assert_untouched()


# -- nothing is stored ----------------------------------------------------------------------------------


@pytest.mark.parametrize("form", [[], ["--json"]], ids=["listing", "json"])
def test_extract_creates_no_database_wherever_one_is_configured(
    places: Places, docs: Path, capsys: pytest.CaptureFixture[str], form: list[str]
) -> None:
    file = write(docs, "queue.md", DOCUMENT)
    before = sorted(p.name for p in docs.parent.iterdir())

    assert main(["extract", str(file), *form]) == 0
    assert main(["--db", str(places.flag_db), "extract", str(file), *form]) == 0

    capsys.readouterr()
    places.assert_untouched()
    assert sorted(p.name for p in docs.parent.iterdir()) == before
    assert [p.name for p in docs.iterdir()] == ["queue.md"]


# -- files it refuses, each with one readable line --------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("missing.md", None, "does not exist"),
        ("folder.md", "dir", "is not a regular file"),
        ("image.png", PNG, "only document files are read"),
        ("image.md", PNG, "not UTF-8 or UTF-16 text"),
        (
            "latin1.md",
            "# Panne\n\n- Ajouter une alerte sur la file du café.\n".encode("latin-1"),
            "not UTF-8 or UTF-16",
        ),
        ("nul.md", b"# X\n\n## Action items\n\n- Add an alert\x00 on queue depth.\n", "looks like binary data"),
        ("empty.md", b"", "the document is empty"),
        ("blank.md", b"\n   \n\t\n", "the document is empty"),
    ],
    ids=["missing", "directory", "png-name", "png-bytes", "undecodable", "nul", "empty", "blank"],
)
def test_a_file_it_cannot_read_is_one_readable_line_and_a_non_zero_exit(
    places: Places,
    docs: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    content: str | bytes | None,
    fragment: str,
) -> None:
    path = docs / name
    if content == "dir":
        path.mkdir()
    elif isinstance(content, bytes):
        path.write_bytes(content)
    for form in ([], ["--json"]):
        line = one_line_error(capsys, main(["extract", str(path), *form]))
        assert fragment in line, line
    places.assert_untouched()


def test_a_file_over_the_size_limit_is_refused_naming_the_limit(
    places: Places, docs: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    file = write(docs, "queue.md", DOCUMENT)
    limit = len(DOCUMENT.encode("utf-8")) - 1
    monkeypatch.setenv("POSTMORTEM_ACTIONS_MAX_BYTES", str(limit))

    line = one_line_error(capsys, main(["extract", str(file), "--json"]))
    assert f"the limit is {limit:,}" in line

    monkeypatch.setenv("POSTMORTEM_ACTIONS_MAX_BYTES", str(limit + 1))
    assert_contract(extract_json(capsys, str(file)), DOCUMENT)
    places.assert_untouched()


def test_a_bad_size_limit_setting_is_one_readable_line(
    places: Places, docs: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POSTMORTEM_ACTIONS_MAX_BYTES", "5MB")
    line = one_line_error(capsys, main(["extract", str(write(docs, "queue.md", DOCUMENT))]))
    assert "POSTMORTEM_ACTIONS_MAX_BYTES='5MB'" in line


# -- formats and line endings ----------------------------------------------------------------------------


def test_an_html_file_gives_findings_whose_quotes_slice_the_html(
    places: Places, docs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = write(docs, "dns.html", HTML_PAGE)
    findings = extract_json(capsys, str(file))

    assert_contract(findings, HTML_PAGE)
    assert [f["text"] for f in findings] == [
        "Add a resolver latency alert above 200 ms.",
        "Write the resolver failover runbook & drill it.",
    ]
    assert findings[0]["quote"].startswith("Add a resolver latency alert above 200 ms.")
    assert findings[1]["quote"].startswith("Write the resolver failover runbook &amp; drill it.")
    assert all(f["in_section"] for f in findings)


def test_a_crlf_file_has_offsets_into_its_own_text(
    places: Places, docs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    crlf = DOCUMENT.replace("\n", "\r\n")
    file = write(docs, "queue-crlf.md", crlf)
    assert b"\r\n" in file.read_bytes()
    with_crlf = extract_json(capsys, str(file))
    with_lf = extract_json(capsys, str(write(docs, "queue-lf.md", DOCUMENT)))

    assert_contract(with_crlf, crlf)
    assert [f["text"] for f in with_crlf] == [f["text"] for f in with_lf] == DOCUMENT_TEXTS
    for cr, lf in zip(with_crlf, with_lf, strict=True):
        assert "\r" not in cr["quote"]
        assert cr["quote"] == lf["quote"]
        assert cr["start"] == lf["start"] + DOCUMENT[: lf["start"]].count("\n")
        assert cr["end"] - cr["start"] == lf["end"] - lf["start"]


def test_a_utf16_file_is_read(places: Places, docs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = write(docs, "queue-utf16.md", DOCUMENT.encode("utf-16"))
    findings = extract_json(capsys, str(file))
    assert_contract(findings, DOCUMENT)
    assert [f["text"] for f in findings] == DOCUMENT_TEXTS


# -- the installed console script -------------------------------------------------------------------------


@pytest.mark.slow
def test_the_console_script_prints_the_json_contract_and_stores_nothing(places: Places, docs: Path) -> None:
    script = Path(sys.executable).parent / "postmortem-actions"
    assert script.is_file(), f"the console script is not installed beside {sys.executable}"
    file = write(docs, "queue.md", DOCUMENT)
    env = {k: v for k, v in os.environ.items() if not k.startswith("POSTMORTEM_ACTIONS_")}
    env.update(
        POSTMORTEM_ACTIONS_DB=str(places.env_db), XDG_DATA_HOME=str(places.xdg), POSTMORTEM_ACTIONS_USER="tester"
    )

    done = subprocess.run(
        [str(script), "extract", str(file), "--json"],
        capture_output=True,
        timeout=CLI_TIMEOUT_S,
        check=False,
        env=env,
        cwd=docs,
    )

    assert done.returncode == 0, done.stderr
    assert done.stderr == b""
    findings = json.loads(done.stdout.decode("utf-8"))
    assert_contract(findings, file.read_bytes().decode("utf-8"))
    assert [f["text"] for f in findings] == DOCUMENT_TEXTS
    places.assert_untouched()
