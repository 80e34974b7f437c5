"""E-mail to patients (CASE-4): the office's mail server as typed, checked, and the message built.

Pure: the standard library's ``email`` package builds the message; sending it is the services'
(:mod:`dentaldesk.services.practice.mail`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from enum import Enum

from dentaldesk.domain.errors import ValidationError
from dentaldesk.domain.records import optional_text, parse_email, parse_whole

SUBJECT_MAX = 200
BODY_MAX = 20_000
# A host name or an IPv4/IPv6 address: letters, digits, dots, dashes, colons and brackets.
_HOST = re.compile(r"^[A-Za-z0-9.\-:\[\]]+$")


class SmtpSecurity(str, Enum):
    """How the connection to the mail server is protected."""

    STARTTLS = "starttls"  # plain connection upgraded with STARTTLS (port 587)
    SSL = "ssl"  # TLS from the first byte (port 465)
    NONE = "none"  # no encryption: only for a relay inside the office network

    @property
    def label(self) -> str:
        return {
            "starttls": "STARTTLS (port 587)",
            "ssl": "SSL/TLS (port 465)",
            "none": "None (office relay only)",
        }[self.value]

    @property
    def default_port(self) -> int:
        return {"starttls": 587, "ssl": 465, "none": 25}[self.value]


@dataclass(frozen=True)
class MailServer:
    """The office's SMTP settings (the password is kept apart, SEC-6)."""

    host: str
    port: int
    security: SmtpSecurity
    user: str
    sender: str  # the From address

    @property
    def configured(self) -> bool:
        return bool(self.host)

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


def check_mail_server(host: str, port: str, security: SmtpSecurity | str, user: str, sender: str) -> MailServer:
    """The SMTP settings as typed in General settings; a blank host means no server (CASE-4: Send
    to patient then opens the mail client). With a host, the port and the From address are needed."""
    cleaned_host = optional_text(host, "smtp_host", "mail server", max_length=255)
    try:
        chosen = SmtpSecurity(security)
    except ValueError:
        raise ValidationError("Choose how the connection to the mail server is protected.", "smtp_security") from None
    cleaned_user = optional_text(user, "smtp_user", "mail server user", max_length=255)
    from_address = parse_email(sender, "smtp_from")
    if not cleaned_host:
        return MailServer("", chosen.default_port, chosen, cleaned_user, from_address)
    if not _HOST.match(cleaned_host):
        raise ValidationError(
            f"'{cleaned_host}' is not a server name; type one like smtp.example.com.",
            "smtp_host",
        )
    number = (
        chosen.default_port
        if not (port or "").strip()
        else parse_whole(port, "smtp_port", low=1, high=65535, what="The mail server port")
    )
    if not from_address:
        raise ValidationError(
            "Enter the address the office's e-mails come from, e.g. frontdesk@example.com.", "smtp_from"
        )
    return MailServer(cleaned_host, number, chosen, cleaned_user, from_address)


@dataclass(frozen=True)
class Attachment:
    file_name: str
    content: bytes
    mime_type: str = "application/pdf"


def build_message(
    server: MailServer,
    sender_name: str,
    to: str,
    subject: str,
    body: str,
    attachments: tuple[Attachment, ...] = (),
) -> EmailMessage:
    """The message as it is sent: From the office, To the patient, the body and its attachments.

    Refusals name the field: ``to``, ``subject`` or ``body``.
    """
    address = parse_email(to, "to")
    if not address:
        raise ValidationError("Enter the patient's e-mail address.", "to")
    cleaned_subject = " ".join((subject or "").split())
    if not cleaned_subject:
        raise ValidationError("Give the message a subject.", "subject")
    if len(cleaned_subject) > SUBJECT_MAX:
        raise ValidationError(f"A subject has at most {SUBJECT_MAX} characters.", "subject")
    if not (body or "").strip():
        raise ValidationError("Write the message to the patient.", "body")
    if len(body) > BODY_MAX:
        raise ValidationError(f"A message has at most {BODY_MAX:,} characters.", "body")
    message = EmailMessage()
    message["From"] = formataddr((sender_name, server.sender)) if sender_name else server.sender
    message["To"] = address
    message["Subject"] = cleaned_subject
    domain = server.sender.rpartition("@")[2] or None
    message["Message-ID"] = make_msgid(domain=domain)
    message.set_content(body)
    for attachment in attachments:
        main, _slash, sub = attachment.mime_type.partition("/")
        message.add_attachment(attachment.content, maintype=main, subtype=sub, filename=attachment.file_name)
    return message
