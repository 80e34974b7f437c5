"""Print with preview, Save as PDF and Send to patient for the plan handout (TP-17, TP-4, SEC-2)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from acting import staff
from handout_plans import build_template, copy_template
from pypdf import PdfReader
from PySide6.QtCore import QObject, QUrl, QUrlQuery, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo, QPrintPreviewDialog, QPrintPreviewWidget
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget
from sqlalchemy import select

from dentaldesk.db.models import PlanEvent
from dentaldesk.printing.handout import build_handout_pdf
from dentaldesk.services.plans.handout import load_handout
from dentaldesk.ui.plans import print_handout
from dentaldesk.ui.plans.print_handout import (
    HandoutPdf,
    handout_folder,
    print_plan,
    save_plan_pdf,
    send_plan_to_patient,
)


@pytest.fixture(scope="module")
def handout_template(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("handout-ui") / "template.sqlite3"
    office, plans = build_template(path)
    return path, office, plans


@pytest.fixture
def copy(handout_template, tmp_path: Path):
    practice = copy_template(handout_template, tmp_path)
    yield practice
    practice.engine.dispose()


@pytest.fixture
def ctx(copy, make_ctx):
    return make_ctx(copy.engine, copy.office.front_desk)


@pytest.fixture
def told(monkeypatch) -> list[str]:
    """What the person is told in message boxes (the boxes would block a test)."""
    messages: list[str] = []

    def information(parent, title, text, *args, **kwargs):
        messages.append(text)
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "information", information)
    monkeypatch.setattr(QMessageBox, "warning", information)
    return messages


@pytest.fixture
def window(qtbot) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


def events(copy, plan_id: int) -> list[tuple[str, str]]:
    with copy.uow:
        return [
            (e.action, e.detail)
            for e in copy.uow.session.scalars(
                select(PlanEvent).where(PlanEvent.plan_id == plan_id).order_by(PlanEvent.id)
            )
        ]


def pdf_printer(path: Path) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    printer.setResolution(150)  # the test needs the pages, not print quality
    return printer


def test_tp17_printer_path_prints_the_same_pages_as_the_pdf(qtbot, copy, tmp_path) -> None:
    """TP-17: the printer gets the reportlab PDF's pages through QtPdf: same count, same paper."""
    handout = load_handout(copy.uow, staff(copy.uow), copy.plans["draft"])
    pdf = build_handout_pdf(handout)
    job = HandoutPdf(handout, pdf)
    printer = pdf_printer(tmp_path / "printed.pdf")
    job.prepare(printer)
    assert job.paint(printer) == job.page_count
    printed = PdfReader(tmp_path / "printed.pdf")
    assert len(printed.pages) == len(PdfReader(io.BytesIO(pdf)).pages) == 2
    box = printed.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)  # the office's Letter


def test_tp17_print_with_preview_shows_the_pages_and_records_the_print(
    qtbot, ctx, copy, window, told, tmp_path, monkeypatch, shots
) -> None:
    """TP-17, SEC-2: the preview shows the handout's pages; printing them is written to the history."""
    monkeypatch.setattr(QPrinterInfo, "availablePrinters", staticmethod(lambda: [QPrinterInfo()]))
    seen: dict[str, int] = {}

    def run_preview(dialog: QPrintPreviewDialog) -> int:
        dialog.show()
        preview = dialog.findChild(QPrintPreviewWidget)
        qtbot.waitUntil(lambda: preview.pageCount() > 0)
        seen["preview_pages"] = preview.pageCount()
        dialog.grab().save(str(shots / "print_preview.png"))
        # The person presses Print: the dialog's printer, here a PDF file, gets the same paint.
        printer = dialog.printer()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(tmp_path / "from-preview.pdf"))
        printer.setResolution(150)
        dialog.paintRequested.emit(printer)
        dialog.accept()
        return QPrintPreviewDialog.DialogCode.Accepted

    monkeypatch.setattr(QPrintPreviewDialog, "exec", run_preview)
    outcome = print_plan(ctx, window, copy.plans["approved"])
    assert outcome.printed and outcome.pages == 2 and seen["preview_pages"] == 2
    assert len(PdfReader(tmp_path / "from-preview.pdf").pages) == 2
    assert told == []
    [(action, detail)] = events(copy, copy.plans["approved"])
    assert action == "handout_printed" and detail.startswith("Handout printed: 2 pages on ")


