"""Versions of the records two workstations edit, and what a stale save is told (DATA-2, DATA-4).

Every :class:`~dentaldesk.db.models.base.Versioned` row carries ``version``, ``saved_at`` and
``saved_by``. Before each flush, a row the action really changed (columns other than its
``__unversioned__`` ones) gets ``version + 1`` once per transaction, however many times it is
flushed, and is stamped with the time and the person (``session.info["actor"]``, set by the unit
of work or by the first audit record of the action). The ORM's version check puts ``WHERE version
= <read>`` on each UPDATE and DELETE of the row; zero rows matched means another workstation saved
it since it was read, and :func:`stale_conflict` then reads, on a fresh connection, who that was
and when. A service that takes the version a form was loaded from checks it with
:func:`check_version` before it changes anything.
"""

from __future__ import annotations

import datetime as dt
import weakref
from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from dentaldesk import clock
from dentaldesk.db.models.base import Versioned
from dentaldesk.domain.errors import ConflictError
from dentaldesk.domain.times import as_local

_BUMPED = "dentaldesk_versions_moved"  # rows whose version this transaction moved on
_HELD = "dentaldesk_versions_held"  # (class, id) -> the version this session read, for the message
_UNSTAMPED = "dentaldesk_unstamped"  # rows stamped before the action said who is acting
_TOUCHED = "dentaldesk_touched"  # rows whose version moves on for a change of their parts


def saved_by_text(actor: Any) -> str:
    """How a save is signed: the person and the workstation ("Fran Front on FRONT-2")."""
    if actor is None:
        return ""
    name = getattr(actor, "full_name", "") or getattr(actor, "username", "")
    workstation = getattr(actor, "workstation", "")
    return f"{name} on {workstation}"[:160] if workstation else name[:160]


def _moved(session: Session) -> weakref.WeakSet[Any]:
    moved: weakref.WeakSet[Any] = session.info.setdefault(_BUMPED, weakref.WeakSet())
    return moved


def _held(session: Session) -> dict[tuple[type, Any], int]:
    held: dict[tuple[type, Any], int] = session.info.setdefault(_HELD, {})
    return held


def _really_changed(obj: Versioned) -> bool:
    state = inspect(obj)
    skip = type(obj).__unversioned__ | {"version", "saved_at", "saved_by"}
    for attr in state.mapper.column_attrs:
        if attr.key in skip:
            continue
        if state.attrs[attr.key].history.has_changes():
            return True
    return False


def move_on(session: Session, row: Versioned) -> None:
    """The row's version moves on with this action although none of its own columns changed: a
    part of the record kept in other rows changed (a dental plan's coverage per category)."""
    session.info.setdefault(_TOUCHED, weakref.WeakSet()).add(row)
    flag_modified(row, "saved_at")


def _stamp(session: Session, obj: Versioned, now: dt.datetime, who: str) -> None:
    obj.saved_at = now
    obj.saved_by = who
    if not who:
        session.info.setdefault(_UNSTAMPED, weakref.WeakSet()).add(obj)


@event.listens_for(Session, "after_begin")
def _new_transaction(session: Session, _transaction: Any, _connection: Any) -> None:
    for key in (_BUMPED, _HELD, _UNSTAMPED, _TOUCHED):
        session.info.pop(key, None)


@event.listens_for(Session, "before_flush")
def _move_versions_on(session: Session, _context: Any, _instances: Any) -> None:
    now = clock.now_utc()
    who = saved_by_text(session.info.get("actor"))
    moved = _moved(session)
    held = _held(session)
    touched = session.info.get(_TOUCHED, ())
    for obj in session.new:
        if isinstance(obj, Versioned) and obj not in moved:
            obj.version = 1
            moved.add(obj)
            _stamp(session, obj, now, who)
    for obj in session.dirty:
        if not isinstance(obj, Versioned) or not (obj in touched or _really_changed(obj)):
            continue
        key = (type(obj), getattr(obj, "id"))  # noqa: B009 - Versioned is a mixin: every table it joins has an id
        if obj not in moved:
            held.setdefault(key, obj.version)
            obj.version = obj.version + 1
            moved.add(obj)
        _stamp(session, obj, now, who)
    for obj in session.deleted:
        if isinstance(obj, Versioned):
            held.setdefault((type(obj), getattr(obj, "id")), obj.version)  # noqa: B009 - as above


@event.listens_for(Session, "before_commit")
def _sign_early_saves(session: Session) -> None:
    """Rows flushed before the action named its person get their name before the commit."""
    unstamped = session.info.pop(_UNSTAMPED, None)
    who = saved_by_text(session.info.get("actor"))
    if not unstamped or not who:
        return
    for obj in list(unstamped):
        if obj in session and not inspect(obj).deleted:
            obj.saved_by = who


# --------------------------------------------------------------------------- what a stale save is told


def _when(at: dt.datetime | None) -> str:
    if at is None:
        return ""
    local = as_local(at)  # SQLite gives back the UTC instant without its zone (SEC-2)
    today = clock.today()
    day = "today" if local.date() == today else f"on {local:%Y-%m-%d}"
    return f" at {local:%H:%M} {day}"


def conflict_for(
    noun: str, saved_by: str | None, saved_at: dt.datetime | None, *, removed: bool = False
) -> ConflictError:
    """DATA-4: the refusal of a stale save, naming who saved first and when."""
    who = saved_by or "Another workstation"
    if removed:
        text = f"Another workstation removed this {noun} after you opened it."
    else:
        text = f"{who} saved this {noun}{_when(saved_at)}, after you opened it."
    error = ConflictError(
        f"{text} Your changes were not saved. Reload to see theirs; your typing is kept and re-applied where it "
        "does not touch what they changed (DATA-4)."
    )
    error.saved_by = saved_by or ""
    error.saved_at = saved_at
    return error


def check_version(row: Versioned, expected: int | None) -> None:
    """Refuse the action when the row moved on since the person's screen was loaded (DATA-2, DATA-4)."""
    if expected is None or row.version == expected:
        return
    raise conflict_for(type(row).__noun__, row.saved_by, row.saved_at)


def _order(at: dt.datetime | None) -> dt.datetime:
    if at is None:
        return dt.datetime.min
    return at.astimezone(dt.UTC).replace(tzinfo=None) if at.tzinfo else at


def stale_conflict(session: Session | None) -> ConflictError:
    """A flush found a row changed or removed by another workstation since this action read it.

    The rows this action read and changed are looked up on a fresh connection; the message names
    the latest save among those that moved on (or says a row was removed).
    """
    held = dict(session.info.get(_HELD, {})) if session is not None else {}
    bind = session.get_bind() if session is not None else None
    best: tuple[dt.datetime, str, str | None, dt.datetime | None, bool] | None = None
    if bind is not None and held:
        try:
            with bind.engine.connect() as conn:
                for (cls, row_id), version in held.items():
                    table = cls.__table__
                    now = conn.execute(
                        select(table.c.version, table.c.saved_at, table.c.saved_by).where(table.c.id == row_id)
                    ).first()
                    noun = getattr(cls, "__noun__", "record")
                    if now is None:
                        candidate = (dt.datetime.max, noun, None, None, True)
                    elif now.version != version:
                        candidate = (_order(now.saved_at), noun, now.saved_by, now.saved_at, False)
                    else:
                        continue
                    if best is None or candidate[0] > best[0]:
                        best = candidate
        except Exception:  # the names are a courtesy: the refusal stands without them
            best = None
    if best is None:
        return conflict_for("record", None, None)
    _order_key, noun, saved_by, saved_at, removed = best
    return conflict_for(noun, saved_by, saved_at, removed=removed)
