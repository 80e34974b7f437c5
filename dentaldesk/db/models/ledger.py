"""The account ledger, claims and chart graphics."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dentaldesk.db.models.base import Base, Versioned, created_column, enum_column
from dentaldesk.domain.terms import ClaimStatus, GraphicStatus, TransactionKind


class LedgerTransaction(Versioned, Base):
    """A Patient Transaction: charge, payment, adjustment or write-off on an account's ledger.

    ``amount`` is always >= 0; ``kind`` gives the sign. How the parts of a charge age
    (``dentaldesk.domain.aging``): ``write_off`` is the estimated write-off posted with the charge
    (INS-8), never the patient's; ``held_amount`` the part held for insurance (ICM 1: the whole
    charge less the write-off; ICM 2: the estimated insurance), which ages from ``released_on``
    once its claim completes; the rest is the patient's and ages from ``aged_date`` (None:
    current, TX-AGE-3..5). On an insurance payment or write-off correction, ``held_amount`` is the
    part that pays its claim's held amounts (with the same ``released_on``). ``applies_to_id``
    names the charge a write-off correction is posted against. The posted estimate (INS-9) is kept
    with the charge: ``estimated_insurance`` (primary and secondary), ``estimated_secondary``, the
    deductibles it applies and its explanation.
    """

    __noun__ = "transaction"

    __tablename__ = "ledger_transaction"
    __table_args__ = (
        # The account's ledger in its shown order (DOS, then id) without a sort, on both databases.
        Index("ix_ledger_account_dos", "account_id", "dos", "id"),
        # The Patients page's "today": whose transactions are dated today, without a scan.
        Index("ix_ledger_office_dos", "office_id", "dos", "patient_id"),
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
            "write_off",
            "released_on",
        ),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
        CheckConstraint("tax >= 0", name="tax_not_negative"),
        CheckConstraint("write_off >= 0", name="write_off_not_negative"),
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
    write_off: Mapped[Decimal] = mapped_column(default=Decimal("0.00"))
    released_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    applies_to_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transaction.id"), nullable=True, index=True)
    estimated_secondary: Mapped[Decimal] = mapped_column(default=Decimal("0.00"))
    deductible_primary: Mapped[Decimal] = mapped_column(default=Decimal("0.00"))
    deductible_secondary: Mapped[Decimal] = mapped_column(default=Decimal("0.00"))
    estimate_note: Mapped[str] = mapped_column(Text, default="")
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
    # The write-off the carrier reported for the line (INS-8); None until an insurance payment says.
    write_off: Mapped[Decimal | None] = mapped_column(nullable=True)

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
