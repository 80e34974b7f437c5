"""The acting user a test reads as, when what it checks is not who may read (SEC-3).

Every service read takes the acting user. ``staff(uow)`` is the first active Owner of the
database's first office with an open login session, made once per database and kept.
"""

from __future__ import annotations

from sqlalchemy import select

from dentaldesk.db.models import LoginSession, Office, User
from dentaldesk.domain.terms import Role
from dentaldesk.services.access.actor import Actor
from dentaldesk.services.access.login import actor_for
from dentaldesk.services.uow import UnitOfWork

_ACTORS: dict[str, Actor] = {}


def staff(uow: UnitOfWork, office_id: int | None = None) -> Actor:
    """An Owner of the first office, or of ``office_id`` (made when there is none), logged in without a password."""
    with uow:
        session = uow.session
        key = f"{session.get_bind().url.render_as_string(hide_password=True)}#{office_id}"
        known = _ACTORS.get(key)
        if known is not None and session.get(LoginSession, known.session_id) is not None:
            return known
        user = session.scalar(
            select(User)
            .where(
                User.role == Role.OWNER, User.active.is_(True), *([User.office_id == office_id] if office_id else [])
            )
            .order_by(User.office_id, User.id)
        )
        if user is None:  # a database built row by row: its bookkeeper reads as an Owner
            office_id = office_id or session.scalar(select(Office.id).order_by(Office.id).limit(1))
            assert office_id is not None, "the test database has no office"
            name = f"test-owner-{office_id}"
            user = User(office_id=office_id, username=name, full_name="Test Owner", role=Role.OWNER, password_hash="-")
            session.add(user)
            session.flush()
        opened = LoginSession(user_id=user.id, workstation="test")
        session.add(opened)
        session.flush()
        actor = actor_for(user, "test", opened.id)
        uow.commit()
    _ACTORS[key] = actor
    return actor
