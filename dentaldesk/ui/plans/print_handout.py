"""Print preview, Print, Save as PDF and Send to patient for a plan's handout (TP-4, TP-17, SEC-2).

There is one layout: the reportlab PDF built by dentaldesk.printing. Print preview (Ctrl+P, the
editor's Print button) always opens, printer or not: a window with the PDF's pages rendered by
QtPdf, Save as PDF always, and Print (the system print dialog, then the pages rendered at the
printer's resolution) when a printer is installed. Building the PDF, rendering the preview's
pages at the size they are shown and asking the system for its printers run on a worker thread
(:func:`prepare_handout`, with a busy dialog if it takes a moment), so the window keeps painting:
the GUI thread only turns the finished page images into pixmaps, the first page at once and the
others one per turn of the event loop. Save writes the same PDF. Send e-mails it as an attachment through the
office's mail server, with a message the person can edit (CASE-4); with no server set in General
settings it saves the PDF and opens the system mail client addressed to the patient. Every print,
save and send is written to the plan's history and the audit log.

The plan editor calls :func:`print_plan`, :func:`save_plan_pdf`, :func:`send_plan_to_patient`, or
puts :func:`handout_menu` on a button.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRect, QSize, QStandardPaths, Qt, QTimer, QUrl, QUrlQuery
from PySide6.QtGui import (
    QDesktopServices,
    QGuiApplication,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPixmap,
)
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrinterInfo
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from dentaldesk.config import ENV_HOME, paths
from dentaldesk.domain.errors import DentalDeskError
from dentaldesk.domain.terms import PaperSize
from dentaldesk.printing.files import write_atomically
from dentaldesk.printing.handout import build_handout_pdf, format_date, handout_file_name
from dentaldesk.services.access.actor import Actor
from dentaldesk.services.plans.handout import HandoutDelivery, PlanHandout, load_handout, record_handout
from dentaldesk.services.practice.mail import HandoutMail, MailSent, mail_server_set, send_handout
from dentaldesk.services.uow import UnitOfWork
from dentaldesk.ui.kit import palette
from dentaldesk.ui.kit.background import wait_for
from dentaldesk.ui.kit.context import AppContext
from dentaldesk.ui.kit.operations import run_op
from dentaldesk.ui.kit.widgets import error_label, make_default

TITLE = "Plan handout"
# The PDF is rendered to an image per page: 300 dpi is print quality and keeps a page near 30 MB.
MAX_RENDER_DPI = 300


def _open_pdf(pdf: bytes) -> tuple[QPdfDocument, QBuffer, QByteArray]:
    data = QByteArray(pdf)
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument()
    document.load(buffer)
    if document.status() is not QPdfDocument.Status.Ready or document.pageCount() < 1:
        raise DentalDeskError("The handout could not be prepared for printing (the PDF did not open).")
    return document, buffer, data


def render_pages(pdf: bytes, width: int) -> list[QImage]:
    """Every page of ``pdf`` as an image ``width`` pixels wide, ready to become a pixmap (QtPdf;
    for a worker thread).

    QtPdf's render keeps Python's interpreter lock for the whole page, so the GUI thread cannot run
    a line of Python meanwhile: the pages are rendered at the size they are shown (a third of the
    pixels of a 120 dpi page, a few milliseconds each) and the lock is given up between pages.
    """
    document, _buffer, _data = _open_pdf(pdf)
    pages = []
    for page in range(document.pageCount()):
        points = document.pagePointSize(page)
        size = QSize(width, round(points.height() * width / points.width()))
        pages.append(document.render(page, size).convertToFormat(QImage.Format.Format_ARGB32_Premultiplied))
        time.sleep(0)  # hand the interpreter lock to the GUI thread if it is waiting for it
    return pages


@dataclass(frozen=True)
class PreparedHandout:
    """What the worker thread hands back: the handout, its PDF, the preview's page images and
    whether a printer is installed (the preview's Print button)."""

    handout: PlanHandout
    pdf: bytes
    preview_pages: tuple[QImage, ...] = ()
    has_printer: bool = False


def prepare_handout(uow: UnitOfWork, actor: Actor, plan_id: int, *, preview_width: int = 0) -> PreparedHandout:
    """Read the plan and build its PDF; for a preview (``preview_width`` pixels a page) also render
    its pages and ask the system for its printers (a print server can take a while to answer).
    No widget is touched."""
    handout = load_handout(uow, actor, plan_id)
    pdf = build_handout_pdf(handout)
    if not preview_width:
        return PreparedHandout(handout, pdf)
    pages = tuple(render_pages(pdf, preview_width))
    return PreparedHandout(handout, pdf, pages, bool(QPrinterInfo.availablePrinters()))


class HandoutPdf:
    """A built handout and its pages as QtPdf reads them; paints them onto any QPrinter.

    A preview carries the page images the worker rendered for it and whether a printer was found.
    """

    def __init__(
        self, handout: PlanHandout, pdf: bytes, preview_pages: Sequence[QImage] = (), *, has_printer: bool = False
    ) -> None:
        self.handout = handout
        self.pdf = pdf
        self.preview_pages = list(preview_pages)
        self.has_printer = has_printer
        self.document, self._buffer, self._bytes = _open_pdf(pdf)

    @property
    def page_count(self) -> int:
        return self.document.pageCount()

    def page_size(self) -> QPageSize:
        if self.handout.office.paper_size is PaperSize.A4:
            return QPageSize(QPageSize.PageSizeId.A4)
        return QPageSize(QPageSize.PageSizeId.Letter)

    def prepare(self, printer: QPrinter) -> None:
        """The office's paper, portrait, whole sheet: the PDF pages carry their own margins."""
        printer.setPageSize(self.page_size())
        printer.setPageOrientation(QPageLayout.Orientation.Portrait)
        printer.setFullPage(True)
        printer.setDocName(self.handout.title)

    def pages_to_print(self, printer: QPrinter) -> list[int]:
        """Zero-based pages, honouring a page range chosen in the print dialog."""
        first, last = printer.fromPage(), printer.toPage()
        if first <= 0 and last <= 0:
            return list(range(self.page_count))
        first = max(1, first or 1)
        last = min(self.page_count, last or self.page_count)
        return list(range(first - 1, last))

    def paint(self, printer: QPrinter) -> int:
        """Paint the PDF's pages onto ``printer`` (the preview's or the real one); return pages painted."""
        painter = QPainter()
        if not painter.begin(printer):
            raise DentalDeskError(
                "The printer could not be started. Check that it is switched on and connected, or use Save as PDF."
            )
        painted = 0
        # Drivers that cannot make copies themselves (a PDF file, some Windows drivers) get each
        # copy as a whole set of pages.
        copies = 1 if printer.supportsMultipleCopies() else max(1, printer.copyCount())
        try:
            dpi = min(max(printer.resolution(), 72), MAX_RENDER_DPI)
            for n, page in enumerate(self.pages_to_print(printer) * copies):
                if n:
                    printer.newPage()
                points = self.document.pagePointSize(page)
                image = self.document.render(
                    page, QSize(round(points.width() * dpi / 72), round(points.height() * dpi / 72))
                )
                target = painter.viewport()
                scaled = image.size().scaled(target.size(), Qt.AspectRatioMode.KeepAspectRatio)
                painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
                painter.drawImage(QRect(target.x(), target.y(), scaled.width(), scaled.height()), image)
                painted += 1
        finally:
            painter.end()
        return painted


def _load(ctx: AppContext, parent: QWidget | None, plan_id: int, *, preview: bool = False) -> HandoutPdf | None:
    """The plan's handout, built on a worker thread while the windows keep painting."""
    actor = ctx.user
    width = preview_page_pixels(parent) if preview else 0

    def build() -> HandoutPdf:
        ready = wait_for(
            lambda: prepare_handout(ctx.uow(), actor, plan_id, preview_width=width), parent, "Preparing the handout..."
        )
        return HandoutPdf(ready.handout, ready.pdf, ready.preview_pages, has_printer=ready.has_printer)

    ok, built = run_op(ctx, parent, build)
    return built if ok else None


def preview_page_pixels(widget: QWidget | None) -> int:
    """The width in device pixels a preview page is rendered at: sharp on a high-density screen."""
    screen = widget.screen() if widget is not None else QGuiApplication.primaryScreen()
    return round(HandoutPreviewDialog.PAGE_WIDTH * (screen.devicePixelRatio() if screen is not None else 1.0))


def _record(ctx: AppContext, parent: QWidget | None, plan_id: int, how: HandoutDelivery, detail: str) -> None:
    run_op(ctx, parent, lambda: record_handout(ctx.uow(), ctx.user, plan_id, how, detail=detail), changed="plans")


def _tell(parent: QWidget | None, text: str) -> None:
    QMessageBox.information(parent, TITLE, text)


@dataclass(frozen=True)
class PrintOutcome:
    printed: bool
    pages: int
    message: str


def print_plan(ctx: AppContext, parent: QWidget | None, plan_id: int) -> HandoutPreviewDialog | None:
    """Print preview (Ctrl+P, TP-17): the handout's pages in a window with Save as PDF always and
    Print when a printer is installed; returned open (it does not block the window)."""
    job = _load(ctx, parent, plan_id, preview=True)
    if job is None:
        return None
    dialog = HandoutPreviewDialog(ctx, job, plan_id, parent)
    dialog.open()
    return dialog


class HandoutPreviewDialog(QDialog):
    """The print preview of a plan handout (TP-17): the PDF's pages as they will print.

    Save as PDF is always offered; Print opens the system print dialog and is enabled only when a
    printer is installed (the line under the pages says so when none is). What happened (printed,
    saved, cancelled, refused) shows on that line, in the window the person is looking at.
    """

    PAGE_WIDTH = 640  # pixels a page is drawn at: a Letter or A4 page reads at about this width

    def __init__(self, ctx: AppContext, job: HandoutPdf, plan_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.job = job
        self.plan_id = plan_id
        self.outcome: PrintOutcome | None = None
        self.saved: Path | None = None
        self.setObjectName("handout_preview")
        handout = job.handout
        self.setWindowTitle(f"Print preview: {handout.title} ({handout.patient.name})")
        pages = QWidget()
        pages.setObjectName("preview_pages")
        pages.setStyleSheet(
            f"#preview_pages {{ background: {palette.BACKDROP}; }} #preview_pages QLabel {{ background: {palette.PAPER}; }}"
        )
        column = QVBoxLayout(pages)
        column.setSpacing(16)
        column.setContentsMargins(16, 16, 16, 16)
        self.page_labels: list[QLabel] = []
        self._images = list(job.preview_pages or render_pages(job.pdf, preview_page_pixels(parent)))
        for number, image in enumerate(self._images, start=1):
            label = QLabel()
            label.setObjectName(f"preview_page_{number}")
            label.setAccessibleName(f"Page {number} of {len(self._images)}")
            # Each page takes its place (and the scroll bar its range) now; its picture comes in
            # show_next_page.
            ratio = self.PAGE_WIDTH / image.width()
            label.setFixedSize(self.PAGE_WIDTH, round(image.height() * ratio))
            column.addWidget(label, 0, Qt.AlignmentFlag.AlignHCenter)
            self.page_labels.append(label)
        self.pages_shown = 0
        self.show_next_page()  # the first page at once, the others one per turn of the event loop
        self.scroll = QScrollArea()
        self.scroll.setObjectName("preview_scroll")
        self.scroll.setAccessibleName("Handout pages")
        self.scroll.setWidget(pages)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # arrows and Page Down scroll the pages
        count = len(self._images)
        self.pages_line = QLabel(f"{count} page{'s' if count != 1 else ''}")
        self.pages_line.setObjectName("preview_page_count")
        self.status = QLabel()
        self.status.setObjectName("preview_status")
        self.status.setWordWrap(True)
        self.buttons = QDialogButtonBox()
        self.print_button = self.buttons.addButton("&Print…", QDialogButtonBox.ButtonRole.AcceptRole)
        self.print_button.setObjectName("preview_print")
        self.pdf_button = self.buttons.addButton("Save as P&DF…", QDialogButtonBox.ButtonRole.ActionRole)
        self.pdf_button.setObjectName("preview_save_pdf")
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.close_button.setObjectName("preview_close")
        self.print_button.clicked.connect(self.print_pages)
        self.pdf_button.clicked.connect(self.save_pdf)
        self.buttons.rejected.connect(self.reject)
        self.has_printer = job.has_printer  # asked on the worker: a print server may be slow to answer
        self.print_button.setEnabled(self.has_printer)
        if self.has_printer:
            make_default(self.print_button)
            self.show_status("")
        else:
            make_default(self.pdf_button)
            self.show_status(NO_PRINTER, error=False)
        layout = QVBoxLayout(self)
        layout.addWidget(self.scroll, 1)
        layout.addWidget(self.pages_line)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        screen = QGuiApplication.primaryScreen().availableGeometry()
        self.resize(self.PAGE_WIDTH + 90, min(900, max(480, screen.height() - 80)))
        self.scroll.setFocus()

    def show_next_page(self) -> None:
        """Put the next page's picture in its place, and come back for the one after it: a long
        handout does not hold the window while all its pages become pixmaps."""
        if self.pages_shown >= len(self._images):
            self._images.clear()  # the pixmaps hold the pages now
            return
        image = self._images[self.pages_shown]
        pixmap = QPixmap.fromImage(image)
        pixmap.setDevicePixelRatio(image.width() / self.PAGE_WIDTH)
        self.page_labels[self.pages_shown].setPixmap(pixmap)
        self.pages_shown += 1
        QTimer.singleShot(0, self, self.show_next_page)

    def show_status(self, text: str, *, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(palette.ERROR_STYLE if error else palette.MUTED_STYLE)
        self.status.setVisible(bool(text))

    def save_pdf(self) -> Path | None:
        """Save as PDF from the preview: the same PDF, recorded (SEC-2); the line says where it went."""
        written = save_job_pdf(self.ctx, self, self.plan_id, self.job)
        if written is not None:
            self.saved = written
            self.show_status(f"Saved as {written}.")
        return written

    def print_pages(self) -> QPrintDialog | None:
        """Print…: the system print dialog on the installed printers; what was printed is recorded."""
        if not QPrinterInfo.availablePrinters():
            self.show_status(NO_PRINTER, error=True)
            return None
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        self.job.prepare(printer)
        dialog = QPrintDialog(printer, self)
        dialog.setMinMax(1, self.job.page_count)
        dialog.accepted.connect(lambda: self._print_on(printer))
        dialog.rejected.connect(lambda: self.show_status("Printing was cancelled; nothing was printed."))
        self.print_dialog = dialog
        QDialog.open(dialog)  # window-modal, not blocking (QPrintDialog.open wants a receiver)
        return dialog

    def _print_on(self, printer: QPrinter) -> None:
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)  # about 0.1 s a page
        try:
            self.job.paint(printer)
        except DentalDeskError as exc:
            self.outcome = PrintOutcome(False, 0, exc.message + " Nothing was recorded as printed.")
            self.show_status(self.outcome.message, error=True)
            return
        finally:
            QApplication.restoreOverrideCursor()
        self.outcome = finish_print(self.ctx, self, self.plan_id, self.job, printer)
        self.show_status(self.outcome.message)


NO_PRINTER = (
    "No printer is installed on this computer: Save as PDF keeps the handout to print elsewhere or send. "
    "Add a printer in the system's printer settings to print from here."
)


def finish_print(
    ctx: AppContext, parent: QWidget | None, plan_id: int, job: HandoutPdf, printer: QPrinter
) -> PrintOutcome:
    """After the pages went to the printer: a printed handout goes to the history (SEC-2)."""
    pages = len(job.pages_to_print(printer))
    where = printer.printerName() or printer.outputFileName() or "the printer"
    _record(ctx, parent, plan_id, HandoutDelivery.PRINTED, f"{pages} page{'s' if pages != 1 else ''} on {where}")
    return PrintOutcome(True, pages, f"Printed {pages} page{'s' if pages != 1 else ''} on {where}.")


def handout_folder() -> Path:
    """Where Send to patient keeps its PDFs: Documents/DentalDesk handouts (DENTALDESK_HOME for
    portable installs and tests)."""
    if os.environ.get(ENV_HOME):
        return paths().data_dir / "handouts"
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(documents or Path.home()) / "DentalDesk handouts"


def save_plan_pdf(ctx: AppContext, parent: QWidget | None, plan_id: int) -> Path | None:
    """Save as PDF: the file dialog, then an atomic write; record it (SEC-2)."""
    job = _load(ctx, parent, plan_id)
    if job is None:
        return None
    return save_job_pdf(ctx, parent, plan_id, job)


def save_job_pdf(ctx: AppContext, parent: QWidget | None, plan_id: int, job: HandoutPdf) -> Path | None:
    """Save a built handout where the person chooses (".pdf" added); record it (SEC-2)."""
    folder = handout_folder()
    suggested = str((folder if folder.is_dir() else Path.home()) / handout_file_name(job.handout))
    chosen, _filter = QFileDialog.getSaveFileName(parent, "Save plan handout as PDF", suggested, "PDF files (*.pdf)")
    if not chosen:
        return None
    target = Path(chosen)
    if target.suffix.lower() != ".pdf":
        target = target.with_name(target.name + ".pdf")
    ok, written = run_op(ctx, parent, lambda: write_atomically(target, job.pdf))
    if not ok or written is None:
        return None
    _record(ctx, parent, plan_id, HandoutDelivery.SAVED_PDF, str(written))
    return written


def mail_url(handout: PlanHandout, attachment: Path) -> QUrl:
    """A mailto: link to the patient with a subject and a body naming the file to attach."""
    office = handout.office
    draft = " (draft estimate)" if handout.is_draft else ""
    body = (
        f"Dear {handout.patient.name},\n\n"
        f'Please find attached your treatment plan "{handout.title}"{draft} from {office.name}, '
        f"in the file {attachment.name}.\n\n"
        f"The cost estimate is valid until {format_date(handout.valid_until)}. If you have questions, call us"
        + (f" at {office.phone}" if office.phone else "")
        + ".\n\n"
        f"{office.name}\n\n"
        f"[Attach before sending: {attachment}]"
    )
    query = QUrlQuery()
    query.addQueryItem("subject", f"Your treatment plan from {office.name}{draft}")
    query.addQueryItem("body", body)
    url = QUrl(f"mailto:{handout.patient.email}")
    url.setQuery(query)
    return url


def mail_body(handout: PlanHandout) -> str:
    """The message Send to patient offers with the attached handout, for the person to edit (CASE-4)."""
    office = handout.office
    draft = " (a draft estimate)" if handout.is_draft else ""
    call = f" at {office.phone}" if office.phone else ""
    return (
        f"Dear {handout.patient.name},\n\n"
        f'Please find attached your treatment plan "{handout.title}"{draft} from {office.name}.\n\n'
        f"The cost estimate is valid until {format_date(handout.valid_until)}. If you have questions, call us{call}.\n\n"
        f"Kind regards,\n{office.name}\n"
    )


def mail_subject(handout: PlanHandout) -> str:
    draft = " (draft estimate)" if handout.is_draft else ""
    return f"Your treatment plan from {handout.office.name}{draft}"


class SendHandoutDialog(QDialog):
    """CASE-4: the e-mail to the patient as it will go, editable, with the handout PDF attached.

    Send hands it to the office's mail server on a worker thread; a refusal (log in, connection,
    address) shows under the Send button and nothing is recorded as sent.
    """

    def __init__(self, ctx: AppContext, job: HandoutPdf, plan_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.job = job
        self.plan_id = plan_id
        self.sent: MailSent | None = None
        handout = job.handout
        self.file_name = handout_file_name(handout)
        self.setObjectName("send_handout_dialog")
        self.setWindowTitle(f"Send to patient: {handout.title} ({handout.patient.name})")
        self.to = QLineEdit(handout.patient.email)
        self.to.setObjectName("mail_to")
        self.to.setAccessibleName("To")
        self.subject = QLineEdit(mail_subject(handout))
        self.subject.setObjectName("mail_subject")
        self.subject.setAccessibleName("Subject")
        self.body = QPlainTextEdit(mail_body(handout))
        self.body.setObjectName("mail_body")
        self.body.setAccessibleName("Message")
        self.body.setTabChangesFocus(True)
        self.body.setMinimumHeight(200)
        size = max(1, round(len(job.pdf) / 1024))
        self.attachment = QLabel(
            f"Attached: {self.file_name} ({size} KB, {job.page_count} page{'s' if job.page_count != 1 else ''})"
        )
        self.attachment.setObjectName("mail_attachment")
        self.errors = {name: error_label(name) for name in ("to", "subject", "body", "send")}
        form = QFormLayout()
        for caption, widget, key in (("&To", self.to, "to"), ("S&ubject", self.subject, "subject")):
            label = QLabel(caption)
            label.setBuddy(widget)
            form.addRow(label, widget)
            form.addRow("", self.errors[key])
        message_label = QLabel("&Message")
        message_label.setBuddy(self.body)
        form.addRow(message_label, self.body)
        form.addRow("", self.errors["body"])
        form.addRow("", self.attachment)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.send_button = self.buttons.addButton("&Send", QDialogButtonBox.ButtonRole.AcceptRole)
        self.send_button.setObjectName("send_mail")
        make_default(self.send_button)  # Enter in To or Subject sends; in the message it starts a line
        self.buttons.accepted.connect(self.send)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        layout.addWidget(self.errors["send"])
        self.resize(640, 460)

    def mail(self) -> HandoutMail:
        return HandoutMail(
            to=self.to.text(),
            subject=self.subject.text(),
            body=self.body.toPlainText(),
            pdf=self.job.pdf,
            file_name=self.file_name,
        )

    def send(self) -> None:
        for label in self.errors.values():
            label.setVisible(False)
        mail, actor, plan_id = self.mail(), self.ctx.user, self.plan_id
        ok, sent = run_op(
            self.ctx,
            self,
            lambda: wait_for(lambda: send_handout(self.ctx.uow, actor, plan_id, mail), self, "Sending the e-mail..."),
            changed="plans",
            field_labels=self.errors,
            fallback=self.errors["send"],
        )
        if ok and sent is not None:
            self.sent = sent
            self.accept()


def send_plan_to_patient(ctx: AppContext, parent: QWidget | None, plan_id: int) -> Path | SendHandoutDialog | None:
    """Send to patient (CASE-4, TP-17): through the office's mail server, the handout attached to an
    editable message (the dialog is returned, open); with no server set, save the handout and
    open the mail client addressed to the patient. Either is recorded."""
    job = _load(ctx, parent, plan_id)
    if job is None:
        return None
    handout = job.handout
    ok, has_server = run_op(ctx, parent, lambda: mail_server_set(ctx.uow(), ctx.user))
    if not ok:
        return None
    if has_server:
        dialog = SendHandoutDialog(ctx, job, plan_id, parent)
        dialog.open()
        return dialog
    if not handout.patient.email:
        _tell(
            parent,
            f"{handout.patient.name} has no e-mail address on file, so the plan cannot be sent. "
            "Add the address to the patient's record, or print the plan or save it as PDF.",
        )
        return None
    target = handout_folder() / handout_file_name(handout)

    def save() -> Path:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DentalDeskError(f"The folder {target.parent} cannot be created: {exc.strerror}.", "file") from exc
        return write_atomically(target, job.pdf)

    ok, written = run_op(ctx, parent, save)
    if not ok or written is None:
        return None
    if not QDesktopServices.openUrl(mail_url(handout, written)):
        _record(ctx, parent, plan_id, HandoutDelivery.SAVED_PDF, f"{written} (no e-mail program to send it)")
        _tell(
            parent,
            f"No e-mail program is set up on this computer. The handout was saved to {written}; "
            f"send it to {handout.patient.email} from your e-mail.",
        )
        return written
    _record(ctx, parent, plan_id, HandoutDelivery.SENT_TO_PATIENT, f"to {handout.patient.email}: {written}")
    QGuiApplication.clipboard().setText(str(written))
    _tell(
        parent,
        f"Your e-mail program opens a message to {handout.patient.email}. Attach the handout before "
        f"sending (an e-mail link cannot attach files); its path is copied:\n{written}",
    )
    return written


def handout_menu(
    ctx: AppContext, parent: QWidget, plan_id_of: Callable[[], int | None], *, with_print: bool = True
) -> QMenu:
    """Print preview / Save as PDF / Send to patient for the plan ``plan_id_of()`` names (TP-1: every
    role); ``with_print=False`` where the window has its own Print preview action (the plan editor)."""
    menu = QMenu("&Handout", parent)
    menu.setObjectName("handout_menu")

    def run(action: Callable[[AppContext, QWidget | None, int], object]) -> None:
        plan_id = plan_id_of()
        if plan_id is not None:
            action(ctx, parent, plan_id)

    entries = (("&Print preview…", print_plan),) if with_print else ()
    for text, action in (
        *entries,
        ("Save as P&DF…", save_plan_pdf),
        ("&Send to patient…", send_plan_to_patient),
    ):
        menu.addAction(text).triggered.connect(lambda _checked=False, act=action: run(act))
    return menu
