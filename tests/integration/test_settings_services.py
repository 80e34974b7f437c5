"""Practice set-up services: General settings, fee schedules, dental plans, users, providers."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from dentaldesk import clock
from dentaldesk.db.models import AuditEvent, BluebookEntry, Office, Patient, ProcedureCode, User
from dentaldesk.domain.errors import ConflictError, PermissionDenied, RuleViolation, ValidationError
from dentaldesk.domain.terms import Category, EstimationType, Role, TaxMethod
from dentaldesk.services.access.login import login
from dentaldesk.services.ledger.charge_facts import charge_facts
from dentaldesk.services.practice import dental_plans, settings, staff
from dentaldesk.services.uow import UnitOfWork


@pytest.fixture
def practice(fast_practice):
    """The small practice of conftest, without paying for its Argon2 hashing in every test."""
    return fast_practice


@pytest.fixture
def uow(practice) -> UnitOfWork:
    return practice.uow


def last_audit(uow: UnitOfWork, entity: str) -> AuditEvent:
    with uow:
        event = uow.session.scalar(select(AuditEvent).where(AuditEvent.entity == entity).order_by(AuditEvent.id.desc()))
        assert event is not None
        uow.session.expunge(event)
        return event


def audit_count(uow: UnitOfWork) -> int:
    with uow:
        return uow.session.scalar(select(func.count(AuditEvent.id))) or 0


# --------------------------------------------------------------------------- General settings


def test_sec2_general_settings_save_whole_with_before_and_after(uow: UnitOfWork, practice) -> None:
    """SEC-2: saving General settings changes the office and audits before and after in one event."""
    form = settings.load_general_settings(uow, practice.owner)
    changed = replace(
        form,
        name="Test Dental Care",
        phone="555-0100",
        tax_method=TaxMethod.NON_PRO_RATA,
        tax_rate="8.875",
        estimate_valid_days="60",
        idle_lock_minutes="5",
    )
    settings.save_general_settings(uow, practice.owner, changed)
    again = settings.load_general_settings(uow, practice.owner)
    assert (again.name, again.tax_method, again.tax_rate, again.estimate_valid_days) == (
        "Test Dental Care",
        TaxMethod.NON_PRO_RATA,
        "8.875",
        "60",
    )
    event = last_audit(uow, "office")
    before, after = json.loads(event.before or "{}"), json.loads(event.after or "{}")
    assert before["name"] == "Test Dental" and after["name"] == "Test Dental Care"
    assert before["tax_rate"] == "" and after["tax_rate"] == "8.875"
    assert event.username == "owner"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"tax_rate": "101"}, "tax_rate"),
        ({"tax_rate": "-1"}, "tax_rate"),
        ({"email": "front desk@"}, "email"),
        ({"name": "  "}, "name"),
        ({"estimate_valid_days": "ninety"}, "estimate_valid_days"),
        ({"idle_lock_minutes": "0"}, "idle_lock_minutes"),
    ],
)
def test_tx_tax1_bad_settings_are_refused_at_the_field_and_nothing_saved(
    uow: UnitOfWork, practice, changes: dict[str, str], field: str
) -> None:
    """TX-TAX-1 bad input: a tax rate outside 0-100, a bad e-mail ... is refused at its field."""
    form = settings.load_general_settings(uow, practice.owner)
    events = audit_count(uow)
    with pytest.raises(ValidationError) as caught:
        settings.save_general_settings(uow, practice.owner, replace(form, phone="555-9999", **changes))
    assert caught.value.field == field
    assert settings.load_general_settings(uow, practice.owner) == form
    assert audit_count(uow) == events


def test_setup_roles_front_desk_cannot_change_settings(uow: UnitOfWork, practice) -> None:
    """SETUP_ROLES: front desk is refused by the service, not only hidden in the UI."""
    with pytest.raises(PermissionDenied, match="Front desk"):
        settings.load_general_settings(uow, practice.front_desk)


def test_tx_tax1_tax_method_change_drives_the_taxable_state(demo_uow: UnitOfWork) -> None:
    """TX-TAX-1: Pro rata disables and checks Taxable; Non-pro rata enables it; none disables and unchecks."""
    owner = login(demo_uow, "owner", "demo-owner", "ws")
    with demo_uow:
        patient_id = demo_uow.session.scalar(select(Patient.id).order_by(Patient.id).limit(1))
    form = settings.load_general_settings(demo_uow, owner)

    def state():
        with demo_uow:
            code = demo_uow.session.scalar(select(ProcedureCode).where(ProcedureCode.code == "D0120"))
            facts = charge_facts(demo_uow.session, patient_id, code, Decimal("50.00"), clock.today())
            return facts.taxable_enabled, facts.taxable

    loaded = [form]

    def save(**changes) -> None:  # type: ignore[no-untyped-def]
        """As the window does: each save goes with the version the previous one gave (DATA-4)."""
        version = settings.save_general_settings(demo_uow, owner, replace(loaded[-1], **changes))
        loaded.append(replace(loaded[-1], **changes, version=version))

    save(tax_method=TaxMethod.NON_PRO_RATA, tax_rate="6")
    assert state() == (True, False)
    save(tax_method=TaxMethod.PRO_RATA, tax_rate="6")
    assert state() == (False, True)
    save(tax_method=TaxMethod.NONE, tax_rate="")
    assert state() == (False, False)


# --------------------------------------------------------------------------- Fee schedules


def _code_id(uow: UnitOfWork, code: str) -> int:
    with uow:
        found = uow.session.scalar(select(ProcedureCode.id).where(ProcedureCode.code == code))
        assert found is not None
        return found


def test_money2_fee_grid_edit_in_place_sets_and_clears_a_fee(uow: UnitOfWork, practice) -> None:
    """MONEY-2: a fee cell takes 0 or more in cents; blank removes the entry; each edit is audited."""
    from dentaldesk.services.practice.codes import copy_master_codes

    copy_master_codes(uow, practice.owner, ["D0120", "D2740"])
    d2740 = _code_id(uow, "D2740")
    assert settings.set_fee(uow, practice.owner, d2740, 3, "1,150.50") == Decimal("1150.50")
    rows = {r.code: r for r in settings.fee_grid(uow, practice.owner, [0, 3])}
    assert rows["D2740"].fees[1] == Decimal("1150.50")
    event = last_audit(uow, "fee_schedule")
    assert json.loads(event.after or "{}") == {"code": "D2740", "fee": "1150.50", "schedule": 3}
    assert json.loads(event.before or "{}")["fee"] is None
    settings.set_fee(uow, practice.owner, d2740, 3, "0")
    assert settings.fee_grid(uow, practice.owner, [3])[1].fees[0] == Decimal("0.00")
    settings.set_fee(uow, practice.owner, d2740, 3, "")
    assert settings.fee_grid(uow, practice.owner, [3])[1].fees[0] is None
    names = {r.number: r.name for r in settings.fee_schedules(uow, practice.owner)}
    assert names[3] == "Fee 3" and len(names) == 27


@pytest.mark.parametrize("typed", ["10.005", "-5", "abc"])
def test_money1_fee_with_three_decimals_or_negative_is_refused(uow: UnitOfWork, practice, typed: str) -> None:
    """MONEY-1/MONEY-2: more than two decimals, negative or not a number is refused at the fee."""
    from dentaldesk.services.practice.codes import copy_master_codes

    copy_master_codes(uow, practice.owner, ["D0120"])
    d0120 = _code_id(uow, "D0120")
    before = settings.fee_grid(uow, practice.owner, [0])
    with pytest.raises(ValidationError) as caught:
        settings.set_fee(uow, practice.owner, d0120, 0, typed)
    assert caught.value.field == "fee"
    assert settings.fee_grid(uow, practice.owner, [0]) == before


def test_money1_raise_by_percent_previews_then_applies_half_up(uow: UnitOfWork, practice) -> None:
    """MONEY-1: raise by 3 % shows old and new fees (half-up once) and applies exactly the preview."""
    from dentaldesk.services.practice.codes import copy_master_codes

    copy_master_codes(uow, practice.owner, ["D0120", "D1110"], with_fees=False)
    settings.set_fee(uow, practice.owner, _code_id(uow, "D0120"), 1, "50.50")  # 52.015 -> 52.02
    settings.set_fee(uow, practice.owner, _code_id(uow, "D1110"), 1, "99.99")  # 102.9897 -> 102.99
    preview = settings.preview_raise(uow, practice.owner, 1, "3")
    assert [(c.code, c.old, c.new) for c in preview] == [
        ("D0120", Decimal("50.50"), Decimal("52.02")),
        ("D1110", Decimal("99.99"), Decimal("102.99")),
    ]
    assert settings.fee_grid(uow, practice.owner, [1])[0].fees[0] == Decimal("50.50")  # preview saved nothing
    assert settings.raise_fee_schedule(uow, practice.owner, 1, "3", preview) == 2
    assert [r.fees[0] for r in settings.fee_grid(uow, practice.owner, [1])] == [Decimal("52.02"), Decimal("102.99")]
    event = last_audit(uow, "fee_schedule")
    assert event.action == "raise_fee_schedule"
    assert json.loads(event.before or "{}")["fees"]["D0120"] == "50.50"
    assert json.loads(event.after or "{}")["fees"]["D0120"] == "52.02"


def test_data2_raise_is_refused_when_fees_changed_since_the_preview(uow: UnitOfWork, practice) -> None:
    """DATA-2: a fee changed after the preview makes the raise refuse whole rather than raise stale fees."""
    from dentaldesk.services.practice.codes import copy_master_codes

    copy_master_codes(uow, practice.owner, ["D0120"], with_fees=False)
    code_id = _code_id(uow, "D0120")
    settings.set_fee(uow, practice.owner, code_id, 2, "40.00")
    preview = settings.preview_raise(uow, practice.owner, 2, "10")
    settings.set_fee(uow, practice.owner, code_id, 2, "45.00")
    with pytest.raises(ConflictError, match="preview again"):
        settings.raise_fee_schedule(uow, practice.owner, 2, "10", preview)
    assert settings.fee_grid(uow, practice.owner, [2])[0].fees[0] == Decimal("45.00")


@pytest.mark.parametrize("typed", ["", "0", "-100", "abc", "1.005"])
def test_money1_raise_percent_must_be_a_real_change(uow: UnitOfWork, practice, typed: str) -> None:
    """MONEY-1: a raise of nothing, of -100 % or a malformed percentage is refused at the field."""
    with pytest.raises(ValidationError) as caught:
        settings.preview_raise(uow, practice.owner, 0, typed)
    assert caught.value.field == "percent"


def test_fee_schedule_can_be_named(uow: UnitOfWork, practice) -> None:
    """Glossary (fee schedule): naming an unused number creates that schedule."""
    settings.name_fee_schedule(uow, practice.owner, 5, "Senior discount")
    assert settings.fee_schedules(uow, practice.owner)[5].name == "Senior discount"


# --------------------------------------------------------------------------- Dental plans


def _plan_form(**changes: object) -> dental_plans.DentalPlanForm:
    base = dental_plans.blank_dental_plan_form()
    terms = tuple(
        replace(t, coverage_percent="80" if t.category is Category.RESTORATIVE else "100") for t in base.categories
    )
    return replace(
        base,
        name="Acme PPO",
        carrier="Acme",
        estimation_type=EstimationType.PPO,
        deductible="50",
        annual_max="1500",
        categories=terms,
        **changes,
    )  # type: ignore[arg-type]


def test_ins1_dental_plan_saves_coverage_percent_per_category(uow: UnitOfWork, practice) -> None:
    """INS-1/INS-2: a plan keeps its coverage % per category and which categories skip the deductible."""
    plan_id = dental_plans.save_dental_plan(uow, practice.owner, None, _plan_form())
    loaded = dental_plans.load_dental_plan(uow, practice.owner, plan_id)
    terms = {t.category: t for t in loaded.categories}
    assert terms[Category.RESTORATIVE].coverage_percent == "80"
    assert not terms[Category.PREVENTIVE].deductible_applies and terms[Category.RESTORATIVE].deductible_applies
    assert (loaded.deductible, loaded.annual_max) == ("50.00", "1500.00")
    dental_plans.save_dental_plan(uow, practice.owner, plan_id, replace(loaded, annual_max=""))
    assert dental_plans.load_dental_plan(uow, practice.owner, plan_id).annual_max == ""
    event = last_audit(uow, "dental_plan")
    assert json.loads(event.before or "{}")["annual_max"] == "1500.00"
    assert json.loads(event.after or "{}")["annual_max"] is None


@pytest.mark.parametrize("typed", ["101", "-5", "80.5"])
def test_ins1_coverage_percent_outside_0_100_is_refused(uow: UnitOfWork, practice, typed: str) -> None:
    """INS-1 bad input: coverage % outside 0-100 is refused at that category; nothing saved."""
    form = _plan_form()
    bad = tuple(
        replace(t, coverage_percent=typed) if t.category is Category.ENDODONTICS else t for t in form.categories
    )
    with pytest.raises(ValidationError) as caught:
        dental_plans.save_dental_plan(uow, practice.owner, None, replace(form, categories=bad))
    assert caught.value.field == "coverage_percent:endodontics"
    assert dental_plans.dental_plans(uow, practice.owner) == []


def test_bluebook_grid_saves_adds_changes_and_removes_in_one_event(uow: UnitOfWork, practice) -> None:
    """Glossary (bluebook) / SEC-2: the grid is saved whole; the audit names the codes changed."""
    from dentaldesk.services.practice.codes import copy_master_codes

    copy_master_codes(uow, practice.owner, ["D0120", "D1110", "D2740"])
    plan_id = dental_plans.save_dental_plan(uow, practice.owner, None, _plan_form())
    B = dental_plans.BluebookLine
    dental_plans.save_bluebook(uow, practice.owner, plan_id, [B("d0120", "40", "", "32"), B("D1110", "70.00")])
    dental_plans.save_bluebook(
        uow, practice.owner, plan_id, [B("D0120", "40.00", "", "32.00"), B("D2740", "800", "", "400", "250"), B("")]
    )
    assert [replace(line, version=None) for line in dental_plans.load_bluebook(uow, practice.owner, plan_id)] == [
        B("D0120", "40.00", "", "32.00", ""),
        B("D2740", "800.00", "", "400.00", "250.00"),
    ]
    event = last_audit(uow, "dental_plan")
    assert set(json.loads(event.before or "{}")) == {"D1110"}
    assert set(json.loads(event.after or "{}")) == {"D2740"}


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (dental_plans.BluebookLine("D9999", "10"), "Not in the office's code list: D9999"),
        (dental_plans.BluebookLine("D0120", "-10"), r"Row 2 \(D0120\): An amount cannot be negative"),
        (dental_plans.BluebookLine("D0120", "10.001"), "two decimals"),
        (dental_plans.BluebookLine("D1110", "10"), "twice"),
    ],
)
def test_money2_bad_bluebook_rows_are_refused_and_nothing_saved(uow: UnitOfWork, practice, line, message: str) -> None:
    """MONEY-2 / CODE-3: a bluebook row with a bad amount, a duplicate or an unknown code is refused."""
    from dentaldesk.services.practice.codes import copy_master_codes

    copy_master_codes(uow, practice.owner, ["D0120", "D1110"])
    plan_id = dental_plans.save_dental_plan(uow, practice.owner, None, _plan_form())
    with pytest.raises(ValidationError, match=message) as caught:
        dental_plans.save_bluebook(uow, practice.owner, plan_id, [dental_plans.BluebookLine("D1110", "70"), line])
    assert caught.value.field == ("bluebook" if line.code == "D9999" else "bluebook:2")
    with uow:
        assert uow.session.scalar(select(func.count(BluebookEntry.id))) == 0


# --------------------------------------------------------------------------- Users and providers


def test_sec1_added_user_logs_in_with_an_argon2_hash(uow: UnitOfWork, practice) -> None:
    """SEC-1: a user added in Settings logs in; the password is stored as an Argon2 hash only."""
    user_id = staff.add_user(
        uow, practice.owner, staff.UserForm("dent", "Dana Dent", Role.DENTIST, None, password="dent-pass-1")
    )
    assert login(uow, "dent", "dent-pass-1", "ws").role is Role.DENTIST
    with uow:
        assert uow.session.get(User, user_id).password_hash.startswith("$argon2id$")
    assert "dent-pass-1" not in (last_audit(uow, "app_user").after or "")


def test_sec1_reset_password_replaces_the_old_one(uow: UnitOfWork, practice) -> None:
    """SEC-1: after a reset the new password works, the old does not, and the audit holds neither."""
    front = next(u for u in staff.list_users(uow, practice.owner) if u.username == "front")
    staff.reset_password(uow, practice.owner, front.id, "brand-new-pass")
    assert login(uow, "front", "brand-new-pass", "ws").username == "front"
    from dentaldesk.services.access.login import LoginRefused

    with pytest.raises(LoginRefused):
        login(uow, "front", "front-pass-1", "ws")
    with uow:
        reset = uow.session.scalar(select(AuditEvent).where(AuditEvent.action == "reset_password"))
        assert "brand-new-pass" not in (reset.after or "") and "$argon2" not in (reset.after or "")


def test_sec1_short_password_is_refused(uow: UnitOfWork, practice) -> None:
    """SEC-1: a password under 8 characters is refused at the password field."""
    with pytest.raises(ValidationError) as caught:
        staff.add_user(uow, practice.owner, staff.UserForm("x", "X", Role.ADMIN, None, password="short"))
    assert caught.value.field == "password"


def test_last_active_owner_cannot_be_demoted_or_deactivated(uow: UnitOfWork, practice) -> None:
    """The last active Owner keeps the role; with a second Owner the first may be demoted."""
    owner = next(u for u in staff.list_users(uow, practice.owner) if u.username == "owner")
    demote = staff.UserForm(owner.username, owner.full_name, Role.ADMIN, None, True)
    with pytest.raises(RuleViolation, match="last active Owner") as caught:
        staff.update_user(uow, practice.owner, owner.id, demote)
    assert caught.value.field == "role"
    second = staff.add_user(
        uow, practice.owner, staff.UserForm("own2", "Second Owner", Role.OWNER, None, password="second-pass")
    )
    second_actor = login(uow, "own2", "second-pass", "ws")
    with pytest.raises(RuleViolation, match="your own login"):
        staff.update_user(uow, practice.owner, owner.id, replace(demote, role=Role.OWNER, active=False))
    staff.update_user(uow, second_actor, owner.id, demote)
    assert {u.username: u.role for u in staff.list_users(uow, practice.owner)}["owner"] is Role.ADMIN
    # SEC-3: the demoted owner's session loses the Owner's rights at its next action.
    with pytest.raises(PermissionDenied, match="Only an Owner"):
        staff.update_user(uow, practice.owner, second, staff.UserForm("own2", "Second Owner", Role.OWNER, None, False))
    third = staff.add_user(
        uow, second_actor, staff.UserForm("own3", "Third Owner", Role.OWNER, None, password="third-pass")
    )
    staff.update_user(uow, second_actor, third, staff.UserForm("own3", "Third Owner", Role.OWNER, None, False))
    with pytest.raises(RuleViolation, match="last active Owner") as caught:
        staff.update_user(uow, second_actor, second, staff.UserForm("own2", "Second Owner", Role.ADMIN, None, True))
    assert caught.value.field == "role"


def test_admin_cannot_take_the_owner_role_away(uow: UnitOfWork, practice) -> None:
    """Only an Owner gives or removes the Owner role; an Admin is refused."""
    staff.add_user(uow, practice.owner, staff.UserForm("adm", "Ada Admin", Role.ADMIN, None, password="admin-pass"))
    admin = login(uow, "adm", "admin-pass", "ws")
    owner = next(u for u in staff.list_users(uow, admin) if u.username == "owner")
    with pytest.raises(PermissionDenied):
        staff.update_user(uow, admin, owner.id, staff.UserForm("owner", owner.full_name, Role.ADMIN, None, True))
    with pytest.raises(PermissionDenied):
        staff.add_user(uow, admin, staff.UserForm("boss", "Boss", Role.OWNER, None, password="boss-pass-1"))


def test_user_links_to_a_provider_and_front_desk_cannot_manage_users(uow: UnitOfWork, practice) -> None:
    """SETUP_ROLES: a user links to an active provider; front desk is refused by the service."""
    provider = staff.list_providers(uow, practice.owner)[0]
    front = next(u for u in staff.list_users(uow, practice.owner) if u.username == "front")
    staff.update_user(
        uow, practice.owner, front.id, staff.UserForm("front", "Fran Front", Role.DENTIST, provider.id, True)
    )
    row = next(u for u in staff.list_users(uow, practice.owner) if u.username == "front")
    assert (row.role, row.provider_name) == (Role.DENTIST, provider.name)
    with pytest.raises(PermissionDenied):
        staff.list_users(uow, practice.front_desk)


def test_provider_saved_with_kind_and_chart_colour(uow: UnitOfWork, practice) -> None:
    """A provider has a name, kind and colour on the chart; bad colour refused."""
    form = staff.ProviderForm("Hana Hygienist, RDH", "hh", "hygienist", "#BF3989")
    provider_id = staff.save_provider(uow, practice.owner, None, form)
    row = next(p for p in staff.list_providers(uow, practice.owner) if p.id == provider_id)
    assert (row.short_name, row.kind_label, row.color) == ("HH", "Hygienist", "#bf3989")
    with pytest.raises(ValidationError) as caught:
        staff.save_provider(uow, practice.owner, provider_id, replace(form, color="pink"))
    assert caught.value.field == "color"
    with pytest.raises(ValidationError, match="short name DD"):
        staff.save_provider(uow, practice.owner, None, staff.ProviderForm("Dup", "dd", "dentist", "#000000"))


def test_settings_office_row_is_untouched_by_a_refused_save(uow: UnitOfWork, practice) -> None:
    """DATA-1: a refused General settings save leaves the office row exactly as it was."""
    with uow:
        before = uow.session.get(Office, practice.office_id).name
    form = settings.load_general_settings(uow, practice.owner)
    with pytest.raises(ValidationError):
        settings.save_general_settings(uow, practice.owner, replace(form, name="Changed", tax_rate="200"))
    with uow:
        assert uow.session.get(Office, practice.office_id).name == before
