"""A small team for the reminder tests, and the real servers reminders are delivered to on loopback.

`World` writes through the Store API, then moves the moments things happened to chosen days with raw SQL (the store
stamps the real clock), so every run at a fixed `as_of` gives the same answer. `Hooks` is a Slack-like (or any JSON)
webhook on a real loopback port that records each request and answers as a test tells it. `Mailbox` is aiosmtpd on
loopback with STARTTLS (a self-signed certificate made here with `cryptography`, which the SDK already installs) and
login, refusing the addresses a test names.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx2
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from loopback import served

from postmortem_actions.store import Actor, HumanDecision, NewAction, NewPostmortem, Store, WorkStatus
from postmortem_actions.tools.people import add_person

AS_OF = date(2026, 3, 2)  # a Monday
QUOTE = "Add an alert on queue depth"
SLACK_PATH = "/services/T0TEAM/B0REMIND/s3cretWebhookToken42"


def ago(days: int) -> date:
    return AS_OF - timedelta(days=days)


def ahead(days: int) -> date:
    return AS_OF + timedelta(days=days)


def stamp(day: date) -> str:
    return datetime.combine(day, time(10, 0), tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class World:
    """Three people, two postmortems and the items the reminder tests are about (see `build`)."""

    def __init__(self, db: Path) -> None:
        self.db = db
        self.store = Store(db)
        self.raw = sqlite3.connect(db, isolation_level=None)
        self.ids: dict[str, int] = {}

    def set(self, action_id: int, column: str, day: date) -> None:
        assert column in ("accepted_at", "status_at", "created_at")
        self.raw.execute(f"UPDATE actions SET {column} = ? WHERE id = ?", (stamp(day), action_id))

    def postmortem(self, title: str, by: Actor) -> int:
        text = f"# {title}\n\nSeverity: SEV2\n\n- {QUOTE} above 10,000 messages.\n"
        stored, _ = self.store.add_postmortem(
            NewPostmortem(
                title=title,
                source="pasted",
                text=text,
                sha256=hashlib.sha256(text.encode()).hexdigest(),
                severity="SEV2",
            ),
            by,
        )
        return stored.id

    def candidate(self, name: str, postmortem_id: int, text: str, created: date) -> int:
        start = self.store.get_postmortem(postmortem_id).text.index(QUOTE)
        new = NewAction(
            text=text,
            done_when="It is verified",
            problem="The incident",
            category="detect",
            quote=QUOTE,
            quote_start=start,
            quote_end=start + len(QUOTE),
        )
        [(action, _)] = self.store.add_actions(postmortem_id, [new], Actor(actor="assistant", via="test"))
        self.set(action.id, "created_at", created)
        self.ids[name] = action.id
        return action.id

    def decide(self, action_id: int, kind: str, **values: Any) -> None:
        self.store.record_decision(
            action_id, HumanDecision(kind=kind, decided_by="carol", channel="terminal", **values)
        )

    def accepted(self, name: str, postmortem_id: int, text: str, owner: str, due: date, accepted: date) -> int:
        action_id = self.candidate(name, postmortem_id, text, accepted - timedelta(days=1))
        self.decide(action_id, "accept", owner=owner, due=due)
        self.set(action_id, "accepted_at", accepted)
        return action_id

    def build(self) -> World:
        """People: Alice (alias alice.ng), Bob, Carol, each with an email and a Slack id. Postmortem `billing` was
        added by Carol at her terminal, `search` by the assistant for Carol (its lead is Bob in the policy).

        Owner items at AS_OF: Alice's overdue (5 days, in progress, with a ticket), due in 3 days (written
        "ALICE.NG"), without a report for 40 days (written "Alice"), and a fresh one; Bob's overdue (1 day); Dana's
        overdue (nobody knows Dana) and one for "Alise" (a typo: never taken for Alice). Candidates: billing's
        10 days old (to Carol) and 2 days old (too young), search's 9 days old (to Bob) and one deferred to a later
        revisit day. A done and a killed item say nothing.
        """
        add_person(self.store, "Alice", email="alice@example.com", slack_id="U0ALICE", aliases=["alice.ng"])
        add_person(self.store, "Bob", email="bob@example.com", slack_id="U0BOB")
        add_person(self.store, "Carol", email="carol@example.com", slack_id="U0CAROL")
        billing = self.postmortem("Billing queue backlog", Actor(actor="carol", via="cli"))
        search = self.postmortem("Search outage", Actor(actor="assistant", via="mcp:claude-code/2.1 for Carol"))
        self.ids |= {"billing": billing, "search": search}
        overdue = self.accepted("alice_overdue", billing, "Page on queue depth", "alice", ago(5), ago(30))
        self.store.set_work_status(overdue, WorkStatus.IN_PROGRESS, "alert drafted", Actor(actor="a", via="t"))
        self.set(overdue, "status_at", ago(2))
        self.raw.execute(
            "INSERT INTO tickets (action_id, tracker, ref, url) VALUES (?, 'jira', 'OPS-7', ?)",
            (overdue, "https://tracker.example/browse/OPS-7"),
        )
        self.accepted("alice_soon", billing, "Cap consumer retries", "ALICE.NG", ahead(3), ago(10))
        self.accepted("alice_stale", search, "Shard the search index", "Alice", ahead(60), ago(40))
        self.accepted("alice_fresh", search, "Alert on index lag", "Alice", ahead(60), ago(3))
        self.accepted("bob_overdue", billing, "Drill the failover", "bob", ago(1), ago(20))
        self.accepted("dana_overdue", billing, "Document the replay", "Dana", ago(2), ago(20))
        self.accepted("typo_soon", search, "Cache warmup on deploy", "Alise", ahead(2), ago(5))
        self.candidate("billing_old", billing, "Dashboard queue depth", ago(10))
        self.candidate("billing_young", billing, "Replay stuck invoices", ago(2))
        self.candidate("search_old", search, "Rate-limit reindexing", ago(9))
        deferred = self.candidate("search_deferred", search, "Move search to SSDs", ago(20))
        self.decide(deferred, "defer", reason="next quarter", revisit_on=ahead(5))
        done = self.accepted("done", billing, "Add a canary", "alice", ago(3), ago(20))
        self.decide(done, "complete", evidence="PR 7")
        killed = self.candidate("killed", billing, "Rewrite billing", ago(30))
        self.decide(killed, "kill", reason="duplicate")
        return self

    def close(self) -> None:
        self.raw.close()
        self.store.close()


def table_rows(db: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of the tables a decision or an item lives in, exactly as stored."""
    with sqlite3.connect(db) as conn:
        return {
            table: conn.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()
            for table in ("actions", "decisions", "audit_log", "postmortems", "tickets")
        }


