"""The tooth chart's services: marks, Remove Chart Graphic, charting again (TX-CHART-1/2, ID-1/2)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from acting import staff
from chart_builders import ChartedPractice
from sqlalchemy import select

from dentaldesk import clock
from dentaldesk.db.models import AuditEvent, ChartGraphic, Claim, ClaimLine, LedgerTransaction
from dentaldesk.domain.errors import NotFound, PermissionDenied, RuleViolation, ValidationError
from dentaldesk.domain.terms import GraphicStatus, ToothNumbering
from dentaldesk.services.chart.marks import (
    chart_marks,
    chart_procedure,
    complete_item_marks_in,
    graphic_history,
    patient_chart,
    rechart,
    remove_chart_graphic,
    remove_item_marks_in,
)
from dentaldesk.services.ledger.queries import account_ledger


def _rows(uow, model, *where) -> list[dict]:  # type: ignore[no-untyped-def]
    """Every column of every matching row, as the database holds it."""
    with uow:
        table = model.__table__
        return [dict(r._mapping) for r in uow.session.execute(select(table).where(*where).order_by(table.c.id))]


def _money_state(c: ChartedPractice) -> dict:
    return {
        "ledger": _rows(c.uow, LedgerTransaction, LedgerTransaction.account_id == c.account_id),
        "claims": _rows(c.uow, Claim, Claim.account_id == c.account_id),
        "claim_lines": _rows(c.uow, ClaimLine, ClaimLine.claim_id == c.claim_id),
        "balance": account_ledger(c.uow, staff(c.uow), c.account_id)[-1].balance,
    }


def _audit(c: ChartedPractice, action: str) -> list[AuditEvent]:
    with c.uow:
        events = list(
            c.uow.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))
        )
        c.uow.session.expunge_all()
        return events


# -- TX-CHART-1 ----------------------------------------------------------------------------------


def test_tx_chart_1_removal_keeps_balance_transaction_and_claim_identical(charted: ChartedPractice) -> None:
    """TX-CHART-1: removing a claimed charge's mark leaves balance, transaction, claim link and claim as they were."""
    before = _money_state(charted)
    [tx] = [r for r in before["ledger"] if r["id"] == charted.transaction_id]
    assert tx["claim_id"] == charted.claim_id and tx["amount"] == 1200 and before["claim_lines"]
    remove_chart_graphic(charted.uow, charted.dentist, charted.crown_mark.id, "Charted on the wrong tooth")
    after = _money_state(charted)
    assert after == before


def test_tx_chart_1_removal_records_who_when_and_why(charted: ChartedPractice) -> None:
    """TX-CHART-1: the mark is flagged removed with the user, the time and the reason."""
    start = clock.now_utc() - dt.timedelta(seconds=2)
    mark = remove_chart_graphic(charted.uow, charted.dentist, charted.crown_mark.id, "  Implant failed  ")
    assert mark.removed and mark.removed_by == "Dana Dent" and mark.removal_reason == "Implant failed"
    assert mark.removed_at is not None and start <= mark.removed_at <= clock.now_utc()
    assert mark.transaction_id == charted.transaction_id and mark.tooth == "14"


def test_tx_chart_1_removal_is_in_the_audit_log_with_before_and_after(charted: ChartedPractice) -> None:
    """TX-CHART-1 / SEC-2: the audit log records the removal: user, workstation, before and after."""
    remove_chart_graphic(charted.uow, charted.dentist, charted.crown_mark.id, "Wrong tooth")
    [event] = _audit(charted, "remove_chart_graphic")
    assert (event.entity, event.entity_id) == ("chart_graphic", charted.crown_mark.id)
    assert (event.username, event.workstation) == ("dent", "op-1")
    before, after = json.loads(event.before), json.loads(event.after)
    assert before["removed_at"] is None and before["removal_reason"] == ""
    assert after["removed_at"] and after["removal_reason"] == "Wrong tooth" and after["code"] == "D2740"


def test_tx_chart_1_removed_mark_leaves_the_chart_but_not_the_history(charted: ChartedPractice) -> None:
    """TX-CHART-1: a removed mark is no longer a current mark, yet the patient's marks still list it."""
    remove_chart_graphic(charted.uow, charted.dentist, charted.crown_mark.id, "Wrong tooth")
    current = chart_marks(charted.uow, staff(charted.uow), charted.patient_id, include_removed=False)
    everything = patient_chart(charted.uow, staff(charted.uow), charted.patient_id).marks
    assert [m.id for m in current] == [charted.filling_mark.id]
    assert {m.id: m.removed for m in everything} == {charted.crown_mark.id: True, charted.filling_mark.id: False}


