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
    doc = "## Action items\n\n- Move traffic away from the old cluster by 2024-05-01.\n"
    assert [f.due for f in found(doc)] == ["2024-05-01"]


# -- inline action markers -------------------------------------------------------------------------------

MARKERS = """\
# Cache outage

## Summary

The cache ran out of memory for an hour. Action point: Bob to add a memory alert on the cache cluster. We restarted.
TODO: document the cache eviction settings in the runbook.
Follow-up: review the cache sizing with the capacity team.

## Analysis

The eviction policy was wrong. AI: Priya to switch the eviction policy to allkeys-lru.
Followup: add a load test for the cache tier.
Action item: schedule a chaos test of cache node loss.
- AI (Sam): add a canary for cache config changes.

## Action Items

TODO: Add a dashboard for cache hit rate (owner: @sam, by 2024-06-01)
- Rotate the cache credentials.
"""


def test_markers_open_actions_in_any_section_with_the_owner_they_name() -> None:
    findings = found(MARKERS)
    assert [f.text for f in findings] == [
        "Bob to add a memory alert on the cache cluster.",
        "document the cache eviction settings in the runbook.",
        "review the cache sizing with the capacity team.",
        "Priya to switch the eviction policy to allkeys-lru.",
        "add a load test for the cache tier.",
        "schedule a chaos test of cache node loss.",
        "add a canary for cache config changes.",
        "Add a dashboard for cache hit rate (owner: @sam, by 2024-06-01)",
        "Rotate the cache credentials.",
    ]
    assert all(f.in_section for f in findings)
    assert [f.owner for f in findings][:8] == ["Bob", None, None, "Priya", None, None, "Sam", "@sam"]
    assert findings[7].due == "2024-06-01"
    assert {f.placement for f in findings[:8]} == {"marker"}


TRAPS = """\
# Outage

## Chat log

Bob: is the cache down?
AI: Restart node 3 and check memory.
Bob: ok, restarting.

## Assistant transcript

User: what happened?
AI: Add more memory to the cache.

## Timeline

- 10:02 TODO: page the cache on-call
- 10:05 Action item: Bob to restart node 3

## Notes

```
# TODO: remove this hack
AI: placeholder
```

We grep for `TODO:` comments in the codebase. The term AI: artificial intelligence in our docs.
AI: It looks like the memory is exhausted.
AI: is the alert wired up?
Ai: Add an alert.
Follow-up: on March 5 the vendor confirmed the fix.
TODO: none
> Action item: rotate every key (quoted from the vendor's report).
"""


def test_chat_logs_timelines_code_quotes_and_remarks_are_not_marked_actions() -> None:
    assert found(TRAPS) == []


def test_a_speaker_line_or_two_names_make_a_section_a_chat_log_but_field_lines_do_not() -> None:
    from postmortem_actions.tools.extraction.markers import chat_like

    assert chat_like("alice: hi\nbob: hello\n")
    assert chat_like("[10:02] <alice> is it down?\n[10:03] <bob> yes\n")
    assert chat_like("Assistant: sure\n")
    assert not chat_like("Owner: Dana\nStatus: open\nDue: 2024-05-01\n")
    assert not chat_like("alice: one speaker only\n")


# -- sections and lists introduced by a sentence -----------------------------------------------------------

SECTIONS = """\
# Outage

## Immediate fixes

- Restarted the replication process.
- Rolled back the configuration change.

## Mitigation

- Failed over to the secondary region.

## What we did

- Drained the bad node.

## Short-term improvements

- Add an alert on replication lag above 30 seconds.

## Long-term improvements

- Move the write path behind a circuit breaker.

## Preventive measures

- Add a pre-deploy check for configuration changes.

## Discussion

After reviewing the incident we will make the following changes:

- Run a failover drill every quarter.
- Require two reviewers for database configuration changes.

The responders did the following:

- Paged the DBA.

## Resolution

To prevent a recurrence, we are going to:
1. Add a replica lag check to the deploy gate.
"""


