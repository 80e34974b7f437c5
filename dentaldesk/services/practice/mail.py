"""E-mail through the office's mail server (CASE-4): the test message, and a handout to a patient.

Sending talks to the network, which can take seconds; neither action holds a write transaction
while it does (the guard opens a read: no workstation waits for the mail server). A message the
server did not accept raises :class:`DeliveryError` saying why (the login refused, no
connection, the address refused, no TLS), and nothing is recorded as sent. A handout that was
sent is then written to the plan's history and the audit log by ``handout.record_handout``, in
its own transaction: :func:`send_handout` does both, in that order.

The server's password is kept in this workstation's settings file (0600), never in the
database (SEC-6): ``config.smtp_password``.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage

from dentaldesk import clock, config
from dentaldesk.db.models import Office, TreatmentPlan
from dentaldesk.domain.errors import DeliveryError, NotFound, RuleViolation, ValidationError
from dentaldesk.domain.mail import Attachment, MailServer, SmtpSecurity, build_message, check_mail_server
from dentaldesk.services.access.actor import Actor
from dentaldesk.services.access.guard import guarded
from dentaldesk.services.access.rights import Right
from dentaldesk.services.plans.handout import HandoutDelivery, record_handout
from dentaldesk.services.uow import UnitOfWork

TIMEOUT_S = 20.0


@dataclass(frozen=True)
class MailSent:
    to: str
    message_id: str
    server: str


def office_mail_server(office: Office) -> MailServer:
    """The office's SMTP settings as stored (General settings)."""
    try:
        security = SmtpSecurity(office.smtp_security)
    except ValueError:
        security = SmtpSecurity.STARTTLS
    return MailServer(office.smtp_host or "", office.smtp_port, security, office.smtp_user or "", office.smtp_from)


def _tls_context() -> ssl.SSLContext:
    return ssl.create_default_context()


def deliver(
    server: MailServer, password: str | None, message: EmailMessage, *, field: str, timeout: float = TIMEOUT_S
) -> str:
    """Hand ``message`` to the mail server; return its Message-ID, or raise DeliveryError saying why."""
    where = server.where
    try:
        if server.security is SmtpSecurity.SSL:
            client: smtplib.SMTP = smtplib.SMTP_SSL(server.host, server.port, timeout=timeout, context=_tls_context())
        else:
            client = smtplib.SMTP(server.host, server.port, timeout=timeout)
        with client:
            client.ehlo()
            if server.security is SmtpSecurity.STARTTLS:
                if not client.has_extn("starttls"):
                    raise DeliveryError(
                        f"The mail server {where} does not offer STARTTLS, so the message was not sent "
                        "unencrypted. Choose SSL/TLS or ask your e-mail provider for the right settings.",
                        field,
                    )
                client.starttls(context=_tls_context())
                client.ehlo()
            if server.user:
                if not client.has_extn("auth"):
                    raise DeliveryError(
                        f"The mail server {where} does not take a log in; clear the user name or check the server.",
                        field,
                    )
                client.login(server.user, password or "")
            not_taken = client.send_message(message)
            if not_taken:
                raise DeliveryError(
                    f"The mail server refused the address {', '.join(sorted(not_taken))}; nothing was sent.", field
                )
    except DeliveryError:
        raise
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryError(
            f"The mail server {where} refused the log in for {server.user or 'this user'} "
            f"({_said(exc)}). Check the user name and password in General settings.",
            field,
        ) from None
    except smtplib.SMTPRecipientsRefused as exc:
        refused = ", ".join(sorted(exc.recipients))
        raise DeliveryError(f"The mail server refused the address {refused}; nothing was sent.", field) from None
    except smtplib.SMTPSenderRefused as exc:
        raise DeliveryError(
            f"The mail server refused the From address {server.sender} ({_said(exc)}).", field
        ) from None
    except smtplib.SMTPNotSupportedError as exc:
        raise DeliveryError(f"The mail server {where} does not support this: {exc}.", field) from None
    except ssl.SSLError as exc:
        raise DeliveryError(
            f"The secure connection to {where} failed ({exc.reason or exc}). Check the security setting "
            "(STARTTLS on 587, SSL/TLS on 465).",
            field,
        ) from None
    except (smtplib.SMTPConnectError, smtplib.SMTPServerDisconnected) as exc:
        raise DeliveryError(
            f"The mail server {where} closed the connection ({exc}); nothing was sent.", field
        ) from None
    except smtplib.SMTPResponseException as exc:
        raise DeliveryError(f"The mail server {where} said: {_said(exc)}; nothing was sent.", field) from None
    except smtplib.SMTPException as exc:
        raise DeliveryError(f"The mail server {where} failed: {exc}; nothing was sent.", field) from None
    except socket.gaierror:
        raise DeliveryError(
            f"No connection to the mail server: the name {server.host} is not known. Check the server name "
            "and this computer's network.",
            field,
        ) from None
    except TimeoutError:
        raise DeliveryError(
            f"No connection to the mail server {where}: it did not answer within {timeout:.0f} seconds.", field
        ) from None
    except OSError as exc:
        raise DeliveryError(
            f"No connection to the mail server {where} ({exc.strerror or exc}). Check the server name, the "
            "port and this computer's network.",
            field,
        ) from None
    return str(message["Message-ID"])