def test_tx_chart_1_removing_twice_is_refused(charted: ChartedPractice) -> None:
    """TX-CHART-1: an already removed mark cannot be removed again; the message says who removed it."""
    remove_chart_graphic(charted.uow, charted.dentist, charted.crown_mark.id, "Wrong tooth")
    with pytest.raises(RuleViolation, match="already removed by Dana Dent"):
        remove_chart_graphic(charted.uow, charted.admin, charted.crown_mark.id, "Again")
    assert len(_audit(charted, "remove_chart_graphic")) == 1


def test_tx_chart_1_removal_needs_a_reason(charted: ChartedPractice) -> None:
    """TX-CHART-1: removing without a reason is refused at the Reason field and changes nothing."""
    with pytest.raises(ValidationError) as refused:
        remove_chart_graphic(charted.uow, charted.dentist, charted.crown_mark.id, "   ")
    assert refused.value.field == "reason"
    assert not chart_marks(charted.uow, staff(charted.uow), charted.patient_id)[0].removed


def test_tx_chart_1_removing_a_missing_mark_is_refused(charted: ChartedPractice) -> None:
    """TX-CHART-1: a mark that does not exist is reported as gone."""
    with pytest.raises(NotFound):
        remove_chart_graphic(charted.uow, charted.dentist, 9999, "Wrong tooth")


# -- TX-CHART-2 ----------------------------------------------------------------------------------


def test_tx_chart_2_rechart_on_another_tooth_makes_a_new_mark_and_history_shows_both(charted: ChartedPractice) -> None:
    """TX-CHART-2: charted again on tooth 15, the procedure has a new mark and keeps the removed one."""
    remove_chart_graphic(charted.uow, charted.dentist, charted.crown_mark.id, "Charted on the wrong tooth")
    new = rechart(charted.uow, charted.dentist, charted.crown_mark.id, "15", "")
    assert new.id != charted.crown_mark.id and not new.removed
    assert (new.tooth, new.code, new.status) == ("15", "D2740", GraphicStatus.COMPLETED)
    assert new.transaction_id == charted.transaction_id
    history = graphic_history(charted.uow, staff(charted.uow), transaction_id=charted.transaction_id)
    assert [(m.id, m.tooth, m.removed) for m in history] == [
        (charted.crown_mark.id, "14", True),
        (new.id, "15", False),
    ]
    [event] = _audit(charted, "rechart")
    assert json.loads(event.before)["tooth"] == "14" and json.loads(event.after)["tooth"] == "15"


def test_tx_chart_2_rechart_keeps_the_plan_item_link_and_the_money(charted: ChartedPractice) -> None:
    """TX-CHART-2: a planned filling moved to other surfaces stays linked to its plan item; money is untouched."""
    before = _money_state(charted)
    remove_chart_graphic(charted.uow, charted.dentist, charted.filling_mark.id, "Wrong surfaces")
    new = rechart(charted.uow, charted.dentist, charted.filling_mark.id, "3", "do")
    assert (new.surfaces, new.plan_item_id, new.status) == ("OD", charted.plan_item_id, GraphicStatus.PLANNED)
    assert [m.id for m in graphic_history(charted.uow, staff(charted.uow), plan_item_id=charted.plan_item_id)] == [
        charted.filling_mark.id,
        new.id,
    ]
    assert _money_state(charted) == before


def test_tx_chart_2_rechart_needs_the_mark_removed_first(charted: ChartedPractice) -> None:
    """TX-CHART-2: a mark still on the chart is not charted a second time."""
    with pytest.raises(RuleViolation, match="Remove the chart graphic first"):
        rechart(charted.uow, charted.dentist, charted.crown_mark.id, "15", "")


def test_tx_chart_2_a_procedure_is_charted_again_only_once(charted: ChartedPractice) -> None:
    """TX-CHART-2: re-charting the same removed mark twice would put the procedure on two teeth; refused."""
    remove_chart_graphic(charted.uow, charted.dentist, charted.crown_mark.id, "Wrong tooth")
    rechart(charted.uow, charted.dentist, charted.crown_mark.id, "15", "")
    with pytest.raises(RuleViolation, match="already charted again"):
        rechart(charted.uow, charted.dentist, charted.crown_mark.id, "13", "")


def test_tx_chart_2_history_needs_a_procedure(practice) -> None:
    """TX-CHART-2: asking for a history without naming the procedure is refused, not answered with everything."""
    with pytest.raises(ValidationError):
        graphic_history(practice.uow, practice.owner, None, None)


# -- bad input (ID-1, ID-2, CODE-1) --------------------------------------------------------------


def test_id_1_tooth_outside_universal_numbering_is_refused(charted: ChartedPractice) -> None:
    """ID-1: tooth 33 does not exist under Universal; the message names the valid range."""
    with pytest.raises(ValidationError, match="1-32 permanent, A-T primary") as refused:
        chart_procedure(
            charted.uow, charted.dentist, charted.patient_id, charted.code_ids["D2740"], "33", "", GraphicStatus.PLANNED
        )
    assert refused.value.field == "tooth"


