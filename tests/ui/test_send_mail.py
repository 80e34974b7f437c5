"""E-mail in the windows (CASE-4): General settings' mail server and Send test message, and Send to
patient's editable message with the handout attached, against a local SMTP server the test starts."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from mail_server import PASSWORD, USER
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from sqlalchemy import select, update

from dentaldesk import config
from dentaldesk.db.models import Patient, PlanEvent
from dentaldesk.domain.mail import SmtpSecurity
from dentaldesk.services.practice.settings import load_general_settings, save_general_settings
from dentaldesk.ui.plans.print_handout import SendHandoutDialog, send_plan_to_patient
from dentaldesk.ui.settings.general_window import GeneralSettingsWindow


@pytest.fixture(autouse=True)
def no_kept_password():
    config.set_smtp_password(None)
    yield
    config.set_smtp_password(None)


@pytest.fixture
def window(qtbot) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


def use_server(case_desk, inbox, password: str = PASSWORD) -> None:
    form = load_general_settings(case_desk.uow, case_desk.owner)
    save_general_settings(
        case_desk.uow,
        case_desk.owner,
        dataclasses.replace(
            form,
            smtp_host=inbox.host,
            smtp_port=str(inbox.port),
            smtp_security=SmtpSecurity.NONE,
            smtp_user=USER,
            smtp_from="frontdesk@maple.example",
            smtp_password=password,
        ),
    )
    with case_desk.uow:
        case_desk.uow.session.execute(
            update(Patient).where(Patient.id == case_desk.p.patient_ids[0]).values(email="anna@example.com")
        )
        case_desk.uow.commit()


def emailed(case_desk, plan_id: int) -> list[str]:
    with case_desk.uow:
        return list(
            case_desk.uow.session.scalars(
                select(PlanEvent.detail).where(PlanEvent.plan_id == plan_id, PlanEvent.action == "handout_emailed")
            )
        )


def test_case4_send_to_patient_emails_the_edited_message_with_the_handout_attached(
    qtbot, case_desk, make_ctx, smtp_inbox, window, shots: Path
) -> None:
    """CASE-4 story: Send to patient opens the message to Anna, the person adds a line, Send: the
    local server holds the message as edited with the handout PDF, and the plan's history says so."""
    use_server(case_desk, smtp_inbox)
    plan_id = case_desk.plan(0, "Crowns", [("D2740", "14", "1200.00")], approved=dt.date(2026, 5, 1))
    ctx = make_ctx(case_desk.p.engine, case_desk.front)
    dialog = send_plan_to_patient(ctx, window, plan_id)
    assert isinstance(dialog, SendHandoutDialog)
    qtbot.addWidget(dialog)
    assert dialog.to.text() == "anna@example.com"
    assert dialog.subject.text() == "Your treatment plan from Test Dental"
    assert dialog.body.toPlainText().startswith("Dear Anna Smith,")
    assert dialog.attachment.text().startswith(f"Attached: Treatment plan {plan_id} - Anna Smith.pdf")
    dialog.body.moveCursor(dialog.body.textCursor().MoveOperation.End)
    qtbot.keyClicks(dialog.body, "P.S. Parking is free on Saturdays.")
    dialog.grab().save(str(shots / "send_to_patient.png"))
    qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10000)
    [message] = smtp_inbox.messages
    assert message["To"] == "anna@example.com"
    assert smtp_inbox.body().rstrip().endswith("P.S. Parking is free on Saturdays.")
    [(name, pdf)] = smtp_inbox.attachments()
    assert name == f"Treatment plan {plan_id} - Anna Smith.pdf"
    received = shots / "received_handout.pdf"
    received.write_bytes(pdf)
    assert "Crowns" in PdfReader(received).pages[0].extract_text()
    [detail] = emailed(case_desk, plan_id)
    assert "to anna@example.com" in detail and name in detail


def test_case4_a_refused_log_in_shows_at_the_send_button_and_nothing_is_recorded(
    qtbot, case_desk, make_ctx, smtp_inbox, window
) -> None:
    """CASE-4 bad input: a wrong password: the reason under Send, the dialog stays with what was typed."""
    use_server(case_desk, smtp_inbox, password="wrong-password")
    plan_id = case_desk.plan(0, "Crowns", [("D2740", "14", "1200.00")], approved=dt.date(2026, 5, 1))
    dialog = send_plan_to_patient(make_ctx(case_desk.p.engine, case_desk.front), window, plan_id)
    qtbot.addWidget(dialog)
    dialog.subject.setText("Kept as typed")
    qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.errors["send"].isVisible(), timeout=10000)
    assert "refused the log in" in dialog.errors["send"].text()
    assert dialog.isVisible() and dialog.subject.text() == "Kept as typed"
    assert smtp_inbox.messages == [] and emailed(case_desk, plan_id) == []


def test_case4_general_settings_send_test_message_and_the_kept_password(
    qtbot, case_desk, make_ctx, smtp_inbox, shots: Path
) -> None:
    """CASE-4: the mail server typed in General settings sends a test message before saving; a wrong
    port says "No connection" beside the button; Save keeps the password in the settings file."""
    settings = GeneralSettingsWindow(make_ctx(case_desk.p.engine, case_desk.owner))
    qtbot.addWidget(settings)
    settings.show()
    qtbot.keyClicks(settings.smtp_host, smtp_inbox.host)
    settings.smtp_security.setCurrentIndex(settings.smtp_security.findData(SmtpSecurity.NONE.value))
    assert settings.smtp_port.text() == "25"  # followed the security's usual port
    settings.smtp_port.setText(str(smtp_inbox.port))
    qtbot.keyClicks(settings.smtp_user, USER)
    qtbot.keyClicks(settings.smtp_password, PASSWORD)
    qtbot.keyClicks(settings.smtp_from, "frontdesk@maple.example")
    qtbot.mouseClick(settings.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Test message sent" in settings.test_result.text(), timeout=10000)
    assert (
        settings.test_result.text()
        == f"Test message sent to frontdesk@maple.example through {smtp_inbox.host}:{smtp_inbox.port}."
    )
    assert smtp_inbox.messages[0]["Subject"] == "DentalDesk test message"
    qtbot.wait(50)  # the answer's line is laid out on the next turn of the event loop
    settings.grab().save(str(shots / "general_settings_mail.png"))
    settings.smtp_port.setText("1")
    qtbot.mouseClick(settings.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: settings.test_error.isVisible(), timeout=10000)
    assert settings.test_error.text().startswith(f"No connection to the mail server {smtp_inbox.host}:1")
    settings.smtp_port.setText(str(smtp_inbox.port))
    qtbot.mouseClick(settings.save_button, Qt.MouseButton.LeftButton)
    assert settings.status.text() == "General settings saved."
    assert config.smtp_password() == PASSWORD
    settings.load()
    assert settings.smtp_password.text() == ""
    assert settings.smtp_password.placeholderText() == "a password is kept on this workstation"
    assert settings.forget_password.isEnabled()
