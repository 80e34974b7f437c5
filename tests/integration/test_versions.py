"""A version on every record two workstations edit, and ids never given twice (DATA-4, DATA-5).

Each stale-save test: workstation A loads a form, workstation B (the front desk) saves the same
record, A saves what it loaded: refused with a ConflictError that names B and says when, and B's
save stands (no lost update).
"""

from __future__ import annotations

import datetime as dt
import gzip
import shutil
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text

from dentaldesk.db.engine import make_engine
from dentaldesk.db.migrate import upgrade
from dentaldesk.db.models import (
    Account,
    Base,
    BluebookEntry,
    Coverage,
    DentalPlan,
    FeeSchedule,
    FeeScheduleEntry,
    LedgerTransaction,
    Office,
    Patient,
    PlanItem,
    ProcedureCode,
    Provider,
    TreatmentPlan,
    User,
)
from dentaldesk.db.models.base import Versioned
from dentaldesk.domain.errors import ConflictError
from dentaldesk.domain.terms import Role
from dentaldesk.services.ledger.posting import post_charge
from dentaldesk.services.ledger.transactions import edit_posted_charge, posted_charge
from dentaldesk.services.patients.records import PatientForm, add_patient, edit_patient, load_patient
from dentaldesk.services.plans import ItemInput, add_item, create_plan, remove_item
from dentaldesk.services.practice import code_admin, dental_plans, settings, staff
from dentaldesk.services.uow import UnitOfWork

FRONT = "Fran Front on test-ws saved this"


def test_data4_every_record_two_workstations_edit_carries_a_version() -> None:
    """DATA-4's list, one mechanism: each of these models is Versioned (version, saved_at, saved_by)."""
    listed = [TreatmentPlan, PlanItem, LedgerTransaction, Patient, Account, Coverage, ProcedureCode, FeeSchedule]
    listed += [FeeScheduleEntry, DentalPlan, BluebookEntry, User, Office, Provider]
    for model in listed:
        assert issubclass(model, Versioned), model
        assert {"version", "saved_at", "saved_by"} <= set(model.__table__.c.keys())
        assert model.__mapper__.version_id_col is model.__table__.c.version


def test_data4_a_version_moves_on_once_per_action_and_names_who_saved(money) -> None:
    """Several flushes in one action move the version on by one; the row says who saved it and when."""
    uow = money.uow
    record = load_patient(uow, money.front_desk, money.patient_id)
    edit_patient(
        uow,
        money.front_desk,
        money.patient_id,
        replace(record.form, phone="555-0101"),
        expected_versions=record.versions,
    )
    with uow.read():
        patient = uow.session.get(Patient, money.patient_id)
        assert patient.version == record.versions["patient"] + 1
        assert patient.saved_by == "Fran Front on test-ws" and patient.saved_at is not None


def test_data4_handing_out_a_patient_id_does_not_make_the_settings_form_stale(money) -> None:
    """The office's counters change without moving its version: General settings loaded before a patient
    was added still save."""
    form = settings.load_general_settings(money.uow, money.owner)
    add_patient(money.uow, money.front_desk, PatientForm("Nora", "New", "1999-09-09"))
    settings.save_general_settings(money.uow, money.owner, replace(form, phone="555-0199"))


def test_data4_a_stale_patient_form_is_refused_naming_who_saved_first(money) -> None:
    """Two workstations edit one patient: the second save is refused, the first stands (was: lost update)."""
    uow = money.uow
    mine = load_patient(uow, money.owner, money.patient_id)
    theirs = load_patient(uow, money.front_desk, money.patient_id)
    edit_patient(
        uow,
        money.front_desk,
        money.patient_id,
        replace(theirs.form, phone="555-0102"),
        expected_versions=theirs.versions,
    )
    with pytest.raises(ConflictError) as refused:
        edit_patient(
            uow, money.owner, money.patient_id, replace(mine.form, address="2 Oak St"), expected_versions=mine.versions
        )
    assert refused.value.message.startswith(f"{FRONT} patient at ") and "not saved" in refused.value.message
    assert refused.value.saved_by == "Fran Front on test-ws"
    now = load_patient(uow, money.owner, money.patient_id).form
    assert now.phone == "555-0102" and now.address == ""


def test_data4_a_coverage_changed_meanwhile_makes_the_patient_form_stale(money) -> None:
    """A coverage is its own row with its own version: a benefits correction elsewhere refuses a stale form."""
    uow = money.uow
    mine = load_patient(uow, money.owner, money.patient_id)
    with uow:
        coverage = uow.session.get(Coverage, money.coverage_id)
        coverage.benefits_used = Decimal("100.00")
        uow.act_as(money.front_desk)
        uow.commit()
    with pytest.raises(ConflictError, match=f"{FRONT} coverage"):
        edit_patient(uow, money.owner, money.patient_id, mine.form, expected_versions=mine.versions)


