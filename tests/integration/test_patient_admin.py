"""Adding and editing patients with account and coverage)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from decimal import Decimal

import pytest
from acting import staff
from sqlalchemy import func, select

from dentaldesk import clock
from dentaldesk.db.models import Account, AuditEvent, Claim, Coverage, DentalPlan, Office, Patient
from dentaldesk.domain.errors import NotFound, RuleViolation, ValidationError
from dentaldesk.domain.terms import CoverageRank, EstimationType, Icm
from dentaldesk.services.access.login import login
from dentaldesk.services.patients import records as pa
from dentaldesk.services.patients.search import patient_header, search_patients
from dentaldesk.services.practice import dental_plans
from dentaldesk.services.practice.pricing import load_coverages, quote_fee_in
from dentaldesk.services.uow import UnitOfWork

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def practice(fast_practice):
    """The small practice of conftest, copied from a per-session template."""
    return fast_practice


@pytest.fixture
def uow(practice) -> UnitOfWork:
    return practice.uow


def new_patient(**changes: object) -> pa.PatientForm:
    form = pa.PatientForm(
        first_name="Maria",
        last_name="Lopez",
        birth_date="1988-06-14",
        phone="(217) 555-0199",
        email="maria.lopez@example.com",
        address="12 Elm Street",
    )
    return replace(form, **changes)  # type: ignore[arg-type]


def counts(uow: UnitOfWork) -> tuple[int, int, int, int, int]:
    with uow:
        s = uow.session
        office = s.scalar(select(Office))
        return (
            s.scalar(select(func.count(Patient.id))) or 0,
            s.scalar(select(func.count(Account.id))) or 0,
            s.scalar(select(func.count(Coverage.id))) or 0,
            office.next_patient_number,
            s.scalar(select(func.count(AuditEvent.id))) or 0,
        )


def patient_event(uow: UnitOfWork, *where: object) -> tuple[str, dict, dict, str]:
    """(action, before, after, username) of the last audit event on a patient matching ``where``."""
    with uow:
        e = uow.session.scalar(
            select(AuditEvent).where(AuditEvent.entity == "patient", *where).order_by(AuditEvent.id.desc())
        )
        assert e is not None
        return e.action, json.loads(e.before or "{}"), json.loads(e.after or "{}"), e.username


def make_plan(
    uow: UnitOfWork, actor, name: str = "Acme Dental", kind: EstimationType = EstimationType.PERCENTAGE
) -> int:
    form = dental_plans.blank_dental_plan_form()
    terms = tuple(replace(t, coverage_percent="80") for t in form.categories)
    return dental_plans.save_dental_plan(
        uow,
        actor,
        None,
        replace(form, name=name, carrier="Acme", estimation_type=kind, annual_max="1500", categories=terms),
    )


def test_patient_gets_a_system_given_id_and_a_new_account(uow: UnitOfWork, practice) -> None:
    """The patient ID comes from the office counter (taken numbers skipped); a new account is made."""
    with uow:
        uow.session.scalar(select(Office)).next_patient_number = 1004  # 1004 and 1005 are taken
        uow.commit()
    saved = pa.add_patient(uow, practice.front_desk, new_patient(icm=Icm.AFTER_INSURANCE, fee_schedule=1), today=TODAY)
    assert saved.patient_number == "1006"
    assert counts(uow)[3] == 1007
    header = patient_header(uow, staff(uow), saved.patient_id)
    assert (header.full_name, header.icm, header.fee_schedule, header.account_number) == (
        "Maria Lopez",
        Icm.AFTER_INSURANCE,
        1,
        saved.account_number,
    )
    assert pa.find_account(uow, practice.front_desk, saved.account_number).guarantor == "Lopez, Maria"
    assert [r.id for r in search_patients(uow, staff(uow), "lop")] == [saved.patient_id]
    action, before, after, username = patient_event(uow)
    assert action == "create" and before == {} and username == "front"
    assert after["patient_number"] == "1006" and after["account"]["icm"] == 1


def test_patient_joins_an_existing_account_and_sets_its_icm(uow: UnitOfWork, practice) -> None:
    """Glossary (Account): a patient put in an existing account shares it; its ICM is set for everyone."""
    saved = pa.add_patient(
        uow, practice.owner, new_patient(account_number="A1", icm=Icm.PATIENT_PORTION_AT_SERVICE), today=TODAY
    )
    info = pa.find_account(uow, practice.owner, "A1")
    assert saved.account_id == practice.account_id
    assert info.icm is Icm.PATIENT_PORTION_AT_SERVICE and "Lopez, Maria" in info.members
    assert info.guarantor == "Smith, Anna"
    assert patient_header(uow, staff(uow), practice.patient_ids[1]).icm is Icm.PATIENT_PORTION_AT_SERVICE


def test_unknown_account_number_is_refused_at_the_field(uow: UnitOfWork, practice) -> None:
    """An account number that does not exist is refused at the account field; nothing saved."""
    before = counts(uow)
    with pytest.raises(NotFound) as caught:
        pa.add_patient(uow, practice.owner, new_patient(account_number="Z9"), today=TODAY)
    assert caught.value.field == "account_number"
    assert counts(uow) == before


def test_duplicate_name_and_birth_date_warns_and_can_be_overridden(uow: UnitOfWork, practice) -> None:
    """Same name and birth date warns (accents and case ignored); confirming saves and is audited."""
    form = new_patient(first_name="anna", last_name="SMITH", birth_date="04/02/1980")
    before = counts(uow)
    with pytest.raises(pa.PossibleDuplicate, match=r"Smith, Anna \(patient ID 1001\)") as caught:
        pa.add_patient(uow, practice.owner, form, today=TODAY)
    assert caught.value.field == "duplicate"
    assert counts(uow) == before
    saved = pa.add_patient(uow, practice.owner, pa.confirmed(form), today=TODAY)
    _action, _before, after, _user = patient_event(uow, AuditEvent.entity_id == saved.patient_id)
    assert after["duplicate_warning_overridden"] == ["Smith, Anna (patient ID 1001)"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"birth_date": "2026-11-24"}, "birth_date"),
        ({"birth_date": "1988-02-30"}, "birth_date"),
        ({"email": "maria.example.com"}, "email"),
        ({"email": "maria@example"}, "email"),
        ({"first_name": " "}, "first_name"),
        ({"fee_schedule": 27}, "fee_schedule"),
        ({"primary": pa.CoverageForm(dental_plan_id=1, benefits_used="10.555")}, "primary_benefits_used"),
        ({"primary": pa.CoverageForm(dental_plan_id=1, deductible_met="-5")}, "primary_deductible_met"),
        ({"secondary": pa.CoverageForm(dental_plan_id=1)}, "secondary_plan"),
        ({"primary": pa.CoverageForm(dental_plan_id=999)}, "primary_plan"),
    ],
)
def test_bad_patient_input_is_refused_at_the_field_and_nothing_saved(
    uow: UnitOfWork, practice, changes: dict[str, object], field: str
) -> None:
    """Bad input: a birth date in the future, a bad e-mail, a bad amount ... refused at its field."""
    make_plan(uow, practice.owner)
    before = counts(uow)
    with pytest.raises(ValidationError) as caught:
        pa.add_patient(uow, practice.owner, new_patient(**changes), today=TODAY)
    assert caught.value.field == field
    assert counts(uow) == before


def test_ins3_coverage_keeps_subscriber_and_benefits_used_this_year(uow: UnitOfWork, practice) -> None:
    """INS-3: primary and secondary coverage are saved with subscriber and this year's benefits used."""
    primary = make_plan(uow, practice.owner, "Acme Dental")
    secondary = make_plan(uow, practice.owner, "Beta Dental")
    form = new_patient(
        primary=pa.CoverageForm(primary, "", "ACM-1", "300.00", "50"),
        secondary=pa.CoverageForm(secondary, "Jorge Lopez", "BET-2"),
    )
    saved = pa.add_patient(uow, practice.owner, form, today=clock.today())
    with uow:
        first, second = load_coverages(uow.session, saved.patient_id)
        rows = {c.rank: c.subscriber_name for c in uow.session.scalars(select(Coverage))}
    assert (first.plan_name, first.benefits_used, first.deductible_met) == (
        "Acme Dental",
        Decimal("300.00"),
        Decimal("50.00"),
    )
    assert second.plan_name == "Beta Dental"
    assert rows[CoverageRank.PRIMARY] == "Maria Lopez"  # blank subscriber: the patient
    assert rows[CoverageRank.SECONDARY] == "Jorge Lopez"
    record = pa.load_patient(uow, practice.owner, saved.patient_id)
    assert record.form.primary == pa.CoverageForm(primary, "Maria Lopez", "ACM-1", "300.00", "50.00")


