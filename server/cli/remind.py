"""`remind`: nudge owners before their items are late, leads about undecided candidates, and the team with its
digest (Slack, email, a webhook, Markdown on stdout), made to run from cron or a systemd timer.

Exit status: 0 when every message went out (or there was nothing to send, or the day is quiet), 1 when a message
failed (it was not recorded: the next run retries it), 2 when nothing could be tried (no database, a bad policy,
another run still going). Reminders read: they never change an owner, a date or a state. No webhook URL or password
is ever printed.
"""

from __future__ import annotations

import argparse
import fcntl
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from postmortem_actions.server.cli.arguments import Commands, day
from postmortem_actions.server.settings import Settings
from postmortem_actions.store import Store
from postmortem_actions.store.errors import StoreBusy
from postmortem_actions.store.text import visible

COMMANDS = ("remind",)


def add_commands(commands: Commands, common: argparse.ArgumentParser) -> None:
    """Register `remind` on the CLI's sub-parsers."""
    remind = commands.add_parser(
        "remind",
        parents=[common],
        help="nudge owners, leads and the team about action items (Slack, email, webhook, stdout); for cron",
    )
    remind.add_argument("--as-of", type=day, default=None, metavar="YYYY-MM-DD", help="remind as on this day")
    remind.add_argument(
        "--dry-run", action="store_true", help="show who would hear about what; send and record nothing"
    )
    remind.add_argument("--only", choices=["owners", "team", "leads"], help="send only these reminders")


def _safe(text: str, secrets: tuple[str, ...]) -> str:
    """Text to print, with anything hidden written out and every configured secret blanked (belt and braces)."""
    for secret in secrets:
        text = text.replace(secret, "***")
    return visible(text, multiline=True)


@contextmanager
def _one_run_at_a_time(db_path: Path) -> Iterator[None]:
    """Hold a lock beside the database while sending, so two overlapping runs never send the same reminder twice.

    Raises:
        StoreBusy: another `remind` holds it.
    """
    lock = db_path.with_name(db_path.name + ".remind.lock")
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StoreBusy("another `remind` is still running on this database; nothing was sent") from None
        yield
    finally:
        os.close(fd)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Plan today's reminders, then show them (--dry-run) or send them and record what went out.

    Raises:
        PostmortemActionsError: no database, a day out of range, or another run still going.
    """
    from postmortem_actions.tools.nudges.deliver import deliver, senders_for
    from postmortem_actions.tools.nudges.planner import plan_reminders

    logging.basicConfig(level=settings.log_level, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    policy = settings.policy
    secrets = policy.channels.secrets
    store = Store(settings.db_path, create=False)
    as_of = args.as_of or date.today()
    if args.dry_run:
        planned = plan_reminders(store, policy, as_of=as_of, only=args.only)
        title, _, rest = planned.plan.markdown.partition("\n")
        print(_safe(f"{title}\n\n_Dry run: nothing was sent or recorded._\n{rest}", secrets), end="")
        return 0
    with _one_run_at_a_time(settings.db_path):
        planned = plan_reminders(store, policy, as_of=as_of, only=args.only)
        if planned.plan.quiet is not None:
            print(f"{as_of} is a quiet day ({planned.plan.quiet}): nothing was sent.", file=sys.stderr)
            return 0
        if any(o.message.channel == "stdout" for o in planned.outgoing):
            print(f"# Reminders for {as_of}\n")
        senders = senders_for(policy, sys.stdout)
        try:
            report = deliver(store, planned, senders)
        finally:
            senders.close()
    channels = ", ".join(f"{name} {n}" for name, n in report.by_channel.items()) or "none"
    lines = [f"remind {as_of}: {report.sent} message(s) sent ({channels}), {report.recorded} reminder(s) recorded."]
    lines += [f"  not delivered: {f.channel} to {f.recipient}: {f.error}" for f in report.failures]
    if report.unreachable:
        lines.append("Owners we cannot reach:")
        lines += [f"  {u.name} ({u.role}): {u.why} ({u.total} item(s))" for u in report.unreachable]
    print(_safe("\n".join(lines), secrets), file=sys.stderr)
    return 1 if report.failures else 0
