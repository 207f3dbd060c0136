"""The extraction as the product runs it: the server's extractor, then an assistant reading the extract_actions
prompt. The extractor alone is timed and scored by bench/extraction.py; this measures what the assistant records.

usage: python bench/assistant_loop.py render CORPUS_DIR OUT_DIR [--no-findings]
       python bench/assistant_loop.py score CORPUS_DIR OUT_DIR [--scorer PATH] [--verbose]

`render` writes OUT_DIR/NAME.prompt.md for every labelled document NAME.EXT of CORPUS_DIR (one with a
NAME.gold.json): the prompt the server gives an assistant for it, with the text and title `add` stores for the file
(a .docx's rendering, no byte-order mark), and OUT_DIR/BRIEF.md, the brief for whoever plays the assistant.
--no-findings renders the prompts with no findings listed (what the assistant finds on its own). The round after
record_candidates (settling its coverage_gap) is not played. Play the assistant with any model that has not
seen the labels: give it the brief and the folder, nothing else. It writes OUT_DIR/NAME.candidates.json.

`score` scores those candidates with the corpus's scorer (CORPUS_DIR/../score.py unless --scorer names another;
the shared corpus's score.py reads only NAME.md documents) and prints its JSON line. The vague figure scores the
assistant's own flag: record_candidates has no such field, and the product stores the server's lint of the wording
the assistant submits (a rewritten item reads as not vague). Nothing here calls a model: the assistant is whoever
answers the brief.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Final

from extraction import scored  # bench/extraction.py

from postmortem_actions.server.mcp.extraction import extraction_prompt
from postmortem_actions.store import Actor, Category, Postmortem, Store
from postmortem_actions.store.errors import PostmortemActionsError
from postmortem_actions.tools.document_files import TEXT_SUFFIXES, ReadPolicy
from postmortem_actions.tools.extraction.readers.docx import DOCX_SUFFIX
from postmortem_actions.tools.postmortems import parse_postmortem

READABLE: Final = frozenset([*TEXT_SUFFIXES, DOCX_SUFFIX])
CATEGORIES: Final = frozenset(c.value for c in Category)
MAX_BYTES: Final = 50_000_000
BRIEF: Final = """\
You are the AI assistant in a user's editor. For each postmortem in this folder the user said "extract the action
items from this postmortem", and the server gave you NAME.prompt.md. Follow each prompt exactly. Read only the
prompt files: everything you need is in them.

