"""Accounts, patients and their insurance coverage."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dentaldesk.db.models.base import Base, Versioned, created_column, enum_column
from dentaldesk.domain.terms import CoverageRank, Icm

if TYPE_CHECKING:
    from dentaldesk.db.models.codes import DentalPlan

# Search keys are compared byte-wise so a prefix range uses the index on both databases.
SearchKey = String(80).with_variant(String(80, collation="C"), "postgresql")


class Account(Versioned, Base):
    """The financial responsibility unit: ICM, fee schedule, ledger (glossary: Account)."""

    __noun__ = "account"

    __tablename__ = "account"
    __table_args__ = (UniqueConstraint("office_id", "account_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"), index=True)
    account_number: Mapped[str] = mapped_column(String(16))
    guarantor_id: Mapped[int | None] = mapped_column(ForeignKey("patient.id", use_alter=True), nullable=True)
    icm: Mapped[Icm] = mapped_column(Integer, default=Icm.FULL_FEE_AT_SERVICE)
    fee_schedule: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = created_column()

    patients: Mapped[list[Patient]] = relationship(back_populates="account", foreign_keys="Patient.account_id")


class Patient(Versioned, Base):
    """A person treated: patient ID (chart number), names, birth date, contact, account."""

    __noun__ = "patient"

    __tablename__ = "patient"
    __table_args__ = (
        UniqueConstraint("office_id", "patient_number"),
        # Each search query is ordered the way its index is, ending in the id, so LIMIT stops after
        # the rows it shows (SQLite appends the rowid to every index; PostgreSQL needs it named).
        Index("ix_patient_last_key", "office_id", "last_name_key", "first_name_key", "id"),
        Index("ix_patient_first_key", "office_id", "first_name_key", "id"),
        Index("ix_patient_birth_date", "office_id", "birth_date", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    patient_number: Mapped[str] = mapped_column(String(16).with_variant(String(16, collation="C"), "postgresql"))
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    first_name: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(80))
    first_name_key: Mapped[str] = mapped_column(SearchKey)
    last_name_key: Mapped[str] = mapped_column(SearchKey)
    birth_date: Mapped[dt.date] = mapped_column(Date)
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(120), default="")
    address: Mapped[str] = mapped_column(String(240), default="")
    created_at: Mapped[dt.datetime] = created_column()

    account: Mapped[Account] = relationship(back_populates="patients", foreign_keys=[account_id])
    coverages: Mapped[list[Coverage]] = relationship(back_populates="patient", order_by="Coverage.rank")

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Coverage(Versioned, Base):
    """A patient's primary or secondary dental plan, with this benefit year's usage."""

    __noun__ = "coverage"

    __tablename__ = "coverage"
    __table_args__ = (UniqueConstraint("patient_id", "rank"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    dental_plan_id: Mapped[int] = mapped_column(ForeignKey("dental_plan.id"), index=True)
    rank: Mapped[CoverageRank] = enum_column(CoverageRank)
    subscriber_name: Mapped[str] = mapped_column(String(160))
    subscriber_id: Mapped[str] = mapped_column(String(40), default="")
    benefit_year: Mapped[int] = mapped_column(Integer)
    benefits_used: Mapped[Decimal] = mapped_column(default=Decimal("0.00"))
    deductible_met: Mapped[Decimal] = mapped_column(default=Decimal("0.00"))

    patient: Mapped[Patient] = relationship(back_populates="coverages")
    dental_plan: Mapped[DentalPlan] = relationship()
