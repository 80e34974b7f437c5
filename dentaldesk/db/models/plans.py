"""Treatment plans, their items, prerequisites, approvals and history (TP-*)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dentaldesk.db.models.base import Base, Versioned, created_column, enum_column
from dentaldesk.domain.terms import ApprovalMethod, ItemStatus, PlanStatus


class TreatmentPlan(Versioned, Base):
    """TP-2: patient, title, status, items; ``version`` guards concurrent saves (DATA-2)."""

    __noun__ = "treatment plan"

    __tablename__ = "treatment_plan"
    # The Treatments list: an office's newest plans first, read from the index in order (a LIMIT
    # stops after the rows it shows instead of sorting every plan of the office).
    __table_args__ = (Index("ix_treatment_plan_office_updated", "office_id", "updated_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    title: Mapped[str] = mapped_column(String(160))
    status: Mapped[PlanStatus] = enum_column(PlanStatus, default=PlanStatus.DRAFT, index=True)
    created_at: Mapped[dt.datetime] = created_column()
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)
    updated_at: Mapped[dt.datetime] = created_column()
    approved_total: Mapped[Decimal | None] = mapped_column(nullable=True)
    cancel_reason: Mapped[str] = mapped_column(Text, default="")

    items: Mapped[list[PlanItem]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="PlanItem.sequence"
    )
    status_changes: Mapped[list[PlanStatusChange]] = relationship(
        cascade="all, delete-orphan", order_by="PlanStatusChange.id"
    )
    approvals: Mapped[list[PlanApproval]] = relationship(cascade="all, delete-orphan", order_by="PlanApproval.id")
    options: Mapped[list[PlanOption]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="PlanOption.position"
    )


class PlanOption(Base):
    """CASE-1: one of a plan's options for the same need (an implant, or a bridge).

    Every item belongs to one option; a plan has at least one. ``position`` orders them left to
    right (the first is the one the dentist lists first). ``chosen`` marks the option the patient
    approved; once one is chosen the others are "not chosen": kept, read-only, never completed.
    The plan's version guards the options as it guards the items (DATA-2).
    """

    __tablename__ = "plan_option"
    __table_args__ = (UniqueConstraint("plan_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("treatment_plan.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    position: Mapped[int] = mapped_column(Integer, default=1)
    chosen: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = created_column()

    plan: Mapped[TreatmentPlan] = relationship(back_populates="options")


class PlanItem(Versioned, Base):
    """TP-6: code, tooth, surfaces, provider, fee (schedule fee kept beside an override), RTU's."""

    __noun__ = "plan item"

    __tablename__ = "plan_item"
    __table_args__ = (
        CheckConstraint("fee >= 0", name="fee_not_negative"),
        CheckConstraint("rtu >= 0", name="rtu_not_negative"),
        # The Patients page's "today": the items completed today, without a scan.
        Index("ix_plan_item_completed_on", "completed_on", "plan_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("treatment_plan.id"), index=True)
    # CASE-1: the option of the plan the item belongs to.
    option_id: Mapped[int] = mapped_column(ForeignKey("plan_option.id"), index=True)
    procedure_code_id: Mapped[int] = mapped_column(ForeignKey("procedure_code.id"))
    tooth: Mapped[str | None] = mapped_column(String(4), nullable=True)
    surfaces: Mapped[str] = mapped_column(String(7), default="")
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("provider.id"), nullable=True)
    # The provider credited with the money (TX-1); None = the production provider.
    collection_provider_id: Mapped[int | None] = mapped_column(ForeignKey("provider.id"), nullable=True)
    fee: Mapped[Decimal | None] = mapped_column(nullable=True)
    schedule_fee: Mapped[Decimal | None] = mapped_column(nullable=True)
    fee_source: Mapped[str] = mapped_column(String(120), default="")
    rtu: Mapped[int] = mapped_column(Integer, default=0)
    # The person's Taxable and Insurable for the charge the item posts (TX-TAX-2, TX-INS-1);
    # None = as the code, the office and the coverage say on the day it is completed.
    taxable_override: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    insurable_override: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    visit: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # CASE-5: the benefit year the item is planned in; None = the year its coverage is in.
    benefit_year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[ItemStatus] = enum_column(ItemStatus, default=ItemStatus.PLANNED)
    completed_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    approved_fee: Mapped[Decimal | None] = mapped_column(nullable=True)
    notes: Mapped[str] = mapped_column(Text, default="")

    plan: Mapped[TreatmentPlan] = relationship(back_populates="items")
    option: Mapped[PlanOption] = relationship()


class ItemPrerequisite(Base):
    """TP-8: ``item`` cannot be completed before ``prerequisite`` (edges of a DAG in one plan)."""

    __tablename__ = "item_prerequisite"
    __table_args__ = (UniqueConstraint("item_id", "prerequisite_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("plan_item.id", ondelete="CASCADE"), index=True)
    prerequisite_id: Mapped[int] = mapped_column(ForeignKey("plan_item.id", ondelete="CASCADE"), index=True)


class PlanStatusChange(Base):
    """TP-2: every status move with who made it and when."""

    __tablename__ = "plan_status_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("treatment_plan.id"), index=True)
    from_status: Mapped[PlanStatus | None] = enum_column(PlanStatus, nullable=True)
    to_status: Mapped[PlanStatus] = enum_column(PlanStatus)
    at: Mapped[dt.datetime] = created_column()
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")


class PlanApproval(Base):
    """TP-15: who approved, when, how; the signature and the frozen lines it is bound to."""

    __tablename__ = "plan_approval"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("treatment_plan.id"), index=True)
    # CASE-1: the option the patient approved; the content hash covers that option's lines.
    option_id: Mapped[int] = mapped_column(ForeignKey("plan_option.id"), index=True)
    approver_name: Mapped[str] = mapped_column(String(160))
    method: Mapped[ApprovalMethod] = enum_column(ApprovalMethod)
    approved_at: Mapped[dt.datetime] = created_column()
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)
    total: Mapped[Decimal]
    lines_json: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    # Which serialization content_hash was taken of (domain.approval.HASH_VERSIONS).
    hash_version: Mapped[int] = mapped_column(Integer, default=1)
    signature_png: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)

    option: Mapped[PlanOption] = relationship()


class PlanEvent(Base):
    """The plan's own history (TP-12): items added, removed, re-priced, linked, printed."""

    __tablename__ = "plan_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("treatment_plan.id"), index=True)
    at: Mapped[dt.datetime] = created_column()
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)
    action: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(Text, default="")


class PlanContact(Base):
    """A contact with the patient about a plan, recorded from Follow-up (CASE-3).

    ``kind`` is a :class:`~dentaldesk.domain.followup.ContactKind` value; ``call_back_on`` is the
    day the patient said they would call back. The plan's history (PlanEvent) says the same.
    """

    __tablename__ = "plan_contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("treatment_plan.id"), index=True)
    at: Mapped[dt.datetime] = created_column()
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)
    kind: Mapped[str] = mapped_column(String(24))
    note: Mapped[str] = mapped_column(Text, default="")
    call_back_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
