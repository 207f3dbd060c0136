"""bench/assistant_loop.py: the prompts it renders for a labelled corpus are the server's extract_actions prompts for
those documents as `add` stores them, and its scoring hands every document's candidates to the corpus's scorer and
says what it could not score.
"""

from __future__ import annotations

import importlib.util
import io
import json
import re
import sys
from pathlib import Path
from types import ModuleType

import docx
import pytest

ROOT = Path(__file__).resolve().parents[1]
MARKDOWN = "# Cache outage\n\nThe cache fell over.\n\n## Action items\n\n- Add an alert on cache hit ratio below 80%\n"
GOLD = json.dumps({"source": "test", "title": "t", "actions": []})


def bench() -> ModuleType:
    if str(ROOT / "bench") not in sys.path:
        sys.path.insert(0, str(ROOT / "bench"))  # as when it runs as a script: it imports bench/extraction.py
    spec = importlib.util.spec_from_file_location("assistant_loop", ROOT / "bench" / "assistant_loop.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def labelled(folder: Path, name: str, body: bytes) -> None:
    folder.mkdir(exist_ok=True)
    (folder / name).write_bytes(body)
    (folder / f"{name.rsplit('.', 1)[0]}.gold.json").write_text(GOLD, encoding="utf-8")


def corpus(folder: Path) -> Path:
    labelled(folder, "cache.md", MARKDOWN.encode())
    word = docx.Document()
    word.add_heading("Action items", level=2)
    word.add_paragraph("Write a runbook for failing over the primary database", style="List Bullet")
    data = io.BytesIO()
    word.save(data)
    labelled(folder, "word.docx", data.getvalue())
    (folder / "notes.md").write_text("Not labelled, so not rendered.\n", encoding="utf-8")
    return folder


def document_of(prompt: str) -> str:
    return prompt.split("The document:\n\n", 1)[1].split("\n", 1)[1].rsplit("\n```", 1)[0]


def test_each_labelled_document_gets_the_servers_prompt_with_the_text_and_title_add_stores(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert bench().render(corpus(tmp_path / "corpus"), out, no_findings=False) == 2

    assert sorted(p.name for p in out.iterdir()) == ["BRIEF.md", "cache.prompt.md", "word.prompt.md"]
    cache = (out / "cache.prompt.md").read_text(encoding="utf-8")
    assert cache.startswith('Extract every proposed follow-up action from postmortem 1 ("Cache outage")')
    assert "found the 1 follow-up(s)" in cache
    assert "1. [detect] Add an alert on cache hit ratio below 80%" in cache
    assert document_of(cache) == MARKDOWN
    word = (out / "word.prompt.md").read_text(encoding="utf-8")
    assert "- Write a runbook for failing over the primary database" in document_of(word)
    assert "PK\x03\x04" not in word  # the text Word's file holds, not its bytes
    assert "NAME.candidates.json" in (out / "BRIEF.md").read_text(encoding="utf-8")


def test_line_ends_stay_as_stored_a_byte_order_mark_goes_and_odd_names_are_found(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    crlf = "# Queue outage\r\n\r\n## Action items\r\n\r\n- Add an alert on queue depth\r\n"
    labelled(folder, "inc[1].md", b"\xef\xbb\xbf" + crlf.encode())
    labelled(folder, "v1.2-outage.md", MARKDOWN.encode())

    assert bench().render(folder, tmp_path / "out", no_findings=False) == 2
    assert document_of((tmp_path / "out" / "inc[1].prompt.md").read_bytes().decode()) == crlf
    assert (tmp_path / "out" / "v1.2-outage.prompt.md").exists()


def test_a_label_without_its_document_is_named_and_two_documents_for_one_label_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    loop = bench()
    folder = corpus(tmp_path / "corpus")
    (folder / "lost.gold.json").write_text(GOLD, encoding="utf-8")
    assert [p.name for p in loop.documents(folder)] == ["cache.md", "word.docx"]
    assert "lost.gold.json: no document `add` reads beside it" in capsys.readouterr().err

    (folder / "cache.html").write_text("<h2>Action items</h2><ul><li>Add an alert</li></ul>", encoding="utf-8")
    with pytest.raises(ValueError, match=re.escape("cache has two documents: cache.html, cache.md")):
        loop.documents(folder)


def test_without_findings_the_prompt_keeps_its_instructions_and_document_and_lists_nothing(tmp_path: Path) -> None:
    loop = bench()
    folder = tmp_path / "corpus"
    text = "# coverage_gap and record_candidates\n\n## Action items\n\n- Add an alert on cache hit ratio\n"
    labelled(folder, "coverage_gap.md", text.encode())
    loop.render(folder, tmp_path / "with", no_findings=False)
    loop.render(folder, tmp_path / "without", no_findings=True)

    full = (tmp_path / "with" / "coverage_gap.prompt.md").read_text(encoding="utf-8")
    bare = (tmp_path / "without" / "coverage_gap.prompt.md").read_text(encoding="utf-8")
    assert "found the 0 follow-up(s)" in bare
    assert "\n\n(none found)\n\nThe document:\n\n" in bare
    assert "1. [detect]" in full
    assert "1. [detect]" not in bare
    assert document_of(bare) == document_of(full) == text
    assert bare.split("The server's extractor found")[0] == full.split("The server's extractor found")[0]


def echo_scorer(folder: Path) -> Path:
    scorer = folder / "echo_score.py"  # stands in for the corpus's score.py: prints what it was given
    scorer.write_text(
        "import json, sys\nprint('ignored line')\nprint(json.dumps({'corpus': sys.argv[1], "
        "'predictions': json.load(open(sys.argv[2]))}))\n",
        encoding="utf-8",
    )
    return scorer


def test_scoring_hands_every_documents_candidates_to_the_scorer_and_names_what_it_could_not_score(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    loop = bench()
    source = corpus(tmp_path / "corpus")
    out = tmp_path / "out"
    out.mkdir()
    answer = [{"text": "Alert on hit ratio", "quote": "Add an alert", "category": "detect", "vague": False, "x": 1}]
    (out / "cache.candidates.json").write_text(json.dumps(answer), encoding="utf-8")
    (out / "cache.md.candidates.json").write_text("[]", encoding="utf-8")

    line = json.loads(loop.score(source, out, echo_scorer(tmp_path), verbose=False))

    assert line["corpus"] == str(source)
    assert line["predictions"] == {
        "cache": [{"text": "Alert on hit ratio", "quote": "Add an alert", "category": "detect", "vague": False}],
        "word": [],
    }
    err = capsys.readouterr().err
    assert "word.candidates.json: missing; word.docx scores as none found" in err
    assert "cache.md.candidates.json: no labelled document of that name; not scored" in err


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ([{"text": "t", "quote": "q", "category": "detect", "vague": "false"}], "vague is 'false', not true or false"),
        ([{"text": "t", "quote": "q", "category": "detect"}], "item 0 lacks text, quote, category or vague"),
        ({"text": "t"}, "not a JSON list"),
        ([{"text": "t", "quote": "q", "category": "Detect", "vague": False}], "category is 'Detect', not one of"),
        ([{"text": "t", "quote": 3, "category": "detect", "vague": False}], "text and quote must be strings"),
    ],
)
def test_a_malformed_answer_is_refused_not_scored_as_something_else(
    tmp_path: Path, answer: object, message: str
) -> None:
    loop = bench()
    source = corpus(tmp_path / "corpus")
    out = tmp_path / "out"
    out.mkdir()
    (out / "cache.candidates.json").write_text(json.dumps(answer), encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        loop.score(source, out, echo_scorer(tmp_path), verbose=False)


def test_an_answer_that_is_not_json_and_a_failing_scorer_are_named_with_what_went_wrong(tmp_path: Path) -> None:
    loop = bench()
    source = corpus(tmp_path / "corpus")
    out = tmp_path / "out"
    out.mkdir()
    (out / "cache.candidates.json").write_text("[{'text': 1}", encoding="utf-8")
    with pytest.raises(ValueError, match=r"cache.candidates.json: not JSON"):
        loop.score(source, out, echo_scorer(tmp_path), verbose=False)

    (out / "cache.candidates.json").write_text("[]", encoding="utf-8")
    failing = tmp_path / "failing_score.py"
    failing.write_text("import sys\nsys.exit('cannot open word.md')\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"failed \(exit 1\): cannot open word.md"):
        loop.score(source, out, failing, verbose=False)