# -- a webhook on loopback -----------------------------------------------------------------------------------

Answer = Callable[[dict[str, Any]], httpx2.Response | None]


@dataclass
class Hooks:
    """A JSON webhook that records every request it gets; `answer` may return a response (else 200 "ok")."""

    url: str = ""
    requests: list[dict[str, Any]] = field(default_factory=list)
    answer: Answer = lambda body: None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content)
        with self.lock:
            self.requests.append(body)
        return self.answer(body) or httpx2.Response(200, text="ok")

    def take(self) -> list[dict[str, Any]]:
        """The requests received since the last take."""
        with self.lock:
            taken, self.requests = self.requests, []
        return taken


@contextmanager
def hooks(path: str = SLACK_PATH) -> Iterator[Hooks]:
    """A `Hooks` served on a loopback port; its URL ends in `path` (a Slack-like secret path by default)."""
    recorder = Hooks()
    with served(recorder.handle) as base:
        recorder.url = base + path
        yield recorder


# -- an SMTP server on loopback, with STARTTLS and login ---------------------------------------------------------


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost, and its key, written to `folder`."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "postmortem-actions test SMTP")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_file, key_file


@dataclass
class Mailbox:
    """What the SMTP server received: each message with its envelope, and whether it arrived over TLS."""

    port: int = 0
    cafile: Path = Path()
    refuse: set[str] = field(default_factory=set)
    received: list[tuple[list[str], EmailMessage, bool]] = field(default_factory=list)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        mail = message_from_bytes(content, policy=policy.default)
        assert isinstance(mail, EmailMessage)
        self.received.append((list(envelope.rcpt_tos), mail, session.ssl is not None))
        return "250 Message accepted"


class _AnyPort(Controller):
    """aiosmtpd's controller on a port the system picks (it pokes its own port to check it is up)."""

    def _trigger_server(self) -> None:
        server: Any = self.server  # an asyncio.Server: its sockets say which port it got
        self.port = server.sockets[0].getsockname()[1]
        super()._trigger_server()  # type: ignore[no-untyped-call]


SMTP_USER, SMTP_PASSWORD = "reminder-bot", "pa55-w0rd-never-shown"


def _login(server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: object) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (SMTP_USER.encode(), SMTP_PASSWORD.encode())
    return AuthResult(success=ok, handled=False)  # handled=False: the server answers 535 itself


@contextmanager
def mailbox(folder: Path, *, tls: bool = True) -> Iterator[Mailbox]:
    """An SMTP server on 127.0.0.1 that requires STARTTLS before anything, and login over it; with `tls=False`, an
    old server that offers neither (and takes mail from anyone)."""
    cert, key = self_signed(folder)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    box = Mailbox(cafile=cert)
    secure: dict[str, Any] = {"tls_context": context, "require_starttls": True, "authenticator": _login}
    controller = _AnyPort(box, hostname="127.0.0.1", port=0, auth_require_tls=True, **(secure if tls else {}))
    controller.start()
    box.port = controller.port
    try:
        yield box
    finally:
        controller.stop()


def smtp_env(box: Mailbox) -> dict[str, str]:
    """The variables that send email through `box`."""
    return {
        "POSTMORTEM_ACTIONS_SMTP_HOST": "127.0.0.1",
        "POSTMORTEM_ACTIONS_SMTP_PORT": str(box.port),
        "POSTMORTEM_ACTIONS_SMTP_USER": SMTP_USER,
        "POSTMORTEM_ACTIONS_SMTP_PASSWORD": SMTP_PASSWORD,
        "POSTMORTEM_ACTIONS_SMTP_FROM": "reminders@example.com",
        "POSTMORTEM_ACTIONS_SMTP_CAFILE": str(box.cafile),
        "POSTMORTEM_ACTIONS_TEAM_EMAIL": "sre@example.com",
    }