def _stale(first, second, expected: str) -> None:  # type: ignore[no-untyped-def]
    first()
    with pytest.raises(ConflictError) as refused:
        second()
    assert expected in refused.value.message, refused.value.message


def test_data4_stale_general_settings(money) -> None:
    loaded = settings.load_general_settings(money.uow, money.owner)
    admin = _admin(money)
    _stale(
        lambda: settings.save_general_settings(money.uow, admin, replace(loaded, name="Renamed Dental")),
        lambda: settings.save_general_settings(money.uow, money.owner, replace(loaded, phone="555-0100")),
        "Ada Admin on test-ws saved this office's settings",
    )
    assert settings.load_general_settings(money.uow, money.owner).name == "Renamed Dental"


def _admin(money):  # type: ignore[no-untyped-def]
    from dentaldesk.services.access.login import login

    staff.add_user(
        money.uow, money.owner, staff.UserForm("ada", "Ada Admin", Role.ADMIN, None, password="admin-pass-1")
    )
    return login(money.uow, "ada", "admin-pass-1", "test-ws")


def test_data4_stale_code_dental_plan_bluebook_fee_user_and_provider(money) -> None:
    """The set-up records: a procedure code, a dental plan (its coverage % too), its bluebook, a fee, a user,
    a provider: each stale save is refused naming who saved first."""
    owner, admin = money.owner, _admin(money)
    uow = money.uow
    code_id = money.code_ids["D2391"]
    code = code_admin.load_code(uow, owner, code_id)
    _stale(
        lambda: code_admin.edit_code(uow, admin, code_id, replace(code, name="Resin, 1 surface")),
        lambda: code_admin.edit_code(uow, owner, code_id, replace(code, default_rtu="45")),
        "Ada Admin on test-ws saved this procedure code",
    )

    plan = dental_plans.load_dental_plan(uow, owner, money.plan_id)
    first_terms = replace(plan.categories[0], coverage_percent="90")
    _stale(  # only a category's coverage % changes: the plan's version moves on with it
        lambda: dental_plans.save_dental_plan(
            uow, admin, money.plan_id, replace(plan, categories=(first_terms, *plan.categories[1:]))
        ),
        lambda: dental_plans.save_dental_plan(uow, owner, money.plan_id, replace(plan, carrier="Acme Mutual")),
        "Ada Admin on test-ws saved this dental plan",
    )

    line = dental_plans.BluebookLine("D2391", plan_fee="90.00")
    dental_plans.save_bluebook(uow, owner, money.plan_id, [line], expected_versions={})
    book = dental_plans.load_bluebook(uow, owner, money.plan_id)
    loaded = {b.code: b.version for b in book if b.version is not None}
    _stale(
        lambda: dental_plans.save_bluebook(
            uow, admin, money.plan_id, [replace(book[0], copay="10.00")], expected_versions=loaded
        ),
        lambda: dental_plans.save_bluebook(
            uow, owner, money.plan_id, [replace(book[0], plan_fee="95.00")], expected_versions=loaded
        ),
        "Ada Admin on test-ws saved this bluebook entry",
    )

    grid = settings.fee_grid(uow, owner, [0])
    row = next(r for r in grid if r.code_id == code_id)
    _stale(
        lambda: settings.set_fee(uow, admin, code_id, 0, "190.00", expected_version=row.versions[0]),
        lambda: settings.set_fee(uow, owner, code_id, 0, "200.00", expected_version=row.versions[0]),
        "Ada Admin on test-ws saved this fee",
    )
    assert settings.fee_cell(uow, owner, code_id, 0)[0] == Decimal("190.00")

    front = next(u for u in staff.list_users(uow, owner) if u.username == "front")
    form = staff.UserForm(front.username, front.full_name, front.role, None, True, version=front.version)
    _stale(
        lambda: staff.update_user(uow, admin, front.id, replace(form, full_name="Fran Frontdesk")),
        lambda: staff.update_user(uow, owner, front.id, replace(form, role=Role.DENTIST)),
        "Ada Admin on test-ws saved this user",
    )

    provider = staff.list_providers(uow, owner)[0]
    pform = staff.ProviderForm(
        provider.name, provider.short_name, provider.kind, provider.color, version=provider.version
    )
    _stale(
        lambda: staff.save_provider(uow, admin, provider.id, replace(pform, color="#00aa00")),
        lambda: staff.save_provider(uow, owner, provider.id, replace(pform, short_name="DRD")),
        "Ada Admin on test-ws saved this provider",
    )


