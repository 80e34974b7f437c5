"""The Insurance section of the Patient Transactions window (seed 004, TX-INS-1..5).

Insurable is checked only when the patient's insurance covers the procedure (TX-INS-1); Claim #
shows the claim that includes it, or offers the patient's open claims when posting (TX-INS-2);
Type, Deductible and Insurance Pays come from the one estimate engine (TX-INS-3..5, INS-*), with
the engine's own explanation behind "Why?". Nothing is computed here: the dialog passes the
:class:`~dentaldesk.services.ledger.posting.ChargeFacts` of the charge as it stands.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QGroupBox, QLabel, QLineEdit, QPushButton, QWidget

from dentaldesk.domain.money import format_money
from dentaldesk.services.ledger.charge_facts import ChargeFacts, ChargeTerms
from dentaldesk.services.ledger.transactions import ClaimChoice, ClaimLink
from dentaldesk.services.practice.codes import CodeRow
from dentaldesk.ui.transactions.charges import Mode
from dentaldesk.ui.transactions.fields import (
    HINT_COLOR,
    bold,
    caption,
    message_label,
    row,
    show_message,
    stack,
)

NOT_ON_CLAIM = "(not on a claim)"


class InsuranceSection(QGroupBox):
    """Insurable, Claim #, Type, Deductible and Insurance Pays (TX-INS-1..5)."""

    changed = Signal()

    def __init__(
        self, mode: Mode, terms: ChargeTerms, claims: Sequence[ClaimChoice], parent: QWidget | None = None
    ) -> None:
        super().__init__("Insurance", parent)
        self.setObjectName("insurance_section")
        self.mode = mode
        self.terms = terms
        self.claims = tuple(claims)
        self._insurable_choice: bool | None = None
        self._quiet = False

        self.insurable = QCheckBox("&Insurable")
        self.insurable.setObjectName("insurable")
        self.insurable.setAccessibleName("Insurable")
        self.insurable_reason = message_label("insurable_reason", HINT_COLOR)
        self.claim = QComboBox()
        self.claim.setObjectName("claim")
        self.claim.setAccessibleName("Claim number")
        self.claim.addItem(NOT_ON_CLAIM, None)
        for choice in self.claims:
            self.claim.addItem(choice.label, choice.id)
        self.claim_number = QLineEdit()
        self.claim_number.setObjectName("claim_number")
        self.claim_number.setAccessibleName("Claim number")
        self.claim_number.setReadOnly(True)
        self.claim_number.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.claim_hint = message_label("claim_hint", HINT_COLOR)
        self.coverage_type = QLabel()
        self.coverage_type.setObjectName("coverage_type")
        self.coverage_type.setWordWrap(True)
        self.coverage_type.setAccessibleName("Coverage type")
        self.deductible = QLabel()
        self.deductible.setObjectName("deductible")
        self.deductible.setAccessibleName("Deductible")
        self.insurance_pays = QLabel()
        self.insurance_pays.setObjectName("insurance_pays")
        bold(self.insurance_pays)
        self.insurance_pays.setAccessibleName("Insurance pays")
        self.why = QPushButton("&Why?")
        self.why.setObjectName("why")
        self.why.setCheckable(True)
        self.why.setAccessibleName("Why this estimate")
        self.why.setToolTip("Show how the estimate was worked out")
        self.explanation = message_label("explanation", HINT_COLOR)
        self.explanation.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.messages = {"claim": message_label("claim_error"), "insurance": message_label("insurance_error")}

        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("", stack(self.insurable, self.insurable_reason))
        self.claim_caption = caption("Cl&aim #", self.claim)
        form.addRow(self.claim_caption, stack(self.claim, self.claim_number, self.claim_hint, self.messages["claim"]))
        form.addRow("Type", self.coverage_type)
        form.addRow("Deductible", self.deductible)
        form.addRow(
            "Insurance Pays",
            stack(row(self.insurance_pays, self.why), self.explanation, self.messages["insurance"]),
        )
        self.insurable.toggled.connect(self._insurable_clicked)
        self.claim.currentIndexChanged.connect(lambda _i: self.changed.emit())
        self.why.toggled.connect(self.explanation.setVisible)
        self._show_claim_field(combo=mode is Mode.POST)

    # --- the person's input

    def insurable_choice(self) -> bool | None:
        """Insurable as the person set it for this charge, or None for "as covered" (TX-INS-1)."""
        return self._insurable_choice

    def reset_choices(self) -> None:
        self._insurable_choice = None

    def set_insurable_choice(self, choice: bool | None) -> None:
        """The Insurable a plan item kept for its charge (None: as covered); shown at the next refresh."""
        self._insurable_choice = choice

    def claim_choice(self) -> int | None:
        """The open claim chosen to post against (TX-INS-2), or None."""
        if not self.claim.isVisibleTo(self) or not self.claim.isEnabled():
            return None
        return self.claim.currentData()

    def _insurable_clicked(self, checked: bool) -> None:
        if not self._quiet:
            self._insurable_choice = checked
            self.changed.emit()

    # --- showing the figures

    def show_facts(self, code: CodeRow | None, facts: ChargeFacts | None, problem: str = "") -> None:
        """Insurable, Type, Deductible and Insurance Pays of the charge as it stands (TX-INS-1..5)."""
        show_message(self.messages["insurance"], problem)
        covered = code is not None and code.insurable and self.terms.primary is not None
        self._set_insurable(
            enabled=covered and self.mode is not Mode.POSTED,
            checked=facts.insurable if facts is not None else False,
            reason=self._insurable_reason(code),
        )
        estimate = facts.estimate if facts is not None else None
        if estimate is not None:
            self.coverage_type.setText(estimate.coverage_type)
            self.deductible.setText(self._deductible_text(estimate.deductible_primary, estimate.deductible_secondary))
            self._set_pays(format_money(estimate.insurance), estimate.explanation)
        else:
            self.coverage_type.setText(self._uncovered_type(code, facts))
            self.deductible.setText(format_money(0) if code is not None else "")
            self._set_pays(
                format_money(0) if code is not None else "",
                "" if code is None else f"{self._uncovered_type(code, facts)}: insurance pays nothing on this charge.",
            )
        if self.mode is Mode.POST:
            insurable = facts is not None and facts.insurable
            self.claim.setEnabled(insurable and bool(self.claims))
            if not insurable:
                self.claim.setCurrentIndex(0)
            show_message(self.claim_hint, self._claim_hint(insurable))
        elif self.mode is Mode.PLAN_ITEM:
            self.claim_number.setText("")
            self.claim_number.setPlaceholderText("none yet")
            show_message(self.claim_hint, "A planned item goes on a claim once it is completed and filed.")

    def show_posted(self, link: ClaimLink | None, insurable: bool, estimated: str, explanation: str) -> None:
        """A posted charge: its claim (or the open claims it may go on), its posted estimate."""
        if link is not None:
            self._show_claim_field(combo=False)
            self.claim_number.setText(f"{link.claim_number} ({link.status.value}) - {link.carrier}")
            show_message(
                self.claim_hint,
                f"Estimated {format_money(link.estimated)} on the claim; paid {format_money(link.paid)} so far.",
            )
        elif insurable and self.claims:
            self._show_claim_field(combo=True)
            show_message(self.claim_hint, "Not on a claim yet: choose an open claim to put it on.")
        else:
            self._show_claim_field(combo=False)
            self.claim_number.setPlaceholderText("not on a claim")
            show_message(self.claim_hint, self._claim_hint(insurable))
        self._set_pays(estimated, explanation)

    def _set_insurable(self, *, enabled: bool, checked: bool, reason: str) -> None:
        self._quiet = True
        self.insurable.setChecked(checked)
        self._quiet = False
        self.insurable.setEnabled(enabled)
        self.insurable.setToolTip(reason)
        show_message(self.insurable_reason, reason if not enabled else "")

    def _set_pays(self, amount: str, explanation: str) -> None:
        self.insurance_pays.setText(amount)
        self.insurance_pays.setAccessibleDescription(amount)
        self.explanation.setText(explanation)
        self.explanation.setVisible(self.why.isChecked() and bool(explanation))
        self.why.setEnabled(bool(explanation))
        self.why.setToolTip(explanation or "Show how the estimate was worked out")

    def _show_claim_field(self, *, combo: bool) -> None:
        self.claim.setVisible(combo)
        self.claim_number.setVisible(not combo)
        self.claim_caption.setBuddy(self.claim if combo else self.claim_number)

    def _deductible_text(self, primary: object, secondary: object) -> str:
        text = f"Primary {format_money(primary)}"  # type: ignore[arg-type]
        if self.terms.secondary is not None:
            text += f" · Secondary {format_money(secondary)}"  # type: ignore[arg-type]
        return text

    def _insurable_reason(self, code: CodeRow | None) -> str:
        if code is None:
            return ""
        if self.mode is Mode.POSTED:
            return "As posted."
        if self.terms.primary is None:
            return "No insurance on file for this patient."
        if not code.insurable:
            return f"{code.code}'s Insurable option is off, so no plan pays on it."
        return ""

    def _uncovered_type(self, code: CodeRow | None, facts: ChargeFacts | None) -> str:
        if code is None:
            return ""
        if self.terms.primary is None:
            return "No insurance"
        if not code.insurable:
            return "Not insurable"
        return "Not claimed (Insurable unchecked)"

    def _claim_hint(self, insurable: bool) -> str:
        if not insurable:
            return "Only an insurable charge goes on a claim."
        if not self.claims:
            return "No open claim for this patient; Create claim in the Ledger files one."
        return ""

    def is_valid(self) -> bool:
        return True