def test_immediate_fixes_are_the_response_and_improvements_are_follow_ups() -> None:
    assert texts(SECTIONS) == [
        "Add an alert on replication lag above 30 seconds.",
        "Move the write path behind a circuit breaker.",
        "Add a pre-deploy check for configuration changes.",
        "Run a failover drill every quarter.",
        "Require two reviewers for database configuration changes.",
        "Add a replica lag check to the deploy gate.",
    ]


def test_immediate_actions_under_a_remediation_heading_stay_follow_ups() -> None:
    doc = "## Remediation\n\n### Immediate fixes\n\n- Rolled back the configuration change.\n"
    assert texts(doc) == ["Rolled back the configuration change."]


def test_a_bold_label_without_a_colon_opens_a_follow_up_list() -> None:
    doc = "# Outage\n\n## Summary\n\nThe queue backed up.\n\n**Action items**\n\n- Add a queue depth alert.\n"
    assert texts(doc) == ["Add a queue depth alert."]
    doc = "# Outage\n\n## Summary\n\n**Background.**\n\n- The queue is old.\n"
    assert texts(doc) == []


def test_hostile_marker_runs_stay_linear() -> None:
    import time

    for hostile in (
        "# T\n\n" + "AI: " * 100_000,
        "# T\n\n" + "TODO: add the alert now.\n" * 20_000,
        "# T\n\n" + "bob: hi\nAI: Add it.\n" * 20_000,
        "# T\n\n" + "Action point: (" * 50_000,
    ):
        started = time.perf_counter()
        extract(hostile)
        assert time.perf_counter() - started < 10.0


# -- fitted on sets E and F (issue 15): constructs the readers or rules mishandled ----------------------------


def test_an_introducing_sentence_wrapped_over_lines_opens_its_list() -> None:
    doc = (
        "# Disk full\n\nThe volume filled at night.\n\n"
        "After this, the changes we will make to the storage\nservice over the next quarter include:\n\n"
        "1. Alerting at 80% of volume capacity\n2. Rotating the logs every day\n"
    )
    assert texts(doc) == ["Alerting at 80% of volume capacity", "Rotating the logs every day"]


def test_a_named_team_introducing_a_list_commits_to_it() -> None:
    doc = (
        "# Disk full\n\nThe volume filled.\n\nOver the next months, the SRE team will be reviewing:\n\n"
        "- Quotas on shared volumes\n- Log retention settings\n\n"
        "The following graphs show the growth:\n\n- Volume size per day\n"
    )
    assert texts(doc) == ["Quotas on shared volumes", "Log retention settings"]


def test_an_item_ending_in_including_is_an_action_and_so_are_its_parts() -> None:
    doc = (
        "## Action items\n\n- Harden the backup pipeline, including\n"
        "  - Nightly checks of the last backup's size\n  - Regularly restoring a backup on a spare host\n"
        "- Rewrite the runbook\n  - the current one predates the migration\n"
    )
    assert texts(doc) == [
        "Harden the backup pipeline, including",
        "Nightly checks of the last backup's size",
        "Regularly restoring a backup on a spare host",
        "Rewrite the runbook",
    ]


def test_a_heading_asking_what_we_can_do_to_improve_is_a_follow_up_section() -> None:
    doc = (
        "# Outage\n\n## What can we do to improve?\n\n* Lock the load balancer's address against deletion.\n\n"
        "## What can you do?\n\n* Retry your failed builds.\n"
    )
    assert texts(doc) == ["Lock the load balancer's address against deletion."]
    doc = "# Outage\n\n## How could we do better\n\n- Page the on-call engineer for disk alerts.\n"
    assert texts(doc) == ["Page the on-call engineer for disk alerts."]


def test_a_heading_naming_the_weeks_after_the_incident_is_a_follow_up_section() -> None:
    doc = (
        "# Relay outage\n\n## The following 3 weeks\n\nThe work went on after that day.\n\n"
        "- Added load shedding to the relay\n- Wrote a load test for the relays\n\n"
        "## The following morning\n\n- Restarted the relays\n"
    )
    assert texts(doc) == ["Added load shedding to the relay", "Wrote a load test for the relays"]


