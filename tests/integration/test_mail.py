"""E-mail through the office's mail server (CASE-4, SEC-6), against a local SMTP server the test starts."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import stat

import pytest
from case_practice import CaseDesk
from mail_server import PASSWORD, USER, Inbox
from sqlalchemy import func, select, text

from dentaldesk import config
from dentaldesk.db.models import AuditEvent, PlanEvent
from dentaldesk.domain.errors import DeliveryError, RuleViolation, ValidationError
from dentaldesk.domain.mail import SmtpSecurity
from dentaldesk.printing.handout import build_handout_pdf, handout_file_name
from dentaldesk.services.plans.handout import load_handout
from dentaldesk.services.practice.mail import HandoutMail, MailServerForm, send_handout, send_test_message
from dentaldesk.services.practice.settings import load_general_settings, save_general_settings


@pytest.fixture(autouse=True)
def no_kept_password():
    """Each test starts with no mail password in the (test) settings file."""
    config.set_smtp_password(None)
    yield
    config.set_smtp_password(None)


def set_server(desk: CaseDesk, host: str, port: int, *, password: str | None = PASSWORD, user: str = USER) -> None:
    form = load_general_settings(desk.uow, desk.owner)
    save_general_settings(
        desk.uow,
        desk.owner,
        dataclasses.replace(
            form,
            smtp_host=host,
            smtp_port=str(port),
            smtp_security=SmtpSecurity.NONE,
            smtp_user=user,
            smtp_from="frontdesk@maple.example",
            smtp_password=password,
        ),
    )


def handout_mail(desk: CaseDesk, plan_id: int, to: str = "anna@example.com") -> HandoutMail:
    handout = load_handout(desk.uow, desk.front, plan_id)
    return HandoutMail(
        to=to,
        subject="Your treatment plan",
        body="Dear Anna,\n\nyour plan is attached.\n",
        pdf=build_handout_pdf(handout),
        file_name=handout_file_name(handout),
    )


def sent_events(desk: CaseDesk) -> tuple[int, int]:
    with desk.uow:
        s = desk.uow.session
        return (
            s.scalar(select(func.count()).where(PlanEvent.action == "handout_emailed")),
            s.scalar(select(func.count()).where(AuditEvent.action == "handout_emailed")),
        )


def test_case4_the_handout_arrives_as_a_pdf_attachment_and_is_recorded(case_desk, smtp_inbox: Inbox) -> None:
    """CASE-4: Send to patient through the office's server: the message as edited, the handout PDF
    attached byte for byte, and the send in the plan's history and the audit log."""
    set_server(case_desk, smtp_inbox.host, smtp_inbox.port)
    plan_id = case_desk.plan(0, "Crowns", [("D2740", "14", "1200.00")], approved=dt.date(2026, 5, 1))
    mail = handout_mail(case_desk, plan_id)
    sent = send_handout(lambda: case_desk.uow, case_desk.front, plan_id, mail)
    assert sent.to == "anna@example.com" and smtp_inbox.recipients == [["anna@example.com"]]
    assert smtp_inbox.logins == [USER]
    message = smtp_inbox.messages[0]
    assert message["Subject"] == "Your treatment plan"
    assert "Test Dental" in message["From"] and "frontdesk@maple.example" in message["From"]
    assert smtp_inbox.body() == "Dear Anna,\n\nyour plan is attached.\n"
    [(name, content)] = smtp_inbox.attachments()
    assert name == mail.file_name and name.endswith(".pdf")
    assert content == mail.pdf and content.startswith(b"%PDF")
    assert sent_events(case_desk) == (1, 1)
    with case_desk.uow:
        detail = case_desk.uow.session.scalar(select(PlanEvent.detail).where(PlanEvent.action == "handout_emailed"))
    assert detail.startswith("Handout e-mailed to patient: to anna@example.com with ") and sent.message_id in detail


def test_case4_a_refused_log_in_says_so_at_the_button_and_nothing_is_recorded(case_desk, smtp_inbox) -> None:
    """CASE-4 bad input: the server refuses the password: the message says so, nothing is marked sent."""
    set_server(case_desk, smtp_inbox.host, smtp_inbox.port, password="not-the-password")
    plan_id = case_desk.plan(0, "Crowns", [("D2740", "14", "1200.00")], approved=dt.date(2026, 5, 1))
    with pytest.raises(DeliveryError) as refused:
        send_handout(lambda: case_desk.uow, case_desk.front, plan_id, handout_mail(case_desk, plan_id))
    assert refused.value.field == "send"
    assert "refused the log in for frontdesk@maple.example" in refused.value.message
    assert "Check the user name and password" in refused.value.message
    assert smtp_inbox.messages == [] and sent_events(case_desk) == (0, 0)


def test_case4_an_unreachable_server_says_no_connection_and_nothing_is_recorded(case_desk, closed_port) -> None:
    """CASE-4 bad input: nothing listens on the port: "No connection", nothing is marked sent."""
    set_server(case_desk, "127.0.0.1", closed_port)
    plan_id = case_desk.plan(0, "Crowns", [("D2740", "14", "1200.00")], approved=dt.date(2026, 5, 1))
    with pytest.raises(DeliveryError) as refused:
        send_handout(lambda: case_desk.uow, case_desk.front, plan_id, handout_mail(case_desk, plan_id))
    assert refused.value.message.startswith(f"No connection to the mail server 127.0.0.1:{closed_port}")
    assert sent_events(case_desk) == (0, 0)


