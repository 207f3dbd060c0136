"""A reminder as an email, and sending it over SMTP with the standard library (STARTTLS by default).

One connection per run, opened on the first message. Credentials come from the policy (environment or file); they
are sent only over TLS and never appear in a message. A server that refuses one recipient fails that message only.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Final

from postmortem_actions.tools.nudges.errors import DeliveryFailed
from postmortem_actions.tools.nudges.markdown import message_text
from postmortem_actions.tools.nudges.models import Message
from postmortem_actions.tools.nudges.policy import Policy, SmtpConfig

SUBJECT_PREFIX: Final = "[postmortem-actions] "
Connect = Callable[[SmtpConfig], smtplib.SMTP]


def email_message(message: Message, to: str, policy: Policy, sender: str) -> EmailMessage:
    """The email for `message`, to the address `to`: the subject line and the plain-text body."""
    mail = EmailMessage()
    mail["Subject"] = SUBJECT_PREFIX + message.subject
    mail["From"] = sender
    mail["To"] = to
    mail["Date"] = formatdate(localtime=True)
    mail["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    mail["Auto-Submitted"] = "auto-generated"  # RFC 3834: out-of-office robots do not answer it
    mail.set_content(message_text(message, policy))
    return mail


def connect(config: SmtpConfig) -> smtplib.SMTP:
    """An SMTP connection as the policy asks: TLS from the start (ssl), upgraded (starttls) or plain (none, only
    without credentials), logged in when a username is set.

    Raises:
        smtplib.SMTPException, OSError: the server could not be reached, refused TLS or the credentials.
    """
    context = ssl.create_default_context(cafile=config.cafile)
    smtp: smtplib.SMTP
    if config.security == "ssl":
        smtp = smtplib.SMTP_SSL(config.host, config.port, timeout=config.timeout, context=context)
    else:
        smtp = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
    try:
        smtp.ehlo()
        if config.security == "starttls":
            smtp.starttls(context=context)
            smtp.ehlo()
        if config.username:
            smtp.login(config.username, config.password or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


class Mailer:
    """Sends reminder emails through one SMTP connection, reopened after a failure."""

    def __init__(self, config: SmtpConfig, *, connector: Connect = connect) -> None:
        self.config = config
        self._connect = connector
        self._smtp: smtplib.SMTP | None = None
        self._broken: str | None = None  # why the server cannot be used this run: the rest fail at once

    def send(self, mail: EmailMessage) -> None:
        """Send one email.

        Raises:
            DeliveryFailed: the server could not be reached, refused TLS, the credentials, the sender or the recipient
                (the message says which; it never holds the password).
        """
        where = f"the mail server {self.config.host}:{self.config.port}"
        if self._broken is not None:
            raise DeliveryFailed(f"{self._broken} (earlier in this run; not tried again until the next run)")
        try:
            if self._smtp is None:
                self._smtp = self._connect(self.config)
            self._smtp.send_message(mail)
        except smtplib.SMTPRecipientsRefused as exc:
            said = "; ".join(f"{addr}: {code} {_said(text)}" for addr, (code, text) in exc.recipients.items())
            raise DeliveryFailed(f"{where} refused the recipient ({said}); it was not sent") from None
        except smtplib.SMTPAuthenticationError as exc:
            raise self._fail(f"{where} refused the credentials ({exc.smtp_code}); check the SMTP user") from None
        except smtplib.SMTPNotSupportedError:
            raise self._fail(f"{where} does not offer STARTTLS; nothing was sent over a plain connection") from None
        except smtplib.SMTPResponseException as exc:
            self.close()  # this message was refused (the sender, its size); the next one gets a fresh connection
            raise DeliveryFailed(f"{where} refused the message ({exc.smtp_code} {_said(exc.smtp_error)})") from None
        except (smtplib.SMTPException, OSError) as exc:
            raise self._fail(f"could not deliver through {where} ({type(exc).__name__})") from None

    def _fail(self, why: str) -> DeliveryFailed:
        """A failure of the server itself (unreachable, TLS, login): every later message this run fails at once."""
        self.close()
        self._broken = why
        return DeliveryFailed(why)

    def close(self) -> None:
        """Say goodbye to the server (or just drop a broken connection)."""
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()


def _said(text: bytes | str) -> str:
    value = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return " ".join(value.split())[:200]
