"""Rules from the guide found missing on held-out sets G and H (issue 15), each on a small document written for
it: standing rules and outside parties are process, a people's rota is not a log's rotation, one faint word does
not move an item off the default, a heading typed as a plain line opens its list, and "preventing ... from
happening again" names a follow-up section."""

from __future__ import annotations

from pathlib import Path

import pytest

from postmortem_actions.store.records import Category
from postmortem_actions.tools.document_files import ReadPolicy, read_document
from postmortem_actions.tools.extraction.categories import categorise
from postmortem_actions.tools.extraction.extractor import extract
from postmortem_actions.tools.extraction.facts import sections
from postmortem_actions.tools.extraction.lint import lint_action
from postmortem_actions.tools.extraction.purposes import purpose_of


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("Avoid using top-level wildcards on the DNS level.", Category.PROCESS),
        ("Always run a full config apply once a machine rejoins production.", Category.PROCESS),
        ("Do not pull the base image by tag on the shared build host.", Category.PROCESS),
        # what a system must not do is a change to the system, not a rule for people
        ("Do not allow loading of the summary chart for anonymous users.", Category.PREVENT),
        ("Do not show build results when the request exceeds 300 actions.", Category.PREVENT),
        # a state the system must be in is a design choice, not a rule for people
        ("Always be in multi-master so one database can fail.", Category.PREVENT),
        ("Engage with the upstream maintainers about musl support.", Category.PROCESS),
        ("Raise an issue with the PostgreSQL developers.", Category.PROCESS),
        ("Reach out to the CDN vendor about the purge API limits.", Category.PROCESS),
        ("Perform rehearsals with all engineers on restoring the gateways.", Category.PROCESS),
        ("Write down the responsibilities of the people doing the deployment.", Category.PROCESS),
        ("Stagger rotation of the gateway services so they do not fail at once.", Category.PREVENT),
        ("Add improved log rotation in the instance image.", Category.PREVENT),
        ("Revisit the on-call rotation so everyone on it has access.", Category.PROCESS),
        ("Add CI coverage that boots the image on an ARM64 runner.", Category.PREVENT),
        ("Fully automate the release workflow.", Category.PREVENT),
        ("Write end-to-end tests that validate that a deployment was successful.", Category.DETECT),
        ("Set up notifications of downtime for the hub.", Category.DETECT),
        ("The ability to see the number of events in the backlog.", Category.DETECT),
        ("Restart the hub without manual intervention when it is unhealthy.", Category.MITIGATE),
        # one faint word ("risk") is not enough to leave the default
        ("Find out why the x86 build tolerates the failed load, a risk for other images.", Category.PREVENT),
        ("The five vault owners who were liquidated will be compensated.", Category.MITIGATE),
        ("All undistributed rewards will be redistributed to the farmers.", Category.MITIGATE),
        ("Export instance journald logs for gunicorn and nginx to CloudWatch.", Category.MITIGATE),
        # correlating logs or events is how an incident is diagnosed: the guide's logging for diagnosis
        ("Consensus log correlation", Category.MITIGATE),
        ("Correlate the events of the load balancer and the nodes by request id.", Category.MITIGATE),
        ("Correlated events should trigger a page.", Category.DETECT),
        ("Share developer best practices for using RPC endpoints.", Category.PROCESS),
        ("Give our providers at least 48 hours notice before a launch.", Category.PROCESS),
        ("Contact the owners of the zones and ask them to change the delegation.", Category.PROCESS),
        ("Read RFC 2328 to learn how the protocol handles router ids.", Category.PROCESS),
        ("Try to educate everyone on the perils of SSH agent forwarding.", Category.PROCESS),
        ("If you need to copy files between machines, use rsync rather than scp.", Category.PROCESS),
        ("We will provide an update on these once the work is complete.", Category.PROCESS),
        ("Pick a globally friendly day-of-week for security releases.", Category.PROCESS),
        # stop 23: words the guide names that had no term yet
        ("Run trainings on the new failover tooling for every engineer.", Category.PROCESS),
        ("Keep at least two people on call during the migration weekend.", Category.PROCESS),
        ("Publish the post mortem on the engineering blog.", Category.PROCESS),
        ("Write after-action reports for every outage over an hour.", Category.PROCESS),
        ("Form a reliability working group with the platform teams.", Category.PROCESS),
        ("Write a user guide on how to rotate the signing key.", Category.PROCESS),
        # documentation is process even when its purpose is faster recovery
        ("Update the rollback playbook with the snapshot restore steps.", Category.PROCESS),
        ("Add rollback tooling that restores the last good snapshot.", Category.MITIGATE),
        ("A daily check verifies that every certificate is valid for two more weeks.", Category.DETECT),
        ("Add a Nagios check for reconnection failures on the storage nodes.", Category.DETECT),
        ("Enable SMS notifications in PagerDuty for the secondary.", Category.DETECT),
        # the monitoring tools as things to change are not detection
        ("Set resource limits on the support services (prometheus, grafana, ingress).", Category.PREVENT),
        ("Validate production deployments with smoke tests right after they go live.", Category.DETECT),
        ("Restored the replicas from the nightly snapshot.", Category.MITIGATE),
        ("Backfill the missing rows for the two days of the outage.", Category.MITIGATE),
        ("Unpublish the compromised package versions.", Category.MITIGATE),
        ("Restore the deleted documents from the nightly backup.", Category.MITIGATE),
        ("Add automatic recovery for the wiki database.", Category.MITIGATE),
        # the review of stop 23: words that also say other things
        ("Emit a latency metric on call completion.", Category.DETECT),
        ("Add retries on call failures to the billing API.", Category.PREVENT),
        ("Set up automatic purging of old log indices.", Category.PREVENT),
        ("Reserve spare IP addresses in each subnet for node scale-up.", Category.PREVENT),
        ("Add snapshot tests for the generated index templates.", Category.PREVENT),
        ("Make sure the cluster cannot be taken down by a single runaway query.", Category.PREVENT),
        ("Add an expiry check for API tokens in the auth middleware.", Category.PREVENT),
        ("Formalise the release signing process with two maintainers.", Category.PROCESS),
        # a program's process is no people's process
        ("Strip the startup process of every external dependency.", Category.PREVENT),
        ("Change the build process to use only checked-in code.", Category.PREVENT),
        ("Add a step to the release process for announcing breaking changes.", Category.PROCESS),
    ],
)
def test_the_category_follows_the_guide(text: str, category: Category) -> None:
    assert categorise(text)[0] == category


