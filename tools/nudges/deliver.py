"""Sending a reminder plan, and recording what went out.

Each message goes through its channel on its own: one that fails (refused, unreachable, still failing after the
retries) is reported and not recorded, so the next run tries it again, and the others go on. A message that went
out is recorded at once (items or digest, kind, channel, recipient, day), so a run every hour sends it once per
cadence. Only `deliveries` is written: no owner, date, state or decision.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TextIO

from postmortem_actions.store import Store
from postmortem_actions.store.errors import PostmortemActionsError
from postmortem_actions.store.text import visible
from postmortem_actions.tools.nudges.errors import DeliveryFailed
from postmortem_actions.tools.nudges.markdown import message_markdown
from postmortem_actions.tools.nudges.models import DeliveryReport, Failure
from postmortem_actions.tools.nudges.planner import Outgoing, Planned
from postmortem_actions.tools.nudges.policy import ChannelName, Policy

log = logging.getLogger("postmortem_actions.nudges")
Send = Callable[[Outgoing], object]  # raises DeliveryFailed when the message did not go out


@dataclass
class Senders:
    """How each channel sends one message; `close` releases connections. Built from the policy by `senders_for`,
    or given by a test."""

    send: Mapping[ChannelName, Send]
    closers: list[Callable[[], None]] = field(default_factory=list)

    def close(self) -> None:
        """Close every connection the senders opened."""
        for close in self.closers:
            close()


def senders_for(policy: Policy, stdout: TextIO, **http: Any) -> Senders:
    """The senders of every configured channel; `http` goes to each webhook's `Poster` (tests: transport, sleep).

    Only the configured channels' modules are imported: a run by email alone never loads the HTTP client.
    """
    channels = policy.channels
    send: dict[ChannelName, Send] = {"stdout": lambda o: _print(stdout, o, policy)}
    closers: list[Callable[[], None]] = []
    if channels.slack_url:
        from postmortem_actions.tools.nudges.http import Poster
        from postmortem_actions.tools.nudges.slack import slack_payload

        slack = Poster("Slack", channels.slack_url, **http)
        send["slack"] = lambda o: slack.post(slack_payload(o.message, o.person, policy), _what(o))
        closers.append(slack.close)
    if channels.webhook_url:
        from postmortem_actions.tools.nudges.http import Poster
        from postmortem_actions.tools.nudges.webhook import webhook_payload

        hook = Poster("the webhook", channels.webhook_url, **http)
        send["webhook"] = lambda o: hook.post(webhook_payload(o.message, o.person, policy, o.as_of), _what(o))
        closers.append(hook.close)
    if channels.smtp is not None:
        send["email"] = _mailer(policy, closers)
    return Senders(send, closers)


def _what(outgoing: Outgoing) -> str:
    message = outgoing.message
    return "the team digest" if message.audience == "team" else f"the reminder to {visible(message.recipient)}"


def _mailer(policy: Policy, closers: list[Callable[[], None]]) -> Send:
    from postmortem_actions.tools.nudges.email import Mailer, email_message

    smtp = policy.channels.smtp
    assert smtp is not None
    mailer = Mailer(smtp)
    closers.append(mailer.close)
    team = policy.channels.team_email

    def send(outgoing: Outgoing) -> None:
        to = outgoing.person.email if outgoing.person is not None else team
        if not to:
            raise DeliveryFailed(f"{_what(outgoing)} has no email address")
        mailer.send(email_message(outgoing.message, to, policy, smtp.sender))

    return send


def _print(stdout: TextIO, outgoing: Outgoing, policy: Policy) -> None:
    message = outgoing.message
    who = "Team digest" if message.audience == "team" else f"{visible(message.recipient)} ({message.audience})"
    stdout.write(f"## {who}\n\n{message_markdown(message, policy)}\n")
    stdout.flush()


def deliver(store: Store, planned: Planned, senders: Senders) -> DeliveryReport:
    """Send every message of the plan through its channel, recording each one that went out.

    Never raises for one message: a failure is reported in `failures` (not recorded, so retried next run).
    """
    sent, recorded = 0, 0
    by_channel: dict[str, int] = {}
    failures: list[Failure] = []
    for outgoing in planned.outgoing:
        message = outgoing.message
        try:
            senders.send[message.channel](outgoing)
        except DeliveryFailed as exc:
            failures.append(Failure(channel=message.channel, recipient=message.recipient, error=str(exc)))
            log.warning("not delivered: %s", exc)
            continue
        except Exception as exc:  # a bug in one message must not stop the others; its text may hold anything
            log.error(
                "not delivered: %s to %s failed unexpectedly (%s)",
                message.channel,
                message.recipient,
                type(exc).__name__,
            )
            failures.append(
                Failure(
                    channel=message.channel,
                    recipient=message.recipient,
                    error=f"unexpected error ({type(exc).__name__}); it was not recorded, the next run retries",
                )
            )
            continue
        sent += 1
        by_channel[message.channel] = by_channel.get(message.channel, 0) + 1
        try:
            recorded += store.record_deliveries(outgoing.deliveries())
        except PostmortemActionsError as exc:
            failures.append(
                Failure(
                    channel=message.channel,
                    recipient=message.recipient,
                    error=f"sent, but not recorded ({exc}); the next run may send it again",
                )
            )
    plan = planned.plan
    return DeliveryReport(
        as_of=plan.as_of,
        quiet=plan.quiet,
        sent=sent,
        recorded=recorded,
        by_channel=by_channel,
        failures=failures,
        unreachable=plan.unreachable,
    )
