"""Offices, providers, users and the audit log."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dentaldesk.db.models.base import Base, Versioned, created_column, enum_column
from dentaldesk.db.types import Rate
from dentaldesk.domain.terms import PaperSize, Role, TaxMethod, ToothNumbering


class Office(Versioned, Base):
    """One practice location (glossary: Office) and its General System Settings."""

    __noun__ = "office's settings"
    __unversioned__ = frozenset({"next_patient_number", "next_account_number", "next_claim_number"})

    __tablename__ = "office"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    address: Mapped[str] = mapped_column(String(240), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(120), default="")
    tax_method: Mapped[TaxMethod] = enum_column(TaxMethod, default=TaxMethod.NONE)
    tax_rate: Mapped[Decimal | None] = mapped_column(Rate, nullable=True)
    tooth_numbering: Mapped[ToothNumbering] = enum_column(ToothNumbering, default=ToothNumbering.UNIVERSAL)
    paper_size: Mapped[PaperSize] = enum_column(PaperSize, default=PaperSize.LETTER)
    handout_note: Mapped[str] = mapped_column(Text, default="")
    estimate_valid_days: Mapped[int] = mapped_column(Integer, default=90)
    idle_lock_minutes: Mapped[int] = mapped_column(Integer, default=10)
    # DATA-6: where backups go ("" = a "backups" folder beside the database).
    backup_folder: Mapped[str] = mapped_column(Text, default="", server_default="")
    # CASE-4: the office's mail server ("" host = none: Send to patient opens the mail client).
    # The password is not kept here but in each workstation's settings file (SEC-6).
    smtp_host: Mapped[str] = mapped_column(String(255), default="", server_default="")
    smtp_port: Mapped[int] = mapped_column(Integer, default=587, server_default="587")
    smtp_security: Mapped[str] = mapped_column(String(16), default="starttls", server_default="starttls")
    smtp_user: Mapped[str] = mapped_column(String(255), default="", server_default="")
    smtp_from: Mapped[str] = mapped_column(String(120), default="", server_default="")
    next_patient_number: Mapped[int] = mapped_column(Integer, default=1)
    next_account_number: Mapped[int] = mapped_column(Integer, default=1)
    next_claim_number: Mapped[int] = mapped_column(Integer, default=1)


class Provider(Versioned, Base):
    """A dentist or hygienist who performs procedures."""

    __noun__ = "provider"

    __tablename__ = "provider"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    short_name: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16), default="dentist")
    color: Mapped[str] = mapped_column(String(9), default="#1f6feb")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class User(Versioned, Base):
    """Someone who logs in (SEC-1): role, Argon2 hash, optional linked provider."""

    __noun__ = "user"

    __tablename__ = "app_user"
    __table_args__ = (UniqueConstraint("username"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"), index=True)
    username: Mapped[str] = mapped_column(String(64))
    full_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[Role] = enum_column(Role)
    password_hash: Mapped[str] = mapped_column(String(255))
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("provider.id"), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = created_column()

    office: Mapped[Office] = relationship()
    provider: Mapped[Provider | None] = relationship()


class AuditEvent(Base):
    """SEC-2, SEC-5: who did what, where, when, with the record before and after (JSON text).

    Append-only: triggers refuse UPDATE and DELETE (migration 0008). ``seq`` is the row's place
    in the hash chain, ``prev_hash`` the hash of the row before, ``row_hash`` its own
    (dentaldesk.domain.audit_chain). A later batch migration of this table on SQLite rebuilds it
    and so drops its triggers: such a migration must create them again.
    """

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = created_column()
    office_id: Mapped[int | None] = mapped_column(ForeignKey("office.id"), nullable=True, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)
    username: Mapped[str] = mapped_column(String(64))
    workstation: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    before: Mapped[str | None] = mapped_column(Text, nullable=True)
    after: Mapped[str | None] = mapped_column(Text, nullable=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True, index=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    row_hash: Mapped[str] = mapped_column(String(64))


class AuditChain(Base):
    """The audit chain's head (SEC-5): one row, locked by every append, so the chain stays one."""

    __tablename__ = "audit_chain"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))


class LoginSession(Base):
    """One login on one workstation (SEC-1, SEC-3): the guard refuses a locked or ended session."""

    __tablename__ = "login_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    workstation: Mapped[str] = mapped_column(String(120))
    started_at: Mapped[dt.datetime] = created_column()
    locked_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    ended_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)


class LoginThrottle(Base):
    """Wrong passwords per typed user name, known or not (SEC-4), shared by every workstation."""

    __tablename__ = "login_throttle"

    username_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(nullable=True)


class ChangeLog(Base):
    """DATA-7 on SQLite: what each committed transaction changed, for the other processes on the file
    (db/changes.py). On PostgreSQL the same message goes by NOTIFY and this table stays empty."""

    __tablename__ = "change_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = created_column()
    payload: Mapped[str] = mapped_column(Text)
