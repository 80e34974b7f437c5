"""The one guard every service action and read goes through (SEC-3, TP-1).

    @guarded(Right.EDIT_PLANS, plan_id=TreatmentPlan)
    def add_item(uow: UnitOfWork, actor: Actor, plan_id: int, ...) -> PlanSaved:
        with uow:
            ...

The decorator opens the action's unit of work itself and, inside that one transaction and
before the function runs, re-reads what the database says now:

* the user: still there and active, with the role and office stored now (a user deactivated or
  demoted since logging in loses the right at the next action);
* the login session: not ended (Log out, Switch user) and not locked (idle lock, Lock now), so a
  locked workstation's services refuse to act until it is unlocked (SEC-1);
* the right: the role stored now holds it (:mod:`rights`);
* the office of every record the action names by id (``plan_id=TreatmentPlan``): it exists and
  belongs to the user's office.

Before all that, and before the transaction begins, every argument is checked against the
function's signature (:mod:`dentaldesk.services.arguments`): an id that cannot be one, a value of
the wrong kind, text with a NUL or a control character is refused as a typed error.

The function then receives the actor as stored now, and its own ``with uow:`` blocks join the
transaction the guard opened (one action, one transaction: DATA-1). Leaving the decorator rolls
back whatever was not committed, exactly as leaving a plain unit of work does.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import TracebackType
from typing import Any, ParamSpec, TypeVar, cast

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session

from dentaldesk.db.models import Claim, LoginSession, Office, Patient, TreatmentPlan, User
from dentaldesk.domain.errors import NotFound, PermissionDenied, ValidationError
from dentaldesk.domain.terms import Role
from dentaldesk.services.access.actor import Actor
from dentaldesk.services.access.rights import Right
from dentaldesk.services.arguments import Arguments
from dentaldesk.services.uow import UnitOfWork

P = ParamSpec("P")
R = TypeVar("R")

# How a refusal names a record, by table.
_WORDS = {
    "app_user": "user",
    "ledger_transaction": "transaction",
    "chart_graphic": "chart mark",
    "treatment_plan": "treatment plan",
    "procedure_code": "procedure code",
    "dental_plan": "dental plan",
}


@dataclass(frozen=True)
class GuardedAction:
    """One entry of the service catalogue: a user action or read and the right it needs."""

    name: str
    right: Right
    records: tuple[tuple[str, type], ...]


# Every guarded service, by "area.module.function": the permission table test walks it.
ACTIONS: dict[str, GuardedAction] = {}


class GuardedWork:
    """The action's unit of work as the guarded function sees it: its ``with`` blocks nest.

    Only the outermost block (the guard's) begins and ends the real transaction; everything else
    (``session``, ``commit``, ``flush`` and whatever the unit of work offers) is the real one's.
    """

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow
        self._depth = 0
        self.actor: Actor | None = None

    def read(self) -> GuardedWork:
        """The transaction is already open (read or write, as the guard chose): a no-op here."""
        return self

    def __enter__(self) -> GuardedWork:
        if self._depth == 0:
            self._uow.__enter__()
        self._depth += 1
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._depth -= 1
        if self._depth == 0:
            self._uow.__exit__(exc_type, exc, tb)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._uow, name)


def _word(model: type) -> str:
    table = str(getattr(model, "__tablename__", model.__name__))
    return _WORDS.get(table, table.replace("_", " "))


@functools.cache
def _owner_query(model: Any) -> tuple[Any, Select[Any]]:
    """How to find the office of a ``model`` row by id, built once per table (every guarded call
    runs it): ("office", SELECT office_id) or (the parent table, SELECT the parent's id)."""
    if model is Office:
        return "office", select(Office.id).where(Office.id == bindparam("id"))
    for column, parent in (
        ("office_id", None),
        ("patient_id", Patient),
        ("plan_id", TreatmentPlan),
        ("claim_id", Claim),
    ):
        if hasattr(model, column):
            return parent or "office", select(getattr(model, column)).where(model.id == bindparam("id"))
    raise TypeError(f"the guard cannot tell the office of a {model.__name__}")


def _office_of(session: Session, model: type, record_id: int) -> int | None:
    """The office a record belongs to, or None when it does not exist."""
    parent, query = _owner_query(model)
    found = session.connection().execute(query, {"id": record_id}).first()
    if found is None or found[0] is None:
        return None
    if parent == "office":
        return int(found[0])
    return _office_of(session, parent, int(found[0]))


@functools.cache
def _actor_query() -> Select[*tuple[Any, ...]]:
    """The user and their login session as stored now, in one statement built once."""
    return (
        select(
            User.id,
            User.username,
            User.full_name,
            User.role,
            User.office_id,
            User.provider_id,
            User.active,
            LoginSession.id,
            LoginSession.user_id,
            LoginSession.workstation,
            LoginSession.locked_at,
            LoginSession.ended_at,
        )
        .select_from(User)
        .outerjoin(LoginSession, LoginSession.id == bindparam("session_id"))
        .where(User.id == bindparam("user_id"))
    )


def current_actor(session: Session, actor: object) -> Actor:
    """The acting user as the database has them now, or PermissionDenied (SEC-3, SEC-1)."""
    if not isinstance(actor, Actor) or actor.user_id is None or actor.session_id is None:
        raise PermissionDenied("Log in first: every action is done by a logged-in user.")
    found = (
        session.connection().execute(_actor_query(), {"user_id": actor.user_id, "session_id": actor.session_id}).first()
    )
    if found is None or not found[6]:
        raise PermissionDenied(
            "Your user has been deactivated since you logged in. Nothing was changed; "
            "ask the practice owner or an admin."
        )
    user_id, username, full_name, role, office_id, provider_id, _active = found[:7]
    login_id, login_user, workstation, locked_at, ended_at = found[7:]
    if login_id is None or login_user != user_id or ended_at is not None:
        raise PermissionDenied("You have been logged out. Log in again to go on.")
    if locked_at is not None:
        raise PermissionDenied("This workstation is locked. Unlock it with your password to go on.")
    return Actor(
        user_id=user_id,
        username=username,
        full_name=full_name,
        role=Role(role),
        office_id=office_id,
        workstation=workstation,
        provider_id=provider_id,
        session_id=login_id,
    )


def check(session: Session, actor: object, right: Right, targets: Iterable[tuple[type, Any]] = ()) -> Actor:
    """The guard itself: the user as stored now holds ``right`` and owns every target record."""
    fresh = current_actor(session, actor)
    if not right.allows(fresh.role):
        allowed = ", ".join(r.label for r in Role if right.allows(r))
        raise PermissionDenied(f"{fresh.role.label} users cannot {right.phrase}; ask someone who is {allowed}.")
    for model, value in targets:
        ids = value if isinstance(value, (list, tuple, set, frozenset)) else [value]
        for record_id in ids:
            if record_id is None:
                continue
            if isinstance(record_id, bool) or not isinstance(record_id, int):
                raise NotFound(f"No such {_word(model)}.")
            office_id = _office_of(session, model, record_id)
            if office_id is None:
                raise NotFound(f"This {_word(model)} no longer exists.")
            if office_id != fresh.office_id:
                raise PermissionDenied(
                    f"This {_word(model)} belongs to another office; you can only work with your own office's records."
                )
    return fresh


def guarded(right: Right, *, read: bool | None = None, **records: type) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Make a service function ``f(uow, actor, ...)`` one guarded action (see the module doc).

    ``records`` maps a parameter name to the table its id points into; the guard checks that
    record's office. A parameter holding a list of ids checks each. ``read`` opens the
    transaction for reading only (no write lock on SQLite); it defaults to the right's kind
    (the READ_* rights), and a set-up form's load says ``read=True``.
    """
    reads = right.reads if read is None else read

    def wrap(fn: Callable[P, R]) -> Callable[P, R]:
        signature = inspect.signature(fn)
        names = list(signature.parameters)
        if names[:2] != ["uow", "actor"]:
            raise TypeError(f"{fn.__qualname__}: a guarded service takes (uow, actor, ...)")
        unknown = set(records) - set(names)
        if unknown:
            raise TypeError(f"{fn.__qualname__}: no parameter {', '.join(sorted(unknown))}")
        module = fn.__module__.removeprefix("dentaldesk.services.")
        name = f"{module}.{fn.__name__}"
        ACTIONS[name] = GuardedAction(name, right, tuple(records.items()))

        arguments = Arguments(fn)

        @functools.wraps(fn)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                bound = signature.bind(*args, **kwargs)
            except TypeError as exc:
                raise ValidationError(f"The action was asked wrongly ({exc}). Nothing was changed.") from None
            arguments.check(bound.arguments)  # before the transaction: a refused call changes nothing
            uow = bound.arguments["uow"]
            targets = [(model, bound.arguments.get(param)) for param, model in records.items()]
            if reads and not isinstance(uow, GuardedWork):
                uow.read()
            work = GuardedWork(uow)
            with work:
                fresh = check(work.session, bound.arguments["actor"], right, targets)
                work.actor = fresh
                act_as = getattr(uow, "act_as", None)
                if act_as is not None and not isinstance(uow, GuardedWork):
                    act_as(fresh)  # the versioned rows it saves name the user (DATA-4)
                bound.arguments["uow"] = work
                bound.arguments["actor"] = fresh
                return cast(Callable[..., R], fn)(*bound.args, **bound.kwargs)

        run.__guarded__ = ACTIONS[name]  # type: ignore[attr-defined]  # the action's rights, read by the permission table test
        return run

    return wrap
