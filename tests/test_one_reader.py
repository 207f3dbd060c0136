"""One Markdown reader: the sections `parse_postmortem` returns and the sections the extractor's findings name come
from the same parse, so every finding's section is one of the document's sections."""

from __future__ import annotations

from pathlib import Path

import pytest

from postmortem_actions.tools.extraction.extractor import extract
from postmortem_actions.tools.extraction.facts import sections

ROOT = Path(__file__).resolve().parents[1]
# The steering team's labelled corpus, where this checkout sits beside it (bench/extraction.py reads it too).
CORPUS = ROOT.parent / "shared" / "corpus" / "dev"

# Where two readers used to disagree: a setext underline right under a paragraph, a heading inside an HTML comment
# or a fence, front matter, and an HTML export.
CASES = {
    "setext-under-paragraph": "Intro line\nSecond line\n---\n\n## Action items\n\n- Add an alert on queue depth.\n",
    "setext-heading": "Outage\n======\n\nFollow-ups\n----------\n\n- Rotate the API keys every 90 days.\n",
    "heading-in-comment": "# Outage\n\n<!--\n## Action items\n-->\n\n## Next steps\n\n- Add a queue alert.\n",
    "heading-in-fence": "# Outage\n\n```\n## Action items\n```\n\n## Follow-up\n\n- Cap retries at five.\n",
    "front-matter": "---\ntitle: x\n---\n# Outage\n\n## Action items\n\n- Page on-call on 5xx above 2%.\n",
    "closing-hashes": "# Outage #\n\n## Action items ##\n\n- Add a queue depth alert.\n\n## C#\n\n- We will port it.\n",
    "emphasis": "# *Big* outage\n\n## **Action** _items_\n\n- Add a queue depth alert.\n",
    "html": "<html><body><h1>Outage</h1><h2>Action <em>items</em> &amp; owners</h2><ul><li>Add a queue alert.</li>"
    "</ul></body></html>",
}


def _documents() -> dict[str, str]:
    found = dict(CASES)
    found["sample"] = (ROOT / "server" / "samples" / "checkout-outage.md").read_text(encoding="utf-8")
    if CORPUS.is_dir():
        found |= {p.name: p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.md"))}
    return found


@pytest.mark.parametrize(("name", "text"), list(_documents().items()), ids=list(_documents()))
def test_every_findings_section_is_among_the_sections_returned(name: str, text: str) -> None:
    findings = extract(text)
    assert findings, name
    names = {s.heading for s in sections(text)} | {""}
    assert {f.section for f in findings} <= names, name
    for finding in findings:
        [section] = [s for s in sections(text) if s.start <= finding.start < s.end]
        assert finding.section == section.heading, (name, finding.text)