def test_a_section_of_proposals_being_considered_is_a_follow_up_section() -> None:
    doc = (
        "# Outage\n\n## Things being considered\n\n- Mandatory disk health exports on new hosts.\n\n"
        "## Things that went well\n\n- The team worked well together.\n"
    )
    assert texts(doc) == ["Mandatory disk health exports on new hosts."]


def test_a_status_or_proposer_label_before_a_task_leaves_it_a_task() -> None:
    doc = (
        "# Fork\n\n## Action items\n\n**Done**: Generate test alerts every week on the test network.\n\n"
        "Idea from Dana: encourage exchanges to run the majority version.\n\n"
        "Root cause: the lock table was too small.\n"
    )
    findings = found(doc)
    assert [f.quote[:20] for f in findings] == ["**Done**: Generate t", "Idea from Dana: enco"]
    assert [f.done for f in findings] == [True, False]


def test_an_adverb_or_pre_before_the_verb_is_still_an_imperative_sub_task() -> None:
    doc = (
        "## Action items\n\n- Rewrite the restore runbook\n"
        "  - Regularly test a backup on a spare host\n  - Pre-generate the restore credentials\n"
        "  - the old one predates the migration\n"
    )
    assert texts(doc) == [
        "Rewrite the restore runbook",
        "Regularly test a backup on a spare host",
        "Pre-generate the restore credentials",
    ]


def test_a_topic_sub_heading_over_a_story_is_not_one_action() -> None:
    doc = (
        "# Fork\n\n## Action items\n\n### Double spending\n\n"
        "A double spend was accepted by one exchange. A solution is for nodes to share their mempools at startup.\n"
    )
    assert texts(doc) == ["A solution is for nodes to share their mempools at startup."]
    doc = "# Fork\n\n## Action items\n\n### Alerts\n\n**Done**: Review who holds the alert keys.\n"
    assert [(f.quote, f.done) for f in found(doc)] == [("Alerts\n\n**Done**: Review who holds the alert keys.", True)]


def test_an_umbrella_sentence_making_several_changes_is_not_an_action() -> None:
    doc = (
        "# Breach\n\n## What we are changing\n\n"
        "As a result we are making several changes to our hosts. These include:\n\n- Rotating the backup keys.\n"
    )
    assert texts(doc) == ["Rotating the backup keys."]


def test_a_gerund_item_with_a_second_gerund_sentence_is_two_actions() -> None:
    doc = (
        "## Changes we are making\n\n"
        "- Rotating the backup keys, one per host. Also enforcing a forced command for each key.\n"
        "- Moving the mirror to its own host. Nothing else runs there.\n"
    )
    assert texts(doc) == [
        "Rotating the backup keys, one per host.",
        "Also enforcing a forced command for each key.",
        "Moving the mirror to its own host. Nothing else runs there.",
    ]


def test_an_item_ending_in_a_colon_over_its_own_code_block_is_an_action() -> None:
    doc = (
        "## Follow-ups\n\n- Serve the tracker behind a proxy with these rules:\n\n"
        "  ```\n  ProxyPass /popup !\n  ```\n\n- Tooling:\n  - Add a config linter\n"
    )
    assert texts(doc) == ["Serve the tracker behind a proxy with these rules", "Add a config linter"]


def test_a_see_link_for_details_is_reading_matter_not_a_tracked_problem() -> None:
    doc = (
        "# Outage\n\n## Root cause\n\nThe client ignored the default cluster alias. "
        "See https://example.org/pull/12 for more context.\n\n"
        "The scheduler leaks memory. See https://example.org/issues/7 which tracks it.\n"
    )
    assert [f.ticket for f in found(doc)] == ["https://example.org/issues/7"]


