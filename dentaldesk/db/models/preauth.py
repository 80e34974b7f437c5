"""Preauthorization requests sent to a carrier and the carrier's answers (CASE-2)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dentaldesk.db.models.base import Base, created_column


class Preauthorization(Base):
    """One request sent for a plan's insurable items, as it was printed, and the carrier's answer.

    ``status`` is ``sent``, ``answered`` or ``denied``. The subscriber and carrier are kept as
    printed; ``request_pdf`` is the request as printed (kept with the plan); ``benefit_year`` the
    year the answer is good for.
    """

    __tablename__ = "preauthorization"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("treatment_plan.id"), index=True)
    requested_on: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = created_column()
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)
    benefit_year: Mapped[int] = mapped_column(Integer)
    carrier: Mapped[str] = mapped_column(String(160))
    plan_name: Mapped[str] = mapped_column(String(160))
    subscriber_name: Mapped[str] = mapped_column(String(160))
    subscriber_id: Mapped[str] = mapped_column(String(64), default="")
    group_number: Mapped[str] = mapped_column(String(64), default="")
    status: Mapped[str] = mapped_column(String(16), default="sent")
    answered_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)
    answer_note: Mapped[str] = mapped_column(Text, default="")
    request_pdf: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)

    lines: Mapped[list[PreauthorizationLine]] = relationship(
        cascade="all, delete-orphan", order_by="PreauthorizationLine.id"
    )


class PreauthorizationLine(Base):
    """One item of a request: the code, tooth and fee as sent, and the carrier's figures once answered."""

    __tablename__ = "preauthorization_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    preauthorization_id: Mapped[int] = mapped_column(ForeignKey("preauthorization.id"), index=True)
    plan_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("plan_item.id", ondelete="SET NULL"), nullable=True, index=True
    )
    code: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(String(200), default="")
    tooth: Mapped[str] = mapped_column(String(4), default="")
    surfaces: Mapped[str] = mapped_column(String(7), default="")
    fee: Mapped[Decimal]
    allowed: Mapped[Decimal | None] = mapped_column(nullable=True)
    pays: Mapped[Decimal | None] = mapped_column(nullable=True)
    deductible: Mapped[Decimal | None] = mapped_column(nullable=True)
    denied: Mapped[bool] = mapped_column(Boolean, default=False)
