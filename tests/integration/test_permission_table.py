"""The permission table (SEC-3, TP-1): every service action and read x every kind of user.

The expected cells come from README.md "Who may do what", written out in full there; this test
reads that table, checks it names every guarded service, and runs each action as each kind of
user against the demo practice:

* the four roles, logged in;
* a user deactivated since logging in (an Owner): refused everywhere;
* a user demoted since logging in (an Admin made Front desk): acts as Front desk;
* an Owner of another office: refused on every action that names a record of this office, and
  confined to their own office where the action names none.

A cell is "allowed" when the guard lets the action through (it may still refuse the input with
another typed error) and "refused" when it answers PermissionDenied. No cell may raise anything
but our typed errors. Each action runs on its own copy of the practice, least privileged first.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from dentaldesk import clock
from dentaldesk.db.engine import make_engine
from dentaldesk.db.models import (
    Account,
    ChartGraphic,
    Claim,
    Coverage,
    DentalPlan,
    LedgerTransaction,
    Office,
    Patient,
    PlanItem,
    Preauthorization,
    PreauthorizationLine,
    ProcedureCode,
    Provider,
    TreatmentPlan,
    User,
)
from dentaldesk.domain.errors import DentalDeskError, PermissionDenied
from dentaldesk.domain.terms import ClaimStatus, ItemStatus, PlanStatus, Role, TransactionKind
from dentaldesk.services.access.guard import ACTIONS
from dentaldesk.services.access.login import login
from dentaldesk.services.uow import UnitOfWork

ROOT = Path(__file__).resolve().parents[2]
KINDS = ("owner", "admin", "dentist", "front_desk", "deactivated", "demoted", "other_office")
# Least privileged first: refusals run before any allowed call changes the practice.
RUN_ORDER = ("deactivated", "other_office", "front_desk", "demoted", "dentist", "admin", "owner")


def readme_table() -> dict[str, dict[str, bool]]:
    """README.md's "Who may do what" table: service -> kind -> allowed."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### Who may do what", 1)[1].split("\n## ", 1)[0]
    table: dict[str, dict[str, bool]] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 9 or not cells[0].startswith("`"):
            continue
        name = cells[0].strip("`")
        marks = cells[2:]
        table[name] = {kind: mark.startswith("yes") for kind, mark in zip(KINDS, marks, strict=True)}
    return table


@dataclass
class Practice:
    template: Path
    actors: dict[str, Any]
    ids: dict[str, Any]


def _first(s, query):  # type: ignore[no-untyped-def]
    value = s.scalar(query.limit(1))
    assert value is not None, str(query)
    return value


