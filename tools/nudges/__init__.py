"""Nudges: owners hear about their items before they are late, leads about undecided candidates, and the team gets
its digest, through Slack, a generic webhook, email or Markdown on stdout (issue 14).

`policy` says when and where; `planner` decides who hears about what (reading only); `markdown`, `slack`, `webhook`
and `email` write a message for a channel; `deliver` sends the plan and records what went out, so a run every hour
sends each reminder once per cadence. Reminders read: they never change an owner, a date or a state. The names below
load on first use, so reading the policy (every command does) imports neither the HTTP client nor smtplib.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from postmortem_actions.tools.nudges.deliver import deliver
    from postmortem_actions.tools.nudges.models import DeliveryReport, Message, ReminderPlan, Unreachable
    from postmortem_actions.tools.nudges.planner import Planned, plan_reminders
    from postmortem_actions.tools.nudges.policy import Channels, Policy, load_policy

_WHERE = {
    "deliver": "deliver",
    **dict.fromkeys(("DeliveryReport", "Message", "ReminderPlan", "Unreachable"), "models"),
    **dict.fromkeys(("Planned", "plan_reminders"), "planner"),
    **dict.fromkeys(("Channels", "Policy", "load_policy"), "policy"),
}

__all__ = [
    "Channels",
    "DeliveryReport",
    "Message",
    "Planned",
    "Policy",
    "ReminderPlan",
    "Unreachable",
    "deliver",
    "load_policy",
    "plan_reminders",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