def test_edit_patient_changes_details_and_moves_account_with_the_guarantor_handed_on(uow: UnitOfWork, practice) -> None:
    """SEC-2: an edit saves name, e-mail and account in one event with before and after."""
    anna = practice.patient_ids[0]  # guarantor of A1
    record = pa.load_patient(uow, practice.owner, anna)
    assert record.form.account_number == "A1"
    pa.edit_patient(
        uow,
        practice.front_desk,
        anna,
        replace(record.form, last_name="Smith-Brown", email="anna@example.org", account_number=""),
        today=TODAY,
    )
    header = patient_header(uow, staff(uow), anna)
    assert header.full_name == "Anna Smith-Brown" and header.account_number != "A1"
    assert pa.find_account(uow, practice.owner, "A1").guarantor == "Smith, John"
    _action, before, after, _user = patient_event(uow, AuditEvent.action == "update")
    assert (before["last_name"], after["last_name"]) == ("Smith", "Smith-Brown")
    assert before["account"]["account_number"] == "A1" and after["account"]["account_number"] == header.account_number


def test_edit_keeps_own_name_and_birth_date_without_a_duplicate_warning(uow: UnitOfWork, practice) -> None:
    """Editing a patient never warns about the patient themself."""
    record = pa.load_patient(uow, practice.owner, practice.patient_ids[1])
    pa.edit_patient(uow, practice.owner, practice.patient_ids[1], replace(record.form, phone="555-0000"), today=TODAY)
    assert patient_header(uow, staff(uow), practice.patient_ids[1]).phone == "555-0000"


