"""The Patient Transactions window (seed 004): opened, modal, when a plan item is added or edited
in the plan editor, when a procedure is posted from the Ledger, and for a posted charge.

Laid out as the seed describes: the header (Office ID, Pat/Acct ID, read-only, TX-1); the
procedure (code, description, tooth, surfaces, providers, notes); Charges/Aging (Fee with its
source and tax, Taxable, RTU's, DOS, Aged); the code's option boxes (TX-OPT-1); Insurance
(Insurable, Claim #, Type, Deductible, Insurance Pays with its explanation); Remove Chart Graphic
for a procedure that exists (TX-CHART-1/2).

Every figure follows the code, tooth, fee, Taxable, Insurable and DOS as they are typed: the
dialog reads the patient's terms once (:func:`~dentaldesk.services.ledger.transactions.transaction_context`)
and recomputes with the service's own rules (:func:`~dentaldesk.services.ledger.posting.facts_for_charge`),
writing nothing. OK is enabled only while no field is refused, each refusal is shown next to its
field (TX-VAL-1). What OK does depends on the :class:`~.charges.Mode`:

* ``PLAN_ITEM``: the caller reads :meth:`PatientTransactionDialog.entry` and
  :meth:`~PatientTransactionDialog.charge_entry` (the plan editor puts them in its working copy as
  one undo step; Save draft saves the plan in one transaction). A plan item stores code, tooth,
  surfaces, providers, fee, RTU's, notes, and the person's Taxable and Insurable choices (passed
  back in as ``taxable`` and ``insurable`` when it is opened again); its DOS and Aged, read-only,
  only show the charge it will post, which on completion is dated that day and aged by the
  account's ICM (the dialog says so under DOS; see :mod:`dentaldesk.services.plans`). Its
  estimate is the plan's one estimate (INS-9): ``plan_lines`` are the plan's items as the editor
  holds them, ``order`` and ``key`` this item's place and handle among them.
* ``POST`` and ``POSTED``: OK runs the caller's ``submit`` (one service call, one transaction);
  the dialog closes only when it succeeded and otherwise shows the refusal at its field.

Cancel leaves everything as it was (Remove Chart Graphic excepted: see :mod:`.chart_graphic`).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette, QShowEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from dentaldesk import clock
from dentaldesk.domain.errors import DentalDeskError
from dentaldesk.domain.estimates import PlanLine
from dentaldesk.domain.fees import FeeQuote
from dentaldesk.domain.money import parse_money
from dentaldesk.services.ledger.charge_facts import LAST, THIS_CHARGE, ChargeFacts, facts_for_charge
from dentaldesk.services.ledger.transactions import TransactionContext
from dentaldesk.services.plans import ItemFormFacts
from dentaldesk.services.practice.codes import CodeRow
from dentaldesk.ui.kit import palette
from dentaldesk.ui.kit.context import AppContext
from dentaldesk.ui.kit.widgets import error_label, make_default, step_in_ring
from dentaldesk.ui.transactions.charges import DEFAULT_AGED, ChargesSection, CodeOptions, Mode
from dentaldesk.ui.transactions.chart_graphic import ChartGraphicSection
from dentaldesk.ui.transactions.help import set_field_help
from dentaldesk.ui.transactions.insurance import InsuranceSection
from dentaldesk.ui.transactions.procedure import ProcedureEntry, ProcedureSection


@dataclass(frozen=True)
class ChargeEntry:
    """What the charge part holds when OK is pressed (posting or a posted charge's changes)."""

    dos: dt.date
    taxable: bool | None  # None: as the code and office say (TX-TAX-2)
    insurable: bool | None  # None: as covered (TX-INS-1)
    aged: object  # DEFAULT_AGED, None (blank: current) or a date (TX-AGE-5)
    claim_id: int | None
    notes: str
    back_dating_confirmed: bool = False  # TX-DOS-2


class TransactionHeader(QWidget):
    """TX-1: the office and patient/account identification, read-only."""

    def __init__(self, facts: ItemFormFacts, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.office_id = QLineEdit(facts.office_code)
        self.office_id.setObjectName("office_id")
        self.office_id.setAccessibleName("Office ID")
        self.patient_account = QLineEdit(f"{facts.patient_number} / {facts.account_number}")
        self.patient_account.setObjectName("patient_account_id")
        self.patient_account.setAccessibleName("Patient and account ID")
        self.patient_name = QLabel(f"<b>{facts.patient_name}</b>")
        self.patient_name.setObjectName("patient_name")
        self.patient_name.setAccessibleName("Patient")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for text, field in (("Office ID", self.office_id), ("Pat/Acct ID", self.patient_account)):
            field.setReadOnly(True)
            field.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
            field.setMaximumWidth(140)
            layout.addWidget(QLabel(text))
            layout.addWidget(field)
            layout.addSpacing(12)
        layout.addWidget(self.patient_name)
        layout.addStretch(1)


class PatientTransactionDialog(QDialog):
    """The modal Patient Transactions window (seed 004); see the module docstring."""

    def __init__(
        self,
        facts: ItemFormFacts,
        codes: Sequence[CodeRow],
        quote: Callable[[str], FeeQuote],
        *,
        context: TransactionContext,
        mode: Mode = Mode.PLAN_ITEM,
        initial: ProcedureEntry | None = None,
        taxable: bool | None = None,
        insurable: bool | None = None,
        plan_lines: Sequence[PlanLine] = (),
        order: tuple = LAST,
        key: int = THIS_CHARGE,
        dos: dt.date | None = None,
        ctx: AppContext | None = None,
        submit: Callable[[PatientTransactionDialog], bool] | None = None,
        title: str = "Patient Transactions",
        today: dt.date | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("patient_transactions")
        self.setWindowTitle(title)
        self.setModal(True)
        self.setAccessibleName(title)
        self.mode = mode
        self.context = context
        self.plan_lines = tuple(plan_lines)
        self.order = order
        self.key = key
        self.submit = submit
        self.today = today or clock.today()
        self.facts: ChargeFacts | None = None
        self._refreshing = False
        self._last_code: str | None = None

        self.header = TransactionHeader(facts)
        self.procedure = ProcedureSection(facts, codes, quote, initial=initial, require_complete=mode is Mode.POST)
        self.charges = ChargesSection(self.procedure, mode, dos=dos or self.today, today=self.today)
        self.options = CodeOptions()
        self.insurance = InsuranceSection(mode, context.terms, context.open_claims)
        self.chart: ChartGraphicSection | None = None
        if context.is_existing and ctx is not None:
            self.chart = ChartGraphicSection(
                ctx,
                context.patient_id,
                facts.numbering,
                context.marks,
                transaction_id=context.transaction_id,
                plan_item_id=context.plan_item_id,
            )
        # A plan item opened again shows the Taxable and Insurable it keeps for its code.
        self._last_code = initial.code.code if initial is not None else None
        self.charges.set_taxable_choice(taxable)
        self.insurance.set_insurable_choice(insurable)
        self.sections: list[QWidget] = [self.procedure, self.charges, self.options, self.insurance]
        if self.chart is not None:
            self.sections.append(self.chart)

        self.general = error_label("transaction")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.setObjectName("dialog_buttons")
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setObjectName("ok")
        make_default(self.ok_button)
        if mode is Mode.POST:
            self.ok_button.setText("P&ost charge")
        elif mode is Mode.POSTED:
            self.ok_button.setText("&Save changes")
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setObjectName("cancel")
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)

        left = QVBoxLayout()
        left.addWidget(self.procedure)
        left.addWidget(self.options)
        left.addStretch(1)
        self.right_column = QWidget()
        right = QVBoxLayout(self.right_column)
        right.setContentsMargins(0, 0, 0, 0)
        for section in (self.charges, self.insurance, self.chart):
            if section is not None:
                right.addWidget(section)
        right.addStretch(1)
        columns = QHBoxLayout()
        columns.addLayout(left)
        columns.addWidget(self.right_column, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        # The window opens at the size of its content with a code chosen (the Aged row and the
        # Insurable hint keep their place while hidden), so picking a code leaves it as it is; a
        # long refusal can still make it grow, and it never shrinks under the person's eyes.
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        for reserved in (self.charges.aged_caption, self.charges.aged_field, self.insurance.insurable_reason):
            policy = reserved.sizePolicy()
            policy.setRetainSizeWhenHidden(True)
            reserved.setSizePolicy(policy)
        layout.addWidget(self.header)
        layout.addLayout(columns)
        layout.addWidget(self.general)
        layout.addWidget(self.buttons)
        self._tab_order()
        set_field_help(self)  # F1: each field's own text (the tooth's follows the code: ProcedureSection)

        for section in self.sections:
            section.changed.connect(self.refresh)
        self.refresh()
        # Room for what a chosen code adds on the right: the Aged hint and the Insurable reason,
        # up to two lines each.
        line = self.fontMetrics().height()
        self.right_column.setMinimumHeight(self.right_column.sizeHint().height() + 4 * line + 12)
        self.procedure.code_edit.setFocus()

    def showEvent(self, event: QShowEvent) -> None:
        # What cannot be typed in looks it: header IDs, a posted charge's fee and RTU's, Claim #.
        # (A palette, not a style sheet: a sheet on the dialog slows its opening by a tenth.)
        for field in self.findChildren(QLineEdit) + self.findChildren(QAbstractSpinBox):
            if field.isReadOnly():
                colours = field.palette()
                colours.setColor(QPalette.ColorRole.Base, palette.color(palette.SUNKEN))
                field.setPalette(colours)
        super().showEvent(event)

    def _tab_order(self) -> None:
        """Keyboard alone: procedure, Charges/Aging, Insurance, chart, then OK and Cancel."""
        p, c, i = self.procedure, self.charges, self.insurance
        chain: list[QWidget] = [
            p.code_edit,
            p.results,
            p.tooth,
            p.surfaces,
            p.provider,
            p.collection,
            p.notes,
            p.fee,
            c.taxable,
            p.rtu,
            c.dos,
            c.confirm_back_dating,
            c.aged.edit,
            c.aged.blank,
            i.insurable,
            i.claim,
            i.why,
        ]
        if self.chart is not None:
            chain += [self.chart.remove_button, self.chart.rechart_button]
        chain += [self.ok_button, self.cancel_button]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)
        self._chain = chain

    def focusNextPrevChild(self, next: bool) -> bool:
        """Tab and Shift+Tab walk the chain above as a ring: Cancel wraps to the code, a date is one stop."""
        return step_in_ring(self, self._chain, next) or super().focusNextPrevChild(next)

    # --- the figures (TX-FEE, TX-TAX, TX-AGE, TX-INS)

    def current_fee(self) -> Decimal | None:
        """The fee as typed, or None while it is empty or refused."""
        text = self.procedure.fee.text().strip()
        if not text or "fee" in self.procedure.errors:
            return None
        try:
            return parse_money(text)
        except DentalDeskError:
            return None

    def refresh(self) -> None:
        """Recompute every figure from what the fields hold now; nothing is written."""
        if self._refreshing:
            return
        self._refreshing = True
        try:
            self._refresh()
        finally:
            self._refreshing = False
        self._update_ok()

    def _refresh(self) -> None:
        code = self.procedure.code
        key = code.code if code is not None else None
        if key != self._last_code:
            self._last_code = key
            self.charges.reset_choices()
            self.insurance.reset_choices()
        self.options.show_code(code)
        if self.mode is Mode.POSTED:
            return  # a posted charge shows what it was posted with (ledger_flows fills it in)
        problem = ""
        waiting = ""
        self.facts = None
        fee = self.current_fee() if code is not None else None
        if code is not None and fee is None:
            waiting = (
                "Fix the fee to see the tax and the estimate."
                if self.procedure.fee.text().strip()
                else "Type a fee to see the tax and the estimate."
            )
        if code is not None and fee is not None:
            try:
                self.facts = facts_for_charge(
                    self.context.terms,
                    code=code.code,
                    category=code.category,
                    code_insurable=code.insurable,
                    code_taxable=code.taxable,
                    fee=fee,
                    dos=self.charges.dos_value,
                    taxable=self.charges.taxable_choice(),
                    insurable=self.insurance.insurable_choice(),
                    plan_lines=self.plan_lines,
                    order=self.order,
                    key=self.key,
                )
            except DentalDeskError as exc:
                problem = exc.message
        self.charges.show_facts(code, self.facts)
        self.insurance.show_facts(code, self.facts, problem, waiting, fee)

    # --- OK and Cancel (TX-VAL-1)

    def _update_ok(self) -> None:
        problems = [s for s in self.sections if not s.is_valid()]
        self.ok_button.setEnabled(not problems)
        self.ok_button.setToolTip("" if not problems else "Fill in or fix the fields the lines under them name first.")

    def _accept(self) -> None:
        if not all(s.is_valid() for s in self.sections):
            return
        if self.submit is None or self.submit(self):
            self.accept()

    def entry(self) -> ProcedureEntry:
        """The procedure as accepted (what a plan item stores)."""
        return self.procedure.entry()

    def charge_entry(self) -> ChargeEntry:
        """The charge part as accepted: DOS, Taxable, Insurable, Aged, claim and notes."""
        return ChargeEntry(
            dos=self.charges.dos_value,
            taxable=self.charges.taxable_choice(),
            insurable=self.insurance.insurable_choice(),
            aged=self.charges.aged_choice(),
            claim_id=self.insurance.claim_choice(),
            notes=self.procedure.notes.toPlainText().strip(),
            back_dating_confirmed=self.charges.back_dating_confirmed(),
        )

    def add_conflict_bar(self, bar: QWidget) -> None:
        """Where a stale save of a posted charge is shown, above the buttons (DATA-4)."""
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(layout.indexOf(self.buttons), bar)

    def field_labels(self) -> dict[str, QLabel]:
        """Where a service's refusal is shown, by the field it names (TX-VAL-1)."""
        labels = dict(self.procedure.messages)
        labels.update(self.charges.messages)
        labels.update(self.insurance.messages)
        return labels


__all__ = ["DEFAULT_AGED", "ChargeEntry", "Mode", "PatientTransactionDialog", "TransactionHeader"]
