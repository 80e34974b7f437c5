"""General System Settings: office, tax method and rate, tooth numbering, handouts, idle lock."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import (
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from dentaldesk.domain.errors import ValidationError
from dentaldesk.domain.mail import SmtpSecurity
from dentaldesk.domain.tax import parse_tax_rate, taxable_state
from dentaldesk.domain.terms import PaperSize, TaxMethod, ToothNumbering
from dentaldesk.services.practice.backups import default_folder
from dentaldesk.services.practice.mail import MailServerForm, send_test_message
from dentaldesk.services.practice.settings import GeneralSettingsForm, load_general_settings, save_general_settings
from dentaldesk.ui.kit.background import wait_for
from dentaldesk.ui.kit.conflicts import ConflictBar, reload_keeping_edits
from dentaldesk.ui.kit.context import AppContext
from dentaldesk.ui.kit.operations import run_op
from dentaldesk.ui.kit.widgets import error_label, hint_label, make_default
from dentaldesk.ui.settings.forms import FieldForm, SetupWindow, enum_items, select_data

NUMBERING = [
    ("Universal (1-32, A-T)", ToothNumbering.UNIVERSAL.value),
    ("FDI / ISO 3950 (11-48, 51-85)", ToothNumbering.FDI.value),
]
PAPER = [("Letter", PaperSize.LETTER.value), ("A4", PaperSize.A4.value)]


class GeneralSettingsWindow(SetupWindow):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, "General settings", parent)
        left, right = FieldForm(), FieldForm()
        self.name = left.line("name", "Practice &name")
        self.office_code = left.line(
            "office_code", "&Office ID", width=140, hint="Shown on every transaction and claim."
        )
        self.address = left.text("address", "&Address", height=56)
        self.phone = left.line("phone", "P&hone")
        self.email = left.line("email", "&E-mail", placeholder="frontdesk@example.com")
        self.idle_lock = left.line(
            "idle_lock_minutes",
            "&Lock after idle (minutes)",
            width=80,
            hint="The workstation locks after this many minutes without use (SEC-1).",
        )

        self.backup_folder = QLineEdit()
        self.backup_folder.setAccessibleName("Backup folder")
        self.backup_folder.setPlaceholderText(f"blank: {default_folder(ctx.engine)}")
        self.backup_browse = QPushButton("Bro&wse...")
        self.backup_browse.setObjectName("browse_backup_folder")
        self.backup_browse.setAutoDefault(False)
        self.backup_browse.clicked.connect(self._choose_backup_folder)
        folder_row = QWidget()
        folder_layout = QHBoxLayout(folder_row)
        folder_layout.setContentsMargins(0, 0, 0, 0)
        folder_layout.addWidget(self.backup_folder, 1)
        folder_layout.addWidget(self.backup_browse)
        folder_row.setFocusProxy(self.backup_folder)  # the caption's Alt+K lands in the path
        left.add(
            "backup_folder",
            "Bac&kup folder",
            folder_row,
            hint="Where the daily backups go: best another disk or a network share (DATA-6).",
        )

        self.tax_method = right.combo("tax_method", "&Tax method", enum_items(TaxMethod))
        self.tax_rate = right.line("tax_rate", "Tax &rate (%)", placeholder="e.g. 8.25", width=120)
        self.tax_hint = hint_label("", "tax_hint")
        right.addRow("", self.tax_hint)
        self.numbering = right.combo("tooth_numbering", "Tooth n&umbering", NUMBERING)
        self.paper = right.combo("paper_size", "Handout &paper", PAPER)
        self.validity = right.line("estimate_valid_days", "Estimates &valid for (days)", width=80)
        self.note = right.text(
            "handout_note", "Han&dout note", height=90, hint="Printed at the foot of every plan handout."
        )
        mail = FieldForm()
        self.smtp_host = mail.line(
            "smtp_host",
            "&Mail server",
            placeholder="smtp.example.com",
            hint="The office's outgoing mail server (SMTP). Blank: Send to patient opens the e-mail program.",
        )
        self.smtp_security = mail.combo("smtp_security", "Se&curity", enum_items(SmtpSecurity))
        self.smtp_port = mail.line("smtp_port", "Port", width=80, placeholder="587")
        self.smtp_user = mail.line("smtp_user", "Mail log&in", placeholder="often the From address")
        self.smtp_password = QLineEdit()
        self.smtp_password.setEchoMode(QLineEdit.EchoMode.Password)
        mail.add(
            "smtp_password",
            "Password",
            self.smtp_password,
            hint="Kept in this workstation's settings file (readable by you only), never in the database.",
        )
        self.forget_password = mail.check("forget_password", "Forget the kept password")
        self.smtp_from = mail.line("smtp_from", "&From address", placeholder="frontdesk@example.com")
        self.test_button = QPushButton("Send test messa&ge")
        self.test_button.setObjectName("send_test_message")
        self.test_button.setAutoDefault(False)
        self.test_button.setToolTip("Send a short message with these settings (saved or not) to the office's e-mail")
        self.test_button.clicked.connect(self.send_test_message)
        self.test_result = hint_label("", "test_message_result")
        self.test_error = mail.errors["test_message"] = error_label("test_message")
        mail.addRow("", self.test_button)

        self.smtp_security.currentIndexChanged.connect(self._security_changed)
        self._security = SmtpSecurity.STARTTLS

        self.forms = (left, right, mail)
        self.errors = left.errors | right.errors | mail.errors

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.save_button = self.buttons.addButton("&Save", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setObjectName("save")
        make_default(self.save_button)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.close)

        columns = QHBoxLayout()
        columns.addLayout(left, 1)
        columns.addSpacing(18)
        columns.addLayout(right, 1)
        columns.addSpacing(18)
        mail_column = QVBoxLayout()
        mail_title = QLabel("<b>E-mail to patients</b>")
        mail_column.addWidget(mail_title)
        mail_column.addLayout(mail)
        mail_column.addWidget(self.test_result)  # the column's whole width: the answer is a sentence
        mail_column.addWidget(self.test_error)
        mail_column.addStretch(1)
        columns.addLayout(mail_column, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(columns)
        layout.addStretch(1)
        layout.addWidget(self.problem)
        self.conflict = ConflictBar(self.reload_keeping_edits, name="settings_conflict")
        layout.addWidget(self.conflict)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.tax_method.currentIndexChanged.connect(self._explain_tax)
        self.tax_rate.textChanged.connect(self._explain_tax)
        self.resize(1280, 460)
        self.load()

    def load(self) -> None:
        ok, form = run_op(self.ctx, self, lambda: load_general_settings(self.ctx.uow(), self.ctx.user))
        if not ok or form is None:
            self.save_button.setEnabled(False)
            return
        self._loaded = form
        self.show_form(form)

    def show_form(self, form: GeneralSettingsForm) -> None:
        self.name.setText(form.name)
        self.office_code.setText(form.office_code)
        self.address.setPlainText(form.address)
        self.phone.setText(form.phone)
        self.email.setText(form.email)
        select_data(self.tax_method, form.tax_method.value)
        self.tax_rate.setText(form.tax_rate)
        select_data(self.numbering, form.tooth_numbering.value)
        select_data(self.paper, form.paper_size.value)
        self.validity.setText(form.estimate_valid_days)
        self.note.setPlainText(form.handout_note)
        self.idle_lock.setText(form.idle_lock_minutes)
        self.backup_folder.setText(form.backup_folder)
        self.smtp_host.setText(form.smtp_host)
        self._security = SmtpSecurity(form.smtp_security)
        self.smtp_security.blockSignals(True)
        select_data(self.smtp_security, self._security.value)
        self.smtp_security.blockSignals(False)
        self.smtp_port.setText(form.smtp_port)
        self.smtp_user.setText(form.smtp_user)
        self.smtp_from.setText(form.smtp_from)
        self.smtp_password.clear()
        self.smtp_password.setPlaceholderText(
            "a password is kept on this workstation" if form.smtp_password_kept else "none kept"
        )
        self.forget_password.setChecked(False)
        self.forget_password.setEnabled(form.smtp_password_kept)
        self._explain_tax()

    def reload_keeping_edits(self) -> None:
        """DATA-4: the settings as the other workstation saved them, with this person's typing re-applied."""
        fresh = reload_keeping_edits(
            self.conflict,
            self._loaded,
            self.form(),
            lambda: load_general_settings(self.ctx.uow(), self.ctx.user),
            self.show_form,
        )
        if fresh is not None:
            self._loaded = fresh

    def form(self) -> GeneralSettingsForm:
        return replace(
            self._loaded,
            office_code=self.office_code.text(),
            name=self.name.text(),
            address=self.address.toPlainText(),
            phone=self.phone.text(),
            email=self.email.text(),
            tax_method=TaxMethod(self.tax_method.currentData()),
            tax_rate=self.tax_rate.text(),
            tooth_numbering=ToothNumbering(self.numbering.currentData()),
            paper_size=PaperSize(self.paper.currentData()),
            handout_note=self.note.toPlainText(),
            estimate_valid_days=self.validity.text(),
            idle_lock_minutes=self.idle_lock.text(),
            backup_folder=self.backup_folder.text(),
            smtp_host=self.smtp_host.text(),
            smtp_port=self.smtp_port.text(),
            smtp_security=SmtpSecurity(self.smtp_security.currentData()),
            smtp_user=self.smtp_user.text(),
            smtp_from=self.smtp_from.text(),
            smtp_password=self._typed_password(),
        )

    def _typed_password(self) -> str | None:
        """The password to keep: the one typed, "" to forget the kept one, None to leave it."""
        if self.smtp_password.text():
            return self.smtp_password.text()
        return "" if self.forget_password.isChecked() else None

    def _security_changed(self) -> None:
        """A port left at the old security's usual port follows the new one's (587, 465, 25)."""
        chosen = SmtpSecurity(self.smtp_security.currentData())
        if self.smtp_port.text().strip() in ("", str(self._security.default_port)):
            self.smtp_port.setText(str(chosen.default_port))
        self._security = chosen

    def send_test_message(self) -> None:
        """CASE-4: the settings as typed send a test message; the answer shows beside the button."""
        for form in self.forms:
            form.clear_errors()
        self.test_result.setText("Sending...")
        typed = MailServerForm(
            host=self.smtp_host.text(),
            port=self.smtp_port.text(),
            security=SmtpSecurity(self.smtp_security.currentData()),
            user=self.smtp_user.text(),
            sender=self.smtp_from.text(),
            password=self.smtp_password.text() or None,
        )
        ctx, actor = self.ctx, self.ctx.user
        ok, sent = run_op(
            self.ctx,
            self,
            lambda: wait_for(lambda: send_test_message(ctx.uow(), actor, typed), self, "Sending a test message..."),
            field_labels=self.errors,
            fallback=self.test_error,
        )
        self.test_result.setText(f"Test message sent to {sent.to} through {sent.server}." if ok and sent else "")

    def _choose_backup_folder(self) -> None:
        start = self.backup_folder.text() or str(default_folder(self.ctx.engine))
        chosen = QFileDialog.getExistingDirectory(self, "Backup folder", start)
        if chosen:
            self.backup_folder.setText(chosen)

    def _explain_tax(self) -> None:
        """Say what the Transactions dialog's Taxable box will do with this method and rate (TX-TAX-1)."""
        method = TaxMethod(self.tax_method.currentData())
        try:
            rate = parse_tax_rate(self.tax_rate.text()) if self.tax_rate.text().strip() else None
        except ValidationError:
            rate = None
        state = taxable_state(method, rate, False)
        if method is TaxMethod.NONE:
            text = "No tax: the Taxable box on charges is disabled and unchecked."
        elif not rate:
            text = "No tax rate yet: the Taxable box on charges is disabled and unchecked until a rate is set."
        elif state.enabled:
            text = "Non-pro rata: the Taxable box is enabled on each charge and starts from the code's Taxable flag."
        else:
            text = "Pro rata: every charge is taxed; the Taxable box is checked and disabled."
        self.tax_hint.setText(text)

    def save(self) -> None:
        for form in self.forms:
            form.clear_errors()
        self.say("")
        changed = self.form()
        ok, version = run_op(
            self.ctx,
            self,
            lambda: save_general_settings(self.ctx.uow(), self.ctx.user, changed),
            changed="settings",
            field_labels=self.errors,
            fallback=self.problem,
            conflict=self.conflict,
        )
        if ok:
            self._loaded = replace(changed, version=version)
            self.say("General settings saved.")
