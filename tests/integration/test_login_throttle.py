"""Login throttling, the dummy Argon2 check and the password policy (SEC-4, SEC-1), on a fixed clock."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from dentaldesk.db.models import AuditEvent, User
from dentaldesk.domain.errors import ValidationError
from dentaldesk.domain.passwords import password_problem
from dentaldesk.services.access import login as login_module
from dentaldesk.services.access.login import LoginRefused, lock_session, login, unlock, wait_after

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


class FixedClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.at = T0

    def __call__(self) -> dt.datetime:
        return self.at

    def wait(self, seconds: float) -> None:
        self.at += dt.timedelta(seconds=seconds)


def _locks(uow) -> int:
    with uow:
        return uow.session.scalar(select(func.count()).where(AuditEvent.action == "login_locked")) or 0


def test_sec4_waits_double_from_30_seconds_to_15_minutes() -> None:
    """SEC-4: no wait for the first four, 30 s after the fifth wrong password, doubling, at most 15 min."""
    assert [wait_after(n) for n in range(1, 5)] == [None] * 4
    seconds = [wait_after(n).total_seconds() for n in range(5, 12)]  # type: ignore[union-attr]
    assert seconds == [30, 60, 120, 240, 480, 900, 900]


def test_sec4_five_wrong_passwords_make_the_name_wait_even_for_the_right_one(uow, practice) -> None:
    """SEC-4: after 5 wrong passwords the right one is refused until the wait is over; the lock is audited."""
    clock = FixedClock()
    for _ in range(5):
        with pytest.raises(LoginRefused, match="not right"):
            login(uow, "front", "wrong-password", "ws", clock=clock)
    assert _locks(uow) == 1
    clock.wait(10)
    with pytest.raises(LoginRefused, match="Try again in 20 seconds"):
        login(uow, "front", "front-pass-1", "ws", clock=clock)
    clock.wait(21)
    # The wait is over: one more wrong password starts a 60 s wait (doubling), audited again.
    with pytest.raises(LoginRefused, match="not right"):
        login(uow, "front", "wrong-password", "ws", clock=clock)
    assert _locks(uow) == 2
    clock.wait(59)
    with pytest.raises(LoginRefused, match="Try again in 1 second\\."):
        login(uow, "front", "front-pass-1", "ws", clock=clock)
    clock.wait(2)
    assert login(uow, "front", "front-pass-1", "ws", clock=clock).username == "front"
    # A right password clears the count: the next wrong one is the first again.
    with pytest.raises(LoginRefused, match="not right"):
        login(uow, "front", "wrong-password", "ws", clock=clock)
    assert login(uow, "front", "front-pass-1", "ws", clock=clock).username == "front"


def test_sec4_the_name_is_throttled_whatever_its_case_and_an_unknown_name_the_same(uow, practice) -> None:
    """SEC-4: the count is per typed user name (case folded); an unknown name locks exactly as a known one."""
    clock = FixedClock()
    for name in ("FRONT", "Front", "front ", "front", "fRoNt"):
        with pytest.raises(LoginRefused):
            login(uow, name, "wrong-password", "ws", clock=clock)
    with pytest.raises(LoginRefused, match="Try again in 30 seconds"):
        login(uow, "front", "front-pass-1", "ws", clock=clock)
    for _ in range(5):
        with pytest.raises(LoginRefused, match="not right"):
            login(uow, "nobody-here", "wrong-password", "ws", clock=clock)
    with pytest.raises(LoginRefused, match="Try again in 30 seconds"):
        login(uow, "nobody-here", "anything-at-all", "ws", clock=clock)
    assert _locks(uow) == 2


def test_sec4_the_unlock_dialog_is_throttled_like_the_login(uow, practice) -> None:
    """SEC-4 / SEC-1: five wrong unlock passwords make the user wait; the lock is audited."""
    clock = FixedClock()
    lock_session(uow, practice.owner)
    for _ in range(5):
        with pytest.raises(LoginRefused, match="not your password"):
            unlock(uow, practice.owner, "wrong-password", clock=clock)
    assert _locks(uow) == 1
    with pytest.raises(LoginRefused, match="Try again in 30 seconds"):
        unlock(uow, practice.owner, "owner-pass-1", clock=clock)
    clock.wait(30)
    assert unlock(uow, practice.owner, "owner-pass-1", clock=clock).username == "owner"


def _refusal_seconds(attempt) -> float:
    start = time.perf_counter()
    with pytest.raises(LoginRefused):
        attempt()
    return time.perf_counter() - start


@pytest.mark.slow
def test_sec4_an_unknown_name_takes_as_long_to_refuse_as_a_known_one(uow, practice, monkeypatch) -> None:
    """SEC-4: with the real Argon2 parameters, refusing an unknown name takes as long as a wrong
    password for a known name (the dummy check), so timing does not tell which names exist."""
    real = PasswordHasher()
    monkeypatch.setattr(login_module, "_hasher", real)
    with uow:
        user = uow.session.scalar(select(User).where(User.username == "front"))
        user.password_hash = real.hash("front-pass-1")
        owner = uow.session.scalar(select(User).where(User.username == "owner"))
        owner.password_hash, owner.active = real.hash("owner-pass-1"), False
        uow.commit()
    clock = FixedClock()

    def later() -> dt.datetime:
        clock.wait(3600)  # every try an hour apart: the throttle never steps in
        return clock.at

    with pytest.raises(LoginRefused):
        login(uow, "nobody", "warm-up-try", "ws", clock=later)  # the dummy hash is made once
    tries = {"front": [], "nobody-at-all": [], "owner": []}
    for _ in range(4):  # interleaved, and the fastest of each kept: a busy machine slows all alike
        for name, times in tries.items():
            times.append(_refusal_seconds(lambda n=name: login(uow, n, "wrong-password", "ws", clock=later)))
    known, unknown, deactivated = (min(tries[n]) for n in ("front", "nobody-at-all", "owner"))
    assert known > 0.005, f"the real Argon2 check should take milliseconds, took {known * 1000:.1f} ms"
    assert 0.5 < unknown / known < 2.0, f"known {known * 1000:.1f} ms, unknown {unknown * 1000:.1f} ms"
    assert 0.5 < deactivated / known < 2.0, f"known {known * 1000:.1f} ms, deactivated {deactivated * 1000:.1f} ms"


@pytest.mark.parametrize(
    ("password", "username", "why"),
    [
        ("12345678", "", "at least 10"),
        ("short-one", "", "at least 10"),
        ("1234567890", "", "most common"),
        ("Password123", "", "most common"),
        ("Welcome2025!", "", "most common"),
        ("dentist!!12", "", "most common"),
        ("hana.lee.dental", "hana.lee.dental", "user name"),
        ("Frontdesk-7", "frontdesk-7", "user name"),
        ("aaaaaaaaaaaa", "", "most common|three different"),
    ],
)
def test_sec1_password_policy_refuses_short_common_and_user_name(password, username, why) -> None:
    """SEC-1: 10+ characters, not one of the most common passwords, not the user name."""
    problem = password_problem(password, username)
    assert problem is not None
    import re

    assert re.search(why, problem)


def test_sec1_password_policy_accepts_what_a_front_desk_can_live_with() -> None:
    """SEC-1: an ordinary passphrase of ten or more characters passes."""
    for ok in ("brush-floss-1", "demo-owner", "maple street 42", "Ångström-Zoë-9"):
        assert password_problem(ok, "frontdesk") is None


def test_sec1_adding_a_user_with_a_common_password_is_refused_at_the_field(uow, practice) -> None:
    """SEC-1: the service refuses the policy's passwords at the password field; no user is made."""
    from dentaldesk.domain.terms import Role
    from dentaldesk.services.practice.staff import UserForm, add_user

    with pytest.raises(ValidationError) as caught:
        add_user(uow, practice.owner, UserForm("newbie", "N", Role.DENTIST, None, password="password123"))
    assert caught.value.field == "password"
