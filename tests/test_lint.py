"""The vagueness linter: which action texts have no finish line, why, and what a concrete version needs."""

from __future__ import annotations

import pytest

from postmortem_actions.tools.extraction.lint import lint_action
from postmortem_actions.tools.extraction.models import LintResult


def kinds(result: LintResult) -> list[str]:
    return [f.kind for f in result.findings]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Investigate the DNS resolver crashes.", "Investigate"),
        ("Look into the certificate renewal failures.", "Look into"),
        ("Consider moving the billing queue to a managed service.", "Consider"),
        ("Explore options for multi-region failover.", "Explore"),
    ],
)
def test_exploratory_verbs_are_vague(text: str, words: str) -> None:
    result = lint_action(text)
    assert result.vague
    assert "exploratory" in kinds(result)
    assert words in [f.words for f in result.findings]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Improve monitoring of the queue.", "Improve"),
        ("Make the resolver failover better.", "better"),
        ("Make the deploy pipeline more robust.", "more"),
    ],
)
def test_unbounded_improvement_without_a_target_is_vague(text: str, words: str) -> None:
    result = lint_action(text)
    assert result.vague
    assert kinds(result) == ["unbounded"]
    assert result.findings[0].words == words


def test_open_list_with_etc_is_vague() -> None:
    result = lint_action("Add alerts for CPU, memory, disk, etc.")
    assert result.vague
    assert kinds(result) == ["etc"]


@pytest.mark.parametrize("text", ["Fix it.", "Address the issue.", "We need to fix this."])
def test_missing_object_is_vague(text: str) -> None:
    result = lint_action(text)
    assert result.vague
    assert kinds(result) == ["no_object"]


@pytest.mark.parametrize("text", ["Prioritize reliability.", "Focus on stability.", "Keep an eye on the queue."])
def test_intent_only_is_vague(text: str) -> None:
    result = lint_action(text)
    assert result.vague
    assert "intent_only" in kinds(result)


def test_promise_about_everything_is_vague() -> None:
    result = lint_action("Make sure everything is monitored.")
    assert result.vague
    assert kinds(result) == ["unbounded"]


@pytest.mark.parametrize(
    "text",
    [
        "Investigate the DNS resolver crashes.",
        "Improve monitoring.",
        "Add alerts for CPU, memory, etc.",
        "Fix it.",
        "Prioritize reliability.",
        "Make sure everything is monitored.",
    ],
)
def test_every_finding_explains_why_and_what_a_concrete_version_needs(text: str) -> None:
    result = lint_action(text)
    assert result.findings
    for finding in result.findings:
        assert finding.why.strip()
        assert finding.needs.strip()


def test_the_words_that_raised_a_finding_are_words_of_the_text() -> None:
    text = "Look into better alerting for the queue."
    result = lint_action(text)
    assert kinds(result) == ["exploratory", "unbounded"]
    assert all(f.words.lower() in text.lower() for f in result.findings)


@pytest.mark.parametrize(
    "text",
    [
        "Add an alert when disk usage exceeds 90% that pages the storage on-call",
        "Declare an incident as soon as two customers report the same error",
        "Migrate the billing queue to SQS by Q3 2026",
        "Enable TLS 1.3 on the API gateway",
        "Schedule a quarterly DNS failover drill with the platform on-call",
    ],
)
def test_concrete_items_are_not_vague(text: str) -> None:
    result = lint_action(text)
    assert not result.vague
    assert result.findings == []


@pytest.mark.parametrize(
    "text",
    [
        "Document the restore procedure so others can look into issues",
        "Write a runbook for DNS failover in order to improve recovery time",
    ],
)
def test_a_purpose_clause_does_not_make_the_item_vague(text: str) -> None:
    assert not lint_action(text).vague


@pytest.mark.parametrize(
    "text",
    [
        "Improve p99 latency to under 200 ms",
        "Improve test coverage of the billing module to 80%",
        "Add an alert when more than 5 renewals fail in an hour",
    ],
)
def test_a_number_gives_an_improvement_its_target(text: str) -> None:
    assert not lint_action(text).vague


def test_advice_for_a_vague_item_says_what_is_needed() -> None:
    result = lint_action("Investigate the resolver crashes and improve alerting.")
    assert kinds(result) == ["exploratory", "unbounded"]
    for finding in result.findings:
        assert finding.needs in result.advice


def test_advice_for_a_concrete_item_says_it_can_stay() -> None:
    result = lint_action("Add a dashboard panel for queue depth per tenant")
    assert not result.vague
    assert result.advice
    assert "concrete" in result.advice.lower()


def test_the_result_echoes_the_text_judged() -> None:
    text = "Consider sharding the queue by tenant."
    assert lint_action(text).text == text


@pytest.mark.parametrize("text", ["", "   ", "\x00\x01", "improve " * 25_000, "(" * 200_000, "so that " * 25_000])
def test_odd_text_gets_a_verdict_without_raising(text: str) -> None:
    result = lint_action(text)
    assert result.advice
    assert result.vague == bool(result.findings)


def test_blank_text_has_no_object() -> None:
    assert kinds(lint_action("   ")) == ["no_object"]


@pytest.mark.parametrize(
    "text", ["Add tests for the renewal job, the CA client and so on", "Add alerts for CPU, memory, disk and so forth"]
)
def test_and_so_on_is_an_open_list(text: str) -> None:
    assert "etc" in kinds(lint_action(text))


@pytest.mark.parametrize(
    "text", ["Create a runbook for investigating DNS failures", "Write a guide on how to look into slow queries"]
)
def test_a_concrete_artifact_about_investigation_is_not_vague(text: str) -> None:
    assert not lint_action(text).vague


@pytest.mark.parametrize(
    "text",
    [
        "Review concurrency for the replication requests.",
        "We will review our dependency on single vendors.",
        "We have to work out sensible limits for API requests.",
        "Work on moving the queue to a redundant architecture.",
        "Encourage exchanges to run the majority version.",
        "Broader audience for incident reports.",
    ],
)
def test_a_review_without_a_set_an_effort_or_a_wish_is_vague(text: str) -> None:
    assert lint_action(text).vague


@pytest.mark.parametrize(
    "text",
    [
        "Review who has access to the signing keys and remove former staff.",
        "Migrating more of these services to Chef.",
        "Use mydumper instead of mysql-zrm to improve the speed of logical backups.",
        "Instituting periodic review of the runbooks.",
    ],
)
def test_a_bounded_review_a_quantity_and_a_purpose_to_improve_are_not_vague(text: str) -> None:
    assert not lint_action(text).vague
