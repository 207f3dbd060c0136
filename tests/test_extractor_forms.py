"""Issue 15's extraction rules, each on a small document written for it: the author's own category in a type
column, references and non-deadline dates in a due column, inline action markers anywhere, sections that split the
response from the improvements, and lists introduced by a sentence."""

from __future__ import annotations

from postmortem_actions.store.records import Category
from postmortem_actions.tools.extraction.extractor import extract
from postmortem_actions.tools.extraction.models import Finding


def found(text: str) -> list[Finding]:
    findings = list(extract(text))
    assert all(text[f.start : f.end] == f.quote for f in findings)
    return findings


def texts(text: str) -> list[str]:
    return [f.text for f in found(text)]


# -- tables ----------------------------------------------------------------------------------------------

AUTHOR_TYPES = """\
## Action items

| Action | Type | Owner |
| --- | --- | --- |
| Add canary analysis to deploys | Prevention | @sam |
| Page on error budget burn | Detection | @lee |
| Shorten the database failover | mitigate | @dana |
| Restore the deleted backups | Repair | @ops |
| Write the customer communication template | Docs | @kim |
| Hold a blameless review training | Process | @hr |
| Add a dashboard for queue depth | Mitigate | @dana |
"""


def test_the_type_column_maps_the_authors_words_onto_our_categories() -> None:
    assert [f.category for f in found(AUTHOR_TYPES)] == [
        Category.PREVENT,
        Category.DETECT,
        Category.MITIGATE,
        Category.MITIGATE,
        Category.PROCESS,
        Category.PROCESS,
        Category.MITIGATE,  # the author's own word wins over the guess a dashboard would get
    ]


DUE_COLUMN = """\
## Follow-ups

| Task | Owner | Due | Ticket |
| --- | --- | --- | --- |
| Add canary analysis to deploys | @sam | Bug 5554823 | |
| Alert on error budget burn | @lee | until the freeze ends on 2024-06-30 | |
| Restore the deleted backups | @ops | since 2024-04-01 | |
| Rate limit the admin API | @kim | 2024-07-15 | Issue 48213 |
"""


def test_a_reference_in_the_due_column_is_a_ticket_and_a_date_that_is_no_deadline_is_no_due_date() -> None:
    canary, alert, backups, limit = found(DUE_COLUMN)
    assert (canary.due, canary.ticket) == (None, "Bug 5554823")
    assert alert.due is None
    assert backups.due is None
    assert (limit.due, limit.ticket) == ("2024-07-15", "Issue 48213")


def test_a_freeze_date_in_prose_is_not_the_due_date() -> None:
    doc = "## Action items\n\n- Deploys stay frozen until 2024-06-30; then add the canary stage by 2024-07-31.\n"
    assert [f.due for f in found(doc)] == ["2024-07-31"]
    doc = "## Action items\n\n- Add the canary stage (blocked since 2024-04-01).\n"
    assert [f.due for f in found(doc)] == [None]