def test_id_1_fdi_office_reads_the_tooth_in_fdi(charted: ChartedPractice) -> None:
    """ID-1: under FDI "36" is the lower left first molar (stored as Universal 19) and "3" is refused."""
    charted.set_numbering(ToothNumbering.FDI)
    mark = chart_procedure(
        charted.uow, charted.dentist, charted.patient_id, charted.code_ids["D7140"], "36", "", GraphicStatus.PLANNED
    )
    assert mark.tooth == "19"
    with pytest.raises(ValidationError, match="FDI numbering"):
        chart_procedure(
            charted.uow, charted.dentist, charted.patient_id, charted.code_ids["D7140"], "3", "", GraphicStatus.PLANNED
        )


def test_id_1_rechart_reads_the_tooth_in_the_office_numbering(charted: ChartedPractice) -> None:
    """ID-1 / TX-CHART-2: re-charting in an FDI office refuses a Universal number and takes an FDI one."""
    charted.set_numbering(ToothNumbering.FDI)
    remove_chart_graphic(charted.uow, charted.dentist, charted.crown_mark.id, "Wrong tooth")
    with pytest.raises(ValidationError, match="does not exist"):
        rechart(charted.uow, charted.dentist, charted.crown_mark.id, "9", "")
    assert rechart(charted.uow, charted.dentist, charted.crown_mark.id, "25", "").tooth == "13"


def test_id_2_surfaces_the_code_does_not_take_are_refused(charted: ChartedPractice) -> None:
    """ID-2 / CODE-1: a crown takes no surfaces, a filling needs them, and 'X' is no surface."""
    cases = [
        ("D2740", "MO", "takes no surfaces"),
        ("D2391", "", "needs its surfaces"),
        ("D2391", "MX", "not a surface"),
    ]
    for code, surfaces, message in cases:
        with pytest.raises(ValidationError, match=message) as refused:
            chart_procedure(
                charted.uow,
                charted.dentist,
                charted.patient_id,
                charted.code_ids[code],
                "30",
                surfaces,
                GraphicStatus.PLANNED,
            )
        assert refused.value.field == "surfaces"
    mark = chart_procedure(
        charted.uow, charted.dentist, charted.patient_id, charted.code_ids["D2391"], "30", "bom", GraphicStatus.EXISTING
    )
    assert mark.surfaces == "MOB"


def test_code_1_a_code_that_charts_no_graphic_is_refused(charted: ChartedPractice) -> None:
    """CODE-1: D0120 (Charts graphic off) leaves no mark on the chart."""
    with pytest.raises(ValidationError, match="does not chart a graphic"):
        chart_procedure(
            charted.uow,
            charted.dentist,
            charted.patient_id,
            charted.code_ids["D0120"],
            "3",
            "",
            GraphicStatus.COMPLETED,
        )


def test_code_4_a_chart_mark_needs_a_tooth(charted: ChartedPractice) -> None:
    """CODE-4: a code that requires a tooth is refused without one, at the Tooth field."""
    with pytest.raises(ValidationError) as refused:
        chart_procedure(
            charted.uow, charted.dentist, charted.patient_id, charted.code_ids["D3330"], " ", "", GraphicStatus.PLANNED
        )
    assert refused.value.field == "tooth"


def test_tx_chart_1_mark_links_only_to_the_patients_own_procedure(charted: ChartedPractice) -> None:
    """TX-CHART-1: a mark cannot point at another patient's transaction or another code's charge."""
    other = charted.patient_ids[1]
    with pytest.raises(NotFound):
        chart_procedure(
            charted.uow,
            charted.dentist,
            other,
            charted.code_ids["D2740"],
            "14",
            "",
            GraphicStatus.COMPLETED,
            transaction_id=charted.transaction_id,
        )
    with pytest.raises(ValidationError, match="own code"):
        chart_procedure(
            charted.uow,
            charted.dentist,
            charted.patient_id,
            charted.code_ids["D3330"],
            "14",
            "",
            GraphicStatus.COMPLETED,
            transaction_id=charted.transaction_id,
        )


# -- roles (CHART-ROLE, written in dentaldesk/services/chart/marks.py) ----------------------------------