@pytest.fixture(scope="module")
def practice(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Practice:
    """The demo practice with the three extra kinds of user, everyone logged in."""
    from dentaldesk.services.practice.staff import UserForm, add_user

    path = tmp_path_factory.mktemp("permissions") / "practice.sqlite3"
    shutil.copyfile(demo_template, path)
    engine = make_engine(f"sqlite:///{path}")
    uow = UnitOfWork.for_engine(engine)
    owner = login(uow, "owner", "demo-owner", "ws-owner")
    add_user(uow, owner, UserForm("gone", "Gone Owner", Role.OWNER, None, password="gone-owner-pass"))
    add_user(uow, owner, UserForm("was_admin", "Was Admin", Role.ADMIN, None, password="was-admin-pass"))
    with uow:
        s = uow.session
        other = Office(office_code="OTHER", name="Other Dental")
        s.add(other)
        s.flush()
        boss = User(office_id=other.id, username="boss2", full_name="Other Owner", role=Role.OWNER, password_hash="-")
        s.add(boss)
        uow.commit()
    from dentaldesk.services.access.login import hash_password

    with uow:
        uow.session.scalar(select(User).where(User.username == "boss2")).password_hash = hash_password(
            "other-owner-pass"
        )
        uow.commit()
    actors = {
        "owner": owner,
        "admin": login(uow, "admin", "demo-admin", "ws-admin"),
        "dentist": login(uow, "dentist", "demo-dentist", "ws-dentist"),
        "front_desk": login(uow, "frontdesk", "demo-front", "ws-front"),
        "deactivated": login(uow, "gone", "gone-owner-pass", "ws-gone"),
        "demoted": login(uow, "was_admin", "was-admin-pass", "ws-demoted"),
        "other_office": login(uow, "boss2", "other-owner-pass", "ws-other"),
    }
    with uow:
        s = uow.session
        # Mid-session: after they logged in, one is deactivated and one demoted.
        s.scalar(select(User).where(User.username == "gone")).active = False
        s.scalar(select(User).where(User.username == "was_admin")).role = Role.FRONT_DESK
        office_id = owner.office_id
        draft = _first(
            s,
            select(TreatmentPlan)
            .where(TreatmentPlan.office_id == office_id, TreatmentPlan.status == PlanStatus.DRAFT)
            .where(select(PlanItem.id).where(PlanItem.plan_id == TreatmentPlan.id).exists())
            .order_by(TreatmentPlan.id),
        )
        items = s.scalars(select(PlanItem).where(PlanItem.plan_id == draft.id).order_by(PlanItem.id)).all()
        approved = _first(
            s,
            select(TreatmentPlan)
            .where(TreatmentPlan.office_id == office_id, TreatmentPlan.status == PlanStatus.APPROVED)
            .order_by(TreatmentPlan.id),
        )
        approved_item = _first(
            s, select(PlanItem).where(PlanItem.plan_id == approved.id, PlanItem.status == ItemStatus.PLANNED)
        )
        patient = s.get(Patient, draft.patient_id)
        charge = _first(
            s,
            select(LedgerTransaction)
            .where(LedgerTransaction.office_id == office_id, LedgerTransaction.kind == TransactionKind.CHARGE)
            .order_by(LedgerTransaction.id),
        )
        claim = _first(s, select(Claim).where(Claim.office_id == office_id, Claim.status == ClaimStatus.OPEN))
        ids = {
            "patient": patient.id,
            "account": patient.account_id,
            "account_number": s.get(Account, patient.account_id).account_number,
            "plan": draft.id,
            "plan_version": draft.version,
            "item": items[0].id,
            "item2": items[-1].id,
            "option": items[0].option_id,
            "approved": approved.id,
            "approved_version": approved.version,
            "approved_item": approved_item.id,
            "charge": charge.id,
            "charge_version": getattr(charge, "version", None),
            "charge_patient": charge.patient_id,
            "claim": claim.id,
            "coverage": _first(s, select(Coverage.id).order_by(Coverage.id)),
            "graphic": _first(
                s, select(ChartGraphic.id).where(ChartGraphic.removed_at.is_(None)).order_by(ChartGraphic.id)
            ),
            "code": _first(
                s, select(ProcedureCode).where(ProcedureCode.office_id == office_id, ProcedureCode.code == "D0120")
            ),
            "provider": _first(s, select(Provider.id).where(Provider.office_id == office_id).order_by(Provider.id)),
            "dental_plan": _first(
                s, select(DentalPlan.id).where(DentalPlan.office_id == office_id).order_by(DentalPlan.id)
            ),
            "dentist_user": _first(s, select(User.id).where(User.username == "dentist")),
        }
        ids["code_id"], ids["code_text"] = ids["code"].id, ids["code"].code
        ids["chart_code"] = _first(
            s,
            select(ProcedureCode.id).where(
                ProcedureCode.office_id == office_id,
                ProcedureCode.charts_graphic.is_(True),
                ProcedureCode.requires_surface.is_(False),
                ProcedureCode.code.like("D27%"),
            ),
        )
        del ids["code"]
        ids["backup_file"] = path  # the practice itself, as a backup to restore (the same users and sessions)
        # A preauthorization request sent for the draft's first item, waiting for the answer (CASE-2).
        request = Preauthorization(
            plan_id=draft.id,
            requested_on=clock.today(),
            benefit_year=clock.today().year,
            carrier="Table Carrier",
            plan_name="Table Plan",
            subscriber_name="Table Subscriber",
            status="sent",
            request_pdf=b"%PDF-1.4",
        )
        request.lines.append(PreauthorizationLine(plan_item_id=items[0].id, code="D0120", fee=items[0].fee or 0))
        s.add(request)
        s.flush()
        ids["preauth"], ids["preauth_line"] = request.id, request.lines[0].id
        uow.commit()
    engine.dispose()
    return Practice(path, actors, ids)


def _calls(ids: dict[str, Any], csv_file: Path) -> dict[str, Callable[[UnitOfWork, Any], object]]:
    """One call per service, with arguments naming this office's records."""
    import datetime as dt

    from dentaldesk.domain.terms import ApprovalMethod, Category, GraphicStatus
    from dentaldesk.services.access import audit_log
    from dentaldesk.services.chart import marks
    from dentaldesk.services.chart import queries as chart_q
    from dentaldesk.services.claims import filing
    from dentaldesk.services.claims import queries as claims_q
    from dentaldesk.services.ledger import aging, posting, transactions
    from dentaldesk.services.ledger import queries as ledger_q
    from dentaldesk.services.ledger.account_view import account_view
    from dentaldesk.services.patients import records, search
    from dentaldesk.services.plans import (
        acceptance,
        benefit_years,
        editing,
        followup,
        handout,
        options,
        preauth,
        reading,
        status,
    )
    from dentaldesk.services.plans import queries as plan_q
    from dentaldesk.services.plans.inputs import ItemInput, PlanChanges
    from dentaldesk.services.practice import (
        backups,
        code_admin,
        codes,
        dental_plans,
        mail,
        office,
        session,
        settings,
        staff,
    )

    today = clock.today()
    p, plan, item, item2 = ids["patient"], ids["plan"], ids["item"], ids["item2"]
    v = ids["plan_version"]

    def patient_form(u: UnitOfWork, a: Any) -> records.PatientForm:
        return records.PatientForm(first_name="Table", last_name="Test", birth_date="1980-01-01")

    def edit_patient(u: UnitOfWork, a: Any) -> object:
        form = records.PatientForm(first_name="Edited", last_name="Person", birth_date="1980-01-01")
        return records.edit_patient(u, a, p, form, today=today)

    return {
        "access.audit_log.search_audit": lambda u, a: audit_log.search_audit(u, a, p),
        "access.audit_log.audit_choices": lambda u, a: audit_log.audit_choices(u, a),
        "access.audit_log.verify_audit": lambda u, a: audit_log.verify_audit(u, a),
        "chart.queries.chart_marks": lambda u, a: chart_q.chart_marks(u, a, p),
        "chart.queries.patient_chart": lambda u, a: chart_q.patient_chart(u, a, p),
        "chart.queries.graphic_history": lambda u, a: chart_q.graphic_history(u, a, ids["charge"]),
        "chart.marks.chart_procedure": lambda u, a: marks.chart_procedure(
            u, a, p, ids["chart_code"], "3", "", GraphicStatus.EXISTING
        ),
        "chart.marks.remove_chart_graphic": lambda u, a: marks.remove_chart_graphic(u, a, ids["graphic"], "Wrong"),
        "chart.marks.rechart": lambda u, a: marks.rechart(u, a, ids["graphic"], "4", ""),
        "claims.queries.claimable_charges": lambda u, a: claims_q.claimable_charges(u, a, p),
        "claims.queries.open_claims": lambda u, a: claims_q.open_claims(u, a, ids["account"]),
        "claims.queries.claim_detail": lambda u, a: claims_q.claim_detail(u, a, ids["claim"]),
        "claims.queries.benefits_used_this_year": lambda u, a: claims_q.benefits_used_this_year(u, a, ids["coverage"]),
        "claims.queries.claim_candidates": lambda u, a: claims_q.claim_candidates(u, a, ids["account"]),
        "ledger.queries.account_ledger": lambda u, a: ledger_q.account_ledger(u, a, ids["account"]),
        "ledger.queries.account_facts": lambda u, a: ledger_q.account_facts(u, a, ids["account"]),
        "ledger.account_view.account_view": lambda u, a: account_view(u, a, ids["account"]),
        "ledger.posting.post_charge": lambda u, a: posting.post_charge(
            u, a, patient_id=p, procedure_code_id=ids["code_id"], fee="60.00", dos=today, today=today
        ),
        "ledger.posting.post_payment": lambda u, a: posting.post_payment(
            u, a, account_id=ids["account"], amount="10", paid_on=today, today=today
        ),
        "ledger.posting.post_adjustment": lambda u, a: posting.post_adjustment(
            u, a, account_id=ids["account"], amount="5", reason="Courtesy", adjusted_on=today, today=today
        ),
        "claims.filing.create_claim": lambda u, a: filing.create_claim(u, a, patient_id=p, today=today),
        "claims.filing.post_insurance_payment": lambda u, a: filing.post_insurance_payment(
            u, a, claim_id=ids["claim"], paid={}, paid_on=today, today=today
        ),
        "claims.filing.complete_claim": lambda u, a: filing.complete_claim(u, a, claim_id=ids["claim"], today=today),
        "ledger.aging.account_aging": lambda u, a: aging.account_aging(u, a, ids["account"], today),
        "ledger.aging.office_aging": lambda u, a: aging.office_aging(u, a, today),
        "ledger.transactions.transaction_context": lambda u, a: transactions.transaction_context(u, a, p),
        "ledger.transactions.posted_charge": lambda u, a: transactions.posted_charge(u, a, ids["charge"]),
        "ledger.transactions.post_transaction": lambda u, a: transactions.post_transaction(
            u,
            a,
            patient_id=p,
            procedure_code_id=ids["code_id"],
            fee="60.00",
            dos=today,
            production_provider_id=ids["provider"],
            today=today,
        ),
        "ledger.transactions.edit_posted_charge": lambda u, a: transactions.edit_posted_charge(
            u, a, ids["charge"], expected_version=ids["charge_version"] or 1, notes="checked", today=today
        ),
        "patients.search.search_patients": lambda u, a: search.search_patients(u, a, "a"),
        "patients.search.patient_header": lambda u, a: search.patient_header(u, a, p),
        "patients.search.start_lists": lambda u, a: search.start_lists(u, a, [p]),
        "practice.settings.load_general_settings": lambda u, a: settings.load_general_settings(u, a),
        "practice.settings.save_general_settings": lambda u, a: settings.save_general_settings(
            u, a, settings.load_general_settings(u, a)
        ),
        "practice.settings.fee_cell": lambda u, a: settings.fee_cell(u, a, ids["code_id"], 0),
        "practice.settings.fee_schedules": lambda u, a: settings.fee_schedules(u, a),
        "practice.settings.fee_grid": lambda u, a: settings.fee_grid(u, a, [0]),
        "practice.settings.set_fee": lambda u, a: settings.set_fee(u, a, ids["code_id"], 0, "61.00"),
        "practice.settings.name_fee_schedule": lambda u, a: settings.name_fee_schedule(u, a, 1, "Fee 1"),
        "practice.settings.preview_raise": lambda u, a: settings.preview_raise(u, a, 0, "3"),
        "practice.settings.raise_fee_schedule": lambda u, a: settings.raise_fee_schedule(u, a, 0, "3", []),
        "patients.records.form_choices": lambda u, a: records.form_choices(u, a),
        "patients.records.find_account": lambda u, a: records.find_account(u, a, ids["account_number"]),
        "patients.records.load_patient": lambda u, a: records.load_patient(u, a, p),
        "patients.records.add_patient": lambda u, a: records.add_patient(u, a, patient_form(u, a), today=today),
        "patients.records.edit_patient": edit_patient,
        "plans.editing.create_plan": lambda u, a: editing.create_plan(u, a, p, "Table test"),
        "plans.editing.add_item": lambda u, a: editing.add_item(
            u, a, plan, ItemInput(ids["code_text"], provider_id=ids["provider"]), expected_version=v
        ),
        "plans.editing.edit_item": lambda u, a: editing.edit_item(
            u, a, plan, item, ItemInput(ids["code_text"], provider_id=ids["provider"]), expected_version=v
        ),
        "plans.editing.remove_item": lambda u, a: editing.remove_item(u, a, plan, item, expected_version=v),
        "plans.editing.link_prerequisite": lambda u, a: editing.link_prerequisite(
            u, a, plan, item2, item, expected_version=v
        ),
        "plans.editing.unlink_prerequisite": lambda u, a: editing.unlink_prerequisite(
            u, a, plan, item2, item, expected_version=v
        ),
        "plans.editing.move_item_to_visit": lambda u, a: editing.move_item_to_visit(
            u, a, plan, item, 2, expected_version=v
        ),
        "plans.editing.save_draft": lambda u, a: editing.save_draft(u, a, plan, PlanChanges(), expected_version=v),
        "plans.options.compare_options": lambda u, a: options.compare_options(u, a, plan),
        "plans.options.add_option": lambda u, a: options.add_option(u, a, plan, "Bridge", expected_version=v),
        "plans.options.rename_option": lambda u, a: options.rename_option(
            u, a, plan, ids["option"], "Implant", expected_version=v
        ),
        "plans.options.remove_option": lambda u, a: options.remove_option(
            u, a, plan, ids["option"], expected_version=v
        ),
        "plans.reading.load_plan": lambda u, a: reading.load_plan(u, a, plan),
        "plans.reading.billing_summary_for_patient": lambda u, a: reading.billing_summary_for_patient(u, a, p),
        "plans.reading.quote_fee": lambda u, a: reading.quote_fee(u, a, p, ids["code_text"]),
        "plans.reading.item_form_facts": lambda u, a: reading.item_form_facts(u, a, p),
        "plans.status.approve": lambda u, a: status.approve(
            u, a, plan, expected_version=v, approver_name="Pat", method=ApprovalMethod.ON_PAPER
        ),
        "plans.status.record_approval": lambda u, a: status.record_approval(
            u, a, ids["approved"], expected_version=ids["approved_version"], approver_name="Pat", method="on_paper"
        ),
        "plans.status.complete_item": lambda u, a: status.complete_item(
            u, a, ids["approved"], ids["approved_item"], expected_version=ids["approved_version"], today=today
        ),
        "plans.status.cancel_plan": lambda u, a: status.cancel_plan(u, a, plan, "Moved away", expected_version=v),
        "plans.handout.load_handout": lambda u, a: handout.load_handout(u, a, plan, today=today),
        "plans.handout.record_handout": lambda u, a: handout.record_handout(
            u, a, plan, handout.HandoutDelivery.PRINTED
        ),
        "plans.queries.plan_summaries": lambda u, a: plan_q.plan_summaries(u, a, patient_id=p),
        "plans.followup.follow_up_list": lambda u, a: followup.follow_up_list(u, a, provider_id=ids["provider"]),
        "plans.followup.record_contact": lambda u, a: followup.record_contact(u, a, plan, "called", "Spoke to them"),
        "plans.acceptance.acceptance_report": lambda u, a: acceptance.acceptance_report(
            u, a, today - dt.timedelta(days=365), today
        ),
        "plans.preauth.preauth_requests": lambda u, a: preauth.preauth_requests(u, a, plan),
        "plans.preauth.preauth_pdf": lambda u, a: preauth.preauth_pdf(u, a, ids["preauth"]),
        "plans.preauth.send_preauthorization": lambda u, a: preauth.send_preauthorization(
            u, a, plan, expected_version=v, render=lambda request: b"%PDF-1.4"
        ),
        "plans.preauth.record_preauth_answer": lambda u, a: preauth.record_preauth_answer(
            u,
            a,
            ids["preauth"],
            today,
            {ids["preauth_line"]: preauth.AnswerInput("0", "0", "0")},
            expected_version=v,
        ),
        "plans.preauth.deny_preauthorization": lambda u, a: preauth.deny_preauthorization(
            u, a, ids["preauth"], today, expected_version=v
        ),
        "plans.benefit_years.benefit_year_split": lambda u, a: benefit_years.benefit_year_split(u, a, plan),
        "plans.benefit_years.set_benefit_year": lambda u, a: benefit_years.set_benefit_year(
            u, a, plan, [1], next_year=True, expected_version=v
        ),
        "practice.mail.mail_server_set": lambda u, a: mail.mail_server_set(u, a),
        "practice.mail.send_test_message": lambda u, a: mail.send_test_message(
            u, a, mail.MailServerForm("", "", "starttls", "", "")
        ),
        "practice.mail.email_handout": lambda u, a: mail.email_handout(
            u, a, plan, mail.HandoutMail("pat@example.com", "Your plan", "Attached.", b"%PDF-1.4", "plan.pdf")
        ),
        "practice.codes.import_codes": lambda u, a: codes.import_codes(u, a, csv_file),
        "practice.codes.copy_master_codes": lambda u, a: codes.copy_master_codes(u, a, ["D0150"]),
        "practice.codes.office_codes": lambda u, a: codes.office_codes(u, a),
        "practice.code_admin.load_code": lambda u, a: code_admin.load_code(u, a, ids["code_id"]),
        "practice.code_admin.add_code": lambda u, a: code_admin.add_code(
            u, a, code_admin.CodeForm("D9998", "Table code", "", Category.ADJUNCTIVE, "10")
        ),
        "practice.code_admin.edit_code": lambda u, a: code_admin.edit_code(
            u, a, ids["code_id"], code_admin.load_code(u, a, ids["code_id"])
        ),
        "practice.code_admin.set_code_active": lambda u, a: code_admin.set_code_active(u, a, ids["code_id"], True),
        "practice.code_admin.master_list": lambda u, a: code_admin.master_list(u, a),
        "practice.code_admin.preview_import": lambda u, a: code_admin.preview_import(u, a, csv_file),
        "practice.dental_plans.dental_plans": lambda u, a: dental_plans.dental_plans(u, a),
        "practice.dental_plans.load_dental_plan": lambda u, a: dental_plans.load_dental_plan(u, a, ids["dental_plan"]),
        "practice.dental_plans.save_dental_plan": lambda u, a: dental_plans.save_dental_plan(
            u, a, ids["dental_plan"], dental_plans.load_dental_plan(u, a, ids["dental_plan"])
        ),
        "practice.dental_plans.load_bluebook": lambda u, a: dental_plans.load_bluebook(u, a, ids["dental_plan"]),
        "practice.dental_plans.save_bluebook": lambda u, a: dental_plans.save_bluebook(
            u, a, ids["dental_plan"], dental_plans.load_bluebook(u, a, ids["dental_plan"])
        ),
        "practice.office.office_info": lambda u, a: office.office_info(u, a),
        "practice.session.session_start": lambda u, a: session.session_start(u, a, [p]),
        "practice.backups.backup_status": lambda u, a: backups.backup_status(u, a),
        "practice.backups.backup_age": lambda u, a: backups.backup_age(u, a),
        "practice.backups.back_up_now": lambda u, a: backups.back_up_now(u, a, to=csv_file.parent / "backups"),
        "practice.backups.automatic_backup": lambda u, a: backups.automatic_backup(u, a, at_close=True),
        "practice.backups.check_restore": lambda u, a: backups.check_restore(u, a, ids["backup_file"]),
        "practice.backups.restore_backup": lambda u, a: backups.restore_backup(u, a, ids["backup_file"]),
        "practice.staff.list_users": lambda u, a: staff.list_users(u, a),
        "practice.staff.add_user": lambda u, a: staff.add_user(
            u, a, staff.UserForm(f"new_{a.username}", "New Dentist", Role.DENTIST, None, password="new-dentist-pass")
        ),
        "practice.staff.update_user": lambda u, a: staff.update_user(
            u, a, ids["dentist_user"], staff.UserForm("dentist", "Dana Dentist", Role.DENTIST, None, True)
        ),
        "practice.staff.reset_password": lambda u, a: staff.reset_password(
            u, a, ids["dentist_user"], "fresh-dentist-pass"
        ),
        "practice.staff.list_providers": lambda u, a: staff.list_providers(u, a),
        "practice.staff.save_provider": lambda u, a: staff.save_provider(
            u, a, ids["provider"], staff.ProviderForm("Dr. Table", "DT", "dentist", "#1f6feb")
        ),
    }


def _all_services() -> dict[str, Any]:
    import importlib
    import pkgutil

    import dentaldesk.services as services

    for info in pkgutil.walk_packages(services.__path__, "dentaldesk.services."):
        importlib.import_module(info.name)
    return dict(ACTIONS)


def test_sec3_the_readme_table_names_every_service_and_matches_the_rights() -> None:
    """SEC-3: README's table lists each guarded service once, with its right's roles as written."""
    table, actions = readme_table(), _all_services()
    assert sorted(table) == sorted(actions)
    role_kind = {Role.OWNER: "owner", Role.ADMIN: "admin", Role.DENTIST: "dentist", Role.FRONT_DESK: "front_desk"}
    for name, action in actions.items():
        for role, kind in role_kind.items():
            assert table[name][kind] == action.right.allows(role), f"{name} / {kind}"
        assert table[name]["deactivated"] is False, name
        assert table[name]["demoted"] == table[name]["front_desk"], name
        assert table[name]["other_office"] == (table[name]["owner"] and not action.records), name


CELLS = [(name, kind) for name in sorted(readme_table()) for kind in KINDS]


@pytest.fixture(scope="module")
def outcomes(practice: Practice, tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], str]:
    """Run every action as every kind of user, each action on its own copy of the practice."""
    folder = tmp_path_factory.mktemp("cells")
    csv_file = folder / "codes.csv"
    csv_file.write_text("code,name,category\nD9997,Table import,adjunctive\n", encoding="utf-8")
    calls = _calls(practice.ids, csv_file)
    found: dict[tuple[str, str], str] = {}
    for name in sorted(readme_table()):
        copy = folder / f"{name}.sqlite3"
        shutil.copyfile(practice.template, copy)
        engine = make_engine(f"sqlite:///{copy}")
        for kind in RUN_ORDER:
            uow = UnitOfWork.for_engine(engine)
            try:
                calls[name](uow, practice.actors[kind])
            except PermissionDenied as exc:
                found[(name, kind)] = f"refused: {exc.message}"
            except DentalDeskError as exc:
                found[(name, kind)] = f"allowed (then {type(exc).__name__}: {exc.message})"
            except Exception as exc:
                found[(name, kind)] = f"UNTYPED {type(exc).__name__}: {exc}"
            else:
                found[(name, kind)] = "allowed"
        engine.dispose()
        copy.unlink()
    return found


@pytest.mark.parametrize(("action", "kind"), CELLS, ids=[f"{a}-{k}" for a, k in CELLS])
def test_sec3_permission_table_cell(action: str, kind: str, outcomes: dict[tuple[str, str], str]) -> None:
    """SEC-3 / TP-1: this service, called as this kind of user, is allowed or refused as README says."""
    outcome = outcomes[(action, kind)]
    assert not outcome.startswith("UNTYPED"), outcome
    expected = readme_table()[action][kind]
    assert outcome.startswith("allowed") == expected, outcome
    if kind == "deactivated":
        assert "deactivated" in outcome
    if kind == "other_office" and not expected and re.search(r"cannot|deactivated", outcome) is None:
        assert "another office" in outcome, outcome
