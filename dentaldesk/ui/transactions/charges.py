"""Charges/Aging and the code's option boxes of the Patient Transactions window (seed 004).

:class:`ChargesSection` shows the Fee with where it came from and its tax beside it (TX-FEE-1..4,
TX-TAX-1/2), Taxable, RTU's (TX-RTU-1), DOS (TX-DOS-1) and Aged (TX-AGE-1..5). It computes no
money: the dialog hands it the :class:`~dentaldesk.services.ledger.posting.ChargeFacts` of the charge as
it stands (the service's rules) and it shows them. What it checks is the person's input: a DOS in
the future for a completed procedure, an Aged date before the DOS (TX-VAL-1), and a DOS more than
30 days back is posted only once its box is ticked (TX-DOS-2). A plan item's DOS and Aged are
read-only: its charge takes the day it is completed (TX-DOS-1).

The Aged field follows its default (TX-AGE-2..4) until the person changes it; from then on it
keeps their choice. Left at its default, posting takes the ICM default, which on an insurable
ICM 2 account means the patient's portion ages from DOS while the insurance portion stays current.

:class:`CodeOptions` shows the code's own options, read-only (TX-OPT-1).
"""

from __future__ import annotations

import datetime as dt
from enum import Enum

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QAbstractSpinBox, QCheckBox, QFormLayout, QGridLayout, QGroupBox, QLabel, QWidget

from dentaldesk.domain.aging import BACK_DATING_DAYS, check_aged_date, check_dos
from dentaldesk.domain.errors import DentalDeskError
from dentaldesk.domain.money import format_money
from dentaldesk.services.ledger.charge_facts import ChargeFacts
from dentaldesk.services.practice.codes import CodeRow
from dentaldesk.ui.kit import palette
from dentaldesk.ui.kit.widgets import (
    OptionalDate,
    OptionBox,
    caption,
    date_edit,
    error_label,
    from_qdate,
    hint_label,
    row,
    show_message,
    stack,
    tint,
)
from dentaldesk.ui.transactions.procedure import ProcedureSection


class Mode(Enum):
    """What the dialog is doing, which decides what may be typed and what is checked."""

    PLAN_ITEM = "plan item"  # a planned item from the plan editor: DOS and Aged show the charge it will post
    POST = "post"  # a completed procedure posted now: a future DOS is refused (TX-DOS-1)
    POSTED = "posted"  # a posted charge from the Ledger: money read-only, Aged and notes editable


DEFAULT_AGED = object()  # the Aged field left at its default: posting takes the ICM default