The real workflow ends with record_candidates. Instead, write what you would record to NAME.candidates.json: a JSON
list, one object per action, with the keys text, done_when, problem, category (prevent | detect | mitigate |
process), quote (verbatim from the document in the prompt) and vague (true if you flagged it as too vague to finish
as written). A document with no follow-ups gets [].
"""


def documents(corpus: Path) -> list[Path]:
    """The labelled documents of a corpus folder: NAME.EXT (a document `add` reads) next to NAME.gold.json, in name
    order. A label with no document is reported on stderr and left out (its scorer still counts its actions).

    Raises:
        ValueError: a label has two documents."""
    files = sorted(p for p in corpus.iterdir() if p.is_file())
    found = []
    for gold in (p for p in files if p.name.endswith(".gold.json")):
        name = gold.name.removesuffix(".gold.json")
        matches = [p for p in files if p.stem == name and p.suffix.lower() in READABLE]
        if len(matches) > 1:
            raise ValueError(f"{name} has two documents: {', '.join(p.name for p in matches)}")
        if not matches:
            print(f"{gold.name}: no document `add` reads beside it; left out", file=sys.stderr)
        found += matches
    return found


def stored(path: Path, store: Store) -> Postmortem:
    """The postmortem as `add` stores the file: its text (a .docx's rendering, no byte-order mark) and title.

    Raises:
        DocumentTooLarge, NotText, PathNotAllowed: `add` would refuse the file too."""
    policy = ReadPolicy(allowed_dirs=(path.parent,), max_bytes=MAX_BYTES, named_by_person=True)
    parsed = parse_postmortem(store, Actor(actor="bench", via="assistant_loop"), policy, path=str(path))
    return store.get_postmortem(parsed.postmortem_id)


def render(corpus: Path, out: Path, no_findings: bool) -> int:
    """Write each labelled document's prompt and the brief (earlier prompts in `out` are removed); return how many
    prompts were written.

    Raises:
        ValueError: a label has two documents.
        DocumentTooLarge, NotText, PathNotAllowed: a document `add` would refuse."""
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.prompt.md"):
        old.unlink()
    docs = documents(corpus)
    with tempfile.TemporaryDirectory() as scratch:
        store = Store(Path(scratch) / "bench.db")
        for path in docs:
            pm = stored(path, store)
            prompt = extraction_prompt(pm.id, pm.title, pm.text, pm.source, () if no_findings else None)
            (out / f"{path.stem}.prompt.md").write_text(prompt, encoding="utf-8")
    (out / "BRIEF.md").write_text(BRIEF, encoding="utf-8")
    return len(docs)


def _answers(path: Path) -> list[dict[str, object]]:
    """A candidates file's items as the scorer reads them.

    Raises:
        ValueError: the file is not a JSON list, or an item lacks a key, has a text or quote that is not a string,
            a category that is not one of the four, or a vague that is not true or false."""
    try:
        items = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path.name}: not JSON ({exc})") from exc
    if not isinstance(items, list):
        raise ValueError(f"{path.name}: not a JSON list")
    return [_answer(path.name, n, item) for n, item in enumerate(items)]


def _answer(name: str, n: int, item: object) -> dict[str, object]:
    """One item of a candidates file, checked (see `_answers`)."""
    if not isinstance(item, dict) or not {"text", "quote", "category", "vague"} <= set(item):
        raise ValueError(f"{name}: item {n} lacks text, quote, category or vague")
    if not isinstance(item["text"], str) or not isinstance(item["quote"], str):
        raise ValueError(f"{name}: item {n}'s text and quote must be strings")
    if item["category"] not in CATEGORIES:
        raise ValueError(f"{name}: item {n}'s category is {item['category']!r}, not one of {sorted(CATEGORIES)}")
    if not isinstance(item["vague"], bool):
        raise ValueError(f"{name}: item {n}'s vague is {item['vague']!r}, not true or false")
    return {key: item[key] for key in ("text", "quote", "category", "vague")}


def score(corpus: Path, out: Path, scorer: Path, verbose: bool) -> str:
    """The scorer's JSON line for the candidates in `out`. A document with no candidates file scores as none found
    and is named on stderr, as is a candidates file no document has.

    Raises:
        ValueError: a candidates file is malformed (see `_answers`), or the scorer failed or printed nothing (its
            error output is in the message)."""
    docs = documents(corpus)
    predictions: dict[str, list[dict[str, object]]] = {}
    for path in docs:
        answer = out / f"{path.stem}.candidates.json"
        if not answer.exists():
            print(f"{answer.name}: missing; {path.name} scores as none found", file=sys.stderr)
        predictions[path.stem] = _answers(answer) if answer.exists() else []
    for orphan in sorted(set(out.glob("*.candidates.json")) - {out / f"{p.stem}.candidates.json" for p in docs}):
        print(f"{orphan.name}: no labelled document of that name; not scored", file=sys.stderr)
    return scored(scorer, corpus, predictions, verbose)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("step", choices=("render", "score"))
    parser.add_argument("corpus", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--no-findings", action="store_true")
    parser.add_argument("--scorer", type=Path)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    try:
        if args.step == "render":
            print(f"{render(args.corpus, args.out, args.no_findings)} prompts in {args.out}")
        else:
            print(score(args.corpus, args.out, args.scorer or args.corpus.resolve().parent / "score.py", args.verbose))
    except (ValueError, PostmortemActionsError, OSError) as exc:
        sys.exit(f"assistant_loop: {exc}")


if __name__ == "__main__":
    main()
