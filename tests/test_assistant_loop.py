"""bench/assistant_loop.py: the prompts it renders for a labelled corpus are the server's extract_actions prompts for
those documents, read as `add` reads them, and its scoring hands every document's candidates to the corpus's scorer.
"""

from __future__ import annotations

import importlib.util
import io
import json
from pathlib import Path
from types import ModuleType

import docx

from postmortem_actions.server.mcp.extraction import extraction_prompt

ROOT = Path(__file__).resolve().parents[1]
MARKDOWN = "# Cache outage\n\nThe cache fell over.\n\n## Action items\n\n- Add an alert on cache hit ratio below 80%\n"
GOLD = {"source": "test", "title": "t", "actions": []}


def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("assistant_loop", ROOT / "bench" / "assistant_loop.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def corpus(folder: Path) -> Path:
    folder.mkdir()
    (folder / "cache.md").write_text(MARKDOWN, encoding="utf-8")
    (folder / "cache.gold.json").write_text(json.dumps(GOLD), encoding="utf-8")
    word = docx.Document()
    word.add_heading("Action items", level=2)
    word.add_paragraph("Write a runbook for failing over the primary database", style="List Bullet")
    data = io.BytesIO()
    word.save(data)
    (folder / "word.docx").write_bytes(data.getvalue())
    (folder / "word.gold.json").write_text(json.dumps(GOLD), encoding="utf-8")
    (folder / "notes.md").write_text("Not labelled, so not rendered.\n", encoding="utf-8")
    return folder


def test_each_labelled_document_gets_the_servers_prompt_and_a_word_file_is_read_as_add_reads_it(
    tmp_path: Path,
) -> None:
    loop = bench()
    out = tmp_path / "out"
    assert loop.render(corpus(tmp_path / "corpus"), out, no_findings=False) == 2

    assert sorted(p.name for p in out.iterdir()) == ["BRIEF.md", "cache.prompt.md", "word.prompt.md"]
    cache = (out / "cache.prompt.md").read_text(encoding="utf-8")
    assert cache == extraction_prompt(1, "cache", MARKDOWN, "cache.md")
    assert "found the 1 follow-up(s)" in cache
    assert "1. [detect] Add an alert on cache hit ratio below 80%" in cache
    word = (out / "word.prompt.md").read_text(encoding="utf-8")
    assert "- Write a runbook for failing over the primary database" in word.split("The document:")[1]
    assert "PK\x03\x04" not in word  # the text Word's file holds, not its bytes
    assert "NAME.candidates.json" in (out / "BRIEF.md").read_text(encoding="utf-8")


def test_without_findings_the_prompt_keeps_its_instructions_and_document_and_lists_nothing(tmp_path: Path) -> None:
    loop = bench()
    source = corpus(tmp_path / "corpus")
    loop.render(source, tmp_path / "with", no_findings=False)
    loop.render(source, tmp_path / "without", no_findings=True)

    full = (tmp_path / "with" / "cache.prompt.md").read_text(encoding="utf-8")
    bare = (tmp_path / "without" / "cache.prompt.md").read_text(encoding="utf-8")
    assert "found the 0 follow-up(s)" in bare
    assert "\n\n(none found)\n\nThe document:\n\n" in bare
    assert "1. [detect]" not in bare
    assert bare.split("The document:")[1] == full.split("The document:")[1]
    assert bare.split("The server's extractor found")[0] == full.split("The server's extractor found")[0]


def test_scoring_hands_every_documents_candidates_to_the_corpus_scorer_and_a_missing_answer_is_none_found(
    tmp_path: Path,
) -> None:
    loop = bench()
    source = corpus(tmp_path / "corpus")
    out = tmp_path / "out"
    out.mkdir()
    answer = [{"text": "Alert on hit ratio", "quote": "Add an alert", "category": "detect", "vague": 0, "x": 1}]
    (out / "cache.candidates.json").write_text(json.dumps(answer), encoding="utf-8")
    scorer = tmp_path / "echo_score.py"  # stands in for the corpus's score.py: prints what it was given
    scorer.write_text(
        "import json, sys\nprint('ignored line')\nprint(json.dumps({'corpus': sys.argv[1], "
        "'predictions': json.load(open(sys.argv[2]))}))\n",
        encoding="utf-8",
    )

    line = json.loads(loop.score(source, out, scorer, verbose=False))

    assert line["corpus"] == str(source)
    assert line["predictions"] == {
        "cache": [{"text": "Alert on hit ratio", "quote": "Add an alert", "category": "detect", "vague": False}],
        "word": [],
    }
