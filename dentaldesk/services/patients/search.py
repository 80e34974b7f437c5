"""Finding a patient and what the patient header shows."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, select

from dentaldesk.db.models import Account, Coverage, DentalPlan, Office, Patient
from dentaldesk.domain.errors import NotFound
from dentaldesk.domain.terms import CoverageRank, Icm
from dentaldesk.domain.text import search_key
from dentaldesk.services.access.actor import Actor
from dentaldesk.services.access.guard import guarded
from dentaldesk.services.access.rights import Right
from dentaldesk.services.uow import UnitOfWork

SEARCH_LIMIT = 50


@dataclass(frozen=True)
class PatientRow:
    id: int
    patient_number: str
    last_name: str
    first_name: str
    birth_date: dt.date
    account_number: str
    phone: str

    @property
    def display_name(self) -> str:
        return f"{self.last_name}, {self.first_name}"


@dataclass(frozen=True)
class CoverageLine:
    rank: CoverageRank
    plan_name: str
    carrier: str
    estimation_type: str


@dataclass(frozen=True)
class PatientHeader:
    id: int
    patient_number: str
    full_name: str
    birth_date: dt.date
    account_id: int
    account_number: str
    icm: Icm
    fee_schedule: int
    email: str
    phone: str
    coverages: tuple[CoverageLine, ...]
    office_code: str


def _upper(prefix: str) -> str:
    # key >= 'smi' AND key < 'smj': an index range on both SQLite and PostgreSQL ("C" collation).
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m-%d-%Y", "%d.%m.%Y")


def _parse_birth_date(text: str) -> dt.date | None:
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


# The search statements, by what was typed: (the matching condition, the index order). Each is
# ordered the way its index is, so LIMIT stops after `limit` index entries instead of sorting
# every match (one typed letter matches thousands).
def _in(column: Any, low: str, high: str) -> ColumnElement[bool]:
    return and_(column >= bindparam(low), column < bindparam(high))


_BY_LAST = (Patient.last_name_key, Patient.first_name_key, Patient.id)
_BY_FIRST = (Patient.first_name_key, Patient.id)
_SEARCHES: dict[str, tuple[Callable[[], ColumnElement[bool]], tuple[Any, ...]]] = {
    "birth": (lambda: Patient.birth_date == bindparam("birth"), (Patient.birth_date, Patient.id)),
    "number": (lambda: _in(Patient.patient_number, "a", "a_end"), (Patient.patient_number,)),
    "last": (lambda: _in(Patient.last_name_key, "a", "a_end"), _BY_LAST),
    "first": (lambda: _in(Patient.first_name_key, "a", "a_end"), _BY_FIRST),
    "last_first": (
        lambda: and_(_in(Patient.last_name_key, "a", "a_end"), _in(Patient.first_name_key, "b", "b_end")),
        _BY_LAST,
    ),
    "first_last": (
        lambda: and_(_in(Patient.first_name_key, "a", "a_end"), _in(Patient.last_name_key, "b", "b_end")),
        _BY_FIRST,
    ),
}


@functools.cache
def search_query(kind: str) -> Select[*tuple[Any, ...]]:
    """One kind of search as a statement built once, with bound parameters (a keystroke only runs it)."""
    condition, order = _SEARCHES[kind]
    return (
        select(
            Patient.id,
            Patient.patient_number,
            Patient.last_name,
            Patient.first_name,
            Patient.birth_date,
            Account.account_number,
            Patient.phone,
            Patient.last_name_key,
            Patient.first_name_key,
        )
        .join(Account, Account.id == Patient.account_id)
        .where(Patient.office_id == bindparam("office_id"), condition())
        .order_by(*order)
        .limit(bindparam("limit"))
    )


def _range(name: str, prefix: str) -> dict[str, str]:
    return {name: prefix, f"{name}_end": _upper(prefix)}


@guarded(Right.READ_PATIENTS)
def search_patients(uow: UnitOfWork, actor: Actor, text: str, limit: int = SEARCH_LIMIT) -> list[PatientRow]:
    """Patients whose name, patient ID or birth date matches what was typed so far.

    "smi" finds last or first names starting with smi; "john smi" or "smith, john" both names;
    "1042" patient IDs starting with 1042; "1980-04-02" or "04/02/1980" a birth date.
    """
    typed = text.strip()
    if not typed:
        return []
    searches: list[tuple[str, Mapping[str, object]]] = []
    birth = _parse_birth_date(typed)
    if birth is not None:
        searches.append(("birth", {"birth": birth}))
    elif re.fullmatch(r"\d+", typed):
        searches.append(("number", _range("a", typed)))
    else:
        if "," in typed:
            last, _, first = typed.partition(",")
            words = [search_key(last), search_key(first)]
        else:
            words = [search_key(w) for w in typed.split()]
        words = [w for w in words if w]
        if not words:
            return []
        if len(words) == 1:
            searches.append(("last", _range("a", words[0])))
            searches.append(("first", _range("a", words[0])))
        else:
            both = {**_range("a", words[0]), **_range("b", " ".join(words[1:]))}
            searches.append(("last_first", both))
            if "," not in typed:
                searches.append(("first_last", both))
    # The merged rows are sorted by name (the stored search keys) and id.
    found: dict[int, tuple[Any, ...]] = {}
    with uow.read():
        connection = uow.session.connection()
        for kind, params in searches:
            for row in connection.execute(search_query(kind), {"office_id": actor.office_id, "limit": limit, **params}):
                found.setdefault(row[0], tuple(row))
    ordered = sorted(found.values(), key=lambda r: (r[7], r[8], r[0]))
    return [PatientRow(*r[:7]) for r in ordered[:limit]]


@guarded(Right.READ_PATIENTS, patient_id=Patient)
def patient_header(uow: UnitOfWork, actor: Actor, patient_id: int) -> PatientHeader:
    with uow.read():
        found = uow.session.execute(
            select(Patient, Account, Office.office_code)
            .join(Account, Account.id == Patient.account_id)
            .join(Office, Office.id == Patient.office_id)
            .where(Patient.id == patient_id)
        ).one_or_none()
        if found is None:
            raise NotFound("This patient no longer exists.")
        patient, account, office_code = found
        coverages = tuple(
            CoverageLine(rank=c.rank, plan_name=p.name, carrier=p.carrier, estimation_type=p.estimation_type.label)
            for c, p in uow.session.execute(
                select(Coverage, DentalPlan)
                .join(DentalPlan, DentalPlan.id == Coverage.dental_plan_id)
                .where(Coverage.patient_id == patient_id)
                .order_by(Coverage.rank)
            )
        )
        return PatientHeader(
            id=patient.id,
            patient_number=patient.patient_number,
            full_name=patient.full_name,
            birth_date=patient.birth_date,
            account_id=account.id,
            account_number=account.account_number,
            icm=Icm(account.icm),
            fee_schedule=account.fee_schedule,
            email=patient.email,
            phone=patient.phone,
            coverages=coverages,
            office_code=office_code,
        )


@dataclass(frozen=True)
class StartLists:
    """What the Patients page lists before anything is typed: today's patients and the recent ones."""

    today: list[PatientRow]
    recent: list[PatientRow]


