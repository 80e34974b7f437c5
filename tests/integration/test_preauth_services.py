"""Preauthorization (CASE-2) and benefit-year splits (CASE-5) through the services.

The money practice: "Acme Percentage" pays 80 % restorative, 50 % fixed prosthodontics, deductible
50.00 (met by nothing yet), annual maximum 1,500.00; Anna Smith is her own subscriber.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from decimal import Decimal

import pytest
from sqlalchemy import select

from dentaldesk.db.models import AuditEvent, Coverage, PlanEvent, PlanItem, Preauthorization, ProcedureCode
from dentaldesk.domain.errors import PermissionDenied, RuleViolation, ValidationError
from dentaldesk.printing.preauth import build_preauth_pdf
from dentaldesk.services.plans import ItemInput, add_item, billing_summary_for_patient, create_plan, edit_item
from dentaldesk.services.plans.benefit_years import benefit_year_split, saving_text, set_benefit_year
from dentaldesk.services.plans.estimate import plan_estimate_in
from dentaldesk.services.plans.handout import load_handout
from dentaldesk.services.plans.preauth import (
    AnswerInput,
    deny_preauthorization,
    preauth_pdf,
    preauth_requests,
    record_preauth_answer,
    send_preauthorization,
)

D = Decimal
TODAY = dt.date(2026, 5, 12)


def crown_plan(money, items=(("D2391", "30", "180.00"), ("D2740", "14", "1350.00"))) -> tuple[int, int, list[int]]:
    saved = create_plan(money.uow, money.owner, money.patient_id, "Crowns")
    version, ids = saved.version, []
    for code, tooth, fee in items:
        added = add_item(
            money.uow,
            money.owner,
            saved.plan_id,
            ItemInput(code=code, tooth=tooth, fee=D(fee)),
            expected_version=version,
        )
        version = added.version
        ids.append(added.item_id)
    return saved.plan_id, version, ids


def provider_of(money) -> int:
    from dentaldesk.db.models import Provider

    with money.uow.read():
        return money.uow.session.scalar(select(Provider.id).order_by(Provider.id))


def approve_all(money, plan_id: int, items: list[int], version: int) -> int:
    """Give the items their provider and record the patient's approval on paper (TP-5, TP-15)."""
    from dentaldesk.domain.terms import ApprovalMethod
    from dentaldesk.services.plans import approve

    provider = provider_of(money)
    with money.uow.read():
        rows = {
            i: (r.code, r.tooth, r.fee)
            for i in items
            for r in [
                money.uow.session.execute(
                    select(ProcedureCode.code, PlanItem.tooth, PlanItem.fee)
                    .join(ProcedureCode, ProcedureCode.id == PlanItem.procedure_code_id)
                    .where(PlanItem.id == i)
                ).one()
            ]
        }
    for item_id, (code, tooth, fee) in rows.items():
        version = edit_item(
            money.uow,
            money.owner,
            plan_id,
            item_id,
            ItemInput(code=code, tooth=tooth or "", fee=fee, provider_id=provider),
            expected_version=version,
        ).version
    return approve(
        money.uow,
        money.front_desk,
        plan_id,
        expected_version=version,
        approver_name="Anna Smith",
        method=ApprovalMethod.ON_PAPER,
    ).version


