"""Logging in, locking and logging out (SEC-1, SEC-4): Argon2 hashes, throttling, every try audited.

A login opens a ``login_session``; the service guard (:mod:`guard`) refuses the actions of a
session that is locked or ended. Wrong passwords are counted per typed user name, known or not,
in the database, so every workstation of the practice sees the same count: after
:data:`FREE_TRIES` wrong passwords the name waits :data:`FIRST_WAIT` before the next try, and
each further wrong password doubles the wait up to :data:`LONGEST_WAIT`. A right password resets
the count. The start of each wait is audited. An unknown or deactivated name runs the same
Argon2 check as a known one, against a dummy hash, so the time a refusal takes does not tell
whether the name exists.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from collections.abc import Callable
from functools import cache

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from dentaldesk.db.models import LoginSession, LoginThrottle, Office, User
from dentaldesk.db.models.base import utcnow
from dentaldesk.domain.errors import DentalDeskError, PermissionDenied, ValidationError
from dentaldesk.domain.passwords import password_problem
from dentaldesk.domain.text import fold
from dentaldesk.services.access import audit
from dentaldesk.services.access.actor import Actor
from dentaldesk.services.uow import UnitOfWork

# Argon2id with OWASP's recommended parameters for it (19 MiB, 2 passes, 1 lane): about 30 ms a
# check on a 2-core workstation. argon2-cffi's default (RFC 9106 low-memory: 64 MiB, 3 passes, 4
# lanes) took 160-370 ms there, and Log in waited for it. A hash made with other parameters still
# verifies, and is made again with these at its next login (check_needs_rehash below). The test
# suite sets DENTALDESK_TEST_CHEAP_HASHES=1 to use the library's cheapest profile, as Django's
# tests swap in a fast hasher: the suite hashes hundreds of passwords, and what it checks is the same.
_hasher = (
    PasswordHasher.from_parameters(profiles.CHEAPEST)
    if os.environ.get("DENTALDESK_TEST_CHEAP_HASHES") == "1"
    else PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
)

FREE_TRIES = 5
FIRST_WAIT = dt.timedelta(seconds=30)
LONGEST_WAIT = dt.timedelta(minutes=15)

Clock = Callable[[], dt.datetime]


class LoginRefused(DentalDeskError):
    """Wrong user name or password, the user is deactivated, or the name must wait (SEC-4)."""


def check_password(password: str, username: str = "") -> None:
    """The password policy (SEC-1) as a typed refusal at the password field."""
    problem = password_problem(password, username)
    if problem:
        raise ValidationError(problem, "password")


def hash_password(password: str, username: str = "") -> str:
    check_password(password, username)
    return _hasher.hash(password)


@cache
def _dummy_hash(parameters: tuple[int, int, int, int, int]) -> str:
    """A hash of a random password with the current parameters, for unknown names (SEC-4)."""
    return _hasher.hash(secrets.token_urlsafe(24))


def _verify(password_hash: str | None, password: str) -> bool:
    """Always one full Argon2 check: against the user's hash, or a dummy one when there is none."""
    h = _hasher
    target = password_hash or _dummy_hash((h.time_cost, h.memory_cost, h.parallelism, h.hash_len, h.salt_len))
    try:
        return _hasher.verify(target, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def _key(username: str) -> str:
    return fold(username)[:64]


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def wait_after(failures: int) -> dt.timedelta | None:
    """How long a name waits after ``failures`` wrong passwords in a row (SEC-4)."""
    if failures < FREE_TRIES:
        return None
    wait: dt.timedelta = min(FIRST_WAIT * (2 ** (failures - FREE_TRIES)), LONGEST_WAIT)
    return wait


def _waiting(session: Session, name: str, now: dt.datetime) -> dt.timedelta | None:
    row = session.get(LoginThrottle, _key(name))
    if row is None or row.locked_until is None:
        return None
    left = _aware(row.locked_until) - now
    return left if left > dt.timedelta(0) else None


def _refuse_waiting(left: dt.timedelta, field: str) -> LoginRefused:
    seconds = max(1, int(left.total_seconds() + 0.999))
    if seconds < 120:
        when = f"{seconds} second{'s' if seconds != 1 else ''}"
    else:
        when = f"{(seconds + 59) // 60} minutes"
    return LoginRefused(f"Too many wrong passwords for this user name. Try again in {when}.", field)


def _count_failure(
    session: Session, name: str, now: dt.datetime, *, workstation: str, office_id: int | None, user_id: int | None
) -> None:
    """One more wrong password for ``name``; a wait that starts is audited (SEC-4)."""
    key = _key(name)
    row = session.get(LoginThrottle, key)
    if row is None:
        row = LoginThrottle(username_key=key, failures=0)
        session.add(row)
    row.failures = (row.failures or 0) + 1
    wait = wait_after(row.failures)
    if wait is not None:
        row.locked_until = now + wait
        audit.record(
            session,
            None,
            "login_locked",
            "app_user",
            user_id,
            after={"username": name, "failures": row.failures, "wait_seconds": int(wait.total_seconds())},
            username=name,
            workstation=workstation,
            office_id=office_id,
        )


def _clear_failures(session: Session, name: str) -> None:
    row = session.get(LoginThrottle, _key(name))
    if row is not None:
        session.delete(row)


def actor_for(user: User, workstation: str, session_id: int | None = None) -> Actor:
    return Actor(
        user_id=user.id,
        username=user.username,
        full_name=user.full_name,
        role=user.role,
        office_id=user.office_id,
        workstation=workstation,
        provider_id=user.provider_id,
        session_id=session_id,
    )


def login(uow: UnitOfWork, username: str, password: str, workstation: str, *, clock: Clock = utcnow) -> Actor:
    """Check the password and open a login session; every attempt is audited (SEC-1, SEC-2, SEC-4)."""
    name = username.strip()
    with uow:
        s = uow.session
        now = clock()
        left = _waiting(s, name, now)
        if left is not None:
            raise _refuse_waiting(left, "password")
        user = s.scalar(select(User).where(User.username == name)) if name else None
        ok = _verify(user.password_hash if user else None, password)
        if not ok or user is None or not user.active:
            office_id = user.office_id if user else s.scalar(select(Office.id).order_by(Office.id).limit(1))
            user_id = user.id if user else None
            audit.record(
                s,
                None,
                "login_failed",
                "app_user",
                user_id,
                after={"username": name},
                username=name,
                workstation=workstation,
                office_id=office_id,
            )
            if not ok:
                _count_failure(s, name, now, workstation=workstation, office_id=office_id, user_id=user_id)
            uow.commit()
            if ok and user is not None and not user.active:
                raise LoginRefused("This user is deactivated. Ask the practice owner or an admin.", "username")
            raise LoginRefused("The user name or password is not right. Try again.", "password")
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = _hasher.hash(password)
        _clear_failures(s, name)
        opened = LoginSession(user_id=user.id, workstation=workstation)
        s.add(opened)
        s.flush()
        actor = actor_for(user, workstation, opened.id)
        audit.record(s, actor, "login", "app_user", user.id, after={"session": opened.id})
        uow.commit()
        return actor


def _own_session(session: Session, actor: Actor) -> LoginSession:
    row = session.get(LoginSession, actor.session_id) if actor.session_id is not None else None
    if row is None or row.user_id != actor.user_id or row.ended_at is not None:
        raise PermissionDenied("You have been logged out. Log in again to go on.")
    return row


def lock_session(uow: UnitOfWork, actor: Actor, *, reason: str = "idle") -> None:
    """Lock now, or the idle lock: the session's services refuse until it is unlocked (SEC-1)."""
    with uow:
        row = _own_session(uow.session, actor)
        if row.locked_at is None:
            row.locked_at = utcnow()
            audit.record(uow.session, actor, "lock", "app_user", actor.user_id, after={"reason": reason})
        uow.commit()


def unlock(uow: UnitOfWork, actor: Actor, password: str, *, clock: Clock = utcnow) -> Actor:
    """Unlock with the logged-in user's password: throttled and audited like a login (SEC-1, SEC-4).

    Returns the actor as stored now (a role changed while locked shows at once).
    """
    with uow:
        s = uow.session
        now = clock()
        row = _own_session(s, actor)
        left = _waiting(s, actor.username, now)
        if left is not None:
            raise _refuse_waiting(left, "password")
        user = s.get(User, actor.user_id)
        ok = _verify(user.password_hash if user else None, password)
        if ok and user is not None and user.active:
            row.locked_at = None
            _clear_failures(s, actor.username)
            audit.record(s, actor, "unlock", "app_user", actor.user_id)
            uow.commit()
            return actor_for(user, row.workstation, row.id)
        audit.record(s, actor, "unlock_failed", "app_user", actor.user_id)
        if not ok:
            _count_failure(
                s, actor.username, now, workstation=actor.workstation, office_id=actor.office_id, user_id=actor.user_id
            )
        uow.commit()
    if ok:
        raise LoginRefused("This user has been deactivated. Ask the practice owner or an admin.", "password")
    raise LoginRefused("That is not your password. Try again, or log out to log in as someone else.", "password")


def logout(uow: UnitOfWork, actor: Actor, *, how: str = "logout") -> None:
    """Log out or Switch user: the session ends, and its actor can do nothing more (SEC-3)."""
    with uow:
        row = uow.session.get(LoginSession, actor.session_id) if actor.session_id is not None else None
        if row is not None and row.ended_at is None and row.user_id == actor.user_id:
            row.ended_at = utcnow()
            audit.record(uow.session, actor, how, "app_user", actor.user_id)
        uow.commit()
