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

`score` scores those candidates with the corpus's scorer (CORPUS_DIR/../score.py unless --scorer names another)
and prints its JSON line. Nothing here calls a model: the assistant is whoever answers the brief.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Final

from postmortem_actions.server.mcp.extraction import extraction_prompt
from postmortem_actions.store import Actor, Postmortem, Store
from postmortem_actions.tools.document_files import TEXT_SUFFIXES, ReadPolicy
from postmortem_actions.tools.extraction.readers.docx import DOCX_SUFFIX
from postmortem_actions.tools.postmortems import parse_postmortem

READABLE: Final = frozenset([*TEXT_SUFFIXES, DOCX_SUFFIX])
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
            print(f"{gold.name}: no document beside it; left out", file=sys.stderr)
        found += matches
    return found


def stored(path: Path, store: Store) -> Postmortem:
    """The postmortem as `add` stores the file: its text (a .docx's rendering, no byte-order mark) and title."""
    policy = ReadPolicy(allowed_dirs=(path.parent,), max_bytes=MAX_BYTES, named_by_person=True)
    parsed = parse_postmortem(store, Actor(actor="bench", via="assistant_loop"), policy, path=str(path))
    return store.get_postmortem(parsed.postmortem_id)


def render(corpus: Path, out: Path, no_findings: bool) -> int:
    """Write each labelled document's prompt and the brief; return how many prompts were written."""
    out.mkdir(parents=True, exist_ok=True)
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
        ValueError: an item lacks a key or its `vague` is not true or false."""
    items = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(items, list):
        raise ValueError(f"{path.name}: not a JSON list")
    answers: list[dict[str, object]] = []
    for n, item in enumerate(items):
        if not isinstance(item, dict) or not {"text", "quote", "category", "vague"} <= set(item):
            raise ValueError(f"{path.name}: item {n} lacks text, quote, category or vague")
        if not isinstance(item["vague"], bool):
            raise ValueError(f"{path.name}: item {n}'s vague is {item['vague']!r}, not true or false")
        answers.append({key: item[key] for key in ("text", "quote", "category", "vague")})
    return answers


def score(corpus: Path, out: Path, scorer: Path, verbose: bool) -> str:
    """The scorer's JSON line for the candidates in `out`. A document with no candidates file scores as none found
    and is named on stderr, as is a candidates file no document has.

    Raises:
        ValueError: a candidates file is malformed (see `_answers`).
        subprocess.CalledProcessError: the scorer failed."""
    docs = documents(corpus)
    predictions: dict[str, list[dict[str, object]]] = {}
    for path in docs:
        answer = out / f"{path.stem}.candidates.json"
        if not answer.exists():
            print(f"{answer.name}: missing; {path.name} scores as none found", file=sys.stderr)
        predictions[path.stem] = _answers(answer) if answer.exists() else []
    for orphan in sorted(set(out.glob("*.candidates.json")) - {out / f"{p.stem}.candidates.json" for p in docs}):
        print(f"{orphan.name}: no labelled document of that name; not scored", file=sys.stderr)
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(predictions, handle)
    try:
        args = [sys.executable, str(scorer), str(corpus), handle.name] + ["--verbose"] * verbose
        done = subprocess.run(args, capture_output=True, text=True, check=True)
    finally:
        Path(handle.name).unlink()
    if verbose:
        sys.stderr.write(done.stderr)
    return done.stdout.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("step", choices=("render", "score"))
    parser.add_argument("corpus", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--no-findings", action="store_true")
    parser.add_argument("--scorer", type=Path)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    if args.step == "render":
        print(f"{render(args.corpus, args.out, args.no_findings)} prompts in {args.out}")
    else:
        print(score(args.corpus, args.out, args.scorer or args.corpus.parent / "score.py", args.verbose))


if __name__ == "__main__":
    main()
