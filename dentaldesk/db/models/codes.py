"""Procedure codes (office list and master list), fee schedules, dental plans and bluebooks."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dentaldesk.db.models.base import Base, Versioned, enum_column
from dentaldesk.domain.teeth import Dentition
from dentaldesk.domain.terms import Category, EstimationType


class _CodeColumns:
    """CODE-1: every field and flag a procedure code carries, and its dentition (ID-3)."""

    code: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[Category] = enum_column(Category)
    default_rtu: Mapped[int] = mapped_column(Integer, default=0)
    insurable: Mapped[bool] = mapped_column(Boolean, default=True)
    taxable: Mapped[bool] = mapped_column(Boolean, default=False)
    requires_tooth: Mapped[bool] = mapped_column(Boolean, default=False)
    requires_surface: Mapped[bool] = mapped_column(Boolean, default=False)
    charts_graphic: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    dentition: Mapped[Dentition] = enum_column(Dentition, default=Dentition.BOTH, server_default="both")


class MasterCode(_CodeColumns, Base):
    """The starter master list shipped with the app; copied into an office's list."""

    __tablename__ = "master_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    usual_fee: Mapped[Decimal | None] = mapped_column(nullable=True)


class ProcedureCode(_CodeColumns, Versioned, Base):
    """The office's own code list (the ADA Transaction Codes window)."""

    __noun__ = "procedure code"

    __tablename__ = "procedure_code"
    __table_args__ = (UniqueConstraint("office_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"), index=True)
    custom: Mapped[bool] = mapped_column(Boolean, default=False)


class FeeSchedule(Versioned, Base):
    """A numbered fee schedule (0 to 26); schedule 0 is the office's usual fee (glossary)."""

    __noun__ = "fee schedule"

    __tablename__ = "fee_schedule"
    __table_args__ = (
        UniqueConstraint("office_id", "number"),
        CheckConstraint("number >= 0 AND number <= 26", name="number_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(80))


class FeeScheduleEntry(Versioned, Base):
    """One fee of one code in one schedule (MONEY-2: never negative)."""

    __noun__ = "fee"

    __tablename__ = "fee_schedule_entry"
    __table_args__ = (
        UniqueConstraint("fee_schedule_id", "procedure_code_id"),
        CheckConstraint("fee >= 0", name="fee_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fee_schedule_id: Mapped[int] = mapped_column(ForeignKey("fee_schedule.id"))
    procedure_code_id: Mapped[int] = mapped_column(ForeignKey("procedure_code.id"), index=True)
    fee: Mapped[Decimal]


class DentalPlan(Versioned, Base):
    """An insurance plan: carrier, estimation type, deductible, annual maximum."""

    __noun__ = "dental plan"

    __tablename__ = "dental_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    carrier: Mapped[str] = mapped_column(String(120))
    group_number: Mapped[str] = mapped_column(String(40), default="")
    estimation_type: Mapped[EstimationType] = enum_column(EstimationType)
    deductible: Mapped[Decimal] = mapped_column(default=Decimal("0.00"))
    annual_max: Mapped[Decimal | None] = mapped_column(nullable=True)
    default_copay: Mapped[Decimal] = mapped_column(default=Decimal("0.00"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    categories: Mapped[list[PlanCategory]] = relationship(back_populates="dental_plan", cascade="all, delete-orphan")


class PlanCategory(Versioned, Base):
    """Coverage % for one category of a dental plan, and whether the deductible applies."""

    __noun__ = "dental plan"

    __tablename__ = "plan_category"
    __table_args__ = (
        UniqueConstraint("dental_plan_id", "category"),
        CheckConstraint("coverage_percent >= 0 AND coverage_percent <= 100", name="percent_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dental_plan_id: Mapped[int] = mapped_column(ForeignKey("dental_plan.id"))
    category: Mapped[Category] = enum_column(Category)
    coverage_percent: Mapped[int] = mapped_column(Integer)
    deductible_applies: Mapped[bool] = mapped_column(Boolean, default=True)

    dental_plan: Mapped[DentalPlan] = relationship(back_populates="categories")


class BluebookEntry(Versioned, Base):
    """What one plan really pays for one code: plan (cap) fee, copay, insurance pays, write-off."""

    __noun__ = "bluebook entry"

    __tablename__ = "bluebook_entry"
    __table_args__ = (UniqueConstraint("dental_plan_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dental_plan_id: Mapped[int] = mapped_column(ForeignKey("dental_plan.id"))
    code: Mapped[str] = mapped_column(String(16))
    plan_fee: Mapped[Decimal | None] = mapped_column(nullable=True)
    copay: Mapped[Decimal | None] = mapped_column(nullable=True)
    insurance_pays: Mapped[Decimal | None] = mapped_column(nullable=True)
    write_off: Mapped[Decimal | None] = mapped_column(nullable=True)