def _rows(uow: UnitOfWork, office_id: int, condition: ColumnElement[bool], limit: int) -> list[PatientRow]:
    statement = (
        select(
            Patient.id,
            Patient.patient_number,
            Patient.last_name,
            Patient.first_name,
            Patient.birth_date,
            Account.account_number,
            Patient.phone,
        )
        .join(Account, Account.id == Patient.account_id)
        .where(Patient.office_id == office_id, condition)
        .order_by(Patient.last_name_key, Patient.first_name_key, Patient.id)
        .limit(limit)
    )
    return [PatientRow(*row) for row in uow.session.execute(statement)]


@guarded(Right.READ_PATIENTS)
def start_lists(uow: UnitOfWork, actor: Actor, recent_ids: Sequence[int] = (), limit: int = SEARCH_LIMIT) -> StartLists:
    """Today's patients, those with activity today on this office's books (a transaction dated
    today, a plan item completed today, a plan created or changed today, in the workstation's
    day, SEC-2), by name; and the patients of ``recent_ids`` (most recent first) that are still
    on file in the actor's office."""
    from dentaldesk import clock
    from dentaldesk.db.models import LedgerTransaction, PlanItem, TreatmentPlan

    day = clock.today()
    start = dt.datetime.combine(day, dt.time()).astimezone().astimezone(dt.UTC)  # the local day, in UTC
    end = start + dt.timedelta(days=1)
    office = actor.office_id
    posted = select(LedgerTransaction.patient_id).where(
        LedgerTransaction.office_id == office, LedgerTransaction.dos == day
    )
    completed = (
        select(TreatmentPlan.patient_id)
        .join(PlanItem, PlanItem.plan_id == TreatmentPlan.id)
        .where(TreatmentPlan.office_id == office, PlanItem.completed_on == day)
    )
    planned = select(TreatmentPlan.patient_id).where(
        TreatmentPlan.office_id == office, TreatmentPlan.updated_at >= start, TreatmentPlan.updated_at < end
    )
    with uow.read():
        today = _rows(uow, office, Patient.id.in_(posted.union(planned, completed)), limit)
        wanted = list(dict.fromkeys(recent_ids))[:limit]
        found = {r.id: r for r in _rows(uow, office, Patient.id.in_(wanted), limit)} if wanted else {}
    return StartLists(today=today, recent=[found[i] for i in wanted if i in found])
