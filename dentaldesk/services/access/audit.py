"""The audit log (SEC-2, SEC-5): written inside the action's own transaction, so both land or neither.

Each row is appended to one hash chain: the append first locks the chain's head row (a row lock
on PostgreSQL, the database's write lock on SQLite), so two workstations writing at the same
moment still make one chain, then takes the database's time where the database has one
(PostgreSQL's ``clock_timestamp()``; an SQLite file has only the workstation's clock), hashes the
row with the previous row's hash, and moves the head on. Triggers refuse UPDATE and DELETE on the
table (migration 0008); :func:`verify_chain` names the first row that no longer matches.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from dentaldesk import clock
from dentaldesk.db.models import AuditChain, AuditEvent
from dentaldesk.domain.audit_chain import GENESIS, ChainCheck, ChainRow, first_broken_link, row_hash
from dentaldesk.services.access.actor import Actor


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def snapshot(row: Any, *fields: str) -> dict[str, Any]:
    """The named fields of a row as JSON-safe values, for ``before``/``after``."""
    return {name: _plain(getattr(row, name)) for name in fields}


def _database_time(session: Session) -> dt.datetime:
    if session.get_bind().dialect.name == "postgresql":
        at: dt.datetime = session.execute(text("SELECT clock_timestamp()")).scalar_one()
        return at
    return clock.now_utc()


def record(
    session: Session,
    actor: Actor | None,
    action: str,
    entity: str,
    entity_id: int | None,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    username: str | None = None,
    workstation: str | None = None,
    office_id: int | None = None,
) -> None:
    """Append one row to the audit chain (SEC-5). ``actor`` None only for logins and set-up."""
    if actor is not None:
        # Who the action is for, if the unit of work was not told: versioned rows are signed with it.
        session.info.setdefault("actor", actor)
    values: dict[str, Any] = {
        "office_id": actor.office_id if actor else office_id,
        "user_id": actor.user_id if actor else None,
        "username": actor.username if actor else (username or ""),
        "workstation": actor.workstation if actor else (workstation or ""),
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "before": json.dumps({k: _plain(v) for k, v in before.items()}, sort_keys=True) if before else None,
        "after": json.dumps({k: _plain(v) for k, v in after.items()}, sort_keys=True) if after else None,
    }
    # The lock first: the no-op update takes the head row's lock (and SQLite's write lock) until
    # this transaction ends; only then is the head read, so no other append can slip between.
    session.execute(update(AuditChain).where(AuditChain.id == 1).values(last_seq=AuditChain.last_seq))
    last_seq, last_hash = session.execute(
        select(AuditChain.last_seq, AuditChain.last_hash).where(AuditChain.id == 1)
    ).one()
    seq, at = last_seq + 1, _database_time(session)
    digest = row_hash(seq=seq, at=at, prev_hash=last_hash or GENESIS, **values)
    session.add(AuditEvent(at=at, seq=seq, prev_hash=last_hash or GENESIS, row_hash=digest, **values))
    session.flush()
    session.execute(update(AuditChain).where(AuditChain.id == 1).values(last_seq=seq, last_hash=digest))


def verify_chain(session: Session) -> ChainCheck:
    """Walk the whole log in chain order and name the first broken link (SEC-5)."""
    head = session.execute(select(AuditChain.last_seq, AuditChain.last_hash).where(AuditChain.id == 1)).one_or_none()
    head_seq, head_hash = head if head is not None else (0, GENESIS)
    e = AuditEvent
    rows = session.execute(
        select(
            e.id,
            e.seq,
            e.at,
            e.office_id,
            e.user_id,
            e.username,
            e.workstation,
            e.action,
            e.entity,
            e.entity_id,
            e.before,
            e.after,
            e.prev_hash,
            e.row_hash,
        ).order_by(e.seq)
    ).yield_per(2000)
    return first_broken_link((ChainRow(**row._asdict()) for row in rows), head_seq, head_hash)
