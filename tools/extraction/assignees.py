"""Items written with their assignee first, as meeting notes give them: "ICL to add Werror to the build",
"Daniel to investigate the failover", "@dana and Lee to write the runbook"."""

from __future__ import annotations

import re
from typing import Final

from postmortem_actions.tools.extraction.sentences import _VERBS, is_imperative

# The task verbs of imperatives, and the ones notes give an assignee ("Hypha to offer points", "ICL to open an issue")
_TASK_VERB: Final = (
    rf"(?:{_VERBS}|open|offer|push|file|send|speak|talk|sync|own|lead|post|announce|merge|release|backport|"
    r"upstream|contribute)"
)
# a name, a handle or capitals, then "to" and a task verb: "Users to be notified" has no task verb
_NAME: Final = r"(?:@[A-Za-z0-9][\w-]{0,38}|[A-Z][\w.&-]{1,30}(?:\s+team)?)"
_ASSIGNED: Final = re.compile(
    rf"^[\W_]{{0,6}}({_NAME}(?:\s+(?:and|&|\+)\s+{_NAME})?)\s+to\s+(?i:(?!be\b){_TASK_VERB})\b"
)
# Words that start such an item without naming anyone: "Need to add ...", "Team to push ...", "Nobody to use ..."
_NOBODY: Final = frozenset(
    (
        *("need", "needs", "want", "wants", "plan", "plans", "continue", "ability", "going", "how", "way", "time"),
        *("nobody", "someone", "everyone", "everybody", "team", "teams", "users", "customers", "people", "steps"),
        *("we", "i", "they", "it", "this", "that", "access"),
    )
)
_FIRST: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ@*_-([ ")


def _assigned(item: str) -> str | None:
    if item[:1] not in _FIRST:
        return None  # neither a capital nor a handle starts it: the pattern is not run
    match = _ASSIGNED.match(item.lstrip())
    return None if match is None or is_imperative(item) else match.group(1)


def is_assigned(item: str) -> bool:
    """Whether an item is a task written with its assignee first ("Team to push up v23.0.2")."""
    first = _assigned(item)
    return first is not None and first.lower() not in ("need", "needs", "want", "wants", "nobody", "how", "way")


def assignee(item: str) -> str | None:
    """Who an item names first as doing it ("ICL to add ...", "Daniel to investigate ..."), or None when it names
    nobody in particular ("Team to push ...") or is not written so."""
    first = _assigned(item)
    return None if first is None or first.lower() in _NOBODY else first