def test_data4_stale_posted_charge_names_who_saved_first(money) -> None:
    """A posted charge's notes edited on two workstations: the second is refused naming the first."""
    uow = money.uow
    charge = post_charge(
        uow,
        money.owner,
        patient_id=money.patient_id,
        procedure_code_id=money.code_ids["D0120"],
        fee=Decimal("65.00"),
        dos=dt.date(2026, 5, 1),
    )
    view = posted_charge(uow, money.owner, charge.transaction_id)
    _stale(
        lambda: edit_posted_charge(
            uow, money.front_desk, view.transaction_id, expected_version=view.version, notes="a"
        ),
        lambda: edit_posted_charge(uow, money.owner, view.transaction_id, expected_version=view.version, notes="b"),
        f"{FRONT} transaction",
    )


# --------------------------------------------------------------------------- DATA-5


def _highest_ids_after_removing_the_newest_item(uow: UnitOfWork, money) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    plan = create_plan(uow, money.owner, money.patient_id, "Ids")
    first = add_item(uow, money.owner, plan.plan_id, ItemInput("D0120"), expected_version=plan.version)
    newest = add_item(uow, money.owner, plan.plan_id, ItemInput("D1110"), expected_version=first.version)
    gone = remove_item(uow, money.owner, plan.plan_id, newest.item_id, expected_version=newest.version)
    again = add_item(uow, money.owner, plan.plan_id, ItemInput("D1110"), expected_version=gone.version)
    return newest.item_id, again.item_id


def test_data5_the_id_of_a_removed_newest_item_is_never_given_again(money) -> None:
    """DATA-5 on SQLite: remove the newest plan item, add another: it gets a new id (was: the same one)."""
    removed, added = _highest_ids_after_removing_the_newest_item(money.uow, money)
    assert added > removed


@pytest.mark.postgres
def test_data5_postgresql_never_gives_an_id_twice(pg_engine_new: Engine) -> None:
    """DATA-5 on PostgreSQL: the same, through its sequences."""
    from conftest import SmallPractice
    from money_practice import MoneyPractice

    money = MoneyPractice(SmallPractice(UnitOfWork.for_engine(pg_engine_new)))
    removed, added = _highest_ids_after_removing_the_newest_item(money.uow, money)
    assert added > removed


def test_data5_every_sqlite_table_keeps_its_highest_id(engine: Engine) -> None:
    """Every table of a migrated database is AUTOINCREMENT (its highest id ever used is kept)."""
    with engine.connect() as conn:
        tables = dict(conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'table'")).all())
    for name, table in Base.metadata.tables.items():
        if "id" in table.c:  # login_throttle is keyed by the name typed: no id to give again
            assert "AUTOINCREMENT" in tables[name], name


def test_data5_an_upgraded_database_does_not_give_an_audited_deleted_id_again(tmp_path: Path) -> None:
    """An old database whose newest plan item was deleted (its id only in the audit log) is upgraded:
    the next plan item gets an id above every id the audit log names for plan items."""
    fixture = Path(__file__).parents[1] / "fixtures" / "databases" / "schema_0005.sqlite3.gz"
    path = tmp_path / "old.sqlite3"
    with gzip.open(fixture, "rb") as src, path.open("wb") as dst:
        shutil.copyfileobj(src, dst)
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        top = conn.execute(text("SELECT max(id) FROM plan_item")).scalar()
        conn.execute(text("DELETE FROM chart_graphic WHERE plan_item_id = :i"), {"i": top})
        conn.execute(text("DELETE FROM item_prerequisite WHERE item_id = :i OR prerequisite_id = :i"), {"i": top})
        conn.execute(text("UPDATE ledger_transaction SET plan_item_id = NULL WHERE plan_item_id = :i"), {"i": top})
        conn.execute(text("DELETE FROM plan_item WHERE id = :i"), {"i": top})
        conn.execute(
            text(
                "INSERT INTO audit_event (at, username, workstation, action, entity, entity_id) "
                "VALUES (CURRENT_TIMESTAMP, 'x', 'x', 'remove_item', 'plan_item', :i)"
            ),
            {"i": top},
        )
    upgrade(engine)
    with engine.begin() as conn:
        plan_id, option_id, code_id = conn.execute(
            text("SELECT plan_id, option_id, procedure_code_id FROM plan_item LIMIT 1")
        ).one()
        conn.execute(
            text(
                "INSERT INTO plan_item (plan_id, option_id, procedure_code_id, surfaces, fee_source, rtu, sequence,"
                " status, notes, version, saved_by) VALUES (:p, :o, :c, '', '', 0, 99, 'planned', '', 1, '')"
            ),
            {"p": plan_id, "o": option_id, "c": code_id},
        )
        new_id = conn.execute(text("SELECT max(id) FROM plan_item")).scalar()
    assert new_id > top
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Patient.__table__)) > 0
    engine.dispose()
