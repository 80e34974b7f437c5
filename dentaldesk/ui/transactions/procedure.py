"""The procedure part of the Patient Transactions window (seed 004, TX-1).

:class:`ProcedureSection` holds the code, searched as you type (CODE-2), its description, tooth
and surfaces checked against the code's flags and the office numbering (ID-1/2, CODE-4),
production and collection provider, and notes (TX-1). It also owns the Fee, pre-filled by the fee
resolver with its source (TX-FEE-1..4, MONEY-2), and the RTU's (TX-RTU-1), what a plan item
stores with the rest; those two are laid out in the Charges/Aging section, where the seed shows
them (:mod:`.charges`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidgetItem,
    QPlainTextEdit,
    QWidget,
)

from dentaldesk.domain.codes import parse_rtu
from dentaldesk.domain.errors import DentalDeskError
from dentaldesk.domain.fees import FeeQuote
from dentaldesk.domain.item_check import TypedItem, check_item
from dentaldesk.domain.money import format_money, parse_money
from dentaldesk.domain.teeth import Dentition, display_tooth, numbering_hint, parse_surfaces, parse_tooth, valid_teeth
from dentaldesk.services.plans import ItemFormFacts
from dentaldesk.services.practice.codes import CodeRow, search_codes
from dentaldesk.ui.kit import palette
from dentaldesk.ui.kit.widgets import caption, error_label, hint_label, stack, tint
from dentaldesk.ui.transactions.code_search import CodeResults, CodeSearch
from dentaldesk.ui.transactions.help import tooth_help

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
        self._active = [c for c in codes if c.active]
        self._by_code = {c.code: c for c in codes}
        self._quote = quote
        self.require_complete = require_complete
        self.code: CodeRow | None = None
        self.schedule_fee: Decimal | None = None
        self.fee_source = ""
        self._errors: dict[str, str] = {}
        # A required field still empty is not an error until the person has been at it (edited it
        # or left it): until then its line reads as a grey hint, never as a red refusal.
        self._touched: set[str] = set()
        self._quiet: set[str] = set()
        self._stacks: list[QWidget] = []
        self.read_only = False

        self.code_edit = CodeSearch()
        self.code_edit.setObjectName("code_search")
        self.code_edit.setAccessibleName("Procedure code")
        self.code_edit.setPlaceholderText("Type a code (D27) or a word of its name (crown)")
        self.results = CodeResults()
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
        # ID-1: what is typed is what is checked: no completer turns "3" into FDI 31 on Tab.
        self.tooth.setCompleter(None)
        self.tooth.setAccessibleName("Tooth")
        self.tooth.addItem("")
        self.tooth.addItems(list(valid_teeth(facts.numbering)))
        # ID-1: the field says which numbering is in force before anything is typed.
        self._show_tooth_hint()
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
        tint(self.fee_source_label, palette.MUTED)
        self.rtu = QLineEdit()
        self.rtu.setObjectName("rtu")
        self.rtu.setAccessibleName("RTU's (minutes of chair time)")
        self.notes = QPlainTextEdit()
        self.notes.setObjectName("notes")
        self.notes.setAccessibleName("Notes")
        self.notes.setTabChangesFocus(True)
        self.notes.setMaximumHeight(60)

        self.messages = {
            name: error_label(name)
            for name in ("code", "tooth", "surfaces", "provider", "collection_provider", "fee", "rtu")
        }
        self.hints = {
            name: hint_label(name=f"{name}_hint", shown=False) for name in ("tooth", "surfaces", "provider", "fee")
        }

        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        form.addRow(caption("&Code", self.code_edit), self._stack(self.code_edit, self.messages["code"], self.results))
        form.addRow("Description", self.description)
        form.addRow(caption("&Tooth", self.tooth), self._stack(self.tooth, self.messages["tooth"], self.hints["tooth"]))
        form.addRow(
            caption("S&urfaces", self.surfaces),
            self._stack(self.surfaces, self.messages["surfaces"], self.hints["surfaces"]),
        )
        form.addRow(
            caption("&Production provider", self.provider),
            self._stack(self.provider, self.messages["provider"], self.hints["provider"]),
        )
        form.addRow(
            caption("Co&llection provider", self.collection),
            self._stack(self.collection, self.messages["collection_provider"]),
        )
        form.addRow(caption("&Notes", self.notes), self.notes)
        # Fee and RTU's sit in Charges/Aging (seed 004); that section lays these out.
        self.fee.setMaximumWidth(130)
        self.rtu.setMaximumWidth(130)
        self.fee_caption = caption("&Fee", self.fee)
        self.rtu_caption = caption("&RTU's", self.rtu)
        self.fee_line = QWidget()
        fee_line = QHBoxLayout(self.fee_line)
        fee_line.setContentsMargins(0, 0, 0, 0)
        fee_line.addWidget(self.fee)
        self.fee_stack = self._stack(self.fee_line, self.fee_source_label, self.messages["fee"], self.hints["fee"])
        self.rtu_stack = self._stack(self.rtu, self.messages["rtu"])

        for first, second in (
            (self.code_edit, self.results),
            (self.results, self.tooth),
            (self.tooth, self.surfaces),
            (self.surfaces, self.provider),
            (self.provider, self.collection),
            (self.collection, self.notes),
        ):
            QWidget.setTabOrder(first, second)

        self.code_edit.textEdited.connect(self._code_typed)
        self.code_edit.down.connect(self._into_results)
        self.code_edit.enter.connect(self._pick_first)
        self.results.picked.connect(lambda row: (self.pick_code(row), self.tooth.setFocus()))
        self.results.itemClicked.connect(lambda item: self.pick_code(item.data(Qt.ItemDataRole.UserRole)))
        self.results.itemDoubleClicked.connect(lambda item: self.pick_code(item.data(Qt.ItemDataRole.UserRole)))
        self.tooth.currentTextChanged.connect(lambda _t: self._check_all())
        self.surfaces.textChanged.connect(lambda _t: self._check_all())
        self.provider.currentIndexChanged.connect(lambda _i: self._check_all())
        self.collection.currentIndexChanged.connect(lambda _i: self._check_all())
        self.fee.textChanged.connect(self._fee_typed)
        self.rtu.textChanged.connect(lambda _t: self._check_all())
        for name, signal in (
            ("tooth", self.tooth.activated),
            ("tooth", self.tooth.lineEdit().textEdited),
            ("surfaces", self.surfaces.textEdited),
            ("provider", self.provider.activated),
            ("fee", self.fee.textEdited),
        ):
            signal.connect(lambda *_a, n=name: self.touch(n))

        if facts.default_provider_id is not None:
            self.provider.setCurrentIndex(max(0, self.provider.findData(facts.default_provider_id)))
        if initial is not None:
            self._load(initial)
        self._show_results(self.code.code if self.code is not None else "")
        self._check_all()

    # --- layout helpers

    def _stack(self, *widgets: QWidget) -> QWidget:
        box = stack(*widgets)
        self._stacks.append(box)  # resized when a message is shown or hidden (see _check_all)
        return box

    # --- the code (CODE-2, CODE-3)

    def _show_results(self, text: str) -> None:
        self.results.clear()
        for row in search_codes(self._active, text, limit=50):
            item = QListWidgetItem(f"{row.code}  {row.name}")
            item.setData(Qt.ItemDataRole.UserRole, row)
            self.results.addItem(item)
        if self.results.count():
            # The chosen code stays highlighted (an item reopened shows its own code, not the first).
            chosen = 0
            if self.code is not None:
                for n in range(self.results.count()):
                    if self.results.item(n).data(Qt.ItemDataRole.UserRole).code == self.code.code:
                        chosen = n
                        break
            self.results.setCurrentRow(chosen)

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
        """Enter in the code field: the first match (or the exact code typed), then on to the tooth."""
        if self.code is None and self.results.count():
            self.pick_code(self.results.item(0).data(Qt.ItemDataRole.UserRole))
        if self.code is not None:
            self.tooth.setFocus(Qt.FocusReason.TabFocusReason)

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
            self.fee.setText(format_money(quote.fee))
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

    def _show_tooth_hint(self) -> None:
        """ID-1/ID-3: the tooth field names the numbering in force and, for a code of one dentition
        only, the teeth it takes ("Universal: 1-32 (permanent only)"), in its hint and its F1 text."""
        dentition = self.code.dentition if self.code is not None else Dentition.BOTH
        hint = numbering_hint(self.facts.numbering, dentition)
        help_text = tooth_help(self.facts.numbering, self.code.code if self.code is not None else "", dentition)
        self.tooth.setToolTip(hint)
        self.tooth.setWhatsThis(help_text)  # F1
        line_edit = self.tooth.lineEdit()
        if line_edit is not None:
            line_edit.setPlaceholderText(hint)
            line_edit.setWhatsThis(help_text)

    def _check_all(self) -> None:
        """The one item check (the plan services' too) on what the fields hold, each problem at its
        field (TX-VAL-1); the code field adds what only the search knows."""
        self._quiet = set()
        self._show_tooth_hint()
        errors: dict[str, str] = {}
        hints: dict[str, str] = {}
        typed = self.code_edit.text().strip().upper()
        known = self.code if self.code is not None else self._by_code.get(typed)
        checked = check_item(
            TypedItem(
                code=typed,
                tooth=self.tooth.currentText(),
                surfaces=self.surfaces.text(),
                provider_id=self.provider.currentData(),
                collection_provider_id=self.collection.currentData(),
                fee=self.fee.text(),
                rtu=self.rtu.text(),
            ),
            known,
            self.facts.numbering,
            providers={p.id for p in self.facts.providers},
            keep_inactive=self.code is not None,  # the item's own code, even when made inactive since
            schedule_fee=self.schedule_fee,
            fee_source=self.fee_source,
        )
        for problem in checked.problems:
            if problem.field == "code" and not self._code_shown(typed, known):
                if known is None and typed and not self.results.count():
                    errors["code"] = f"No code of the office's list matches '{self.code_edit.text().strip()}'."
            elif problem.missing:
                self._missing(errors, hints, problem.field, problem.message)
            else:
                errors[problem.field] = problem.message
        self._errors = errors
        quiet = self._quiet & set(errors)
        for name, label in self.messages.items():
            label.setText(errors.get(name, "") if name not in quiet else "")
            label.setVisible(name in errors and name not in quiet)
        for name, label in self.hints.items():
            label.setText(hints.get(name, ""))
            label.setVisible(name in hints and (name not in errors or name in quiet) and not self.read_only)
        self._show_fee_source()
        for box in self._stacks:
            box.updateGeometry()  # a message shown or hidden resizes its row (and the window)
        self.changed.emit()

    @staticmethod
    def _code_shown(typed: str, known: CodeRow | None) -> bool:
        """Whether the check's code refusal is shown: an inactive code, or one that looks like a CDT
        code and is missing (CODE-3); a word still being typed is for the search to answer."""
        return known is not None or bool(_CODE_LIKE.match(typed))

    def touch(self, field: str) -> None:
        """The person has been at ``field``: a refusal of it shows in red from now on."""
        if field not in self._touched:
            self._touched.add(field)
            self._check_all()

    def _missing(self, errors: dict[str, str], hints: dict[str, str], field: str, text: str) -> None:
        if self.require_complete:
            errors[field] = text
            if field not in self._touched:
                self._quiet.add(field)
                hints[field] = text
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

    def set_read_only(self, *, notes_editable: bool) -> None:
        """A posted charge: what it was posted with stays as it is; only the notes may change."""
        for edit in (self.code_edit, self.surfaces, self.fee, self.rtu):
            edit.setReadOnly(True)
        self.results.setVisible(False)
        for combo in (self.tooth, self.provider, self.collection):
            combo.setEnabled(False)
        self.notes.setReadOnly(not notes_editable)
        self.read_only = True
        self._check_all()

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
        self.fee.setText(format_money(entry.fee))
        self.rtu.setText(str(entry.rtu))
        self.notes.setPlainText(entry.notes)
