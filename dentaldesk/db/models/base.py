"""Declarative base: typed columns, Money for every Decimal, stable constraint names."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import Enum
from typing import Any, ClassVar

from sqlalchemy import DateTime, Integer, MetaData, String, func, text
from sqlalchemy import Enum as SAEnum
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

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


def enum_column(enum_cls: type[Enum], **kw: object) -> Mapped[Any]:
    """An enum stored by value as plain text (no native ENUM type: same DDL on both databases)."""
    return mapped_column(
        SAEnum(
            enum_cls,
            native_enum=False,
            create_constraint=False,
            length=32,
            values_callable=lambda e: [str(m.value) for m in e],
        ),
        **kw,  # type: ignore[arg-type]  # mapped_column's options, passed through as the caller typed them
    )


def created_column() -> Mapped[dt.datetime]:
    return mapped_column(DateTime(timezone=True), default=utcnow, server_default=func.now())


class Versioned:
    """A record two workstations can edit: its version, and who saved it last and when (DATA-4).

    One mechanism for every such table (dentaldesk.db.versioning): each action that changes the
    row moves ``version`` on by one and stamps ``saved_at`` and ``saved_by``; every UPDATE and
    DELETE of it carries ``WHERE version = <the version read>``, so a save based on a stale read
    changes nothing and is refused with a ConflictError that names ``saved_by`` and ``saved_at``.
    Columns listed in ``__unversioned__`` (counters the office hands out) change without moving
    the version on, so handing out a patient ID does not make an open settings form stale.
    """

    __unversioned__: ClassVar[frozenset[str]] = frozenset()
    __noun__: ClassVar[str] = "record"

    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    saved_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    saved_by: Mapped[str] = mapped_column(String(160), default="", server_default="")

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        # The application moves the version on (once per action, versioning.py), the ORM checks it.
        return {"version_id_col": cls.__table__.c.version, "version_id_generator": False}  # type: ignore[attr-defined]  # a mixin: the mapped class has the table