def test_a_standing_rule_names_its_word_as_the_reason() -> None:
    assert categorise("Never do a manual failover on a Friday.") == (Category.PROCESS, ["never"])


@pytest.mark.parametrize(
    ("text", "vague"),
    [
        ("Make site failover easier, less manual, and lower risk.", True),
        ("Invest in site reliability.", True),
        ("Add `safer-runner-action` to every workflow that checks out external code.", False),
        # stop 23: exploring in other words, at the start of the item, not in its purpose
        ("Debug why the standby never received the replication alerts.", True),
        ("Determine what makes the canary pass while production fails.", True),
        ("We will try out several ideas to make the service start faster.", True),
        ("Add a `version` command to determine what build is running on each node.", False),
        ("Alert when the backup job fails more frequently than twice a day.", False),
        ("Add more nightly integration tests for the billing flow.", False),
        ("Determine the owners of the 14 orphaned buckets and tag them.", False),
        ("Run the restore drill more than 3 times a year.", False),
        ("Add a safer_mode flag to the importer.", False),
    ],
)
def test_comparatives_and_investment_have_no_finish_line_but_names_do(text: str, vague: bool) -> None:
    assert lint_action(text).vague is vague


PLAIN_LABEL = """\
# Expired certificate

## Detection
People told us the site was down.

Action Items
- Set up alerting to warn us of expiring certificates

- Host the instance in the project that owns its domain

## Lessons Learned
- Know all your certificates.
"""


def test_a_heading_typed_as_a_plain_line_opens_the_list_below_it() -> None:
    found = extract(PLAIN_LABEL)
    assert [f.text for f in found] == [
        "Set up alerting to warn us of expiring certificates",
        "Host the instance in the project that owns its domain",
    ]
    assert all(f.in_section for f in found)


def test_a_plain_line_that_is_not_a_follow_up_title_opens_nothing() -> None:
    text = PLAIN_LABEL.replace("Action Items", "Things We Saw")
    assert [f.text for f in extract(text)] == []