def figures(money, plan_id):
    with money.uow.read():
        return plan_estimate_in(money.uow.session, plan_id)


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "request.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_case2_send_prints_a_numbered_dated_request_kept_with_the_plan(money, tmp_path) -> None:
    """CASE-2: the request lists subscriber, carrier, items, teeth and fees, numbered and dated; the PDF is kept."""
    plan_id, version, _ = crown_plan(money)
    sent = send_preauthorization(
        money.uow, money.front_desk, plan_id, expected_version=version, render=build_preauth_pdf
    )
    r = sent.request
    assert r.number == f"PA-{r.id:06d}" and r.requested_on == TODAY and r.status == "sent"
    assert (r.carrier, r.subscriber_name, r.benefit_year) == ("Acme Dental", "Anna Smith", 2026)
    assert [(line.code, line.tooth, line.fee) for line in r.lines] == [
        ("D2391", "30", D("180.00")),
        ("D2740", "14", D("1350.00")),
    ]
    assert sent.plan_version > version
    assert preauth_pdf(money.uow, money.front_desk, r.id) == sent.pdf
    text = pdf_text(sent.pdf, tmp_path)
    for expected in (r.number, "May 12, 2026", "Anna Smith", "Acme Dental", "D2740", "1,350.00", "1,530.00"):
        assert expected in text, expected
    with money.uow.read():
        events = money.uow.session.scalars(select(PlanEvent.detail).where(PlanEvent.plan_id == plan_id)).all()
        assert any(r.number in e and "Acme Dental" in e for e in events)
        assert money.uow.session.scalar(select(AuditEvent).where(AuditEvent.action == "send_preauthorization"))


def test_case2_the_answer_replaces_the_engine_everywhere_until_the_item_changes(money) -> None:
    """CASE-2, INS-9: the carrier's figures in the plan estimate, the handout and the billing summary,
    marked preauthorized, until the crown's fee changes."""
    plan_id, version, (filling, crown) = crown_plan(money)
    before = figures(money, plan_id)
    assert before.of(crown).insurance == D("675.00")  # 50 % of 1,350 (the filling met the deductible)
    sent = send_preauthorization(
        money.uow, money.front_desk, plan_id, expected_version=version, render=build_preauth_pdf
    )
    lines = {line.code: line.line_id for line in sent.request.lines}
    answered = record_preauth_answer(
        money.uow,
        money.front_desk,
        sent.request.id,
        dt.date(2026, 5, 12),
        {lines["D2391"]: AnswerInput("180", "104", "50"), lines["D2740"]: AnswerInput("1,200.00", "600", "0")},
        expected_version=sent.plan_version,
    )
    assert answered.request.status == "answered"
    now = figures(money, plan_id)
    crown_figures = now.of(crown)
    assert (crown_figures.insurance, crown_figures.patient) == (D("600.00"), D("750.00"))
    assert crown_figures.preauthorized == f"preauthorized {sent.request.number}"
    assert "preauthorized by Acme Dental" in crown_figures.explanation
    assert now.of(filling).insurance == D("104.00")
    handout = load_handout(money.uow, money.front_desk, plan_id)
    printed = {item.code: item for item in handout.items}
    assert printed["D2740"].insurance == D("600.00")
    assert printed["D2740"].mark == f"Preauthorized {sent.request.number}"
    version = approve_all(money, plan_id, [filling, crown], answered.plan_version)
    billing = billing_summary_for_patient(money.uow, money.front_desk, money.patient_id)
    assert billing.estimated_insurance == D("704.00") and billing.preauthorized_insurance == D("704.00")

    edit_item(
        money.uow,
        money.owner,
        plan_id,
        crown,
        ItemInput(code="D2740", tooth="14", fee=D("1400.00"), provider_id=provider_of(money)),
        expected_version=version,
    )
    changed = figures(money, plan_id).of(crown)
    assert changed.preauthorized == "" and changed.insurance == D("700.00")


