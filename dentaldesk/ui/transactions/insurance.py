"""The Insurance section of the Patient Transactions window (seed 004, TX-INS-1..5).

Insurable is checked only when the patient's insurance covers the procedure (TX-INS-1); Claim #
shows the claim that includes it, or offers the patient's open claims when posting (TX-INS-2);
Type, Deductible and Insurance Pays come from the one estimate engine (TX-INS-3..5, INS-*), with
the engine's own explanation behind "Why?". Nothing is computed here: the dialog passes the
:class:`~dentaldesk.services.ledger.posting.ChargeFacts` of the charge as it stands.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QGroupBox, QLabel, QLineEdit, QPushButton, QWidget

from dentaldesk.domain.money import ZERO, format_money
from dentaldesk.services.ledger.charge_facts import ChargeFacts, ChargeTerms
from dentaldesk.services.ledger.transactions import ClaimChoice, ClaimLink
from dentaldesk.services.practice.codes import CodeRow
from dentaldesk.ui.kit.widgets import bold, caption, error_label, hint_label, row, show_message, stack
from dentaldesk.ui.transactions.charges import Mode

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
        self.insurable_reason = hint_label(name="insurable_reason", shown=False)
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
        self.claim_hint = hint_label(name="claim_hint", shown=False)
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
        # INS-9: the rest of the one estimate: write-off (INS-7) and the patient's portion (INS-6).
        self.portion = QLabel()
        self.portion.setObjectName("patient_portion")
        self.portion.setAccessibleName("Write-off and patient portion")
        self.explanation = hint_label(name="explanation", shown=False)
        self.explanation.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.messages = {"claim": error_label("claim"), "insurance": error_label("insurance")}
        # A posted charge's money (INS-8): charge, write-off, insurance, what the patient owes.
        self.posted_money = QLabel()
        self.posted_money.setObjectName("posted_money")
        self.posted_money.setAccessibleName("The charge's money")
        self.posted_money.setWordWrap(True)
        self.posted_money.setVisible(False)

        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("", stack(self.insurable, self.insurable_reason))
        self.claim_caption = caption("Cl&aim #", self.claim)
        form.addRow(self.claim_caption, stack(self.claim, self.claim_number, self.claim_hint, self.messages["claim"]))
        form.addRow("Type", self.coverage_type)
        form.addRow("Deductible", self.deductible)
        form.addRow("Write-off, patient", self.portion)
        form.addRow(
            "Insurance Pays",
            stack(row(self.insurance_pays, self.why), self.explanation, self.messages["insurance"]),
        )
        form.addRow("", self.posted_money)
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

    def show_facts(
        self,
        code: CodeRow | None,
        facts: ChargeFacts | None,
        problem: str = "",
        waiting: str = "",
        fee: Decimal | None = None,
    ) -> None:
        """Insurable, Type, Deductible and Insurance Pays of the charge as it stands (TX-INS-1..5).

        ``waiting`` says why there are no figures yet (the fee is empty or refused): nothing is
        shown for a fee of 0.00 that nobody typed.
        """
        show_message(self.messages["insurance"], problem)
        not_covered = facts.uninsured_reason if facts is not None else ""
        covered = code is not None and code.insurable and self.terms.primary is not None and not not_covered
        self._set_insurable(
            enabled=covered and self.mode is not Mode.POSTED,
            checked=facts.insurable if facts is not None else self.insurable.isChecked() and bool(waiting),
            reason=self._insurable_reason(code, not_covered),
        )
        estimate = facts.estimate if facts is not None else None
        if waiting and code is not None:
            self.coverage_type.setText(self._uncovered_type(code, facts) if not covered else "")
            self.deductible.setText("-")
            self.portion.setText("-")
            self._set_pays("-", waiting)
            show_message(self.messages["insurance"], problem or waiting)
        elif estimate is not None:
            marks = [estimate.preauthorized] if estimate.preauthorized else []  # CASE-2
            if estimate.next_year:
                marks.append("next benefit year")  # CASE-5
            self.coverage_type.setText(" - ".join([estimate.coverage_type, *marks]))
            self.deductible.setText(self._deductible_text(estimate.deductible_primary, estimate.deductible_secondary))
            self.portion.setText(self._portion_text(estimate.write_off, estimate.patient))
            self._set_pays(format_money(estimate.insurance), estimate.explanation)
        else:
            self.coverage_type.setText(self._uncovered_type(code, facts))
            self.deductible.setText(self._deductible_text(ZERO, ZERO) if code is not None else "")
            self.portion.setText("" if code is None or facts is None else self._portion_text(ZERO, fee))
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
        """A posted charge: its claim (or the open claims it may go on), what insurance paid or was
        estimated to pay when it was posted, and how that estimate was made (INS-8, INS-9)."""
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

    def show_posted_money(
        self,
        *,
        charge: Decimal,
        write_off: Decimal,
        insurance: Decimal,
        insurance_paid: bool,
        patient_owes: Decimal,
        deductible: Decimal,
        insurable: bool,
        coverage: str,
    ) -> None:
        """What a posted charge came to (INS-8): its charge, its write-off, what insurance paid (or,
        until its claim completes, is estimated to pay) and what the patient owes of it."""
        self._set_insurable(enabled=False, checked=insurable, reason="As posted.")
        self.coverage_type.setText(coverage)
        self.deductible.setText(format_money(deductible))
        paid = "Insurance paid" if insurance_paid else "Insurance estimated"
        text = (
            f"<b>Charge</b> {format_money(charge)} &nbsp; <b>Write-off</b> {format_money(write_off)} &nbsp; "
            f"<b>{paid}</b> {format_money(insurance)} &nbsp; <b>Patient owes</b> {format_money(patient_owes)}"
        )
        self.posted_money.setText(text)
        self.posted_money.setAccessibleDescription(
            f"Charge {format_money(charge)}, write-off {format_money(write_off)}, {paid.lower()} "
            f"{format_money(insurance)}, patient owes {format_money(patient_owes)}"
        )
        self.posted_money.setVisible(True)
        self.portion.setText(self._portion_text(write_off, patient_owes))

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

    @staticmethod
    def _portion_text(write_off: Decimal, patient: Decimal | None) -> str:
        text = f"Write-off {format_money(write_off)}"
        return text if patient is None else f"{text} · Patient {format_money(patient)}"

    def _deductible_text(self, primary: object, secondary: object) -> str:
        text = f"Primary {format_money(primary)}"
        if self.terms.secondary is not None:
            text += f" · Secondary {format_money(secondary)}"
        return text

    def _insurable_reason(self, code: CodeRow | None, not_covered: str = "") -> str:
        if code is None:
            return ""
        if self.mode is Mode.POSTED:
            return "As posted."
        if self.terms.primary is None:
            return "No insurance on file for this patient."
        if not code.insurable:
            return f"{code.code}'s Insurable option is off, so no plan pays on it."
        if not_covered:  # TX-INS-1: a category covered at 0 % ages as the patient's
            return f"{not_covered}: no coverage pays for {code.code}, so it is not insurable and ages as the patient's."
        return ""

    def _uncovered_type(self, code: CodeRow | None, facts: ChargeFacts | None) -> str:
        if code is None:
            return ""
        if self.terms.primary is None:
            return "No insurance"
        if not code.insurable:
            return "Not insurable"
        if facts is not None and facts.uninsured_reason:
            return facts.uninsured_reason
        return "Not claimed (Insurable unchecked)"

    def _claim_hint(self, insurable: bool) -> str:
        if not insurable:
            return "Only an insurable charge goes on a claim."
        if not self.claims:
            return "No open claim for this patient; Create claim in the Ledger files one."
        return ""

    def is_valid(self) -> bool:
        return True
