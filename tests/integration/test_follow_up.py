"""Follow-up (CASE-3) and the acceptance report (CASE-6) through the services, on a fixed clock."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from case_practice import CaseDesk
from sqlalchemy import func, select

from dentaldesk.db.models import AuditEvent, PlanContact, PlanEvent
from dentaldesk.domain.errors import PermissionDenied, RuleViolation, ValidationError
from dentaldesk.domain.followup import ContactKind
from dentaldesk.domain.terms import PlanStatus
from dentaldesk.services.plans import cancel_plan, load_plan
from dentaldesk.services.plans.acceptance import acceptance_report
from dentaldesk.services.plans.followup import follow_up_list, record_contact

TODAY = dt.date(2026, 5, 12)  # the suite's fixed day (tests/conftest.py)


@pytest.fixture
def waiting(case_desk: CaseDesk) -> dict[str, int]:
    """Four plans at four stages, and one that waits for nothing."""
    d = case_desk
    return {
        # approved 40 days ago, one of two items done: waits for treatment
        "approved": d.plan(
            0,
            "Crowns",
            [("D2740", "14", "1200.00"), ("D2740", "3", "1100.00")],
            approved=dt.date(2026, 4, 2),
            done=1,
        ),
        # printed 20 days ago, never approved: waits for approval
        "presented": d.plan(1, "Implant", [("D6010", "19", "2400.00")], presented=dt.date(2026, 4, 22)),
        # printed 60 days ago, cleaning by the hygienist: the oldest
        "cleaning": d.plan(
            2, "Cleaning", [("D1110", "", "95.00")], provider=d.hygienist, presented=dt.date(2026, 3, 13)
        ),
        # a draft nobody printed: not presented, not listed
        "draft": d.plan(3, "Ideas", [("D2391", "30", "180.00")]),
        # approved and fully done: nothing left to follow up
        "finished": d.plan(4, "Exam", [("D0120", "", "60.00")], approved=dt.date(2026, 4, 1), done=1),
    }


def test_case3_lists_approved_unfinished_and_presented_plans_oldest_first(case_desk, waiting) -> None:
    """CASE-3: approved plans with work left and presented drafts, oldest first, with phone, amounts, days."""
    rows = follow_up_list(case_desk.uow, case_desk.front)
    assert [r.plan_id for r in rows] == [waiting["cleaning"], waiting["approved"], waiting["presented"]]
    cleaning, crowns, implant = rows
    assert (cleaning.since, cleaning.days_waiting, cleaning.status_text) == (
        dt.date(2026, 3, 13),
        60,
        "Presented, not approved",
    )
    assert cleaning.phone == "555-0102"
    assert (crowns.total, crowns.open_fee, crowns.open_items, crowns.days_waiting) == (
        Decimal("2300.00"),
        Decimal("1100.00"),
        1,
        40,
    )
    assert crowns.waiting_for == "treatment" and implant.waiting_for == "approval"
    assert implant.providers == ("Dr. Dana Dent",) and cleaning.providers == ("Dr. Hana Hygiene",)
    assert all(r.last_contact is None for r in rows)


def test_case3_filters_by_provider_and_amount(case_desk, waiting) -> None:
    """CASE-3: the provider with work still to do on the plan; the amount still to do at least the one typed."""
    by_hygienist = follow_up_list(case_desk.uow, case_desk.front, provider_id=case_desk.hygienist)
    assert [r.plan_id for r in by_hygienist] == [waiting["cleaning"]]
    over_1000 = follow_up_list(case_desk.uow, case_desk.front, min_amount=Decimal("1100.00"))
    assert [r.plan_id for r in over_1000] == [waiting["approved"], waiting["presented"]]


def test_case3_a_contact_note_is_kept_with_the_plan_its_history_and_the_audit(case_desk, waiting) -> None:
    """CASE-3: a contact recorded by the front desk is the row's last contact and a line of the plan's history."""
    plan_id = waiting["presented"]
    version = load_plan(case_desk.uow, case_desk.owner, plan_id).version
    record_contact(case_desk.uow, case_desk.front, plan_id, ContactKind.LEFT_MESSAGE, "Voicemail, mobile")
    record_contact(
        case_desk.uow,
        case_desk.front,
        plan_id,
        ContactKind.WILL_CALL_BACK,
        "After payday",
        call_back_on=dt.date(2026, 5, 20),
    )
    row = next(r for r in follow_up_list(case_desk.uow, case_desk.front) if r.plan_id == plan_id)
    assert row.last_contact is not None
    assert row.last_contact.summary == "Will call back on 2026-05-20: After payday"
    assert row.last_contact.by == "Fran Front"
    view = load_plan(case_desk.uow, case_desk.owner, plan_id)
    assert view.version == version  # the plan did not change: an open editor stays current
    details = [h.detail for h in view.history]
    assert "Contact: Left a message: Voicemail, mobile" in details
    assert "Contact: Will call back on 2026-05-20: After payday" in details
    with case_desk.uow:
        s = case_desk.uow.session
        assert s.scalar(select(func.count()).select_from(PlanContact)) == 2
        assert s.scalar(select(func.count()).where(AuditEvent.action == "record_contact")) == 2


@pytest.mark.parametrize(
    ("kind", "note", "call_back", "field"),
    [
        (ContactKind.DECLINED, "  ", None, "note"),
        (ContactKind.WILL_CALL_BACK, "", None, "call_back_on"),
        (ContactKind.WILL_CALL_BACK, "", dt.date(2026, 5, 1), "call_back_on"),
        ("phoned", "", None, "kind"),
    ],
)
def test_case3_a_bad_contact_note_is_refused_at_its_field_and_nothing_is_written(
    case_desk, waiting, kind, note, call_back, field
) -> None:
    """CASE-3: a decline names its reason, a call back names a day from today on; refusals write nothing."""
    with pytest.raises(ValidationError) as refused:
        record_contact(case_desk.uow, case_desk.front, waiting["presented"], kind, note, call_back_on=call_back)
    assert refused.value.field == field
    with case_desk.uow:
        s = case_desk.uow.session
        assert s.scalar(select(func.count()).select_from(PlanContact)) == 0
        assert s.scalar(select(func.count()).where(PlanEvent.action == "contact")) == 0


def test_case3_declined_then_cancelled_with_the_reason_leaves_the_list(case_desk, waiting) -> None:
    """CASE-3: the desk records the decline; a plan editor cancels with that reason (TP-1) and it leaves the list."""
    plan_id = waiting["presented"]
    record_contact(case_desk.uow, case_desk.front, plan_id, ContactKind.DECLINED, "Cost; maybe next year")
    version = load_plan(case_desk.uow, case_desk.owner, plan_id).version
    with pytest.raises(PermissionDenied):
        cancel_plan(case_desk.uow, case_desk.front, plan_id, "Declined: Cost", expected_version=version)
    cancel_plan(case_desk.uow, case_desk.owner, plan_id, "Declined: Cost; maybe next year", expected_version=version)
    assert plan_id not in [r.plan_id for r in follow_up_list(case_desk.uow, case_desk.front)]
    assert load_plan(case_desk.uow, case_desk.owner, plan_id).status is PlanStatus.CANCELLED
    with pytest.raises(RuleViolation):
        record_contact(case_desk.uow, case_desk.front, plan_id, ContactKind.CALLED, "")


def test_case6_acceptance_counts_presented_and_accepted_per_provider_and_month(case_desk, waiting) -> None:
    """CASE-6: each plan once, in the month first presented, under its provider; accepted = approved."""
    report = acceptance_report(case_desk.uow, case_desk.front, dt.date(2026, 3, 1), dt.date(2026, 5, 31))
    table = {
        (r.month, r.provider): (r.presented, r.presented_amount, r.accepted, r.accepted_amount) for r in report.rows
    }
    assert table == {
        ("2026-03", "Dr. Hana Hygiene"): (1, Decimal("95.00"), 0, Decimal("0.00")),
        ("2026-04", "Dr. Dana Dent"): (3, Decimal("4760.00"), 2, Decimal("2360.00")),
    }
    assert (report.total.presented, report.total.accepted, report.total.rate) == (4, 2, Decimal("50.0"))
    april = acceptance_report(case_desk.uow, case_desk.front, dt.date(2026, 4, 1), dt.date(2026, 4, 1))
    assert april.total.presented == 1 and april.total.accepted == 1  # the exam, presented and approved that day


def test_case6_a_period_that_ends_before_it_starts_is_refused_at_the_end_field(case_desk) -> None:
    """CASE-6: the last day may not come before the first."""
    with pytest.raises(ValidationError) as refused:
        acceptance_report(case_desk.uow, case_desk.front, dt.date(2026, 5, 1), dt.date(2026, 4, 1))
    assert refused.value.field == "end"
