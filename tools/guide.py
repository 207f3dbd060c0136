"""What the assistant is told a follow-up is, how to categorise it and what is vague: the labelling guide's rules,
in the words every channel uses (the extract_actions prompt, parse_postmortem's next step, the candidate schema).

The word rules of the extractor reach a category accuracy near 0.55 on documents nobody tuned them on; an assistant
that reads the story reaches 0.9 and more, but only with these rules in front of it (docs/extraction.md).
"""

from __future__ import annotations

from typing import Final

WHAT_COUNTS: Final = (
    'work the authors committed to or proposed for after the incident ("we will", "we need to", "should", '
    '"plan to", "looking into"), and every item of a list or section dedicated to follow-ups (action items, '
    "remediation, corrective actions, next steps, what we are doing about it), even one the document marks done: "
    "record it too and tell the human it is done. Not follow-ups: steps of the incident response and fixes told "
    "only in the story (resolution, timeline); advice to readers or users; rejected proposals; practices that "
    "pre-date the incident; observations, open questions, and lessons or insights without a commitment; sentences "
    "that only announce the list. Record each action once: when the list and the prose state the same one, quote "
    "the list; split a list item only where it holds separate sentences with separate deliverables."
)

CATEGORIES: Final = (
    (
        "prevent",
        "fewer recurrences (code fixes, guards, tests, staging and beta phases, capacity, isolation, enforced "
        "security controls such as required reviews or removed permissions)",
    ),
    (
        "detect",
        "shorter time to detect (monitoring, alerts, metrics, dashboards, consistency checks, deploy verification)",
    ),
    (
        "mitigate",
        "shorter time to mitigate, recover or diagnose (rollback and recovery tooling, logging for diagnosis, "
        "runtime settings, faster health checks, self-healing, inventories that speed investigation, restoring "
        "service)",
    ),
    (
        "process",
        "documentation and runbooks (even when they are for faster recovery), training, communication, incident "
        "and on-call practice, written policies and rules, deployment procedures, the incident report",
    ),
)
BY_PURPOSE: Final = "by the action's purpose rather than its words"
CATEGORY_RULE: Final = f"The category, {BY_PURPOSE}: " + "; ".join(f"{name}: {what}" for name, what in CATEGORIES)

VAGUE: Final = (
    "too vague to finish (investigate, look into, consider, explore, improve, better, more, or an intent or "
    "priority with no deliverable)"
)
NOT_VAGUE: Final = "A specific policy or a tentative but concrete proposal is not vague."
