"""Logging in (SEC-1) and the audit of every attempt (SEC-2)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from dentaldesk.db.models import AuditEvent, User
from dentaldesk.domain.errors import PermissionDenied, ValidationError
from dentaldesk.domain.terms import Role
from dentaldesk.services.access.login import LoginRefused, login
from dentaldesk.services.practice.staff import UserForm, add_user
from dentaldesk.services.uow import UnitOfWork


def test_sec1_password_is_stored_as_an_argon2_hash(uow: UnitOfWork, practice) -> None:
    """SEC-1: the stored password is an Argon2id hash, never the password."""
    with uow:
        stored = uow.session.scalar(select(User.password_hash).where(User.username == "owner"))
    assert stored.startswith("$argon2id$")
    assert "owner-pass-1" not in stored


def test_sec1_login_gives_the_users_role_and_office(uow: UnitOfWork, practice) -> None:
    """SEC-1: a right password logs in as that user, with role and office."""
    actor = login(uow, " owner ", "owner-pass-1", "ws-7")
    assert actor.role is Role.OWNER
    assert actor.office_id == practice.office_id
    assert actor.workstation == "ws-7"


def test_sec2_wrong_password_is_refused_and_audited(uow: UnitOfWork, practice) -> None:
    """SEC-1/SEC-2: a wrong password is refused with a message and written to the audit log."""
    with pytest.raises(LoginRefused, match="not right") as caught:
        login(uow, "owner", "wrong-password", "ws-9")
    assert caught.value.field == "password"
    with uow:
        event = uow.session.execute(
            select(AuditEvent.username, AuditEvent.workstation, AuditEvent.after)
            .where(AuditEvent.action == "login_failed")
            .order_by(AuditEvent.id.desc())
        ).first()
    assert event is not None
    assert event.username == "owner" and event.workstation == "ws-9"
    assert json.loads(event.after or "{}") == {"username": "owner"}


def test_sec2_unknown_user_is_refused_and_audited(uow: UnitOfWork, practice) -> None:
    """SEC-2: an unknown user name is refused with the same message (no hint which was wrong)."""
    with pytest.raises(LoginRefused, match="not right"):
        login(uow, "mallory", "whatever-1", "ws-1")
    with uow:
        names = list(uow.session.scalars(select(AuditEvent.username).where(AuditEvent.action == "login_failed")))
    assert "mallory" in names


def test_deactivated_user_cannot_log_in(uow: UnitOfWork, practice) -> None:
    """SEC-1: a deactivated user is refused and told why."""
    with uow:
        uow.session.scalar(select(User).where(User.username == "front")).active = False
        uow.commit()
    with pytest.raises(LoginRefused, match="deactivated"):
        login(uow, "front", "front-pass-1", "ws")


def test_front_desk_cannot_add_users(uow: UnitOfWork, practice) -> None:
    """SEC: roles are enforced in the service layer, not only the UI."""
    with pytest.raises(PermissionDenied, match="Front desk"):
        add_user(
            uow,
            practice.front_desk,
            UserForm(username="x", full_name="X", role=Role.ADMIN, password="long-enough-1", provider_id=None),
        )


def test_short_password_is_refused_at_the_field(uow: UnitOfWork, practice) -> None:
    """A password under 8 characters is refused at the password field; no user is made."""
    with pytest.raises(ValidationError) as caught:
        add_user(
            uow,
            practice.owner,
            UserForm(username="newbie", full_name="N", role=Role.DENTIST, password="short", provider_id=None),
        )
    assert caught.value.field == "password"
    with uow:
        assert uow.session.scalar(select(User.id).where(User.username == "newbie")) is None