@pytest.mark.parametrize(
    ("heading", "purpose"),
    [
        ("Preventing the issue from happening again / What we have learnt", "followup"),
        ("How do we stop this from recurring", "followup"),
        ("An ounce of prevention is worth a pound of cure", None),
        ("What happened again", None),
        ("How do we make sure this doesn't happen again?", "followup"),
        ("What is being done to prevent this?", "followup"),
        ("How is this being prevented?", "followup"),
        ("How do we stop this happening again?", "followup"),
        ("Avoiding this happening again", "followup"),
        ("How to stop it recurring", "followup"),
        ("Stopping it repeating", "followup"),
        ("Avoiding recurrences", "followup"),
        ("Preventing a repeat of the outage", "followup"),
        (
            "To prevent similar issues in the future, we've made a few changes along with more long term improvements:",
            "followup",
        ),
        ("Changes and long-term improvements", "followup"),
        # a look back, advice to readers, a runbook, and repeats that are not the incident's
        ("What could be done better", None),
        ("What can be done to protect yourself", None),
        ("Background: what can be done when the queue backs up", None),
        ("How could this be avoided?", None),
        ("Stopping repeat customers from churning", None),
        ("Keeping the cron from repeating every minute", None),
        ("Steps taken to prevent further damage", None),
        ("Why we failed to prevent this", None),
        ("History of long-term work on the scheduler", None),
    ],
)
def test_a_heading_about_stopping_a_recurrence_names_follow_ups(heading: str, purpose: str | None) -> None:
    assert purpose_of(heading) == purpose


@pytest.mark.parametrize(
    ("text", "vague"),
    [
        ("We will expand the set of monitoring checks we run on the system.", True),
        ("Increase the replicas with an expanded set of static IPs.", False),
        ("Open a ticket on the Proxmox forum to investigate the crash.", False),
    ],
)
def test_expanding_has_no_target_and_a_purpose_is_not_the_deliverable(text: str, vague: bool) -> None:
    assert lint_action(text).vague is vague


STATUS_MARKS = """\
# Disk full

## Lessons learned

**DONE**: Alex added the blog and the wiki to the monitored sites.

**TODO** add a ZFS exporter that alerts on disk space usage.

**DOING** the import job checks for free disk space before it downloads the dump.

We were DONE with the restore by noon.
"""


def test_status_words_in_capitals_mark_tracked_items_in_any_section() -> None:
    found = extract(STATUS_MARKS)
    assert [(f.text, f.done, f.in_section) for f in found] == [
        ("Alex added the blog and the wiki to the monitored sites.", True, True),
        ("add a ZFS exporter that alerts on disk space usage.", False, True),
        ("the import job checks for free disk space before it downloads the dump.", False, True),
    ]


JOTTED = """\
# Network down

## Lessons learned

### What went wrong

- No alert was sent to the alerts channel → need integration tests on the server repository
- The failover took an hour -> it was a long night

## Supporting information:

- Document the owner and co-owner of each machine.
- Decide how we document the infrastructure.
- Is it possible to publish only real alerts?
- The spreadsheet of machines is in the shared drive.
"""


def test_to_dos_jotted_after_an_arrow_or_under_supporting_information_are_proposals() -> None:
    found = extract(JOTTED)
    assert [(f.text, f.in_section) for f in found] == [
        ("need integration tests on the server repository", False),
        ("Document the owner and co-owner of each machine.", False),
        ("Decide how we document the infrastructure.", False),
    ]


CURLY = """\
# Disk full

## What happened

The disk filled up. We\u2019ll add an alert on disk usage above 80%. We shouldn\u2019t have deployed on a Friday.
If we\u2019d had monitoring of the SSH configuration, the breach could have been caught instantly.

## Action items

- Fix O\u2019Brien\u2019s cleanup script (owner: Pat O\u2019Brien)
- Don't page the whole team at night
"""


def test_curly_apostrophes_read_as_straight_ones_and_come_back_in_what_is_shown() -> None:
    found = extract(CURLY)
    assert [(f.text, f.owner) for f in found] == [
        ("We\u2019ll add an alert on disk usage above 80%.", None),
        ("Fix O\u2019Brien\u2019s cleanup script (owner: Pat O\u2019Brien)", "Pat O\u2019Brien"),
        ("Don't page the whole team at night", None),
    ]
    assert all(CURLY[f.start : f.end] == f.quote for f in found)


