"""The account ledger, claims and chart graphics."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dentaldesk.db.models.base import Base, Versioned, created_column, enum_column
from dentaldesk.domain.terms import ClaimStatus, GraphicStatus, TransactionKind


class LedgerTransaction(Versioned, Base):
    """A Patient Transaction: charge, payment or adjustment on an account's ledger.

    ``amount`` is always >= 0; ``kind`` gives the sign. A charge ages from ``aged_date``
    (None = held current, TX-AGE-3); ``held_amount`` is the part held current under ICM 2 (TX-AGE-4).
    """

    __noun__ = "transaction"

    __tablename__ = "ledger_transaction"
    __table_args__ = (
        # The account's ledger in its shown order (DOS, then id) without a sort, on both databases.
        Index("ix_ledger_account_dos", "account_id", "dos", "id"),
        # Covers every column the office aging report reads, in account order (AGE-1..3).
        Index(
            "ix_ledger_aging",
            "office_id",
            "account_id",
            "dos",
            "kind",
            "aged_date",
            "amount",
            "tax",
            "held_amount",
        ),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
        CheckConstraint("tax >= 0", name="tax_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    kind: Mapped[TransactionKind] = enum_column(TransactionKind)
    procedure_code_id: Mapped[int | None] = mapped_column(ForeignKey("procedure_code.id"), nullable=True)
    tooth: Mapped[str | None] = mapped_column(String(4), nullable=True)
    surfaces: Mapped[str] = mapped_column(String(7), default="")
    description: Mapped[str] = mapped_column(String(200), default="")
    dos: Mapped[dt.date] = mapped_column(Date)
    aged_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    amount: Mapped[Decimal]
    tax: Mapped[Decimal] = mapped_column(default=Decimal("0.00"))
    held_amount: Mapped[Decimal] = mapped_column(default=Decimal("0.00"))
    taxable: Mapped[bool] = mapped_column(Boolean, default=False)
    insurable: Mapped[bool] = mapped_column(Boolean, default=False)
    rtu: Mapped[int] = mapped_column(Integer, default=0)
    production_provider_id: Mapped[int | None] = mapped_column(ForeignKey("provider.id"), nullable=True)
    collection_provider_id: Mapped[int | None] = mapped_column(ForeignKey("provider.id"), nullable=True)
    plan_item_id: Mapped[int | None] = mapped_column(ForeignKey("plan_item.id"), nullable=True, index=True)
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("claim.id"), nullable=True, index=True)
    estimated_insurance: Mapped[Decimal] = mapped_column(default=Decimal("0.00"))
    notes: Mapped[str] = mapped_column(Text, default="")
    posted_at: Mapped[dt.datetime] = created_column()
    posted_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)


class Claim(Versioned, Base):
    """An insurance claim for completed insurable procedures; complete once finally paid."""

    __noun__ = "claim"

    __tablename__ = "claim"
    __table_args__ = (UniqueConstraint("office_id", "claim_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    coverage_id: Mapped[int] = mapped_column(ForeignKey("coverage.id"))
    claim_number: Mapped[str] = mapped_column(String(20))
    status: Mapped[ClaimStatus] = enum_column(ClaimStatus, default=ClaimStatus.OPEN)
    created_on: Mapped[dt.date] = mapped_column(Date)
    completed_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)

    lines: Mapped[list[ClaimLine]] = relationship(back_populates="claim", cascade="all, delete-orphan")


class ClaimLine(Versioned, Base):
    """One procedure on a claim: what was estimated and what the carrier paid."""

    __noun__ = "claim line"

    __tablename__ = "claim_line"
    __table_args__ = (UniqueConstraint("claim_id", "transaction_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claim.id"))
    transaction_id: Mapped[int] = mapped_column(ForeignKey("ledger_transaction.id"), index=True)
    estimated: Mapped[Decimal] = mapped_column(default=Decimal("0.00"))
    paid: Mapped[Decimal] = mapped_column(default=Decimal("0.00"))

    claim: Mapped[Claim] = relationship(back_populates="lines")


class ChartGraphic(Versioned, Base):
    """A mark on the tooth chart, with its removal record (TX-CHART-1/2)."""

    __noun__ = "chart mark"

    __tablename__ = "chart_graphic"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    procedure_code_id: Mapped[int] = mapped_column(ForeignKey("procedure_code.id"))
    tooth: Mapped[str | None] = mapped_column(String(4), nullable=True)
    surfaces: Mapped[str] = mapped_column(String(7), default="")
    status: Mapped[GraphicStatus] = enum_column(GraphicStatus)
    # Indexed: a procedure's marks are found by its charge or its plan item (TX-CHART-1/2).
    transaction_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transaction.id"), nullable=True, index=True)
    plan_item_id: Mapped[int | None] = mapped_column(ForeignKey("plan_item.id"), nullable=True, index=True)
    created_at: Mapped[dt.datetime] = created_column()
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)
    removed_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)
    removal_reason: Mapped[str] = mapped_column(Text, default="")
