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


def test_a_label_over_response_steps_questions_or_what_already_is_heads_nothing() -> None:
    response = "## Resolution\n\n1. Immediate remediation\n   - Stopped the second cron run\n"
    timeline = "## Timeline\n\n- 02:10 Export starts\n- Preventive actions discussed\n  - Disable the standby cron\n"
    questions = "## Notes\n\n- Open follow-up questions\n  - Why did the standby keep its crontab?\n"
    existing = "## Background\n\n- Existing preventive measures\n  - Nightly backups of the export table\n"
    for text in (response, timeline, questions, existing):
        assert texts("# Export outage\n\n" + text) == [], text


def test_word_starts_each_list_afresh() -> None:
    document = docx.Document()
    for n in range(10):
        document.add_paragraph(f"Step {n}", style="List Number")
    document.add_paragraph("Measures", style="List Number")
    document.add_paragraph("Add a lock around the export", style="List Bullet 2")
    document.add_heading("Later", 1)
    document.add_paragraph("Revoke the old keys", style="List Bullet 2")  # a list that opens one level down
    out = io.BytesIO()
    document.save(out)
    text = docx_to_text(out.getvalue(), "pm.docx", 200_000)
    assert "11. Measures\n    - Add a lock" in text
    assert "# Later\n\n  - Revoke the old keys" in text  # not under the "11. " of the list before the heading