def test_a_pasted_chat_log_and_a_misspelt_appendix_are_not_read_for_actions() -> None:
    doc = (
        "# Flaky CI\n\n## Action items\n\n- Add an alert on throttled disk writes.\n\n"
        "## Appendinx\n\nWe will move the jobs to bigger disks.\n\n"
        "## Support chat log\n\nI'll add more nodes now.\n\nWe should set a global concurrency limit.\n"
    )
    assert texts(doc) == ["Add an alert on throttled disk writes."]


def test_telling_users_is_communication_even_when_it_says_alert_or_status_page() -> None:
    from postmortem_actions.tools.extraction.categories import categorise

    assert categorise("Send a series of alerts to users of older versions, pointing to the upgrade notes.")[0] == (
        Category.PROCESS
    )
    assert categorise("Move the status page outside our main data centres so users can still see it.")[0] == (
        Category.PROCESS
    )
    assert categorise("Link the status page to our monitoring so it turns red on its own.")[0] == Category.DETECT
    assert categorise("Onboarded two more engineers to the on-call work.")[0] == Category.PROCESS
    assert categorise("Crosstraining contractors in all critical services.")[0] == Category.PROCESS
    assert categorise("Follow up on the support ticket with our hosting vendor.")[0] == Category.PROCESS
    assert categorise("Raise funds to replace the oldest storage servers.")[0] == Category.PROCESS


def test_thanks_worded_as_a_wish_is_not_a_commitment() -> None:
    doc = (
        "# Compromise\n\n## Summary\n\nThe old host was retired.\n\n"
        "I would like to extend thanks to our sponsor for funding the migration. "
        "We would like to move the mirrors to the new host.\n"
    )
    assert texts(doc) == ["We would like to move the mirrors to the new host."]


def test_a_templates_italic_guidance_in_a_follow_up_section_is_not_an_item() -> None:
    doc = (
        "# Outage\n\n## Follow-up tasks\n\n*List any tasks we should complete for this incident*\n\n"
        "- Add a connection-surge alert\n\nWe will rotate the *signing* keys.\n"
    )
    assert texts(doc) == ["Add a connection-surge alert", "We will rotate the *signing* keys."]


def test_working_closely_with_others_to_do_something_is_a_commitment() -> None:
    doc = (
        "# Attack\n\n## Summary\n\nThe wiki was defaced.\n\n"
        "We are working closely with our hosting partners to move the wiki to a static site. "
        "We were working with them to restore it.\n"
    )
    assert texts(doc) == ["We are working closely with our hosting partners to move the wiki to a static site."]


def test_a_second_sentence_opening_and_also_with_a_verb_is_a_second_action() -> None:
    doc = (
        "## Action items\n\n- Ensure the facilities team tells more than one of us about planned outages. "
        "And also ensure we notify our customers of such outages.\n"
    )
    assert texts(doc) == [
        "Ensure the facilities team tells more than one of us about planned outages.",
        "And also ensure we notify our customers of such outages.",
    ]


def test_hostile_inputs_for_the_fitted_rules_stay_linear() -> None:
    import time

    for hostile in (
        "## Action items\n\n" + "- Harden it, including\n  - Regularly audit it\n" * 20_000,
        "## Action items\n\n" + "*List any tasks*\n\n**Done**: Pre-generate alerts.\n\n" * 20_000,
        "# T\n\n" + "We are working with " + "a " * 200_000 + "\n",
        "# T\n\n" + "the changes we will make\n" * 20_000 + "include:\n\n- Add it\n",
        "## Follow-ups\n\n" + "- Serve it with these rules:\n" + "\n" * 200_000 + "```\nx\n```\n",
        # a sentence of spaces in a follow-up section: the done-step pattern took seconds for each (review)
        "## Action items\n\n" + ("'" + " " * 1_400 + "x y z.\n\n") * 70,
        "## Action items\n\n'" + " " * 20_000 + "x y z.\n",
    ):
        started = time.perf_counter()
        extract(hostile)
        assert time.perf_counter() - started < 10.0
