"""A local SMTP server started by the test (aiosmtpd on 127.0.0.1), to send the office's e-mail
to and read each message and its attachments back (CASE-4)."""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER = "frontdesk@maple.example"
PASSWORD = "mail-secret-1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Inbox:
    """What the server received: each message parsed, with its envelope's recipients."""

    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.messages.append(email.message_from_bytes(envelope.content, policy=default))  # type: ignore[arg-type]
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"

    def authenticate(self, server, session, envelope, mechanism, auth_data):  # type: ignore[no-untyped-def]
        if isinstance(auth_data, LoginPassword):
            login, password = auth_data.login.decode(), auth_data.password.decode()
            self.logins.append(login)
            return AuthResult(
                success=login == USER and password == PASSWORD, handled=False
            )  # handled=False: the server answers 535 itself
        return AuthResult(success=False, handled=False)

    def attachments(self, n: int = -1) -> list[tuple[str, bytes]]:
        """(file name, bytes) of each attachment of message ``n``."""
        return [
            (part.get_filename() or "", part.get_content())
            for part in self.messages[n].iter_attachments()  # type: ignore[attr-defined]
        ]

    def body(self, n: int = -1) -> str:
        text = self.messages[n].get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
        return text.replace("\r\n", "\n")  # lines travel as CRLF


@pytest.fixture
def smtp_inbox() -> Iterator[Inbox]:
    """An SMTP server on 127.0.0.1 that wants a log in (without TLS, which a test server cannot
    offer with a trusted certificate) and keeps what it receives."""
    inbox = Inbox("127.0.0.1", free_port())
    # A test server on loopback has no trusted certificate for TLS, so it takes AUTH in clear
    # (aiosmtpd warns about that, pyproject.toml's filterwarnings; STARTTLS has its own test).
    controller = Controller(
        inbox,
        hostname=inbox.host,
        port=inbox.port,
        authenticator=inbox.authenticate,
        auth_require_tls=False,
        auth_required=True,
    )
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def closed_port() -> int:
    """A local port nothing listens on: the connection is refused at once."""
    return free_port()