def test_tx_fee2_patient_added_with_dmo_coverage_is_charged_the_cap_fee(demo_uow: UnitOfWork) -> None:
    """TX-FEE-2 story: a new patient with DMO/Capitation coverage gets the bluebook cap fee."""
    front = login(demo_uow, "frontdesk", "demo-front", "ws")
    with demo_uow:
        dmo_id = demo_uow.session.scalar(select(DentalPlan.id).where(DentalPlan.estimation_type == EstimationType.DMO))
    choices = pa.form_choices(demo_uow, front)
    dmo = next(p for p in choices.plans if p.id == dmo_id)
    saved = pa.add_patient(demo_uow, front, new_patient(primary=pa.CoverageForm(dmo.id, "", "CGN-777")))
    owner = login(demo_uow, "owner", "demo-owner", "ws")
    cap = next(line for line in dental_plans.load_bluebook(demo_uow, owner, dmo.id) if line.code == "D0150")
    with demo_uow:
        quote = quote_fee_in(demo_uow.session, saved.patient_id, "D0150")
    assert quote.source == f"Bluebook cap fee ({dmo.name})"
    assert quote.fee == Decimal(cap.plan_fee)


def test_coverage_with_claims_cannot_be_switched_to_another_plan(demo_uow: UnitOfWork) -> None:
    """A coverage that claims were filed under keeps its plan; benefits used can be corrected."""
    front = login(demo_uow, "frontdesk", "demo-front", "ws")
    with demo_uow:
        coverage = demo_uow.session.scalar(select(Coverage).join(Claim, Claim.coverage_id == Coverage.id).limit(1))
        patient_id, plan_id, rank = coverage.patient_id, coverage.dental_plan_id, coverage.rank
        other = demo_uow.session.scalar(select(DentalPlan.id).where(DentalPlan.id != plan_id).limit(1))
    record = pa.load_patient(demo_uow, front, patient_id)
    field = "primary" if rank is CoverageRank.PRIMARY else "secondary"
    current = getattr(record.form, field)
    with pytest.raises(RuleViolation, match="claims filed under it") as caught:
        pa.edit_patient(
            demo_uow, front, patient_id, replace(record.form, **{field: replace(current, dental_plan_id=other)})
        )
    assert caught.value.field == f"{field}_plan"
    pa.edit_patient(
        demo_uow, front, patient_id, replace(record.form, **{field: replace(current, benefits_used="123.45")})
    )
    assert getattr(pa.load_patient(demo_uow, front, patient_id).form, field).benefits_used == "123.45"


def test_fee_schedule_choices_list_0_to_26_with_names(demo_uow: UnitOfWork) -> None:
    """Glossary (fee schedule): the dialog offers schedules 0 to 26 by name, and the office's plans."""
    front = login(demo_uow, "frontdesk", "demo-front", "ws")
    choices = pa.form_choices(demo_uow, front)
    assert [n for n, _ in choices.fee_schedules] == list(range(27))
    assert choices.fee_schedules[0][1] == "Office fee (UCR)"
    assert {p.estimation_type for p in choices.plans} >= {
        EstimationType.PERCENTAGE,
        EstimationType.PPO,
        EstimationType.DMO,
    }
    dmo = next(p for p in choices.plans if p.estimation_type is EstimationType.DMO)
    assert dmo.label == "Cigna Dental Care DHMO (Cigna, DMO/Capitation)"
