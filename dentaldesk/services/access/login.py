"""Logging in and user accounts (SEC-1): Argon2 hashes, failed logins audited."""

from __future__ import annotations

import os

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from dentaldesk.db.models import Office, User
from dentaldesk.domain.errors import DentalDeskError, ValidationError
from dentaldesk.domain.terms import Role
from dentaldesk.services.access import audit
from dentaldesk.services.access.actor import Actor
from dentaldesk.services.uow import UnitOfWork

# Argon2id with argon2-cffi's default (RFC 9106 low-memory) parameters. The test suite sets
# DENTALDESK_TEST_CHEAP_HASHES=1 to use the library's cheapest profile, as Django's tests swap in
# a fast hasher: the suite hashes hundreds of passwords, and what it checks is the same.
_hasher = (
    PasswordHasher.from_parameters(profiles.CHEAPEST)
    if os.environ.get("DENTALDESK_TEST_CHEAP_HASHES") == "1"
    else PasswordHasher()
)

MIN_PASSWORD_LENGTH = 8


class LoginRefused(DentalDeskError):
    """Wrong user name or password, or the user is deactivated."""


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(f"A password has at least {MIN_PASSWORD_LENGTH} characters.", "password")
    return _hasher.hash(password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def actor_for(user: User, workstation: str) -> Actor:
    return Actor(
        user_id=user.id,
        username=user.username,
        full_name=user.full_name,
        role=user.role,
        office_id=user.office_id,
        workstation=workstation,
        provider_id=user.provider_id,
    )


def login(uow: UnitOfWork, username: str, password: str, workstation: str) -> Actor:
    """Check the password; the attempt is audited whether it succeeds or not (SEC-1, SEC-2)."""
    name = username.strip()
    with uow:
        user = uow.session.scalar(select(User).where(User.username == name))
        ok = user is not None and user.active and _verify(user.password_hash, password)
        if not ok:
            office_id = user.office_id if user else uow.session.scalar(select(Office.id).limit(1))
            audit.record(
                uow.session,
                None,
                "login_failed",
                "app_user",
                user.id if user else None,
                after={"username": name},
                username=name,
                workstation=workstation,
                office_id=office_id,
            )
            uow.commit()
            if user is not None and not user.active:
                raise LoginRefused("This user is deactivated. Ask the practice owner or an admin.", "username")
            raise LoginRefused("The user name or password is not right. Try again.", "password")
        assert user is not None
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = _hasher.hash(password)
        actor = actor_for(user, workstation)
        audit.record(uow.session, actor, "login", "app_user", user.id)
        uow.commit()
        return actor


def create_user(
    uow: UnitOfWork,
    actor: Actor | None,
    *,
    office_id: int,
    username: str,
    full_name: str,
    role: Role,
    password: str,
    provider_id: int | None = None,
) -> int:
    """Add a user. ``actor`` is None only when the first owner is made at set-up."""
    from dentaldesk.domain.terms import SETUP_ROLES

    if actor is not None:
        actor.require(SETUP_ROLES, "add users")
    name = username.strip()
    if not name:
        raise ValidationError("Enter a user name.", "username")
    with uow:
        if uow.session.scalar(select(User.id).where(User.username == name)) is not None:
            raise ValidationError(f"The user name '{name}' is taken.", "username")
        user = User(
            office_id=office_id,
            username=name,
            full_name=full_name.strip() or name,
            role=role,
            password_hash=hash_password(password),
            provider_id=provider_id,
        )
        uow.session.add(user)
        uow.flush()
        audit.record(
            uow.session,
            actor,
            "create",
            "app_user",
            user.id,
            after={"username": name, "role": role, "provider_id": provider_id},
            office_id=office_id,
            username="setup",
            workstation="setup",
        )
        uow.commit()
        return user.id


def unlock(uow: UnitOfWork, actor: Actor, password: str) -> None:
    """Unlock an idle-locked workstation with the logged-in user's password (SEC-1), audited."""
    with uow:
        user = uow.session.get(User, actor.user_id)
        ok = user is not None and user.active and _verify(user.password_hash, password)
        audit.record(uow.session, actor, "unlock" if ok else "unlock_failed", "app_user", actor.user_id)
        uow.commit()
    if not ok:
        raise LoginRefused(
            "That is not your password. Try again, or close DentalDesk to log in as someone else.", "password"
        )