def _said(exc: smtplib.SMTPResponseException) -> str:
    text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
    return f"{exc.smtp_code} {' '.join(text.split())}"


@dataclass(frozen=True)
class MailServerForm:
    """The mail server part of General settings as typed; ``password`` None: the one kept."""

    host: str
    port: str
    security: SmtpSecurity | str
    user: str
    sender: str
    password: str | None = None


@guarded(Right.SETUP, read=True)
def send_test_message(uow: UnitOfWork, actor: Actor, form: MailServerForm, to: str = "") -> MailSent:
    """General settings' "Send test message": the settings as typed (saved or not) send a short
    message to ``to``, else the office's e-mail, else the From address itself."""
    server = check_mail_server(form.host, form.port, form.security, form.user, form.sender)
    if not server.configured:
        raise ValidationError("Enter the mail server (e.g. smtp.example.com) first.", "smtp_host")
    with uow.read():
        office = uow.session.get(Office, actor.office_id)
        if office is None:
            raise NotFound("The office no longer exists.")
        name, office_email = office.name, office.email
    address = (to or "").strip() or office_email or server.sender
    password = form.password if form.password is not None else config.smtp_password()
    body = (
        f"This is a test message from DentalDesk at {name}, sent by {actor.full_name} on "
        f"{clock.now_local():%Y-%m-%d %H:%M}.\n\nThe office's mail server {server.where} works: "
        "treatment plans can be e-mailed to patients."
    )
    message = build_message(server, name, address, "DentalDesk test message", body)
    return MailSent(address, deliver(server, password, message, field="test_message"), server.where)


@dataclass(frozen=True)
class HandoutMail:
    """What Send to patient sends: the address, subject and message as edited, the PDF attached."""

    to: str
    subject: str
    body: str
    pdf: bytes
    file_name: str


@guarded(Right.READ_OFFICE)
def mail_server_set(uow: UnitOfWork, actor: Actor) -> bool:
    """CASE-4: whether the office has a mail server (else Send to patient opens the mail client)."""
    with uow.read():
        office = uow.session.get(Office, actor.office_id)
        return office is not None and bool(office.smtp_host)


@guarded(Right.PRESENT_PLANS, read=True, plan_id=TreatmentPlan)
def email_handout(uow: UnitOfWork, actor: Actor, plan_id: int, mail: HandoutMail) -> MailSent:
    """CASE-4: send the handout PDF to the patient through the office's mail server."""
    if not mail.pdf.startswith(b"%PDF"):
        raise ValidationError("The handout to attach is not a PDF.", "send")
    with uow.read():
        office = uow.session.get(Office, actor.office_id)
        if office is None:
            raise NotFound("The office no longer exists.")
        server, name = office_mail_server(office), office.name
    if not server.configured:
        raise RuleViolation(
            "No mail server is set in General settings; the handout can be saved and sent from your e-mail.", "send"
        )
    message = build_message(server, name, mail.to, mail.subject, mail.body, (Attachment(mail.file_name, mail.pdf),))
    return MailSent(str(message["To"]), deliver(server, config.smtp_password(), message, field="send"), server.where)


def send_handout(uow_factory: Callable[[], UnitOfWork], actor: Actor, plan_id: int, mail: HandoutMail) -> MailSent:
    """Send the handout (:func:`email_handout`), then record it in the plan's history and the audit
    log (``record_handout``, SEC-2). A message that was not sent records nothing."""
    sent = email_handout(uow_factory(), actor, plan_id, mail)
    record_handout(
        uow_factory(),
        actor,
        plan_id,
        HandoutDelivery.EMAILED,
        detail=f"to {sent.to} with {mail.file_name} attached, through {sent.server} (message {sent.message_id})",
    )
    return sent
