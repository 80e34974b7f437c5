"""Declarative base: typed columns, Money for every Decimal, stable constraint names."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import Enum

from sqlalchemy import DateTime, MetaData, String, func
from sqlalchemy import Enum as SAEnum
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from dentaldesk import clock
from dentaldesk.db.types import Money

# Names for constraints so Alembic migrations are identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return clock.now_utc()


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {
        Decimal: Money(),
        dt.datetime: DateTime(timezone=True),
        str: String(),
    }


def enum_column(enum_cls: type[Enum], **kw: object) -> Mapped:
    """An enum stored by value as plain text (no native ENUM type: same DDL on both databases)."""
    return mapped_column(
        SAEnum(
            enum_cls,
            native_enum=False,
            create_constraint=False,
            length=32,
            values_callable=lambda e: [str(m.value) for m in e],
        ),
        **kw,  # type: ignore[arg-type]
    )


def created_column() -> Mapped[dt.datetime]:
    return mapped_column(DateTime(timezone=True), default=utcnow, server_default=func.now())