def test_tp17_cancelled_print_says_so_and_records_nothing(qtbot, ctx, copy, window, told, monkeypatch) -> None:
    """TP-17: closing the print preview prints nothing, says so, and writes no history."""
    monkeypatch.setattr(QPrinterInfo, "availablePrinters", staticmethod(lambda: [QPrinterInfo()]))
    monkeypatch.setattr(QPrintPreviewDialog, "exec", lambda dialog: QPrintPreviewDialog.DialogCode.Rejected)
    outcome = print_plan(ctx, window, copy.plans["draft"])
    assert not outcome.printed
    assert told == ["Printing was cancelled; nothing was printed."]
    assert events(copy, copy.plans["draft"]) == []


def test_tp17_no_printer_installed_offers_save_as_pdf(qtbot, ctx, copy, window, told, monkeypatch) -> None:
    """TP-17 bad input: with no printer installed the person is told plainly what to do instead."""
    monkeypatch.setattr(QPrinterInfo, "availablePrinters", staticmethod(lambda: []))
    outcome = print_plan(ctx, window, copy.plans["draft"])
    assert not outcome.printed
    assert len(told) == 1 and told[0].startswith("No printer is installed on this computer.")
    assert "Save as PDF" in told[0]


def test_save_as_pdf_writes_the_handout_where_chosen_and_records_it(
    qtbot, ctx, copy, window, told, tmp_path, monkeypatch
) -> None:
    """TP-17, SEC-2: Save as PDF writes the handout to the chosen file (".pdf" added) and records it."""
    chosen = tmp_path / "handouts" / "Zoe plan"
    chosen.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(chosen), "")))
    written = save_plan_pdf(ctx, window, copy.plans["half"])
    assert written == chosen.with_name("Zoe plan.pdf") and written.read_bytes().startswith(b"%PDF")
    assert "Implant and crown" in PdfReader(written).pages[0].extract_text()
    assert events(copy, copy.plans["half"]) == [("handout_saved_pdf", f"Handout saved as PDF: {written}")]


def test_save_into_a_missing_folder_shows_the_reason(qtbot, ctx, copy, window, told, tmp_path, monkeypatch) -> None:
    """Bad input: a folder that cannot be written gives a clear message; nothing recorded."""
    target = tmp_path / "gone" / "plan.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), "")))
    assert save_plan_pdf(ctx, window, copy.plans["draft"]) is None
    assert len(told) == 1 and "the folder does not exist" in told[0]
    assert events(copy, copy.plans["draft"]) == []


def test_tp17_send_to_patient_without_email_says_so(qtbot, ctx, copy, window, told) -> None:
    """TP-17: a patient without an e-mail address gets a message saying so; nothing is sent or saved."""
    assert send_plan_to_patient(ctx, window, copy.plans["uninsured"]) is None
    assert told == [
        "Peter Brown has no e-mail address on file, so the plan cannot be sent. Add the address to the "
        "patient's record, or print the plan or save it as PDF."
    ]
    assert events(copy, copy.plans["uninsured"]) == []


class MailCatcher(QObject):
    """Stands in for the system mail client: receives the mailto: link."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url)


def test_tp17_send_to_patient_saves_pdf_and_opens_mail_addressed_to_patient(qtbot, ctx, copy, window, told) -> None:
    """TP-17, TP-4: the PDF is saved, the mail client opens to the patient naming the file; recorded."""
    catcher = MailCatcher()
    QDesktopServices.setUrlHandler("mailto", catcher, "open")
    try:
        written = send_plan_to_patient(ctx, window, copy.plans["draft"])
    finally:
        QDesktopServices.unsetUrlHandler("mailto")
    assert written == handout_folder() / f"Treatment plan {copy.plans['draft']} - Zoë Ångström.pdf"
    assert "DRAFT - estimate only" in PdfReader(written).pages[0].extract_text()
    [url] = catcher.urls
    assert url.scheme() == "mailto" and url.path() == "zoe@example.com"
    query = QUrlQuery(url)
    decoded = QUrl.ComponentFormattingOption.FullyDecoded
    assert query.queryItemValue("subject", decoded) == "Your treatment plan from Maple Street Dental (draft estimate)"
    body = query.queryItemValue("body", decoded)
    assert body.startswith("Dear Zoë Ångström,") and written.name in body and str(written) in body
    assert len(told) == 1 and "Attach the handout before sending" in told[0]
    [(action, detail)] = events(copy, copy.plans["draft"])
    assert action == "handout_sent_to_patient" and "zoe@example.com" in detail


def test_handout_menu_offers_print_save_and_send(qtbot, ctx, copy, window, told, monkeypatch) -> None:
    """TP-1: the plan editor's Handout menu has Print, Save as PDF and Send to patient for every role."""
    menu = print_handout.handout_menu(ctx, window, lambda: copy.plans["uninsured"])
    assert [a.text() for a in menu.actions()] == ["&Print…", "Save as P&DF…", "&Send to patient…"]
    menu.actions()[2].trigger()
    assert told and "has no e-mail address" in told[0]
