"""Adding and editing a patient with their account and coverage).

Every role may add and edit patients: the front desk registers them. Choices made here:

* The patient ID is given by the system from ``Office.next_patient_number`` (numbers already
  taken, say by an import, are skipped); a new account's number likewise.
* Same name and birth date as a patient on file is a warning, not a refusal: twins' parents and
  namesakes exist. The save is refused with :class:`PossibleDuplicate` until the person confirms
  (``allow_duplicate``); the audit event records that they did.
* ICM and fee schedule belong to the account: setting them here changes them for every patient
  of that account (DOMAIN glossary: Account).
* A coverage that claims were filed under cannot be removed or switched to another plan (the
  claims would point at the wrong plan); benefits used and deductible met can still be corrected.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dentaldesk import clock
from dentaldesk.db.models import Account, Claim, Coverage, DentalPlan, FeeSchedule, Office, Patient
from dentaldesk.db.versioning import check_version, conflict_for
from dentaldesk.domain.errors import NotFound, RuleViolation, ValidationError
from dentaldesk.domain.fees import check_schedule
from dentaldesk.domain.money import PAYMENT_MAX, parse_money
from dentaldesk.domain.records import optional_text, parse_birth_date, parse_email, required_text
from dentaldesk.domain.terms import CoverageRank, EstimationType, Icm, Role
from dentaldesk.domain.text import search_key
from dentaldesk.services.access import audit
from dentaldesk.services.access.actor import Actor
from dentaldesk.services.access.guard import guarded
from dentaldesk.services.access.rights import Right
from dentaldesk.services.practice.settings import default_schedule_name
from dentaldesk.services.uow import UnitOfWork

EVERY_ROLE = frozenset(Role)
_PATIENT_FIELDS = ("patient_number", "first_name", "last_name", "birth_date", "phone", "email", "address", "account_id")
_ACCOUNT_FIELDS = ("account_number", "icm", "fee_schedule", "guarantor_id")
_COVERAGE_FIELDS = (
    "dental_plan_id",
    "subscriber_name",
    "subscriber_id",
    "benefit_year",
    "benefits_used",
    "deductible_met",
)


@dataclass(frozen=True)
class CoverageForm:
    """One coverage as typed; ``dental_plan_id`` None means no coverage at this rank."""

    dental_plan_id: int | None = None
    subscriber_name: str = ""
    subscriber_id: str = ""
    benefits_used: str = "0.00"
    deductible_met: str = "0.00"


@dataclass(frozen=True)
class PatientForm:
    """The patient dialog as typed. A blank ``account_number`` opens a new account."""

    first_name: str
    last_name: str
    birth_date: str
    phone: str = ""
    email: str = ""
    address: str = ""
    account_number: str = ""
    icm: Icm = Icm.FULL_FEE_AT_SERVICE
    fee_schedule: int = 0
    primary: CoverageForm = CoverageForm()
    secondary: CoverageForm = CoverageForm()
    allow_duplicate: bool = False


@dataclass(frozen=True)
class PlanChoice:
    id: int
    name: str
    carrier: str
    estimation_type: EstimationType
    active: bool

    @property
    def label(self) -> str:
        return f"{self.name} ({self.carrier}, {self.estimation_type.label})" + ("" if self.active else " - inactive")


@dataclass(frozen=True)
class FormChoices:
    plans: tuple[PlanChoice, ...]
    fee_schedules: tuple[tuple[int, str], ...]


@dataclass(frozen=True)
class AccountInfo:
    id: int
    account_number: str
    guarantor: str
    icm: Icm
    fee_schedule: int
    members: tuple[str, ...]


@dataclass(frozen=True)
class PatientRecord:
    """A patient as loaded into the dialog; ``versions`` are the rows' versions it was read at
    ("patient", "account", and "primary"/"secondary" for each coverage on file), DATA-4."""

    id: int
    patient_number: str
    form: PatientForm
    versions: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class SavedPatient:
    patient_id: int
    patient_number: str
    account_id: int
    account_number: str


class PossibleDuplicate(RuleViolation):
    """A patient with the same name and birth date is on file; the person may save anyway."""

    def __init__(self, message: str, matches: tuple[str, ...]) -> None:
        super().__init__(message, "duplicate")
        self.matches = matches


@guarded(Right.READ_PATIENTS)
def form_choices(uow: UnitOfWork, actor: Actor) -> FormChoices:
    """The dental plans and fee schedules the patient dialog offers."""
    with uow.read():
        s = uow.session
        plans = tuple(
            PlanChoice(p.id, p.name, p.carrier, p.estimation_type, p.active)
            for p in s.scalars(
                select(DentalPlan).where(DentalPlan.office_id == actor.office_id).order_by(DentalPlan.name)
            )
        )
        named = dict(
            s.execute(
                select(FeeSchedule.number, FeeSchedule.name).where(FeeSchedule.office_id == actor.office_id)
            ).all()
        )
    schedules = tuple((n, named.get(n, default_schedule_name(n))) for n in range(27))
    return FormChoices(plans, schedules)


def _account_info(session: Session, account: Account) -> AccountInfo:
    members = session.execute(
        select(Patient.id, Patient.first_name, Patient.last_name)
        .where(Patient.account_id == account.id)
        .order_by(Patient.last_name_key, Patient.first_name_key)
    ).all()
    names = {m.id: f"{m.last_name}, {m.first_name}" for m in members}
    return AccountInfo(
        id=account.id,
        account_number=account.account_number,
        guarantor=names.get(account.guarantor_id or -1, ""),
        icm=Icm(account.icm),
        fee_schedule=account.fee_schedule,
        members=tuple(names.values()),
    )


def _find_account(session: Session, actor: Actor, number: str) -> Account:
    account = session.scalar(
        select(Account).where(Account.office_id == actor.office_id, Account.account_number == number.strip())
    )
    if account is None:
        raise NotFound(
            f"There is no account {number.strip()}. Check the number, or choose New account.", "account_number"
        )
    return account


@guarded(Right.READ_PATIENTS)
def find_account(uow: UnitOfWork, actor: Actor, account_number: str) -> AccountInfo:
    """An existing account by its number, with its guarantor, ICM, fee schedule and members."""
    if not account_number.strip():
        raise ValidationError("Type the account number.", "account_number")
    with uow.read():
        return _account_info(uow.session, _find_account(uow.session, actor, account_number))


@guarded(Right.READ_PATIENTS, patient_id=Patient)
def load_patient(uow: UnitOfWork, actor: Actor, patient_id: int) -> PatientRecord:
    with uow.read():
        s = uow.session
        patient = _patient(s, actor, patient_id)
        account = s.get(Account, patient.account_id)
        assert account is not None
        coverages = {c.rank: c for c in patient.coverages}

        def coverage(rank: CoverageRank) -> CoverageForm:
            c = coverages.get(rank)
            if c is None:
                return CoverageForm()
            year = clock.today().year
            used, met = (c.benefits_used, c.deductible_met) if c.benefit_year == year else (0, 0)
            return CoverageForm(c.dental_plan_id, c.subscriber_name, c.subscriber_id, f"{used:.2f}", f"{met:.2f}")

        form = PatientForm(
            first_name=patient.first_name,
            last_name=patient.last_name,
            birth_date=f"{patient.birth_date:%Y-%m-%d}",
            phone=patient.phone,
            email=patient.email,
            address=patient.address,
            account_number=account.account_number,
            icm=Icm(account.icm),
            fee_schedule=account.fee_schedule,
            primary=coverage(CoverageRank.PRIMARY),
            secondary=coverage(CoverageRank.SECONDARY),
        )
        versions = {"patient": patient.version, "account": account.version} | {
            rank.value: c.version for rank, c in coverages.items()
        }
        return PatientRecord(patient.id, patient.patient_number, form, versions)


def _patient(session: Session, actor: Actor, patient_id: int) -> Patient:
    patient = session.get(Patient, patient_id)
    if patient is None or patient.office_id != actor.office_id:
        raise NotFound("This patient no longer exists.")
    return patient


@dataclass(frozen=True)
class _CheckedCoverage:
    rank: CoverageRank
    dental_plan_id: int
    subscriber_name: str
    subscriber_id: str
    benefits_used: Decimal
    deductible_met: Decimal


def _check_coverage(rank: CoverageRank, c: CoverageForm, patient_name: str) -> _CheckedCoverage | None:
    if c.dental_plan_id is None:
        return None
    p = rank.value
    return _CheckedCoverage(
        rank=rank,
        dental_plan_id=c.dental_plan_id,
        subscriber_name=optional_text(c.subscriber_name, f"{p}_subscriber_name", "subscriber's name", max_length=160)
        or patient_name,
        subscriber_id=optional_text(c.subscriber_id, f"{p}_subscriber_id", "subscriber ID", max_length=40),
        benefits_used=parse_money(
            c.benefits_used or "0", field=f"{p}_benefits_used", what="Benefits used", maximum=PAYMENT_MAX
        ),
        deductible_met=parse_money(
            c.deductible_met or "0", field=f"{p}_deductible_met", what="Deductible met", maximum=PAYMENT_MAX
        ),
    )


def _checked(form: PatientForm, today: dt.date) -> dict[str, object]:
    first = required_text(form.first_name, "first_name", "first name", max_length=80)
    last = required_text(form.last_name, "last_name", "last name", max_length=80)
    values: dict[str, object] = {
        "first_name": first,
        "last_name": last,
        "birth_date": parse_birth_date(form.birth_date, today),
        "phone": optional_text(form.phone, "phone", "phone number", max_length=40),
        "email": parse_email(form.email),
        "address": optional_text(form.address, "address", "address", max_length=240),
        "icm": Icm(form.icm),
        "fee_schedule": check_schedule(form.fee_schedule),
    }
    primary = _check_coverage(CoverageRank.PRIMARY, form.primary, f"{first} {last}")
    secondary = _check_coverage(CoverageRank.SECONDARY, form.secondary, f"{first} {last}")
    if secondary is not None and primary is None:
        raise ValidationError("Enter the primary coverage before a secondary one.", "secondary_plan")
    values["coverages"] = [c for c in (primary, secondary) if c is not None]
    return values


def _duplicates(session: Session, actor: Actor, values: dict[str, object], patient_id: int | None) -> list[str]:
    query = select(Patient.patient_number, Patient.last_name, Patient.first_name).where(
        Patient.office_id == actor.office_id,
        Patient.last_name_key == search_key(str(values["last_name"])),
        Patient.first_name_key == search_key(str(values["first_name"])),
        Patient.birth_date == values["birth_date"],
    )
    if patient_id is not None:
        query = query.where(Patient.id != patient_id)
    return [f"{r.last_name}, {r.first_name} (patient ID {r.patient_number})" for r in session.execute(query)]


def _next_number(session: Session, office: Office, counter: str, column: Any, office_column: Any) -> str:
    number = getattr(office, counter)
    while session.scalar(select(func.count()).where(office_column == office.id, column == str(number))):
        number += 1  # taken by an import or an earlier practice system
    setattr(office, counter, number + 1)
    return str(number)


def _snapshot(session: Session, patient: Patient) -> dict[str, object]:
    account = session.get(Account, patient.account_id)
    assert account is not None
    coverages = session.scalars(select(Coverage).where(Coverage.patient_id == patient.id).order_by(Coverage.rank))
    return audit.snapshot(patient, *_PATIENT_FIELDS) | {
        "account": audit.snapshot(account, *_ACCOUNT_FIELDS),
        "coverages": {c.rank.value: audit.snapshot(c, *_COVERAGE_FIELDS) for c in coverages},
    }


def _check_versions(session: Session, patient: Patient, expected: dict[str, int] | None) -> None:
    """DATA-4: refuse the save if the patient, its account or a coverage moved on since it was loaded."""
    if expected is None:
        return
    check_version(patient, expected.get("patient"))
    account = session.get(Account, patient.account_id)
    if account is not None:
        check_version(account, expected.get("account"))
    on_file = {c.rank.value: c for c in patient.coverages}
    for rank in CoverageRank:
        row = on_file.get(rank.value)
        if row is not None:
            if rank.value not in expected:  # added by another workstation since
                raise conflict_for("coverage", row.saved_by, row.saved_at)
            check_version(row, expected[rank.value])
        elif rank.value in expected:
            raise conflict_for("coverage", None, None, removed=True)


def _save(
    uow: UnitOfWork,
    actor: Actor,
    patient_id: int | None,
    form: PatientForm,
    today: dt.date,
    expected_versions: dict[str, int] | None = None,
) -> SavedPatient:
    values = _checked(form, today)
    coverages: list[_CheckedCoverage] = values.pop("coverages")  # type: ignore[assignment]  # _checked's dict holds each field's own type
    with uow:
        s = uow.session
        office = s.execute(select(Office).where(Office.id == actor.office_id).with_for_update()).scalar_one()
        duplicates = _duplicates(s, actor, values, patient_id)
        if duplicates and not form.allow_duplicate:
            shown = "; ".join(duplicates[:3])
            raise PossibleDuplicate(
                f"A patient with the same name and birth date is already on file: {shown}. "
                "Save anyway only if this is a different person.",
                tuple(duplicates),
            )
        plans = {
            p.id: p
            for p in s.scalars(select(DentalPlan).where(DentalPlan.id.in_([c.dental_plan_id for c in coverages])))
        }
        patient = _patient(s, actor, patient_id) if patient_id is not None else None
        if patient is not None:
            _check_versions(s, patient, expected_versions)
        before = _snapshot(s, patient) if patient is not None else None
        current = {c.rank: c for c in patient.coverages} if patient is not None else {}
        for c in coverages:
            plan = plans.get(c.dental_plan_id)
            unchanged = c.rank in current and current[c.rank].dental_plan_id == c.dental_plan_id
            if plan is None or plan.office_id != actor.office_id or (not plan.active and not unchanged):
                raise ValidationError("Choose an active dental plan of this office.", f"{c.rank.value}_plan")

        if form.account_number.strip():
            account = _find_account(s, actor, form.account_number)
        else:
            account = Account(
                office_id=office.id,
                account_number=_next_number(
                    s, office, "next_account_number", Account.account_number, Account.office_id
                ),
            )
            s.add(account)
        account.icm = values.pop("icm")  # type: ignore[assignment]  # as above: checked by _checked
        account.fee_schedule = values.pop("fee_schedule")  # type: ignore[assignment]  # as above
        s.flush()

        if patient is None:
            number = _next_number(s, office, "next_patient_number", Patient.patient_number, Patient.office_id)
            patient = Patient(office_id=office.id, patient_number=number, account_id=account.id)
            s.add(patient)
        elif patient.account_id != account.id:
            _leave_account(s, patient)
        for name, value in values.items():
            setattr(patient, name, value)
        patient.first_name_key = search_key(patient.first_name)
        patient.last_name_key = search_key(patient.last_name)
        patient.account_id = account.id
        s.flush()
        if account.guarantor_id is None:
            account.guarantor_id = patient.id
        _save_coverages(s, patient, current, coverages, today)
        s.flush()
        after = _snapshot(s, patient)
        if duplicates:
            after["duplicate_warning_overridden"] = duplicates
        audit.record(
            s, actor, "create" if before is None else "update", "patient", patient.id, before=before, after=after
        )
        uow.commit()
        return SavedPatient(patient.id, patient.patient_number, account.id, account.account_number)


def _leave_account(session: Session, patient: Patient) -> None:
    """The patient moves to another account: the old one keeps a guarantor who is still in it."""
    old = session.get(Account, patient.account_id)
    if old is None or old.guarantor_id != patient.id:
        return
    other = session.scalar(
        select(Patient.id).where(Patient.account_id == old.id, Patient.id != patient.id).order_by(Patient.id).limit(1)
    )
    if other is not None:
        old.guarantor_id = other


def _has_claims(session: Session, coverage: Coverage) -> bool:
    return session.scalar(select(Claim.id).where(Claim.coverage_id == coverage.id).limit(1)) is not None


def _save_coverages(
    session: Session,
    patient: Patient,
    current: dict[CoverageRank, Coverage],
    wanted: list[_CheckedCoverage],
    today: dt.date,
) -> None:
    by_rank = {c.rank: c for c in wanted}
    for rank in CoverageRank:
        row, new = current.get(rank), by_rank.get(rank)
        if row is not None and _has_claims(session, row) and (new is None or new.dental_plan_id != row.dental_plan_id):
            raise RuleViolation(
                f"The {rank.value} coverage has claims filed under it, so it cannot be removed or moved to "
                "another plan. Keep it, and correct only the benefits used if needed.",
                f"{rank.value}_plan",
            )
        if new is None:
            if row is not None:
                session.delete(row)
            continue
        if row is None:
            row = Coverage(patient_id=patient.id, rank=rank)
            session.add(row)
        row.dental_plan_id = new.dental_plan_id
        row.subscriber_name = new.subscriber_name
        row.subscriber_id = new.subscriber_id
        row.benefit_year = today.year  # the amounts typed are "used this year"
        row.benefits_used = new.benefits_used
        row.deductible_met = new.deductible_met
    session.flush()


@guarded(Right.EDIT_PATIENTS)
def add_patient(uow: UnitOfWork, actor: Actor, form: PatientForm, *, today: dt.date | None = None) -> SavedPatient:
    """Register a patient: system-given patient ID, new or existing account, coverage."""
    return _save(uow, actor, None, form, today or clock.today())


@guarded(Right.EDIT_PATIENTS, patient_id=Patient)
def edit_patient(
    uow: UnitOfWork,
    actor: Actor,
    patient_id: int,
    form: PatientForm,
    *,
    expected_versions: dict[str, int] | None = None,
    today: dt.date | None = None,
) -> SavedPatient:
    """Change a patient's details, account, account terms and coverage in one save.

    ``expected_versions`` are :attr:`PatientRecord.versions` of the record the form was loaded
    from: a row saved by another workstation since refuses the save with a ConflictError naming
    who and when (DATA-4); None skips the check (an import, a script).
    """
    return _save(uow, actor, patient_id, form, today or clock.today(), expected_versions)


def confirmed(form: PatientForm) -> PatientForm:
    """The same form with the duplicate warning overridden (the person said it is someone else)."""
    return replace(form, allow_duplicate=True)
