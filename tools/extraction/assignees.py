"""Items written with their assignee first, as meeting notes give them: "ICL to add Werror to the build",
"Daniel to investigate the failover", "@dana and Lee to write the runbook"."""

from __future__ import annotations

import re
from typing import Final

from postmortem_actions.tools.extraction.fields import HANDLE
from postmortem_actions.tools.extraction.sentences import _VERBS, is_imperative

# The task verbs of imperatives, and the ones notes give an assignee ("Hypha to offer points", "ICL to open an issue")
_TASK_VERB: Final = (
    rf"(?:{_VERBS}|open|offer|push|file|send|speak|talk|sync|own|lead|post|announce|merge|release|backport|"
    r"upstream|contribute)"
)
# a name, a handle or capitals, then "to" and a task verb: "Users to be notified" has no task verb
_CAPITALISED: Final = r"[A-Z][\w.&-]{1,30}"
_NAME: Final = rf"(?:{HANDLE}|{_CAPITALISED}(?:\s+team)?)"
_ASSIGNED: Final = re.compile(
    rf"^[\W_]{{0,6}}({_NAME}(?:\s+(?:and|&|\+)\s+{_NAME})?)\s+to\s+(?i:(?!be\b){_TASK_VERB})\b"
)
# Words that start such an item without anyone of ours doing it: "Need to add ...", "Customers to update ..."
_NOT_OURS: Final = frozenset(
    (
        *("need", "needs", "want", "wants", "plan", "plans", "continue", "ability", "going", "how", "way", "time"),
        *("nobody", "someone", "everyone", "everybody", "users", "customers", "clients", "people", "readers"),
        *("steps", "we", "i", "you", "they", "it", "this", "that", "access"),
    )
)
# Who is named as the owner: a handle, a team, two names, or a code in capitals ("ICL", "SRE") that is no system's
# ("CI", "DNS"). A single capitalised word may be a person ("Daniel") or a thing ("Backups", "Kubernetes"): the task
# is kept, without a proposed owner.
_ONE: Final = rf"(?:{HANDLE}|{_CAPITALISED})"
_OWNER: Final = re.compile(rf"{HANDLE}|{_CAPITALISED}\s+team|[A-Z]{{2,6}}|{_ONE}\s+(?:and|&|\+)\s+{_ONE}")
_SYSTEMS: Final = frozenset(
    ("CI", "CD", "API", "DB", "DNS", "CDN", "VPN", "SSO", "SSL", "TLS", "HTTP", "UI", "OS", "VM", "AWS", "GCP", "K8S")
)
_FIRST: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ@*_-([ ")


def _assigned(item: str) -> str | None:
    if item[:1] not in _FIRST:
        return None  # neither a capital nor a handle starts it: the pattern is not run
    match = _ASSIGNED.match(item.lstrip())
    if match is None or is_imperative(item) or match.group(1).lower() in _NOT_OURS:
        return None
    return match.group(1)


def is_assigned(item: str) -> bool:
    """Whether an item is a task written with its doer first ("Team to push up v23.0.2", "CI to block merges")."""
    return _assigned(item) is not None


def assignee(item: str) -> str | None:
    """The owner an item names first ("ICL to add ...", "@dana to write ...", "Relay team to update ..."), or None
    when it names nobody who could own it."""
    first = _assigned(item)
    if first is None or first in _SYSTEMS or _OWNER.fullmatch(first) is None:
        return None
    return first