def test_what_the_write_up_itself_does_is_not_an_action() -> None:
    text = (
        "## Summary\n\nThis post-mortem explains what happened and what we\u2019re changing. "
        "We\u2019d like to share the resulting remediation plan in as much detail as possible. "
        "We\u2019re going to have to skip over some of the items.\n\nWe will add rate limits to the login endpoint.\n"
    )
    assert [f.text for f in extract(text)] == ["We will add rate limits to the login endpoint."]


def test_quarto_r_markdown_and_supermd_are_read_as_markdown(tmp_path: Path) -> None:
    front = {
        ".qmd": "title: Outage",
        ".Rmd": "title: Outage",
        ".smd": '.title = "Outage",\n.custom = {\n  "a": "b",\n}',
    }
    for suffix, matter in front.items():
        path = tmp_path / f"outage{suffix}"
        path.write_text(f"---\n{matter}\n---\n\n## Action items\n\n- Add an alert on 5xx errors\n", encoding="utf-8")
        _, text = read_document(str(path), ReadPolicy(allowed_dirs=(tmp_path,)))
        assert [f.text for f in extract(text, path.name)] == ["Add an alert on 5xx errors"]


def test_supermd_link_targets_are_read_as_their_text_and_external_ones_as_links(tmp_path: Path) -> None:
    path = tmp_path / "outage.smd"
    path.write_text(
        '---\n.title = "Outage",\n---\n\n## [Action items]($section.id("next"))\n\n'
        '- Add an alert on 5xx errors, see [the dashboard]($link.url("https://x.example/d"))\n\n'
        '[]($block.attrs("note"))\n> Note\n',
        encoding="utf-8",
    )
    _, text = read_document(str(path), ReadPolicy(allowed_dirs=(tmp_path,)))
    (finding,) = extract(text, path.name)
    assert (finding.text, finding.section, finding.ticket) == (
        "Add an alert on 5xx errors, see the dashboard",
        "Action items",
        "https://x.example/d",
    )
    assert text[finding.start : finding.end] == finding.quote
    assert [s.heading for s in sections(text, name=path.name)][-1] == "Action items"


def test_a_stored_candidate_with_curly_apostrophes_is_linted_as_extract_linted_it() -> None:
    text = "We\u2019ll review the runbook for the database."
    (finding,) = extract(f"## Action items\n\n- {text}\n")
    assert finding.text == text
    assert finding.vague is True
    assert lint_action(finding.text).vague is True
    # the reason quotes the words as the person sees them
    assert [lint.words for lint in finding.lint] == ["\u2019ll review"]
    assert [lint.words for lint in lint_action(finding.text).findings] == ["\u2019ll review"]


def test_a_heading_naming_a_purpose_categorises_the_items_under_it_that_name_none() -> None:
    text = (
        "# Queue outage\n\n## Action items\n\n### Incident review\n\n- Shard the queue by tenant\n\n### Detection\n\n"
        "- Add a check on the consumer lag\n- Write the runbook for a stalled consumer\n\n"
        "### Recovery\n\n- Script the replica promotion\n"
    )
    found = {f.text: (f.category, f.category_words) for f in extract(text)}
    assert found["Add a check on the consumer lag"] == (Category.DETECT, ["detection"])
    assert found["Script the replica promotion"] == (Category.MITIGATE, ["recovery"])
    # an item's own words win over its heading's; a write-up's own title is no group
    assert found["Write the runbook for a stalled consumer"][0] == Category.PROCESS
    assert found["Shard the queue by tenant"] == (Category.PREVENT, [])


def test_only_a_follow_up_list_s_short_one_purpose_heading_categorises_its_items() -> None:
    text = (
        "# Outage\n\n## Detection\n\nWe noticed it from customer reports. "
        "We will also upgrade the load balancer firmware on all edge nodes.\n\n"
        "## Action items\n\n### Prevention and detection\n\n- Pin all base image versions in the Dockerfiles\n\n"
        "### Capacity (see the SLO dashboard)\n\n- Upgrade the kernel on the database hosts\n"
    )
    found = {f.text: f.category for f in extract(text)}
    assert found == {
        "We will also upgrade the load balancer firmware on all edge nodes.": Category.PREVENT,
        "Pin all base image versions in the Dockerfiles": Category.PREVENT,
        "Upgrade the kernel on the database hosts": Category.PREVENT,
    }