def test_chart_role_front_desk_cannot_remove_chart_or_rechart(charted: ChartedPractice) -> None:
    """CHART-ROLE (TX-CHART-1, TP-1): the chart is clinical; front desk may not remove, chart or re-chart."""
    with pytest.raises(PermissionDenied, match="Front desk users cannot change the tooth chart"):
        remove_chart_graphic(charted.uow, charted.front_desk, charted.crown_mark.id, "Wrong tooth")
    with pytest.raises(PermissionDenied):
        chart_procedure(
            charted.uow,
            charted.front_desk,
            charted.patient_id,
            charted.code_ids["D2740"],
            "3",
            "",
            GraphicStatus.EXISTING,
        )
    with pytest.raises(PermissionDenied):
        rechart(charted.uow, charted.front_desk, charted.crown_mark.id, "15", "")
    assert [m.removed for m in chart_marks(charted.uow, staff(charted.uow), charted.patient_id)] == [False, False]
    assert _audit(charted, "remove_chart_graphic") == []


def test_chart_role_owner_admin_and_dentist_may_change_the_chart(charted: ChartedPractice) -> None:
    """CHART-ROLE: Owner, Admin and Dentist may chart and remove graphics."""
    for actor in (charted.owner, charted.admin, charted.dentist):
        mark = chart_procedure(
            charted.uow, actor, charted.patient_id, charted.code_ids["D1351"], "19", "", GraphicStatus.EXISTING
        )
        assert remove_chart_graphic(charted.uow, actor, mark.id, "Test").removed_by == actor.full_name


def test_sec_2_charting_is_audited(charted: ChartedPractice) -> None:
    """SEC-2: charting a procedure writes an audit event with the mark as it was created."""
    events = _audit(charted, "chart_procedure")
    assert [e.entity_id for e in events] == [charted.crown_mark.id, charted.filling_mark.id]
    after = json.loads(events[1].after)
    assert (after["tooth"], after["surfaces"], after["status"], after["code"]) == ("3", "MO", "planned", "D2391")


# -- marks follow the plan item (helpers for the plan editor's own actions) ---------------------


def test_tp_13_completing_an_item_turns_its_planned_mark_completed(charted: ChartedPractice) -> None:
    """TP-13: the completing action turns the item's planned mark completed and links the posted charge."""
    with charted.uow:
        assert (
            complete_item_marks_in(charted.uow.session, charted.dentist, charted.plan_item_id, charted.transaction_id)
            == 1
        )
        charted.uow.commit()
    mark = next(
        m for m in chart_marks(charted.uow, staff(charted.uow), charted.patient_id) if m.id == charted.filling_mark.id
    )
    assert (mark.status, mark.transaction_id) == (GraphicStatus.COMPLETED, charted.transaction_id)


def test_tp_12_removing_an_item_takes_its_planned_mark_off_the_chart(charted: ChartedPractice) -> None:
    """TP-12: an item taken out of a plan takes its planned mark off, kept in the history."""
    with charted.uow:
        assert (
            remove_item_marks_in(
                charted.uow.session, charted.dentist, charted.plan_item_id, "Item removed from the plan"
            )
            == 1
        )
        charted.uow.commit()
    with charted.uow:
        graphic = charted.uow.session.get(ChartGraphic, charted.filling_mark.id)
        assert graphic is not None and graphic.removed_at is not None
    assert [m.id for m in chart_marks(charted.uow, staff(charted.uow), charted.patient_id, include_removed=False)] == [
        charted.crown_mark.id
    ]


# -- on the demo practice ------------------------------------------------------------------------


def test_tx_chart_1_on_the_demo_practice_a_claimed_charge_keeps_its_money(demo_uow) -> None:  # type: ignore[no-untyped-def]
    """TX-CHART-1: on the demo practice, removing the mark of a claimed charge leaves ledger, claim and balance identical."""
    from dentaldesk.db.models import Patient
    from dentaldesk.services.access.login import login

    with demo_uow:
        found = demo_uow.session.execute(
            select(ChartGraphic.id, LedgerTransaction.claim_id, Patient.account_id)
            .join(LedgerTransaction, LedgerTransaction.id == ChartGraphic.transaction_id)
            .join(Patient, Patient.id == ChartGraphic.patient_id)
            .where(LedgerTransaction.claim_id.is_not(None), ChartGraphic.removed_at.is_(None))
            .order_by(ChartGraphic.id)
            .limit(1)
        ).one()
    graphic_id, claim_id, account_id = found
    dentist = login(demo_uow, "dentist", "demo-dentist", "ws")

    def state() -> dict:
        return {
            "ledger": _rows(demo_uow, LedgerTransaction, LedgerTransaction.account_id == account_id),
            "claims": _rows(demo_uow, Claim, Claim.account_id == account_id),
            "claim_lines": _rows(demo_uow, ClaimLine, ClaimLine.claim_id == claim_id),
            "balance": account_ledger(demo_uow, staff(demo_uow), account_id)[-1].balance,
        }

    before = state()
    mark = remove_chart_graphic(demo_uow, dentist, graphic_id, "Charted on the wrong tooth")
    assert mark.removed and mark.removed_by and state() == before
