"""The Patient Transactions dialog (seed 004): opened, modal, when a plan item is added or edited.

Built as a composition of sections so each part of the seed's window is its own widget:

* :class:`TransactionHeader`: Office ID and Pat/Acct ID, read-only (TX-1).
* :class:`ProcedureSection`: code searched as you type (CODE-2), description, tooth and surfaces
  checked against the code's flags and the office numbering (ID-1/2, CODE-4), production and
  collection provider, Fee pre-filled by the fee resolver with its source (TX-FEE-1..4, MONEY-2),
  RTU's (TX-RTU-1) and notes (TX-1).

More sections (Charges/Aging, the code's option boxes, Insurance, Remove Chart Graphic) are added
with :meth:`PatientTransactionDialog.add_section`: a section is a QWidget with a ``changed`` signal
and an ``is_valid()`` method; OK is enabled only while every section is valid (TX-VAL-1). The
dialog itself saves nothing: the caller reads :meth:`PatientTransactionDialog.entry` after OK
(the plan editor puts it in its working copy; Cancel changes nothing).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from dentaldesk.domain.codes import parse_rtu
from dentaldesk.domain.errors import DentalDeskError
from dentaldesk.domain.fees import FeeQuote
from dentaldesk.domain.money import format_money, parse_money
from dentaldesk.domain.teeth import display_tooth, parse_surfaces, parse_tooth, valid_teeth
from dentaldesk.services.codes import CodeRow, search_codes
from dentaldesk.services.plans import ItemFormFacts
from dentaldesk.services.plans.checks import code_missing_message

ERROR_STYLE = "color: #b42318;"
HINT_STYLE = "color: #475467;"
RESULTS_SHOWN = 6
_CODE_LIKE = re.compile(r"^D\d{4}$", re.IGNORECASE)


@dataclass(frozen=True)
class ProcedureEntry:
    """What the procedure section holds once every field is accepted (TP-6, TX-1)."""

    code: CodeRow
    tooth: str | None  # Universal, as stored (ID-1)
    surfaces: str
    provider_id: int | None
    provider_name: str
    collection_provider_id: int | None
    fee: Decimal | None
    schedule_fee: Decimal | None
    fee_source: str
    rtu: int
    notes: str


def _message_label(name: str, style: str = ERROR_STYLE) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setStyleSheet(style)
    label.setWordWrap(True)
    label.setVisible(False)
    return label


class TransactionHeader(QWidget):
    """TX-1: the office and patient/account identification, read-only."""

    def __init__(self, facts: ItemFormFacts, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.office_id = QLineEdit(facts.office_code)
        self.office_id.setObjectName("office_id")
        self.office_id.setReadOnly(True)
        self.office_id.setAccessibleName("Office ID")
        self.patient_account = QLineEdit(f"{facts.patient_number} / {facts.account_number}")
        self.patient_account.setObjectName("patient_account_id")
        self.patient_account.setReadOnly(True)
        self.patient_account.setAccessibleName("Patient and account ID")
        self.patient_name = QLabel(facts.patient_name)
        self.patient_name.setObjectName("patient_name")
        for field in (self.office_id, self.patient_account):
            field.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Office ID", self.office_id)
        form.addRow("Pat/Acct ID", self.patient_account)
        form.addRow("Patient", self.patient_name)


class _CodeSearch(QLineEdit):
    """The code field: Down moves into the result list; Enter picks the first match (and does not
    close the dialog), so the search works from the keyboard."""

    down = Signal()
    enter = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.picking = lambda: False  # set by the section: is Enter a pick rather than OK?

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Down:
            self.down.emit()
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.picking():
            self.enter.emit()
            return
        super().keyPressEvent(event)


class _Results(QListWidget):
    """The matching codes; Enter picks the current one."""

    picked = Signal(object)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentItem() is not None:
            self.picked.emit(self.currentItem().data(Qt.ItemDataRole.UserRole))
            return
        super().keyPressEvent(event)


class ProcedureSection(QGroupBox):
    """The procedure part of the Patient Transactions window (TX-1, CODE-2, TX-FEE, TX-RTU-1).

    ``require_complete`` (a posted charge) makes tooth, surfaces, provider and fee mandatory; for a
    plan item they may wait, and the plan is not approvable until they are filled (TP-5, CODE-4).
    """

    changed = Signal()
    fee_changed = Signal(object)  # the fee as typed (Decimal), or None while empty (TP-7)

    def __init__(
        self,
        facts: ItemFormFacts,
        codes: Sequence[CodeRow],
        quote: Callable[[str], FeeQuote],
        *,
        initial: ProcedureEntry | None = None,
        require_complete: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Procedure", parent)
        self.setObjectName("procedure_section")
        self.setMinimumWidth(540)
        self.facts = facts
        self._all_codes = list(codes)
        self._active = [c for c in codes if c.active]
        self._by_code = {c.code: c for c in codes}
        self._quote = quote
        self.require_complete = require_complete
        self.code: CodeRow | None = None
        self.schedule_fee: Decimal | None = None
        self.fee_source = ""
        self._errors: dict[str, str] = {}
        self._stacks: list[QWidget] = []

        self.code_edit = _CodeSearch()
        self.code_edit.setObjectName("code_search")
        self.code_edit.setAccessibleName("Procedure code")
        self.code_edit.setPlaceholderText("Type a code (D27) or a word of its name (crown)")
        self.results = _Results()
        self.results.setObjectName("code_results")
        self.results.setAccessibleName("Matching procedure codes")
        self.results.setFixedHeight(RESULTS_SHOWN * 18)
        self.description = QLineEdit()
        self.description.setObjectName("description")
        self.description.setReadOnly(True)
        self.description.setAccessibleName("Description")
        self.description.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.tooth = QComboBox()
        self.tooth.setObjectName("tooth")
        self.tooth.setEditable(True)
        self.tooth.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.tooth.setAccessibleName("Tooth")
        self.tooth.addItem("")
        self.tooth.addItems(list(valid_teeth(facts.numbering)))
        self.surfaces = QLineEdit()
        self.surfaces.setObjectName("surfaces")
        self.surfaces.setAccessibleName("Surfaces")
        self.surfaces.setPlaceholderText("M O D B L I F")
        self.provider = QComboBox()
        self.provider.setObjectName("provider")
        self.provider.setAccessibleName("Production provider")
        self.provider.addItem("(choose the provider)", None)
        self.collection = QComboBox()
        self.collection.setObjectName("collection_provider")
        self.collection.setAccessibleName("Collection provider")
        self.collection.addItem("Same as production", None)
        for p in facts.providers:
            self.provider.addItem(p.name, p.id)
            self.collection.addItem(p.name, p.id)
        self.fee = QLineEdit()
        self.fee.setObjectName("fee")
        self.fee.setAccessibleName("Fee")
        self.fee.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.fee_source_label = QLabel()
        self.fee_source_label.setObjectName("fee_source")
        self.fee_source_label.setStyleSheet(HINT_STYLE)
        self.rtu = QLineEdit()
        self.rtu.setObjectName("rtu")
        self.rtu.setAccessibleName("RTU's (minutes of chair time)")
        self.notes = QPlainTextEdit()
        self.notes.setObjectName("notes")
        self.notes.setAccessibleName("Notes")
        self.notes.setTabChangesFocus(True)
        self.notes.setMaximumHeight(60)

        self.messages = {
            name: _message_label(f"{name}_error")
            for name in ("code", "tooth", "surfaces", "provider", "collection_provider", "fee", "rtu")
        }
        self.hints = {
            name: _message_label(f"{name}_hint", HINT_STYLE) for name in ("tooth", "surfaces", "provider", "fee")
        }

        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        form.addRow(
            self._caption("&Code", self.code_edit), self._stack(self.code_edit, self.messages["code"], self.results)
        )
        form.addRow("Description", self.description)
        form.addRow(
            self._caption("&Tooth", self.tooth), self._stack(self.tooth, self.messages["tooth"], self.hints["tooth"])
        )
        form.addRow(
            self._caption("S&urfaces", self.surfaces),
            self._stack(self.surfaces, self.messages["surfaces"], self.hints["surfaces"]),
        )
        form.addRow(
            self._caption("&Production provider", self.provider),
            self._stack(self.provider, self.messages["provider"], self.hints["provider"]),
        )
        form.addRow(
            self._caption("Co&llection provider", self.collection),
            self._stack(self.collection, self.messages["collection_provider"]),
        )
        form.addRow(
            self._caption("&Fee", self.fee),
            self._stack(self.fee, self.fee_source_label, self.messages["fee"], self.hints["fee"]),
        )
        form.addRow(self._caption("&RTU's", self.rtu), self._stack(self.rtu, self.messages["rtu"]))
        form.addRow(self._caption("&Notes", self.notes), self.notes)

        for first, second in (
            (self.code_edit, self.results),
            (self.results, self.tooth),
            (self.tooth, self.surfaces),
            (self.surfaces, self.provider),
            (self.provider, self.collection),
            (self.collection, self.fee),
            (self.fee, self.rtu),
            (self.rtu, self.notes),
        ):
            QWidget.setTabOrder(first, second)

        self.code_edit.textEdited.connect(self._code_typed)
        self.code_edit.down.connect(self._into_results)
        self.code_edit.picking = lambda: self.code is None and self.results.count() > 0
        self.code_edit.enter.connect(self._pick_first)
        self.results.picked.connect(self.pick_code)
        self.results.itemClicked.connect(lambda item: self.pick_code(item.data(Qt.ItemDataRole.UserRole)))
        self.results.itemDoubleClicked.connect(lambda item: self.pick_code(item.data(Qt.ItemDataRole.UserRole)))
        self.tooth.currentTextChanged.connect(lambda _t: self._check_all())
        self.surfaces.textChanged.connect(lambda _t: self._check_all())
        self.provider.currentIndexChanged.connect(lambda _i: self._check_all())
        self.collection.currentIndexChanged.connect(lambda _i: self._check_all())
        self.fee.textChanged.connect(self._fee_typed)
        self.rtu.textChanged.connect(lambda _t: self._check_all())

        if facts.default_provider_id is not None:
            self.provider.setCurrentIndex(max(0, self.provider.findData(facts.default_provider_id)))
        if initial is not None:
            self._load(initial)
        self._show_results("")
        self._check_all()

    # --- layout helpers

    @staticmethod
    def _caption(text: str, buddy: QWidget) -> QLabel:
        label = QLabel(text)
        label.setBuddy(buddy)
        return label

    def _stack(self, *widgets: QWidget) -> QWidget:
        box = QWidget()
        self._stacks.append(box)
        # Never taller than its visible parts: hidden messages leave no gap between fields.
        box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        for w in widgets:
            layout.addWidget(w)
        return box

    # --- the code (CODE-2, CODE-3)

    def _show_results(self, text: str) -> None:
        self.results.clear()
        for row in search_codes(self._active, text, limit=50):
            item = QListWidgetItem(f"{row.code}  {row.name}")
            item.setData(Qt.ItemDataRole.UserRole, row)
            self.results.addItem(item)
        if self.results.count():
            self.results.setCurrentRow(0)

    def _code_typed(self, text: str) -> None:
        typed = text.strip().upper()
        self._show_results(text)
        exact = self._by_code.get(typed)
        if exact is not None and exact.active:
            self.pick_code(exact, keep_text=True)
            return
        if self.code is not None and self.code.code != typed:
            self.code = None
            self.description.clear()
        self._check_all()

    def _into_results(self) -> None:
        if self.results.count():
            self.results.setFocus()
            if self.results.currentRow() < 0:
                self.results.setCurrentRow(0)

    def _pick_first(self) -> None:
        if self.code is None and self.results.count():
            self.pick_code(self.results.item(0).data(Qt.ItemDataRole.UserRole))

    def pick_code(self, row: CodeRow, keep_text: bool = False) -> None:
        """Choose a code: description, default RTU's (TX-RTU-1) and the resolved fee (TX-FEE)."""
        changed = self.code is None or self.code.code != row.code
        self.code = row
        if not keep_text:
            self.code_edit.setText(row.code)
        self.description.setText(row.name)
        if changed:
            self.rtu.setText(str(row.default_rtu))
            try:
                quote = self._quote(row.code)
            except DentalDeskError as exc:
                quote = FeeQuote(None, exc.message)
            self.schedule_fee, self.fee_source = quote.fee, quote.source
            self.fee.setText("" if quote.fee is None else f"{quote.fee:.2f}")
        if not keep_text:
            self.tooth.setFocus()
        self._check_all()

    # --- checking (TX-VAL-1)

    def _fee_typed(self, _text: str) -> None:
        self._check_all()
        if "fee" not in self._errors:
            self.fee_changed.emit(self._fee_value())

    def _fee_value(self) -> Decimal | None:
        text = self.fee.text().strip()
        return parse_money(text) if text else None

    def _check_all(self) -> None:
        errors: dict[str, str] = {}
        hints: dict[str, str] = {}
        typed = self.code_edit.text().strip().upper()
        code = self.code
        if code is None and typed:
            known = self._by_code.get(typed)
            if known is not None and not known.active:
                errors["code"] = (
                    f"{known.code} ({known.name}) is inactive in the office's code list; make it "
                    "active under Settings -> Procedure codes or choose another code."
                )
            elif _CODE_LIKE.match(typed) and known is None:
                errors["code"] = code_missing_message(typed)
            elif not self.results.count():
                errors["code"] = f"No code of the office's list matches '{self.code_edit.text().strip()}'."
        tooth_text = self.tooth.currentText().strip()
        if tooth_text:
            try:
                parse_tooth(tooth_text, self.facts.numbering)
            except DentalDeskError as exc:
                errors["tooth"] = exc.message
        surfaces = ""
        try:
            surfaces = parse_surfaces(self.surfaces.text())
        except DentalDeskError as exc:
            errors["surfaces"] = exc.message
        if code is not None:
            if surfaces and not code.requires_surface:
                errors["surfaces"] = f"{code.code} ({code.name}) does not take surfaces; leave Surfaces empty."
            if code.requires_tooth and not tooth_text and "tooth" not in errors:
                self._missing(errors, hints, "tooth", f"{code.code} needs a tooth.")
            if code.requires_surface and not surfaces and "surfaces" not in errors:
                self._missing(errors, hints, "surfaces", f"{code.code} needs its surfaces.")
        if self.provider.currentData() is None:
            self._missing(errors, hints, "provider", "Choose who will do this procedure.")
        fee_text = self.fee.text().strip()
        if fee_text:
            try:
                parse_money(fee_text)
            except DentalDeskError as exc:
                errors["fee"] = exc.message
        elif code is not None:
            self._missing(errors, hints, "fee", "Type a fee: no fee schedule has one for this code.")
        try:
            parse_rtu(self.rtu.text())
        except DentalDeskError as exc:
            errors["rtu"] = exc.message
        self._errors = errors
        for name, label in self.messages.items():
            label.setText(errors.get(name, ""))
            label.setVisible(name in errors)
        for name, label in self.hints.items():
            label.setText(hints.get(name, ""))
            label.setVisible(name in hints and name not in errors)
        self._show_fee_source()
        for box in self._stacks:
            box.updateGeometry()  # a message shown or hidden resizes its row (and the window)
        self.changed.emit()

    def _missing(self, errors: dict[str, str], hints: dict[str, str], field: str, text: str) -> None:
        if self.require_complete:
            errors[field] = text
        else:
            hints[field] = f"{text} It can wait; the plan cannot be approved until it is filled in (TP-5)."

    def _show_fee_source(self) -> None:
        if self.code is None:
            self.fee_source_label.setText("")
            return
        text = self.fee_source
        try:
            fee = self._fee_value()
        except DentalDeskError:
            fee = None
        if fee is not None and self.schedule_fee is not None and fee != self.schedule_fee:
            text = f"Override; {self.fee_source}: {format_money(self.schedule_fee)}"
        self.fee_source_label.setText(text)

    # --- state

    @property
    def errors(self) -> dict[str, str]:
        return dict(self._errors)

    def is_valid(self) -> bool:
        return self.code is not None and not self._errors

    def entry(self) -> ProcedureEntry:
        """The accepted values; call only while :meth:`is_valid`."""
        if self.code is None or self._errors:
            raise DentalDeskError("The procedure is not complete.")
        tooth_text = self.tooth.currentText().strip()
        provider_id = self.provider.currentData()
        return ProcedureEntry(
            code=self.code,
            tooth=parse_tooth(tooth_text, self.facts.numbering) if tooth_text else None,
            surfaces=parse_surfaces(self.surfaces.text()),
            provider_id=provider_id,
            provider_name=self.provider.currentText() if provider_id is not None else "",
            collection_provider_id=self.collection.currentData(),
            fee=self._fee_value(),
            schedule_fee=self.schedule_fee,
            fee_source=self.fee_source,
            rtu=parse_rtu(self.rtu.text()),
            notes=self.notes.toPlainText().strip(),
        )

    def _load(self, entry: ProcedureEntry) -> None:
        self.code = entry.code
        self.code_edit.setText(entry.code.code)
        self.description.setText(entry.code.name)
        self.tooth.setCurrentText(display_tooth(entry.tooth, self.facts.numbering))
        self.surfaces.setText(entry.surfaces)
        self.provider.setCurrentIndex(max(0, self.provider.findData(entry.provider_id)))
        self.collection.setCurrentIndex(max(0, self.collection.findData(entry.collection_provider_id)))
        self.schedule_fee, self.fee_source = entry.schedule_fee, entry.fee_source
        self.fee.setText("" if entry.fee is None else f"{entry.fee:.2f}")
        self.rtu.setText(str(entry.rtu))
        self.notes.setPlainText(entry.notes)


