"""What the assistant is told a follow-up is, how to categorise it, what is vague and what counts as an owner or a
due date: the labelling guide's rules, close to its own words, for every channel that tells an assistant (the
extract_actions prompt, the server's instructions, parse_postmortem's next step, the candidate schema).

The extractor's word rules read an item; these rules ask the assistant to read its purpose in the story
(docs/extraction.md measures both).
"""

from __future__ import annotations

from typing import Final

WHAT_COUNTS: Final = (
    'work the authors committed to or proposed for after the incident ("we will", "we need to", "should", '
    '"plan to", "intend to", "looking into"), and every item of a list dedicated to follow-ups (action items, '
    "corrective actions, remediation, follow-ups, future improvements, what we're doing about it), even one the "
    "document marks done: record it like any other, and when you ask the human to decide it, say in "
    "decide_action's note that the document reports it done (only the human marks an item complete, through "
    "complete_action). In a follow-up section written as prose, each commitment counts. Not follow-ups: steps of the "
    "incident response and completed fixes told only in the story (resolution, timeline); advice to readers or "
    "users; rejected proposals; practices that pre-date the incident; observations, open questions and "
    'counterfactuals; lessons or insights without an explicit commitment word ("remain calm", or "Use feature '
    'flags for high-risk changes" as an insight\'s title); generic statements ("we take security seriously"); '
    "sentences that only announce the list. Record each action once: when the list and the prose state the same "
    "one, quote the list; split a list item only where it holds separate sentences with separate deliverables."
)
IN_BRIEF: Final = (
    "every item of a follow-up list counts, even one marked done, while response steps, advice to readers and "
    "lessons without a commitment do not"
)

CATEGORIES: Final = (
    (
        "prevent",
        "fewer recurrences (code fixes, guards, tests, test plans, staging and beta phases, capacity, architecture "
        "and isolation, enforced security controls such as branch protection, required reviews or removed "
        "permissions)",
    ),
    (
        "detect",
        "shorter time to detect (monitoring, alerts, metrics, dashboards, consistency checks, deploy verification, "
        "status pages that alert)",
    ),
    (
        "mitigate",
        "shorter time to mitigate, recover or diagnose (rollback and recovery tooling, logging for diagnosis, "
        "runtime-configurable settings, faster health checks, self-healing, tooling that keeps debugging tools "
        "alive, inventories that speed investigation, restoring service as an item of the action list)",
    ),
    (
        "process",
        "documentation and runbooks (even when they are for faster recovery), training, communication (internal "
        "and with customers), incident-management practice, on-call rules, written policies, guidelines and rules, "
        "deployment procedures, organisational follow-ups, writing the incident report",
    ),
)
BY_PURPOSE: Final = "by the action's purpose rather than its words"
CATEGORY_RULE: Final = f"The category, {BY_PURPOSE}: " + "; ".join(f"{name}: {what}" for name, what in CATEGORIES)

VAGUE: Final = (
    "too vague to finish, with no clear finished state (exploratory: investigate, consider, look into, explore, "
    'figure out, think about, "something about ..."; unbounded improvement: improve, better, more, further, strive, '
    "with no concrete deliverable; a statement of intent or priority without a deliverable)"
)
NOT_VAGUE: Final = (
    "An improvement with a concrete deliverable, a specific policy, or a tentative but concrete proposal is not vague."
)

OWNER_RULE: Final = (
    "only when the text names one for this action or for the list or section that holds it: a named person, role "
    "or team (not the authors' generic we or I, nor their organisation)"
)
DUE_RULE: Final = (
    "only when the text states one for this action or for the list or section that holds it (a period such as "
    '"Q4 2025" as its last day; effort estimates and priorities are not due dates)'
)