def test_case2_bad_answers_are_refused_at_their_field_and_nothing_recorded(money) -> None:
    """CASE-2 bad input: more than the fee, a negative amount, a date before the request."""
    plan_id, version, _ = crown_plan(money, (("D2740", "14", "1350.00"),))
    sent = send_preauthorization(
        money.uow, money.front_desk, plan_id, expected_version=version, render=build_preauth_pdf
    )
    line = sent.request.lines[0].line_id
    for answer, on, field in (
        (AnswerInput("1400", "0", "0"), TODAY, f"allowed:{line}"),
        (AnswerInput("1200", "-1", "0"), TODAY, f"pays:{line}"),
        (AnswerInput("1200", "600", "0"), TODAY - dt.timedelta(days=1), "answered_on"),
        (AnswerInput("1200", "600", "0"), TODAY + dt.timedelta(days=1), "answered_on"),
    ):
        with pytest.raises(ValidationError) as refused:
            record_preauth_answer(
                money.uow, money.front_desk, sent.request.id, on, {line: answer}, expected_version=sent.plan_version
            )
        assert refused.value.field == field
    assert preauth_requests(money.uow, money.front_desk, plan_id)[0].status == "sent"
    assert figures(money, plan_id).planned()[0].preauthorized == ""


def test_case2_a_denied_request_pays_nothing_and_cannot_be_answered_again(money) -> None:
    """CASE-2: "denied" as a whole: insurance 0 on its items, marked denied; answered once only."""
    plan_id, version, (crown,) = crown_plan(money, (("D2740", "14", "1350.00"),))
    sent = send_preauthorization(
        money.uow, money.front_desk, plan_id, expected_version=version, render=build_preauth_pdf
    )
    denied = deny_preauthorization(
        money.uow,
        money.front_desk,
        sent.request.id,
        TODAY,
        note="Not a covered benefit",
        expected_version=sent.plan_version,
    )
    got = figures(money, plan_id).of(crown)
    assert (got.insurance, got.patient) == (D("0.00"), D("1350.00"))
    assert "denied" in got.preauthorized
    with pytest.raises(RuleViolation):
        deny_preauthorization(money.uow, money.front_desk, sent.request.id, TODAY, expected_version=denied.plan_version)


def test_case2_no_coverage_or_nothing_insurable_is_refused(money) -> None:
    """CASE-2: a patient without insurance has no carrier to ask."""
    plan_id, version, _ = crown_plan(money, (("D9972", "", "300.00"),))
    with pytest.raises(RuleViolation, match="nothing to preauthorize"):
        send_preauthorization(money.uow, money.front_desk, plan_id, expected_version=version, render=build_preauth_pdf)
    with money.uow:
        money.uow.session.delete(money.uow.session.get(Coverage, money.coverage_id))
        money.uow.commit()
    with pytest.raises(RuleViolation, match="no dental insurance"):
        send_preauthorization(money.uow, money.front_desk, plan_id, expected_version=version, render=build_preauth_pdf)
    with money.uow.read():
        assert money.uow.session.scalar(select(Preauthorization.id)) is None


def test_case5_apply_the_split_and_every_estimate_follows(money) -> None:
    """CASE-5: 1,200 of the 1,500 used, the 50 deductible not met. This year: filling (180 - 50) x 80 %
    = 104, crown 675 capped at the 196 left: the patient pays 76 + 1,154 = 1,230. The crown alone in
    2027: (1,350 - 50) x 50 % = 650 -> 76 + 700 = 776. Both in 2027: the filling
    meets 2027's deductible, the crown gets its full 675: 76 + 675 = 751, a saving of 479. Applying it
    moves the estimate by exactly the saving shown; it can be put back."""
    with money.uow:
        money.uow.session.get(Coverage, money.coverage_id).benefits_used = D("1200.00")
        money.uow.commit()
    plan_id, version, (filling, crown) = crown_plan(money)
    version = set_visits(money, plan_id, {filling: 1, crown: 2}, version)
    before = figures(money, plan_id)
    split = benefit_year_split(money.uow, money.front_desk, plan_id).suggestion
    assert split is not None and split.visits == (1, 2) and split.items == ("D2391 #30", "D2740 #14")
    assert split.patient_before == before.patient == D("1230.00")
    assert split.patient_after == D("751.00") and split.saving == D("479.00")
    assert "a saving of 479.00" in saving_text(split)
    with pytest.raises(PermissionDenied):
        set_benefit_year(money.uow, money.front_desk, plan_id, split.visits, next_year=True, expected_version=version)
    saved = set_benefit_year(money.uow, money.owner, plan_id, split.visits, next_year=True, expected_version=version)
    after = figures(money, plan_id)
    assert before.patient - after.patient == split.saving
    assert after.of(crown).next_year and "next benefit year" in after.of(crown).explanation
    handout = load_handout(money.uow, money.front_desk, plan_id)
    assert {i.code: i.mark for i in handout.items}["D2740"] == "In the 2027 benefit year"
    years = benefit_year_split(money.uow, money.front_desk, plan_id)
    assert years.suggestion is None and years.moved_visits == (1, 2)
    set_benefit_year(money.uow, money.owner, plan_id, split.visits, next_year=False, expected_version=saved.version)
    assert figures(money, plan_id).patient == before.patient


