"""Finding a patient and what the patient header shows."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import Select, and_, select

from dentaldesk.db.models import Account, Coverage, DentalPlan, Office, Patient
from dentaldesk.domain.errors import NotFound
from dentaldesk.domain.terms import CoverageRank, Icm
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


def search_key(text: str) -> str:
    """Lower-case ASCII form of a name, stored beside it and used for prefix search."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isascii()).lower().strip()


def _prefix_range(column: object, prefix: str) -> object:
    # key >= 'smi' AND key < 'smj': an index range on both SQLite and PostgreSQL ("C" collation).
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return and_(column >= prefix, column < upper)  # type: ignore[operator]


_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m-%d-%Y", "%d.%m.%Y")


def _parse_birth_date(text: str) -> dt.date | None:
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _rows(query: Select) -> Select:
    return query.join(Account, Account.id == Patient.account_id).with_only_columns(
        Patient.id,
        Patient.patient_number,
        Patient.last_name,
        Patient.first_name,
        Patient.birth_date,
        Account.account_number,
        Patient.phone,
    )


@guarded(Right.READ_PATIENTS)
def search_patients(uow: UnitOfWork, actor: Actor, text: str, limit: int = SEARCH_LIMIT) -> list[PatientRow]:
    """Patients whose name, patient ID or birth date matches what was typed so far.

    "smi" finds last or first names starting with smi; "john smi" or "smith, john" both names;
    "1042" patient IDs starting with 1042; "1980-04-02" or "04/02/1980" a birth date.
    """
    typed = text.strip()
    if not typed:
        return []
    base = select(Patient).where(Patient.office_id == actor.office_id)
    # Each query is ordered the way its index is, so LIMIT stops after `limit` index entries
    # instead of sorting every match (one typed letter matches thousands); the merged rows are
    # sorted by name below.
    by_last = (Patient.last_name_key, Patient.first_name_key, Patient.id)
    by_first = (Patient.first_name_key, Patient.id)
    queries: list[tuple[Select, tuple]] = []
    birth = _parse_birth_date(typed)
    if birth is not None:
        queries.append((base.where(Patient.birth_date == birth), (Patient.birth_date, Patient.id)))
    elif re.fullmatch(r"\d+", typed):
        queries.append((base.where(_prefix_range(Patient.patient_number, typed)), (Patient.patient_number,)))
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
            queries.append((base.where(_prefix_range(Patient.last_name_key, words[0])), by_last))
            queries.append((base.where(_prefix_range(Patient.first_name_key, words[0])), by_first))
        else:
            a, b = words[0], " ".join(words[1:])
            last_first = base.where(_prefix_range(Patient.last_name_key, a), _prefix_range(Patient.first_name_key, b))
            queries.append((last_first, by_last))
            if "," not in typed:
                first_last = base.where(
                    _prefix_range(Patient.first_name_key, a), _prefix_range(Patient.last_name_key, b)
                )
                queries.append((first_last, by_first))
    found: dict[int, PatientRow] = {}
    with uow.read():
        for query, order in queries:
            ordered = _rows(query).order_by(*order).limit(limit)
            for row in uow.session.execute(ordered):
                found.setdefault(row.id, PatientRow(*row))
    rows = sorted(found.values(), key=lambda r: (search_key(r.last_name), search_key(r.first_name), r.id))
    return rows[:limit]


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
