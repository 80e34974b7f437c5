"""Column types that keep money exact (MONEY-1, STYLE.md convention 2)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Integer, type_coerce
from sqlalchemy.types import TypeDecorator

from dentaldesk.domain.money import ZERO, from_cents, to_cents


class Money(TypeDecorator[Decimal]):
    """Decimal cents in Python, integer cents in the database (SQLite has no exact decimal)."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> int | None:
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("money never comes from a float (MONEY-1)")
        if isinstance(value, int):
            # An int here is ambiguous (dollars or cents?); money is bound as Decimal only.
            raise TypeError("bind money as Decimal; integer cents go through domain.money.from_cents")
        if value is ZERO:  # the most common value by far (a bulk insert binds millions of them)
            return 0
        return to_cents(value)  # rounds half-up to cents once (MONEY-1)

    def process_result_value(self, value: Any, dialect: Any) -> Decimal | None:
        if value is None:
            return None
        return from_cents(int(value))


def cents(column: Any) -> ColumnElement[int]:
    """A Money column as the integer cents it holds, for sums taken in SQL and converted once (MONEY-1)."""
    return type_coerce(column, BigInteger)


class Rate(TypeDecorator[Decimal]):
    """A percentage such as a tax rate of 8.875 %, stored as integer thousandths of a percent."""

    impl = Integer
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> int | None:
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("a rate never comes from a float")
        return int((Decimal(value) * 1000).to_integral_value())

    def process_result_value(self, value: Any, dialect: Any) -> Decimal | None:
        if value is None:
            return None
        return (Decimal(int(value)) / 1000).quantize(Decimal("0.001"))
