"""Issue 15, stop 21: a write-up kept as one outline, each part a top-level list item that is only a label
("- **Review actions**:", "- Resolution:"), has its follow-ups under the label that names them."""

from __future__ import annotations

from postmortem_actions.tools.extraction.extractor import extract

OUTLINE = """\
# Incident on 2025-03-18 - node upgrade

- **Key events**
  - First detected 09:36
  - Resolved 12:09

- **Resolution**:
  - The team removed the cordon annotation so pods could be rescheduled.

- **Review actions**:
  - Document a runbook for emergency scaling of a node group.
  - Create a ticket to alert on pending pod count spikes
  - Leads to review token usage:
    - Replace the shared bot with a team-controlled one

- **Lessons**:
  - The on-call rota worked well.
"""


def findings(text: str) -> list[tuple[str, bool]]:
    found = list(extract(text))
    assert all(text[f.start : f.end] == f.quote for f in found)
    return [(f.text, f.in_section) for f in found]


def test_the_sub_items_of_a_label_item_naming_follow_ups_are_follow_ups() -> None:
    assert findings(OUTLINE) == [
        ("Document a runbook for emergency scaling of a node group.", True),
        ("Create a ticket to alert on pending pod count spikes", True),
        ("Replace the shared bot with a team-controlled one", True),
    ]


def test_a_label_item_without_sub_items_heads_the_list_after_it_up_to_the_next_label() -> None:
    doc = (
        "# Leaked token\n\n- **Resolution**:\n\nThe token was revoked.\n\n- **Review actions**:\n\n"
        "1. Speak to the namespace owner\n2. Add `*.out` to gitignore\n\n- **Lessons**:\n- The rota worked.\n"
    )
    assert findings(doc) == [("Speak to the namespace owner", True), ("Add `*.out` to gitignore", True)]


def test_the_label_may_lose_its_bold_as_in_a_word_export() -> None:
    plain = OUTLINE.replace("**", "")
    assert findings(plain) == findings(OUTLINE)


def test_a_numbered_task_ending_in_a_colon_is_not_a_label_that_ends_the_list() -> None:
    doc = (
        "# Leaked token\n\n- **Review actions**:\n\n1. Rotate the deploy keys\n2. Review token usage:\n"
        "    1. Move the CI tokens to the vault\n3. Add a pre-commit secret scan\n"
    )
    assert [text for text, _ in findings(doc)] == [
        "Rotate the deploy keys",
        "Move the CI tokens to the vault",
        "Add a pre-commit secret scan",
    ]


def test_label_items_naming_no_follow_ups_leave_their_items_to_the_narrative() -> None:
    doc = "# Outage\n\n- **Impact**:\n  - Users could not log in.\n  - We lost two hours of writes.\n"
    assert findings(doc) == []


def test_a_label_in_a_flat_outline_heads_no_list_its_siblings_stay_narrative() -> None:
    # One bullet list for the whole write-up: the items after "Action items" are its siblings, not its items.
    doc = (
        "# Incident 42\n\n- **Summary**: the API was down for 2 hours.\n- **Action items**\n- Severity: SEV2\n"
        "- Timeline\n- 14:30 Restart the primary (done)\n- Root cause\n- The deploy removed the index\n"
        "- Make sure you read the runbook before paging\n"
    )
    assert findings(doc) == []
    # a list of its own after the label is its list, and it ends where that list does
    doc = (
        "# Incident 43\n\n- **Review actions**:\n\n1. Add an index check to the deploy\n2. Page on slow queries\n\n"
        "- **Timeline**\n- 14:00 Restart the primary\n"
    )
    assert findings(doc) == [("Add an index check to the deploy", True), ("Page on slow queries", True)]


# Stop 23 (set Y): a page of fixes holding a whole post-mortem, whose own "Prevention" section names its follow-ups.
PAGE_OF_FIXES = """\
# Code Fixes

## Block production halt

### Initial issue

With the chain stalled, we had two options:

1. **Reset the runtime on the relay chain with a build that reverts the change.**
2. **Start a new chain from the last good state.**

### Prevention

- Add an integration test that runs a runtime upgrade on a local relay chain.
"""


def test_a_page_title_worded_as_fixes_does_not_make_its_story_follow_ups() -> None:
    assert [text for text, _ in findings(PAGE_OF_FIXES)] == [
        "Add an integration test that runs a runtime upgrade on a local relay chain."
    ]


def test_a_page_that_is_the_follow_up_list_keeps_its_sub_headings_follow_ups() -> None:
    page = (
        "# Action items\n\n## Monitoring\n\n- Alert when the queue is over 10k.\n\n"
        "## Long-term fixes\n\n- Shard the queue.\n"
    )
    assert [text for text, _ in findings(page)] == ["Alert when the queue is over 10k.", "Shard the queue."]


def test_a_page_of_fixes_with_no_follow_up_section_of_its_own_is_one() -> None:
    page = "# Fixes\n\n## Queue\n\n- Alert when the queue is over 10k.\n\n## Storage\n\n- Shard the queue.\n"
    assert [text for text, _ in findings(page)] == ["Alert when the queue is over 10k.", "Shard the queue."]


def test_a_plan_page_with_a_follow_up_section_right_under_its_title_keeps_its_topic_sections() -> None:
    page = (
        "# Database outage action plan\n\n## Database\n\n- Upgrade Postgres to 15.4\n\n"
        "## Monitoring\n\n- Alert on replication lag above 30 seconds\n\n"
        "## Next steps\n\n- Review the plan on 2024-05-10\n"
    )
    assert [text for text, _ in findings(page)] == [
        "Upgrade Postgres to 15.4",
        "Alert on replication lag above 30 seconds",
        "Review the plan on 2024-05-10",
    ]
