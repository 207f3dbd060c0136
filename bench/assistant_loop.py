"""The extraction as the product runs it: the server's extractor, then an assistant reading the extract_actions
prompt. The extractor alone is timed and scored by bench/extraction.py; this measures what the assistant records.

usage: python bench/assistant_loop.py render CORPUS_DIR OUT_DIR [--no-findings]
       python bench/assistant_loop.py score CORPUS_DIR OUT_DIR [--scorer PATH] [--verbose]

`render` writes OUT_DIR/NAME.prompt.md for every labelled document NAME.EXT of CORPUS_DIR (one with a
NAME.gold.json): the prompt the server gives an assistant for it, read as `add` reads the file (a .docx through its
reader), and OUT_DIR/BRIEF.md, the brief for whoever plays the assistant. --no-findings renders the prompts as if the
extractor had found nothing (what the assistant adds on its own). Play the assistant with any model that has not
seen the labels: give it the brief and the folder, nothing else. It writes OUT_DIR/NAME.candidates.json.

`score` scores those candidates with the corpus's scorer (CORPUS_DIR/../score.py unless --scorer names another)
and prints its JSON line. Nothing here calls a model: the assistant is whoever answers the brief.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Final

from postmortem_actions.server.mcp.extraction import extraction_prompt
from postmortem_actions.tools.extraction.readers.docx import docx_to_text

NOT_DOCUMENTS: Final = (".gold.json", ".docx.txt", ".candidates.json", ".prompt.md")
FOUND: Final = re.compile(r"The server's extractor found the \d+ follow-up\(s\)")
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
    """The labelled documents of a corpus folder: NAME.EXT next to NAME.gold.json, in name order."""
    found = []
    for gold in sorted(corpus.glob("*.gold.json")):
        name = gold.name.removesuffix(".gold.json")
        found += [
            p
            for p in corpus.glob(f"{name}.*")
            if not p.name.endswith(NOT_DOCUMENTS) and p.name.count(".") == name.count(".") + 1
        ][:1]
    return found


def render(corpus: Path, out: Path, no_findings: bool) -> int:
    """Write each labelled document's prompt and the brief; return how many prompts were written."""
    out.mkdir(parents=True, exist_ok=True)
    docs = documents(corpus)
    for number, path in enumerate(docs, start=1):
        text = (
            docx_to_text(path.read_bytes(), path.name, 10**8)
            if path.suffix.lower() == ".docx"
            else path.read_text(encoding="utf-8")
        )
        prompt = extraction_prompt(number, path.stem, text, path.name)
        if no_findings:
            listed = prompt.index("\n\n", prompt.index("coverage_gap")) + 2
            prompt = prompt[:listed] + "(none found)" + prompt[prompt.index("\n\nThe document:\n\n", listed) :]
            prompt = FOUND.sub("The server's extractor found the 0 follow-up(s)", prompt, count=1)
        (out / f"{path.stem}.prompt.md").write_text(prompt, encoding="utf-8")
    (out / "BRIEF.md").write_text(BRIEF, encoding="utf-8")
    return len(docs)


def score(corpus: Path, out: Path, scorer: Path, verbose: bool) -> str:
    """The scorer's JSON line for the candidates in `out` (a document with no candidates file scores as none found).

    Raises:
        subprocess.CalledProcessError: the scorer failed."""
    predictions: dict[str, list[dict[str, object]]] = {}
    for path in documents(corpus):
        answer = out / f"{path.stem}.candidates.json"
        items = json.loads(answer.read_text(encoding="utf-8")) if answer.exists() else []
        predictions[path.stem] = [
            {"text": i["text"], "quote": i["quote"], "category": i["category"], "vague": bool(i["vague"])}
            for i in items
        ]
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