def set_visits(money, plan_id, visits: dict[int, int], version: int) -> int:
    from dentaldesk.services.plans import move_item_to_visit

    for item_id, visit in visits.items():
        version = move_item_to_visit(money.uow, money.owner, plan_id, item_id, visit, expected_version=version).version
    return version


def test_case5_completing_a_next_year_item_today_counts_it_in_this_year(money) -> None:
    """CASE-5: a crown moved into 2027 is estimated at 650 there, but done today it is charged in
    2026 with what is left of this year's maximum (1,500 - 1,200 = 300)."""
    from dentaldesk.db.models import LedgerTransaction, Provider
    from dentaldesk.domain.terms import ApprovalMethod
    from dentaldesk.services.plans import approve, complete_item

    with money.uow:
        s = money.uow.session
        s.get(Coverage, money.coverage_id).benefits_used = D("1200.00")
        provider = s.scalar(select(Provider.id))
        money.uow.commit()
    saved = create_plan(money.uow, money.owner, money.patient_id, "Crown")
    crown = add_item(
        money.uow,
        money.owner,
        saved.plan_id,
        ItemInput(code="D2740", tooth="14", fee=D("1350.00"), provider_id=provider, visit=1),
        expected_version=saved.version,
    )
    version = set_benefit_year(
        money.uow, money.owner, saved.plan_id, (1,), next_year=True, expected_version=crown.version
    ).version
    assert figures(money, saved.plan_id).of(crown.item_id).insurance == D("650.00")
    version = approve(
        money.uow,
        money.front_desk,
        saved.plan_id,
        expected_version=version,
        approver_name="Anna Smith",
        method=ApprovalMethod.ON_PAPER,
    ).version
    complete_item(money.uow, money.owner, saved.plan_id, crown.item_id, expected_version=version, today=TODAY)
    with money.uow.read():
        charge = money.uow.session.scalar(
            select(LedgerTransaction).where(LedgerTransaction.plan_item_id == crown.item_id)
        )
        assert charge.dos == TODAY and charge.estimated_insurance == D("300.00")


def test_case2_two_workstations_answering_the_same_request_the_second_is_refused(money) -> None:
    """DATA-2: the second workstation's answer, made from a stale screen, is refused; the first stands."""
    from dentaldesk.domain.errors import ConflictError

    plan_id, version, (crown,) = crown_plan(money, (("D2740", "14", "1350.00"),))
    sent = send_preauthorization(
        money.uow, money.front_desk, plan_id, expected_version=version, render=build_preauth_pdf
    )
    line = sent.request.lines[0].line_id
    record_preauth_answer(
        money.uow,
        money.front_desk,
        sent.request.id,
        TODAY,
        {line: AnswerInput("1200", "600", "0")},
        expected_version=sent.plan_version,
    )
    with pytest.raises(ConflictError):
        deny_preauthorization(money.uow, money.owner, sent.request.id, TODAY, expected_version=sent.plan_version)
    assert figures(money, plan_id).of(crown).insurance == D("600.00")
