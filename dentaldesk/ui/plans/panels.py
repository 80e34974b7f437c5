"""The plan editor's read-only panels: totals and progress, the approval with its signature, history.

They show what the working copy and the loaded plan say (TP-7, TP-11, TP-12, TP-15, TP-2); they
decide nothing.
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QProgressBar,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from dentaldesk.domain.money import format_money
from dentaldesk.domain.plans import Progress, chair_minutes, status_label, visit_groups
from dentaldesk.domain.terms import PlanStatus
from dentaldesk.domain.times import shown_time
from dentaldesk.services.plans import PlanView
from dentaldesk.ui.kit import palette
from dentaldesk.ui.plans.working_copy import WorkingPlan


def chair_time_text(plan: WorkingPlan) -> str:
    """Each visit's chair time from its items' RTU's (TP-16, TX-RTU-1)."""
    parts = []
    for visit, facts in visit_groups(plan.facts()):
        minutes = chair_minutes(plan.item(f.id).rtu for f in facts)
        name = f"Visit {visit}" if visit is not None else "No visit"
        parts.append(f"{name}: {minutes} min")
    return "Chair time - " + " · ".join(parts) if parts else "Chair time - no items yet"


def progress_text(progress: Progress) -> str:
    return (
        f"{progress.percent}% done by fee - {progress.done_items} of {progress.total_items} items, "
        f"{format_money(progress.done_fees)} of {format_money(progress.total_fees)}"
    )


class TotalsBar(QFrame):
    """The total that follows every fee as it is typed (TP-7), and the progress bar (TP-11)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("totals_bar")
        self.total = QLabel()
        self.total.setObjectName("plan_total")
        self.total.setAccessibleName("Plan total")
        self.total.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.approved = QLabel()
        self.approved.setObjectName("approved_total")
        self.chair = QLabel()
        self.chair.setObjectName("chair_time")
        self.chair.setStyleSheet(palette.MUTED_STYLE)
        self.chair.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setObjectName("plan_progress")
        self.progress.setAccessibleName("Plan progress")
        self.progress.setRange(0, 100)
        self.progress.setTextVisible(True)
        self.progress.setMinimumWidth(360)
        top = QHBoxLayout()
        top.addWidget(self.progress, 1)
        top.addSpacing(16)
        top.addWidget(self.approved)
        top.addSpacing(16)
        top.addWidget(self.total)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.chair)
        layout.addLayout(top)

    def show_total(self, total: Decimal, *, typing: bool = False) -> None:
        text = f"Total {format_money(total)}"
        self.total.setText(f"<span style='font-size:13pt'><b>{text}</b></span>" + (" (typing)" if typing else ""))
        self.total.setAccessibleDescription(text)

    def show_plan(self, plan: WorkingPlan) -> None:
        self.show_total(plan.total())
        progress = plan.progress()
        self.progress.setValue(progress.percent)
        self.progress.setFormat(progress_text(progress))
        self.progress.setAccessibleDescription(progress_text(progress))
        self.chair.setText(chair_time_text(plan))
        approved = plan.view.approved_total
        if plan.view.status is PlanStatus.DRAFT or approved is None:
            self.approved.setText("")
        elif plan.needs_reapproval():
            self.approved.setText(
                f"<span style='{palette.ALERT_STYLE}'>Approved {format_money(approved)} - needs the "
                "patient's approval of the new total</span>"
            )
        else:
            self.approved.setText(f"Approved {format_money(approved)}")


class ApprovalPanel(QWidget):
    """The latest approval: who, how, when, the stored signature, and whether it still matches (TP-15)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("approval_panel")
        self.summary = QLabel()
        self.summary.setObjectName("approval_text")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.signature = QLabel()
        self.signature.setObjectName("stored_signature")
        self.signature.setAccessibleName("Stored signature")
        self.signature.setMinimumHeight(90)
        self.signature.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.signature.setStyleSheet(f"background: {palette.PAPER}; border: 1px solid {palette.BORDER};")
        self.mismatch = QLabel("Signature no longer matches the plan")
        self.mismatch.setObjectName("signature_mismatch")
        self.mismatch.setStyleSheet(palette.ALERT_STYLE)
        self.mismatch.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.signature)
        layout.addWidget(self.mismatch)
        layout.addStretch(1)

    def show_view(self, view: PlanView) -> None:
        approval = view.latest_approval
        if approval is None:
            text = (
                "Not approved yet. A draft is never shown to the patient (TP-4)."
                if view.status is PlanStatus.DRAFT
                else "No approval on record."
            )
            self.summary.setText(text)
            self.signature.clear()
            self.signature.setVisible(False)
            self.mismatch.setVisible(False)
            return
        when = shown_time(approval.approved_at, zone=True)
        by = f", recorded by {approval.recorded_by}" if approval.recorded_by else ""
        chosen = next((o.name for o in view.options if o.id == approval.option_id), "")
        option = f"Option chosen: <b>{chosen}</b><br>" if chosen and len(view.options) > 1 else ""  # CASE-1
        self.summary.setText(
            f"<b>{status_label(view.status)}</b><br>{option}Approved by <b>{approval.approver_name}</b> "
            f"({approval.method.label.lower()}) on {when}{by}<br>Approved total {format_money(approval.total)}"
        )
        self.signature.setVisible(True)
        if approval.signature_png:
            pixmap = QPixmap()
            pixmap.loadFromData(approval.signature_png, "PNG")
            self.signature.setPixmap(
                pixmap.scaledToWidth(min(pixmap.width(), 320), Qt.TransformationMode.SmoothTransformation)
            )
            self.signature.setToolTip(f"Signature of {approval.approver_name}")
        else:
            self.signature.clear()
            self.signature.setText("No signature (approved " + approval.method.label.lower() + ")")
        matches = approval.signature_matches
        self.mismatch.setVisible(not matches)
        self.mismatch.setText(
            ""
            if matches
            else "Signature no longer matches the plan: it was changed after the patient "
            "approved it. Record a new approval before printing it as signed."
        )
        self.signature.setAccessibleDescription("matches the plan" if matches else "no longer matches the plan")


class SidePanels(QTabWidget):
    """Approval and History tabs beside the items."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("side_panels")
        self.approval = ApprovalPanel()
        self.history = QListWidget()
        self.history.setObjectName("plan_history")
        self.history.setAccessibleName("Plan history")
        self.history.setWordWrap(True)
        self.addTab(self.approval, "&Approval")
        self.addTab(self.history, "&History")

    def show_view(self, view: PlanView) -> None:
        self.approval.show_view(view)
        self.history.clear()
        for row in reversed(view.history):
            who = f" {row.user}:" if row.user else ""
            self.history.addItem(f"{shown_time(row.at)}{who} {row.detail}")
