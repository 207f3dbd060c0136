"""Issue 15, stop 21: items written with their assignee first ("ICL to add ...", "Hypha to verify ..."), as
meeting notes give them, are tasks, sub-items included; the owner is proposed only where the name can only be one
(a handle, a team, two names, a code in capitals that is no system's)."""

from __future__ import annotations

from postmortem_actions.tools.extraction.assignees import assignee, is_assigned
from postmortem_actions.tools.extraction.extractor import extract

NOTES = """\
# Build warning on the release binary

## Action Items

* Relay team to update the signing library
  * Team to push up the 2.0.2 tag
  * Hypha to verify 2.0.2 on the test network
  * There may be a security patch that conflicts with this
* ICL to open an issue so that every node halts on the same block
* @dana and Lee to write the upgrade runbook
* Need to add a linker-warning check
"""


def test_an_assignee_first_item_and_its_assignee_first_sub_items_are_tasks_with_that_owner() -> None:
    found = [(f.text, f.owner) for f in extract(NOTES)]
    assert found == [
        ("Relay team to update the signing library", "Relay team"),
        ("Team to push up the 2.0.2 tag", None),
        ("Hypha to verify 2.0.2 on the test network", None),  # a name or a thing: the task, no owner proposed
        ("ICL to open an issue so that every node halts on the same block", "ICL"),
        ("@dana and Lee to write the upgrade runbook", "@dana and Lee"),
        ("Need to add a linker-warning check", None),
    ]


def test_what_is_not_an_assignee_first_task() -> None:
    for item in (
        "Users to be notified by email",  # no task verb
        "Access to the vault was removed",
        "Migration to Postgres finished on Monday",
        "add the alert to the dashboard",  # an imperative, not an assignee
    ):
        assert assignee(item) is None, item
    assert not is_assigned("Users to be notified by email")
    assert not is_assigned("Need to add a check")
    assert is_assigned("Team to push up the tag")
    assert is_assigned("Daniel to investigate the multimaster setup")
    assert assignee("Daniel to investigate the multimaster setup") is None  # a name or a thing: no owner proposed
    assert assignee("@dana to write the runbook") == "@dana"


def test_a_system_a_date_or_a_customer_first_is_no_owner_and_a_customer_is_no_sub_task() -> None:
    doc = (
        "# Outage\n\n## Action items\n\n- Alerts to page on-call when disk is above 80%\n"
        "- CI to block merges without tests\n- Backups to run hourly\n- Q3 to review capacity\n"
        "- SRE to add a disk alert\n\n## Follow-ups\n\n- Improve failover\n"
        "  - Customers to update their DNS\n  - Support to contact affected users\n"
    )
    found = [(f.text, f.owner) for f in extract(doc)]
    assert found == [
        ("Alerts to page on-call when disk is above 80%", None),
        ("CI to block merges without tests", None),
        ("Backups to run hourly", None),
        ("Q3 to review capacity", None),
        ("SRE to add a disk alert", "SRE"),
        ("Improve failover", None),
        ("Support to contact affected users", None),
    ]