class PatientTransactionDialog(QDialog):
    """The modal Patient Transactions window: header, procedure, and any later sections (seed 004)."""

    def __init__(
        self,
        facts: ItemFormFacts,
        codes: Sequence[CodeRow],
        quote: Callable[[str], FeeQuote],
        *,
        initial: ProcedureEntry | None = None,
        require_complete: bool = False,
        title: str = "Patient Transactions",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("patient_transactions")
        self.setWindowTitle(title)
        self.setModal(True)
        self.setAccessibleName(title)
        self.header = TransactionHeader(facts)
        self.procedure = ProcedureSection(facts, codes, quote, initial=initial, require_complete=require_complete)
        self.sections: list[QWidget] = []
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.setObjectName("dialog_buttons")
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setObjectName("ok")
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setObjectName("cancel")
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        self._layout = QVBoxLayout(self)
        # The window fits its content: a message appearing or going makes it grow or shrink.
        self._layout.setSizeConstraint(QLayout.SizeConstraint.SetFixedSize)
        self._layout.addWidget(self.header)
        self._layout.addWidget(self.buttons)
        self.add_section(self.procedure)
        self.procedure.code_edit.setFocus()

    def add_section(self, section: QWidget, *, after: QWidget | None = None) -> None:
        """Add a section (a widget with ``changed`` and ``is_valid()``) below ``after`` or last."""
        index = self._layout.indexOf(after) + 1 if after is not None else self._layout.indexOf(self.buttons)
        self._layout.insertWidget(index, section)
        self.sections.append(section)
        section.changed.connect(self._update_ok)  # type: ignore[attr-defined]
        self._update_ok()

    def _update_ok(self) -> None:
        problems = [s for s in self.sections if not s.is_valid()]  # type: ignore[attr-defined]
        self.ok_button.setEnabled(not problems)
        self.ok_button.setToolTip("" if not problems else "Fix the fields marked in red first.")

    def _accept(self) -> None:
        if all(s.is_valid() for s in self.sections):  # type: ignore[attr-defined]
            self.accept()

    def entry(self) -> ProcedureEntry:
        return self.procedure.entry()