def test_case4_starttls_is_never_skipped_when_the_server_does_not_offer_it(case_desk, smtp_inbox) -> None:
    """CASE-4: with STARTTLS chosen, a server without it gets no message and no password in clear."""
    set_server(case_desk, smtp_inbox.host, smtp_inbox.port)
    form = load_general_settings(case_desk.uow, case_desk.owner)
    save_general_settings(
        case_desk.uow, case_desk.owner, dataclasses.replace(form, smtp_security=SmtpSecurity.STARTTLS)
    )
    plan_id = case_desk.plan(0, "Crowns", [("D2740", "14", "1200.00")], approved=dt.date(2026, 5, 1))
    with pytest.raises(DeliveryError) as refused:
        send_handout(lambda: case_desk.uow, case_desk.front, plan_id, handout_mail(case_desk, plan_id))
    assert "does not offer STARTTLS" in refused.value.message
    assert smtp_inbox.logins == [] and smtp_inbox.messages == [] and sent_events(case_desk) == (0, 0)


def test_case4_without_a_server_the_service_refuses_and_the_desk_falls_back(case_desk) -> None:
    """CASE-4: no server set: the service says so (the window then saves the PDF and opens the mail client)."""
    plan_id = case_desk.plan(0, "Crowns", [("D2740", "14", "1200.00")], approved=dt.date(2026, 5, 1))
    with pytest.raises(RuleViolation) as refused:
        send_handout(lambda: case_desk.uow, case_desk.front, plan_id, handout_mail(case_desk, plan_id))
    assert "No mail server is set" in refused.value.message and sent_events(case_desk) == (0, 0)


def test_case4_a_bad_address_is_refused_at_the_to_field(case_desk, smtp_inbox) -> None:
    """CASE-4: an address that is not one is refused before anything is sent."""
    set_server(case_desk, smtp_inbox.host, smtp_inbox.port)
    plan_id = case_desk.plan(0, "Crowns", [("D2740", "14", "1200.00")], approved=dt.date(2026, 5, 1))
    with pytest.raises(ValidationError) as refused:
        send_handout(lambda: case_desk.uow, case_desk.front, plan_id, handout_mail(case_desk, plan_id, "anna@"))
    assert refused.value.field == "to" and smtp_inbox.messages == []


def test_case4_send_test_message_uses_the_settings_as_typed(case_desk, smtp_inbox) -> None:
    """General settings' Send test message: the typed (unsaved) server and password send to the office."""
    form = MailServerForm(
        smtp_inbox.host, str(smtp_inbox.port), SmtpSecurity.NONE, USER, "frontdesk@maple.example", PASSWORD
    )
    sent = send_test_message(case_desk.uow, case_desk.owner, form, "owner@maple.example")
    assert sent.to == "owner@maple.example" and smtp_inbox.messages[0]["Subject"] == "DentalDesk test message"
    assert "works" in smtp_inbox.body()
    with pytest.raises(DeliveryError) as refused:
        send_test_message(case_desk.uow, case_desk.owner, dataclasses.replace(form, password="wrong"), "o@x.example")
    assert refused.value.field == "test_message" and "refused the log in" in refused.value.message
    with pytest.raises(ValidationError) as no_host:
        send_test_message(case_desk.uow, case_desk.owner, dataclasses.replace(form, host=""))
    assert no_host.value.field == "smtp_host"


def test_sec6_the_mail_password_is_kept_in_the_0600_settings_file_not_the_database(case_desk, smtp_inbox) -> None:
    """SEC-6: the password goes to this workstation's settings file (0600), never to the database or the audit."""
    set_server(case_desk, smtp_inbox.host, smtp_inbox.port)
    settings_file = config.paths().settings_file
    assert json.loads(settings_file.read_text())["smtp_password"] == PASSWORD
    assert stat.S_IMODE(settings_file.stat().st_mode) == 0o600
    with case_desk.p.engine.connect() as conn:
        office = conn.execute(text("SELECT * FROM office")).mappings().one()
        audit = " ".join(r[0] or "" for r in conn.execute(text("SELECT after FROM audit_event")))
    assert PASSWORD not in json.dumps({k: str(v) for k, v in office.items()})
    assert PASSWORD not in audit and '"smtp_password": "changed"' in audit
    form = load_general_settings(case_desk.uow, case_desk.owner)
    assert form.smtp_password is None and form.smtp_password_kept
    save_general_settings(case_desk.uow, case_desk.owner, dataclasses.replace(form, smtp_password=""))
    assert "smtp_password" not in json.loads(settings_file.read_text())
    assert not load_general_settings(case_desk.uow, case_desk.owner).smtp_password_kept


@pytest.mark.parametrize(
    ("host", "port", "sender", "field"),
    [
        ("smtp example.com", "587", "a@b.example", "smtp_host"),
        ("smtp.example.com", "70000", "a@b.example", "smtp_port"),
        ("smtp.example.com", "587", "", "smtp_from"),
        ("smtp.example.com", "587", "not-an-address", "smtp_from"),
    ],
)
def test_case4_bad_mail_settings_are_refused_at_their_field(case_desk, host, port, sender, field) -> None:
    """CASE-4: the server's name, port and From address are checked at their fields before saving."""
    form = load_general_settings(case_desk.uow, case_desk.owner)
    with pytest.raises(ValidationError) as refused:
        save_general_settings(
            case_desk.uow,
            case_desk.owner,
            dataclasses.replace(form, smtp_host=host, smtp_port=port, smtp_from=sender),
        )
    assert refused.value.field == field
