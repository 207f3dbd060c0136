"""Issue 15, stop 23 (set Z): a post-mortem kept as one numbered outline ("7. Preventative Measures" over its
measures, no colon, no bold), in Markdown and as Word writes it, where a sub-item under "7. " must be indented past
the number to stay its sub-item."""

from __future__ import annotations

import io

import docx

from postmortem_actions.tools.extraction.extractor import extract
from postmortem_actions.tools.extraction.readers.docx import docx_to_text

OUTLINE = """\
# Gap in the accession of partner items

1. Incident Summary
   - Partner items had not been accessioned since February 6th.
2. Resolution and Recovery
   - K Friedman moved the files back and restarted the harvester.
3. Preventative Measures
   - Recommend a formal change request process for changes to cross-partner functionality
   - Alert when no partner file arrives for a day
4. Tracking of Preventative Measures
   - K Sweeney will create a Jira ticket for activity monitoring
"""


def texts(text: str, name: str = "pm.md") -> list[str]:
    return [finding.text for finding in extract(text, name)]


def test_a_numbered_outline_item_naming_the_measures_heads_its_sub_items() -> None:
    assert texts(OUTLINE) == [
        "Recommend a formal change request process for changes to cross-partner functionality",
        "Alert when no partner file arrives for a day",
        "K Sweeney will create a Jira ticket for activity monitoring",
    ]


def test_an_outline_item_that_is_a_task_or_a_sentence_is_not_a_label() -> None:
    tasks = "1. Improve the alerts\n   - Page on queue depth\n2. Preventive measures were taken.\n   - None\n"
    assert "None" not in texts(tasks)
    assert texts("Intro.\n\n" + tasks) == texts("Intro.\n\n" + tasks.replace("   - ", "   * "))


def test_word_indents_a_sub_item_past_its_parents_number() -> None:
    document = docx.Document()
    document.add_heading("Gap in the accession of partner items", 1)
    document.add_paragraph("Preventative Measures", style="List Number")
    document.add_paragraph("Alert when no partner file arrives for a day", style="List Bullet 2")
    out = io.BytesIO()
    document.save(out)
    text = docx_to_text(out.getvalue(), "pm.docx", 200_000)
    assert "1. Preventative Measures\n   - Alert" in text
    assert texts(text, "pm.docx") == ["Alert when no partner file arrives for a day"]
