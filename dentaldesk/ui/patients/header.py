"""The patient header: name, ID, account, ICM, coverage above every patient view."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QWidget

from dentaldesk.domain.money import format_money
from dentaldesk.services.patients.search import PatientHeader
from dentaldesk.services.plans import PatientBilling
from dentaldesk.ui.kit import palette


class PatientHeaderBar(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("patient_header")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(
            f"#patient_header {{ background: {palette.HEADER_BAND}; border: 1px solid {palette.HEADER_BORDER}; }}"
        )
        self.name = QLabel()
        self.name.setObjectName("header_name")
        self.details = QLabel()
        self.details.setObjectName("header_details")
        self.coverage = QLabel()
        self.coverage.setObjectName("header_coverage")
        self.coverage.setWordWrap(True)
        self.billing = QLabel()
        self.billing.setObjectName("header_billing")
        self.billing.setAccessibleName("Billing summary")
        layout = QHBoxLayout(self)
        layout.addWidget(self.name)
        layout.addWidget(self.details, 1)
        layout.addWidget(self.coverage, 1)
        layout.addWidget(self.billing)
        # The header keeps the height its text needs; the views below give way, not the header.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.show_patient(None)

    def show_patient(self, header: PatientHeader | None) -> None:
        if header is None:
            self.name.setText("<b>No patient selected</b>")
            self.details.setText("Search for a patient by name, patient ID or birth date.")
            self.coverage.setText("")
            self.setAccessibleName("No patient selected")
            return
        self.name.setText(f"<span style='font-size:14pt'><b>{header.full_name}</b></span>")
        self.details.setText(
            f"Patient ID {header.patient_number} &nbsp;·&nbsp; Born {header.birth_date:%Y-%m-%d}"
            f"<br>Account {header.account_number} &nbsp;·&nbsp; {header.icm.label}"
            f" &nbsp;·&nbsp; Fee schedule {header.fee_schedule}"
        )
        if header.coverages:
            lines = [f"{c.rank.value.capitalize()}: {c.plan_name} ({c.estimation_type})" for c in header.coverages]
            self.coverage.setText("<br>".join(lines))
        else:
            self.coverage.setText("No insurance on file")
        self.setAccessibleName(f"Patient {header.full_name}, ID {header.patient_number}")

    def show_billing(self, billing: PatientBilling | None) -> None:
        """TP-14: the patient's plans rolled up; an estimate is shown only when it was computed."""
        if billing is None:
            self.billing.setText("")
            self.billing.setAccessibleDescription("")
            return
        first = f"Approved, still to do {format_money(billing.planned)} &nbsp;·&nbsp; Completed {format_money(billing.completed)}"
        if billing.drafts:
            first += f" &nbsp;·&nbsp; Drafts (not approved) {format_money(billing.drafts)}"
        lines = [first]
        if not billing.planned:
            lines.append("Nothing approved is still to do")
        elif billing.estimated_insurance is not None and billing.estimated_patient is not None:
            lines.append(
                f"Of that: est. insurance {format_money(billing.estimated_insurance)}"
                + (
                    f" ({format_money(billing.preauthorized_insurance)} preauthorized)"
                    if billing.preauthorized_insurance
                    else ""
                )
                + " &nbsp;·&nbsp; "
                f"est. patient still to pay {format_money(billing.estimated_patient)}"
            )
        else:
            lines.append("No insurance estimate (check the coverage set-up)")
        self.billing.setText("<br>".join(lines))
        self.billing.setAccessibleDescription("; ".join(line.replace(" &nbsp;·&nbsp; ", "; ") for line in lines))
