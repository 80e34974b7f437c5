"""Print with preview, Save as PDF and Send to patient for the plan handout (TP-17, TP-4, SEC-2)."""

from __future__ import annotations

import io
import threading
from pathlib import Path

import pytest
from acting import staff
from handout_plans import build_template, copy_template
from pypdf import PdfReader
from PySide6.QtCore import QObject, Qt, QUrl, QUrlQuery, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox, QWidget
from sqlalchemy import select

from dentaldesk.db.models import PlanEvent
from dentaldesk.printing.handout import build_handout_pdf
from dentaldesk.services.plans.handout import load_handout
from dentaldesk.ui.plans import print_handout
from dentaldesk.ui.plans.print_handout import (
    HandoutPdf,
    HandoutPreviewDialog,
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


def test_tp17_print_preview_opens_with_no_printer_and_saves_as_pdf(
    qtbot, ctx, copy, window, told, tmp_path, monkeypatch, shots
) -> None:
    """TP-17: with no printer installed the preview still opens with the handout's pages; Print is
    off and the line under the pages says why; Save as PDF writes the same handout and records it."""
    monkeypatch.setattr(QPrinterInfo, "availablePrinters", staticmethod(lambda: []))
    preview = print_plan(ctx, window, copy.plans["approved"])
    assert isinstance(preview, HandoutPreviewDialog)
    qtbot.addWidget(preview)
    qtbot.waitExposed(preview)
    assert len(preview.page_labels) == 2 and preview.pages_line.text() == "2 pages"
    assert not preview.print_button.isEnabled() and preview.pdf_button.isEnabled()
    assert preview.status.isVisible() and preview.status.text().startswith("No printer is installed")
    qtbot.waitUntil(preview.pdf_button.isDefault)
    preview.grab().save(str(shots / "print_preview_no_printer.png"))
    chosen = tmp_path / "from preview"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(chosen), "")))
    QTest.keyClick(preview.scroll, Qt.Key.Key_Return)  # Enter presses the default button: Save as PDF
    written = chosen.with_name("from preview.pdf")
    assert preview.saved == written and len(PdfReader(written).pages) == 2
    assert preview.status.text() == f"Saved as {written}."
    assert events(copy, copy.plans["approved"]) == [("handout_saved_pdf", f"Handout saved as PDF: {written}")]
    assert told == []
    QTest.keyClick(preview.scroll, Qt.Key.Key_Escape)
    assert not preview.isVisible()


def test_tp17_preview_pages_come_from_a_worker_and_every_page_is_shown(
    qtbot, ctx, copy, window, told, monkeypatch, shots
) -> None:
    """TP-17: the pages are rendered and the printers asked for on a worker thread, not the GUI
    thread; the preview shows the first page at once and then every page, each the PDF's page at
    the width it is drawn."""
    worker_threads: list[bool] = []
    render = print_handout.render_pages

    def rendered_where(pdf: bytes, width: int) -> list:
        worker_threads.append(threading.current_thread() is not threading.main_thread())
        return render(pdf, width)

    def printers_where() -> list:
        worker_threads.append(threading.current_thread() is not threading.main_thread())
        return []

    monkeypatch.setattr(print_handout, "render_pages", rendered_where)
    monkeypatch.setattr(QPrinterInfo, "availablePrinters", staticmethod(printers_where))
    preview = print_plan(ctx, window, copy.plans["approved"])
    assert isinstance(preview, HandoutPreviewDialog)
    qtbot.addWidget(preview)
    assert worker_threads == [True, True]  # the pages, then the printers: both on the worker
    assert preview.pages_shown == 1 and preview.page_labels[1].pixmap().isNull()  # the rest follow
    qtbot.waitUntil(lambda: preview.pages_shown == len(preview.page_labels) == 2)
    qtbot.waitExposed(preview)
    width = preview.PAGE_WIDTH
    expected = render(preview.job.pdf, width)
    for label, page in zip(preview.page_labels, expected, strict=True):
        pixmap = label.pixmap()
        assert round(pixmap.width() / pixmap.devicePixelRatio()) == width == label.width()
        assert pixmap.toImage().convertToFormat(page.format()) == page
    assert not preview.print_button.isEnabled() and preview.status.text().startswith("No printer is installed")
    preview.grab().save(str(shots / "print_preview_pages.png"))
    preview.scroll.verticalScrollBar().setValue(preview.page_labels[1].y())
    preview.grab().save(str(shots / "print_preview_page_2.png"))


def test_tp17_print_from_the_preview_prints_the_pages_and_records_the_print(
    qtbot, ctx, copy, window, told, tmp_path, monkeypatch
) -> None:
    """TP-17, SEC-2: with a printer, Print (the default) opens the print dialog; the pages printed
    are the handout's and the print is written to the plan's history."""
    monkeypatch.setattr(QPrinterInfo, "availablePrinters", staticmethod(lambda: [QPrinterInfo()]))
    preview = print_plan(ctx, window, copy.plans["approved"])
    qtbot.addWidget(preview)
    qtbot.waitUntil(preview.print_button.isDefault)
    assert preview.print_button.isEnabled()
    assert not preview.status.isVisible()
    dialog = preview.print_pages()
    # The person picks the printer and presses Print: here the printer writes a PDF file.
    printer = dialog.printer()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "from-preview.pdf"))
    printer.setResolution(150)
    dialog.done(QDialog.DialogCode.Accepted)  # Print pressed (accept() would re-read the dialog's printer list)
    assert preview.outcome is not None and preview.outcome.printed and preview.outcome.pages == 2
    assert len(PdfReader(tmp_path / "from-preview.pdf").pages) == 2
    assert preview.status.text().startswith("Printed 2 pages on ")
    [(action, detail)] = events(copy, copy.plans["approved"])
    assert action == "handout_printed" and detail.startswith("Handout printed: 2 pages on ")


def test_tp17_cancelled_print_says_so_in_the_preview_and_records_nothing(
    qtbot, ctx, copy, window, told, monkeypatch
) -> None:
    """TP-17: cancelling the print dialog prints nothing and says so under the pages; no history."""
    monkeypatch.setattr(QPrinterInfo, "availablePrinters", staticmethod(lambda: [QPrinterInfo()]))
    preview = print_plan(ctx, window, copy.plans["draft"])
    qtbot.addWidget(preview)
    preview.print_pages().reject()
    assert preview.status.text() == "Printing was cancelled; nothing was printed."
    assert events(copy, copy.plans["draft"]) == [] and told == []


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
    assert [a.text() for a in menu.actions()] == ["&Print preview…", "Save as P&DF…", "&Send to patient…"]
    menu.actions()[2].trigger()
    assert told and "has no e-mail address" in told[0]