class ChargesSection(QGroupBox):
    """Fee (with source and tax), Taxable, RTU's, DOS and Aged (TX-FEE, TX-TAX, TX-RTU, TX-DOS, TX-AGE)."""

    changed = Signal()

    def __init__(
        self, procedure: ProcedureSection, mode: Mode, *, dos: dt.date, today: dt.date, parent: QWidget | None = None
    ) -> None:
        super().__init__("Charges/Aging", parent)
        self.setObjectName("charges_section")
        self.mode = mode
        self.today = today
        self.procedure = procedure
        self._facts: ChargeFacts | None = None
        self._taxable_choice: bool | None = None  # None: as the code and office say (TX-TAX-2)
        self._aged_touched = False
        self._aged_shown = False
        self._quiet_taxable = False
        self._errors: dict[str, str] = {}

        self.tax = QLabel()
        self.tax.setObjectName("tax")
        tint(self.tax, palette.MUTED)
        self.tax.setAccessibleName("Tax on this charge")
        procedure.fee_line.layout().addWidget(self.tax)
        procedure.fee_line.layout().addStretch(1)
        self.taxable = QCheckBox("Ta&xable")
        self.taxable.setObjectName("taxable")
        self.taxable.setAccessibleName("Taxable")
        self.taxable_reason = hint_label(name="taxable_reason", shown=False)
        self.dos = date_edit("dos", "Date of service", dos)
        self.dos_note = hint_label(name="dos_note", shown=False)
        # TX-DOS-2: posting a DOS more than 30 days back asks for this box first.
        self.confirm_back_dating = QCheckBox("Post it with this date (back-dated)")
        self.confirm_back_dating.setObjectName("confirm_back_dating")
        self.confirm_back_dating.setAccessibleName("Confirm the back-dated date of service")
        self.confirm_back_dating.setVisible(False)
        self.aged = OptionalDate("aged", "Aged date", "blank - current")
        self.aged.set_start(lambda: self.dos_value)
        self.aged_hint = hint_label(name="aged_hint", shown=False)
        self.messages = {"dos": error_label("dos"), "aged": error_label("aged")}

        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(procedure.fee_caption, procedure.fee_stack)
        form.addRow("", stack(self.taxable, self.taxable_reason))
        form.addRow(procedure.rtu_caption, procedure.rtu_stack)
        form.addRow(
            caption("&DOS", self.dos),
            stack(row(self.dos), self.messages["dos"], self.confirm_back_dating, self.dos_note),
        )
        self.aged_caption = caption("A&ged", self.aged.edit)
        self.aged_field = stack(self.aged, self.messages["aged"], self.aged_hint)
        form.addRow(self.aged_caption, self.aged_field)

        if mode is Mode.PLAN_ITEM:
            show_message(
                self.dos_note,
                "DOS and Aged: the day the item is completed (aged by ICM). The plan item keeps Taxable and Insurable.",
            )
            self.aged.set_read_only(True)
            self.aged.edit.setToolTip("Set when the item is completed, from the account's ICM")
        if mode in (Mode.POSTED, Mode.PLAN_ITEM):
            self.dos.setReadOnly(True)
            self.dos.setCalendarPopup(False)
            self.dos.setButtonSymbols(QAbstractSpinBox.ButtonSymbols.NoButtons)
            self.dos.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.taxable.toggled.connect(self._taxable_clicked)
        self.confirm_back_dating.toggled.connect(lambda _c: self.changed.emit())
        self.dos.dateChanged.connect(lambda _d: self._check())
        self.aged.changed.connect(self._aged_changed)
        self._show_aged(False)

    # --- the person's input

    @property
    def dos_value(self) -> dt.date:
        return from_qdate(self.dos.date())

    def taxable_choice(self) -> bool | None:
        """The person's Taxable choice for this charge, or None to take the default (TX-TAX-2)."""
        return self._taxable_choice

    def reset_choices(self) -> None:
        """A new code: Taxable and Aged go back to what the code and account say."""
        self._taxable_choice = None
        self._aged_touched = False

    def set_taxable_choice(self, choice: bool | None) -> None:
        """The Taxable a plan item kept for its charge (None: the default); shown at the next refresh."""
        self._taxable_choice = choice

    def aged_choice(self) -> object:
        """The Aged field for posting: :data:`DEFAULT_AGED` when left at its default, else the
        person's date or None (blank: current, TX-AGE-5)."""
        value = self.aged.value()
        if self._facts is not None and not self._aged_touched and value == self._facts.aged_field:
            return DEFAULT_AGED
        return value

    def _taxable_clicked(self, checked: bool) -> None:
        if self._quiet_taxable:
            return
        self._taxable_choice = checked
        self.changed.emit()

    def _aged_changed(self) -> None:
        self._aged_touched = True
        self._check()

    # --- showing the figures

    def show_facts(self, code: CodeRow | None, facts: ChargeFacts | None) -> None:
        """Show Taxable, tax and the Aged default for the charge as it stands now; with no figures
        (no code, or a fee that is empty or refused) no tax is shown rather than the tax on 0.00."""
        self._facts = facts
        self._show_aged(code is not None)  # TX-AGE-1
        if facts is None:
            self.tax.setText("Tax -" if code is not None else "")
            self.tax.setAccessibleDescription("No tax until the fee is valid" if code is not None else "")
            self._set_taxable(False, self.taxable.isChecked(), "")
            self._check()
            return
        self.tax.setText(f"Tax {format_money(facts.tax)}")
        self.tax.setAccessibleDescription(f"Tax {format_money(facts.tax)}")
        self._set_taxable(facts.taxable_enabled and self.mode is not Mode.POSTED, facts.taxable, facts.taxable_reason)
        if not self._aged_touched and self.mode is not Mode.POSTED:
            self.aged.set_value(facts.aged_field)
        self._check()

    def show_posted(self, *, taxable: bool, tax_text: str, aged: dt.date | None, held_text: str) -> None:
        """A posted charge: what it was posted with (read-only), its Aged date (editable)."""
        self._show_aged(True)
        self.tax.setText(tax_text)
        self._set_taxable(False, taxable, "As posted; correct a posted charge's money with an adjustment.")
        self.aged.set_value(aged)
        show_message(self.aged_hint, held_text)
        self._check()

    def _set_taxable(self, enabled: bool, checked: bool, reason: str) -> None:
        self._quiet_taxable = True
        self.taxable.setChecked(checked)
        self._quiet_taxable = False
        self.taxable.setEnabled(enabled)
        self.taxable.setToolTip(reason)
        show_message(self.taxable_reason, reason if not enabled else "")

    def _show_aged(self, shown: bool) -> None:
        self._aged_shown = shown
        for widget in (self.aged_caption, self.aged_field):
            widget.setVisible(shown)

    def _aged_hint(self) -> str:
        facts = self._facts
        aged = self.aged.value()
        if self.mode is Mode.POSTED or facts is None:
            return self.aged_hint.text() if self.mode is Mode.POSTED else ""
        if aged is None:
            if self.aged_choice() is DEFAULT_AGED and facts.aged_date is not None and facts.held_amount > 0:
                return (
                    f"Insurance portion {format_money(facts.held_amount)} stays current until the claim is "
                    f"complete; the patient's portion ages from the DOS (TX-AGE-4)."
                )
            if self.aged_choice() is DEFAULT_AGED and facts.insurable:
                return "Blank: the whole charge stays current until its claim is complete (TX-AGE-3)."
            return "Blank: the charge stays current until a date is chosen (TX-AGE-5)."
        if aged > self.dos_value:
            return f"Current until {aged:%Y-%m-%d}, then aging (TX-AGE-5)."
        return f"Ages from {aged:%Y-%m-%d}."

    # --- checking (TX-VAL-1)

    def back_dating_confirmed(self) -> bool:
        """TX-DOS-2: the person confirmed a DOS more than 30 days back."""
        return self.confirm_back_dating.isVisibleTo(self) and self.confirm_back_dating.isChecked()

    def _check(self) -> None:
        errors: dict[str, str] = {}
        dos = self.dos_value
        if self.mode is Mode.POST:
            days = (self.today - dos).days
            self.confirm_back_dating.setVisible(days > BACK_DATING_DAYS)
            self.confirm_back_dating.setText(f"Post it dated {days} days back (back-dated, audited)")
        try:
            check_dos(dos, self.today, completed=self.mode is not Mode.PLAN_ITEM)
        except DentalDeskError as exc:
            if self.mode is Mode.POST:
                errors["dos"] = exc.message
        if self._aged_shown:
            try:
                check_aged_date(self.aged.value(), dos)
            except DentalDeskError as exc:
                errors["aged"] = exc.message
        self._errors = errors
        for name, label in self.messages.items():
            show_message(label, errors.get(name, ""))
        if self.mode is not Mode.POSTED:
            show_message(self.aged_hint, "" if "aged" in errors else self._aged_hint())
        self.changed.emit()

    @property
    def errors(self) -> dict[str, str]:
        return dict(self._errors)

    def is_valid(self) -> bool:
        return not self._errors


class CodeOptions(QGroupBox):
    """The code's option boxes, checked as the code defines them, read-only (TX-OPT-1)."""

    changed = Signal()
    OPTIONS = (
        ("insurable", "Insurable"),
        ("taxable", "Taxable"),
        ("requires_tooth", "Requires tooth"),
        ("requires_surface", "Requires surface"),
        ("charts_graphic", "Charts graphic"),
    )

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Code options", parent)
        self.setObjectName("code_options")
        self.setToolTip("As set for the code under Settings -> Procedure codes")
        self.boxes = {name: OptionBox(text, f"option_{name}") for name, text in self.OPTIONS}
        grid = QGridLayout(self)
        for n, box in enumerate(self.boxes.values()):
            grid.addWidget(box, n // 3, n % 3)

    def show_code(self, code: CodeRow | None) -> None:
        for name, box in self.boxes.items():
            box.setChecked(bool(code is not None and getattr(code, name)))

    def is_valid(self) -> bool:
        return True
