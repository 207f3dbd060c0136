"""Issue 15, stop 21: an action's category read from what it is for, and headings that name the way forward.

Each case is written for the rule it checks, in words of its own (not taken from a labelled set)."""

from __future__ import annotations

from postmortem_actions.store.records import Category
from postmortem_actions.tools.extraction.categories import categorise
from postmortem_actions.tools.extraction.extractor import extract


def test_telling_the_people_affected_is_communication_but_a_message_sent_on_a_condition_detects() -> None:
    for text in (
        "Inform affected customers of the refund.",
        "Notify the validators about the patched release.",
        "Warn integrators that the old endpoint goes away.",
    ):
        assert categorise(text)[0] == Category.PROCESS, text
    # monitoring written as a message to people: sent whenever a condition holds
    for text in ("Alert operators when replication lag exceeds 30 seconds.", "Alert on replication lag above 10 s."):
        assert categorise(text)[0] == Category.DETECT, text
    assert categorise("Notify operators automatically when a node stops signing.")[0] != Category.PROCESS
    # our own team is no outside party: the work is what it is for
    assert categorise("Work with the storage team to add checksums to the backups.")[0] != Category.PROCESS


def test_working_with_or_discussing_with_an_outside_party_is_process() -> None:
    assert categorise("Work with the hosting provider's team to find the cause of the packet loss.")[0] == (
        Category.PROCESS
    )
    assert categorise("Discuss possible improvements to the upgrade handler with the SDK team.")[0] == (
        Category.PROCESS
    )


def test_restoring_service_and_stopgaps_are_mitigation() -> None:
    for text in (
        "Operators rolled back their nodes to the previous block.",
        "Downgrade the broker to 3.8 on every host.",
        "Resume block production from the last good height.",
        "Re-enable deposits once the patch is live.",
        "Apply the memory limit in the meantime to the other workers.",
        "Reboot the storage controllers in a rolling fashion.",
    ):
        assert categorise(text)[0] == Category.MITIGATE, text


def test_a_looking_forward_or_path_forward_heading_is_a_follow_up_section() -> None:
    for heading in ("Looking Forward", "The Path Forward", "Way ahead"):
        doc = (
            f"# Relay outage\n\n## {heading}\n\nWe identified two areas:\n\n"
            "1. **Load handling**\n"
            "   - Conducting load tests of the simulator before each release.\n"
            "2. Bug bounty\n"
            "   - We will establish a bug bounty program for the relay code.\n"
        )
        findings = list(extract(doc))
        assert [f.text for f in findings] == [
            "Conducting load tests of the simulator before each release.",
            "We will establish a bug bounty program for the relay code.",
        ], heading
        assert all(f.in_section for f in findings)
    # looking forward to something is not a heading of follow-ups
    doc = "# Relay outage\n\n## Summary\n\nWe are looking forward to the new hardware. It arrived.\n"
    assert [f.in_section for f in extract(doc)] == []


def _narrative(sentence: str) -> str:
    return f"# Outage\n\n## Analysis\n\nThe database fell over at noon. {sentence} The rest of the day was quiet.\n"


def test_work_under_way_or_begun_is_a_commitment() -> None:
    for sentence in (
        "We are now also replacing the storage engine with a newer one.",
        "We are establishing a weekly review of security updates.",
        "We are still in the process of hardening the gateway against floods.",
        "We have begun systematically revoking the old deploy keys.",
        "We have also started the process of decommissioning the old CI servers.",
    ):
        assert [f.text for f in extract(_narrative(sentence))] == [sentence], sentence


def test_what_the_responders_saw_or_did_during_the_incident_is_not_work_under_way() -> None:
    for sentence in (
        "We have started receiving reports of slow pages.",
        "We are still seeing elevated latency.",
        "We are switching traffic back to the primary now.",
        "At 10:02 we started rolling back the release.",
        "We are still investigating the root cause.",
        "We are still working to restore full service.",
        "We have started rolling back the deploy that caused it.",
        "We have started monitoring the fix.",
        "We're documenting what happened in this report.",
    ):
        assert list(extract(_narrative(sentence))) == [], sentence


def test_a_sentence_naming_planned_improvements_introduces_its_list() -> None:
    doc = (
        "# Fee bug\n\n## Fix\n\nThe teams are reviewing the wider code. Planned improvements include:\n\n"
        "- Refactoring the pre-signature checks to return only retryable errors.\n"
        "- Adding an invariant that no fee is taken before the signature is verified.\n\n"
        "## Impact\n\nThe affected calls included:\n\n- Payments to new accounts\n"
    )
    assert [(f.text, f.in_section) for f in extract(doc)] == [
        ("Refactoring the pre-signature checks to return only retryable errors.", True),
        ("Adding an invariant that no fee is taken before the signature is verified.", True),
    ]


def test_a_heading_saying_what_we_plan_to_change_is_a_follow_up_section() -> None:
    for heading in ("Conclusions - What We Plan to Change", "What we need to fix"):
        doc = f"# Gallery outage\n\n## {heading}\n\n* Validate production deployments with automated tests.\n"
        assert [(f.text, f.in_section) for f in extract(doc)] == [
            ("Validate production deployments with automated tests.", True)
        ], heading


def test_a_heading_asking_what_could_be_done_to_avoid_it_is_a_follow_up_section() -> None:
    for heading in (
        "What could be done to avoid this in future?",
        "How can this be prevented?",
        "Avoiding it next time",
        "How do we stop it from repeating?",
        "Avoiding a repeat",
    ):
        doc = (
            f"# Images outage\n\n## Cause\n\nThe CDN went offline.\n\n## {heading}\n\n"
            "- Have a healthcheck on the image service which fails when transformations fail.\n"
            "- Simplify the purging process.\n"
        )
        assert [(f.text, f.in_section) for f in extract(doc)] == [
            ("Have a healthcheck on the image service which fails when transformations fail.", True),
            ("Simplify the purging process.", True),
        ], heading
    # what was done, or what could have been done, is not a list of follow-ups
    for heading in ("What was done", "What could have been done better"):
        doc = f"# Images outage\n\n## {heading}\n\n- Rolled back the CDN change.\n- Purged the images.\n"
        assert list(extract(doc)) == [], heading
