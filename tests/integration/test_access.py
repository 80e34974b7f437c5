"""The one guard (SEC-3, SEC-1): rights as stored now, the office of the record, locked sessions."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dentaldesk.db.models import Office, User
from dentaldesk.domain.errors import NotFound, PermissionDenied
from dentaldesk.domain.terms import Role
from dentaldesk.services.access.login import lock_session, login, logout, unlock
from dentaldesk.services.patients.search import patient_header, search_patients
from dentaldesk.services.plans import create_plan
from dentaldesk.services.practice.staff import UserForm, add_user, list_users
from dentaldesk.services.uow import UnitOfWork


def _set(uow: UnitOfWork, username: str, **values: object) -> None:
    with uow:
        user = uow.session.scalar(select(User).where(User.username == username))
        for name, value in values.items():
            setattr(user, name, value)
        uow.commit()


def test_sec3_a_user_deactivated_mid_session_loses_every_right_at_the_next_action(uow, practice) -> None:
    """SEC-3: the session logged in before the deactivation; its next read and action are refused."""
    assert search_patients(uow, practice.front_desk, "smith")
    _set(uow, "front", active=False)
    with pytest.raises(PermissionDenied, match="deactivated"):
        search_patients(uow, practice.front_desk, "smith")
    with pytest.raises(PermissionDenied, match="deactivated"):
        patient_header(uow, practice.front_desk, practice.patient_ids[0])


def test_sec3_a_user_demoted_mid_session_acts_with_the_role_stored_now(uow, practice) -> None:
    """SEC-3 / TP-1: an Owner demoted to Front desk cannot create plans any more; promoted back, can."""
    _set(uow, "owner", role=Role.FRONT_DESK)
    with pytest.raises(PermissionDenied, match="Front desk users cannot create, change or cancel"):
        create_plan(uow, practice.owner, practice.patient_ids[0], "Crown")
    with pytest.raises(PermissionDenied, match="Front desk users cannot manage users"):
        list_users(uow, practice.owner)
    _set(uow, "owner", role=Role.OWNER)
    assert create_plan(uow, practice.owner, practice.patient_ids[0], "Crown").plan_id


def test_sec3_an_owner_of_another_office_is_refused_on_this_offices_records(uow, practice) -> None:
    """SEC-3: every service checks the office of the record it touches; a missing record is NotFound."""
    with uow:
        other = Office(office_code="OTHER", name="Other Dental")
        uow.session.add(other)
        uow.session.flush()
        uow.session.add(User(office_id=other.id, username="boss2", full_name="B", role=Role.OWNER, password_hash="-"))
        uow.commit()
    from dentaldesk.services.access.login import hash_password

    _set(uow, "boss2", password_hash=hash_password("other-owner-pass"))
    boss2 = login(uow, "boss2", "other-owner-pass", "ws2")
    with pytest.raises(PermissionDenied, match="belongs to another office"):
        patient_header(uow, boss2, practice.patient_ids[0])
    with pytest.raises(PermissionDenied, match="belongs to another office"):
        create_plan(uow, boss2, practice.patient_ids[0], "Crown")
    with pytest.raises(NotFound, match="no longer exists"):
        patient_header(uow, boss2, 4040)
    assert search_patients(uow, boss2, "smith") == []


def test_sec1_a_locked_session_is_refused_until_it_is_unlocked(uow, practice) -> None:
    """SEC-1: the idle lock holds in the services: locked, nothing is read or done; unlocked, it is."""
    lock_session(uow, practice.owner)
    with pytest.raises(PermissionDenied, match="locked"):
        search_patients(uow, practice.owner, "smith")
    with pytest.raises(PermissionDenied, match="locked"):
        create_plan(uow, practice.owner, practice.patient_ids[0], "Crown")
    again = unlock(uow, practice.owner, "owner-pass-1")
    assert again.session_id == practice.owner.session_id
    assert search_patients(uow, practice.owner, "smith")


def test_sec3_a_logged_out_session_can_do_nothing(uow, practice) -> None:
    """SEC-3: Log out ends the session; its actor is refused from then on, reads included."""
    logout(uow, practice.front_desk)
    with pytest.raises(PermissionDenied, match="logged out"):
        search_patients(uow, practice.front_desk, "smith")


def test_sec3_no_actor_no_action(uow, practice) -> None:
    """SEC-3: a service called without a logged-in user is refused, not run under no name."""
    with pytest.raises(PermissionDenied, match="Log in first"):
        search_patients(uow, None, "smith")  # type: ignore[arg-type]


def test_sec3_only_an_owner_adds_an_owner_and_users_go_into_the_adders_office(uow, practice) -> None:
    """User administration: an Admin cannot add an Owner; a new user lands in the adder's office."""
    add_user(uow, practice.owner, UserForm("adm", "Ada Admin", Role.ADMIN, None, password="ada-admin-pass"))
    admin = login(uow, "adm", "ada-admin-pass", "ws")
    with pytest.raises(PermissionDenied, match="Only an Owner"):
        add_user(uow, admin, UserForm("boss", "Boss", Role.OWNER, None, password="boss-pass-12"))
    new_id = add_user(uow, admin, UserForm("dana", "Dana", Role.DENTIST, None, password="dana-dentist-1"))
    with uow:
        assert uow.session.get(User, new_id).office_id == practice.office_id
