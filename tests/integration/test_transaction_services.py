"""The Patient Transactions dialog's services on the demo practice: facts read once, posting a
procedure with its chart mark and claim line, changing a posted charge (TX-*, DATA-1/2, SEC-2)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from decimal import Decimal

import pytest
from acting import staff
from sqlalchemy import func, select

from dentaldesk import clock
from dentaldesk.db.models import (
    Account,
    AuditEvent,
    BluebookEntry,
    ChartGraphic,
    Claim,
    ClaimLine,
    Coverage,
    LedgerTransaction,
    Patient,
    ProcedureCode,
    Provider,
)
from dentaldesk.domain.errors import ConflictError, RuleViolation, ValidationError
from dentaldesk.domain.terms import ClaimStatus, GraphicStatus, Icm, TransactionKind
from dentaldesk.services.access.login import login
from dentaldesk.services.claims.filing import create_claim
from dentaldesk.services.ledger.charge_facts import charge_facts, charge_terms, facts_for_charge
from dentaldesk.services.ledger.queries import account_balance_in
from dentaldesk.services.ledger.transactions import (
    edit_posted_charge,
    post_transaction,
    posted_charge,
    transaction_context,
)
from dentaldesk.services.practice.pricing import load_coverages
from dentaldesk.services.uow import UnitOfWork

TODAY = clock.today()


def _actor(uow: UnitOfWork, who: str = "frontdesk"):  # type: ignore[no-untyped-def]
    passwords = {"owner": "demo-owner", "frontdesk": "demo-front", "dentist": "demo-dentist"}
    return login(uow, who, passwords[who], "ws-test")


def _patient(uow: UnitOfWork, *, icm: Icm, covered: bool) -> int:
    with uow:
        s = uow.session
        has_coverage = select(Coverage.id).where(Coverage.patient_id == Patient.id).exists()
        return s.scalar(
            select(Patient.id)
            .join(Account, Account.id == Patient.account_id)
            .where(Account.icm == int(icm), has_coverage if covered else ~has_coverage)
            .order_by(Patient.id)
            .limit(1)
        )


def _code(uow: UnitOfWork, code: str) -> ProcedureCode:
    with uow:
        row = uow.session.scalar(select(ProcedureCode).where(ProcedureCode.code == code))
        uow.session.expunge(row)
        return row


def _provider(uow: UnitOfWork) -> int:
    with uow:
        return uow.session.scalar(select(Provider.id).where(Provider.active.is_(True)).order_by(Provider.id))


def _count(uow: UnitOfWork, model, *where) -> int:  # type: ignore[no-untyped-def]
    with uow:
        return uow.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _post(uow: UnitOfWork, actor, patient_id: int, code: str = "D2391", **extra):  # type: ignore[no-untyped-def]
    values = {"tooth": "3", "surfaces": "MO", "fee": "180.00", "dos": TODAY, "production_provider_id": _provider(uow)}
    values.update(extra)
    return post_transaction(uow, actor, patient_id=patient_id, procedure_code_id=_code(uow, code).id, **values)


def _open_claim(uow: UnitOfWork) -> tuple[int, int]:
    """(claim id, patient id) of a demo claim still open."""
    with uow:
        found = uow.session.execute(
            select(Claim.id, Claim.patient_id).where(Claim.status == ClaimStatus.OPEN).order_by(Claim.id).limit(1)
        ).one()
        return found.id, found.patient_id


# --- facts read once, the same rules as charge_facts


def test_ins1_ins7_load_coverages_reads_only_the_bluebook_entries_of_the_codes_asked(demo_uow: UnitOfWork) -> None:
    """INS-1/INS-5/INS-7: asked for some codes, each plan's bluebook (and its copays) holds just their
    entries, as in the whole bluebook; the rest of the coverage is the same; no codes, no entries."""
    with demo_uow:
        s = demo_uow.session
        patient = s.scalar(
            select(Coverage.patient_id)
            .join(BluebookEntry, BluebookEntry.dental_plan_id == Coverage.dental_plan_id)
            .where(BluebookEntry.code == "D2740")
            .order_by(Coverage.patient_id)
            .limit(1)
        )
        whole = load_coverages(s, patient)
        asked = load_coverages(s, patient, ["D2740", "D0120", "D0000"])
        none = load_coverages(s, patient, [])
    assert whole[0] is not None and len(whole[0].bluebook) > 3
    for full, part, empty in zip(whole, asked, none, strict=True):
        if full is None:
            assert part is None and empty is None
            continue
        wanted = {"D2740", "D0120"} & set(full.bluebook)
        assert part.bluebook == {code: full.bluebook[code] for code in wanted}
        assert part.copays == {code: c for code, c in full.copays.items() if code in wanted}
        assert empty.bluebook == {} and empty.copays == {}
        assert replace(part, bluebook={}, copays={}) == replace(full, bluebook={}, copays={})
    assert "D2740" in asked[0].bluebook


def test_tx_age4_facts_for_charge_agree_with_charge_facts_and_show_a_blank_aged_field(demo_uow) -> None:
    """TX-AGE-4/TX-INS-5: from terms read once, the same facts as charge_facts; ICM 2 shows Aged blank
    while posting ages the patient's portion from DOS and holds the insurance portion."""
    patient = _patient(demo_uow, icm=Icm.PATIENT_PORTION_AT_SERVICE, covered=True)
    code = _code(demo_uow, "D2391")
    with demo_uow:
        s = demo_uow.session
        direct = charge_facts(s, patient, s.get(ProcedureCode, code.id), Decimal("180.00"), TODAY)
        terms = charge_terms(s, patient)
    once = facts_for_charge(
        terms,
        code="D2391",
        category=code.category,
        code_insurable=True,
        code_taxable=False,
        fee=Decimal("180.00"),
        dos=TODAY,
    )
    assert once == direct
    assert once.insurable and once.estimate is not None and once.estimated_insurance > 0
    assert once.aged_field is None  # the field shows blank (TX-AGE-4)
    assert once.aged_date == TODAY and once.held_amount == once.estimated_insurance


def test_ins2_items_ahead_use_the_deductible_first(demo_uow) -> None:
    """INS-2: an item estimated after another that meets the deductible has no deductible of its own."""
    patient = _patient(demo_uow, icm=Icm.AFTER_INSURANCE, covered=True)
    code = _code(demo_uow, "D2391")
    with demo_uow:
        terms = charge_terms(demo_uow.session, patient)
    assert terms.primary is not None and terms.primary.deductible_left > 0
    alone = facts_for_charge(
        terms,
        code="D2391",
        category=code.category,
        code_insurable=True,
        code_taxable=False,
        fee=Decimal("180.00"),
        dos=TODAY,
    )
    from dentaldesk.domain.estimates import PlanLine

    first = PlanLine(1, "D2391", code.category, Decimal("500.00"), True, None, False, (1, 1, 1))
    after = facts_for_charge(
        terms,
        code="D2391",
        category=code.category,
        code_insurable=True,
        code_taxable=False,
        fee=Decimal("180.00"),
        dos=TODAY,
        plan_lines=[first],
        order=(1, 2, 2),
    )
    assert alone.estimate.deductible_primary > 0
    assert after.estimate.deductible_primary == 0


# --- posting a procedure from the dialog


def test_tp13_post_transaction_posts_the_charge_and_its_chart_mark_in_one_action(demo_uow) -> None:
    """TP-13/TX-CHART: the charge, its completed mark on the tooth and the audit land together."""
    actor = _actor(demo_uow)
    patient = _patient(demo_uow, icm=Icm.FULL_FEE_AT_SERVICE, covered=False)
    posted = _post(demo_uow, actor, patient, notes="Patient chose resin")
    assert posted.amount == Decimal("180.00") and posted.aged_date == TODAY  # TX-AGE-2
    with demo_uow:
        s = demo_uow.session
        tx = s.get(LedgerTransaction, posted.transaction_id)
        assert (tx.tooth, tx.surfaces, tx.notes, tx.kind) == ("3", "MO", "Patient chose resin", TransactionKind.CHARGE)
        mark = s.scalar(select(ChartGraphic).where(ChartGraphic.transaction_id == tx.id))
        assert mark is not None and mark.status is GraphicStatus.COMPLETED and mark.tooth == "3"
        actions = set(s.scalars(select(AuditEvent.action).where(AuditEvent.entity_id.in_([tx.id, mark.id]))))
    assert {"post_charge", "chart_procedure"} <= actions


def test_tx_ins2_posting_against_an_open_claim_adds_the_line_with_its_estimate(demo_uow) -> None:
    """TX-INS-2: the procedure posted against one of the patient's open claims is a line of it."""
    claim_id, patient = _open_claim(demo_uow)
    context = transaction_context(demo_uow, staff(demo_uow), patient)
    assert claim_id in [c.id for c in context.open_claims]
    before = _count(demo_uow, ClaimLine, ClaimLine.claim_id == claim_id)
    posted = _post(demo_uow, _actor(demo_uow), patient, claim_id=claim_id)
    view = posted_charge(demo_uow, staff(demo_uow), posted.transaction_id)
    code = _code(demo_uow, "D2391")
    expected = facts_for_charge(
        context.terms,
        code="D2391",
        category=code.category,
        code_insurable=True,
        code_taxable=False,
        fee=Decimal("180.00"),
        dos=TODAY,
    ).estimate
    # The demo claims are on the primary coverage: the line carries the primary plan's estimate.
    assert view.claim is not None and view.claim.claim_id == claim_id
    assert view.claim.estimated == expected.primary and view.claim.paid == 0
    assert _count(demo_uow, ClaimLine, ClaimLine.claim_id == claim_id) == before + 1
    assert _count(demo_uow, AuditEvent, AuditEvent.action == "add_to_claim", AuditEvent.entity_id == claim_id) == 1


def test_data1_a_refused_claim_leaves_nothing_posted(demo_uow) -> None:
    """DATA-1: another patient's claim is refused at Claim #; no charge, no mark, no line is left."""
    claim_id, claim_patient = _open_claim(demo_uow)
    other = _patient(demo_uow, icm=Icm.FULL_FEE_AT_SERVICE, covered=True)
    assert other != claim_patient
    rows = _count(demo_uow, LedgerTransaction)
    marks = _count(demo_uow, ChartGraphic)
    with pytest.raises(ValidationError) as refused:
        _post(demo_uow, _actor(demo_uow), other, claim_id=claim_id)
    assert refused.value.field == "claim"
    assert (_count(demo_uow, LedgerTransaction), _count(demo_uow, ChartGraphic)) == (rows, marks)


@pytest.mark.parametrize(
    ("extra", "field", "says"),
    [
        ({"dos": TODAY + dt.timedelta(days=1)}, "dos", "in the future"),  # TX-DOS-1
        ({"tooth": "33"}, "tooth", "1-32"),  # ID-1
        ({"surfaces": ""}, "surfaces", "needs its surfaces"),  # CODE-4
        ({"fee": "-5"}, "fee", "cannot be negative"),  # MONEY-2
        ({"aged_date": TODAY - dt.timedelta(days=3), "dos": TODAY}, "aged", "before the date of service"),  # TX-AGE-5
    ],
)
def test_tx_val1_post_transaction_refuses_bad_input_at_its_field(demo_uow, extra, field, says) -> None:
    """TX-VAL-1/TX-DOS-1/ID-1/CODE-4/MONEY-2/TX-AGE-5: the service refuses what the dialog refuses."""
    patient = _patient(demo_uow, icm=Icm.FULL_FEE_AT_SERVICE, covered=False)
    rows = _count(demo_uow, LedgerTransaction)
    with pytest.raises(ValidationError) as refused:
        _post(demo_uow, _actor(demo_uow), patient, **extra)
    assert refused.value.field == field and says in refused.value.message
    assert _count(demo_uow, LedgerTransaction) == rows


# --- changing a posted charge


def test_tx_age5_edit_posted_charge_changes_notes_and_aged_only_with_audit(demo_uow) -> None:
    """TX-AGE-5/SEC-2: notes and a future Aged date are saved and audited; money and balance stay."""
    actor = _actor(demo_uow)
    patient = _patient(demo_uow, icm=Icm.FULL_FEE_AT_SERVICE, covered=False)
    posted = _post(demo_uow, actor, patient)
    view = posted_charge(demo_uow, staff(demo_uow), posted.transaction_id)
    later = TODAY + dt.timedelta(days=30)
    edited = edit_posted_charge(
        demo_uow,
        actor,
        view.transaction_id,
        expected_version=view.version,
        notes="Call after 30 days",
        aged_date=later,
    )
    assert edited.changed == ("notes", "aged_date") and edited.version == view.version + 1
    after = posted_charge(demo_uow, staff(demo_uow), view.transaction_id)
    assert (after.notes, after.aged_date) == ("Call after 30 days", later)
    assert (after.fee, after.tax, after.dos) == (view.fee, view.tax, view.dos)
    with demo_uow:
        assert account_balance_in(demo_uow.session, view.account_id) == posted.balance
        event = demo_uow.session.execute(
            select(AuditEvent.before, AuditEvent.after).where(
                AuditEvent.action == "edit_posted_charge", AuditEvent.entity_id == view.transaction_id
            )
        ).one()
    assert json.loads(event.after)["aged_date"] == later.isoformat()
    assert json.loads(event.before)["aged_date"] == TODAY.isoformat()


def test_tx_age5_an_aged_date_before_the_dos_is_refused_and_nothing_changes(demo_uow) -> None:
    """TX-AGE-5/TX-VAL-1: Aged before DOS is refused at the Aged field; the charge stays as it was."""
    actor = _actor(demo_uow)
    patient = _patient(demo_uow, icm=Icm.FULL_FEE_AT_SERVICE, covered=False)
    view = posted_charge(demo_uow, staff(demo_uow), _post(demo_uow, actor, patient).transaction_id)
    with pytest.raises(ValidationError) as refused:
        edit_posted_charge(
            demo_uow,
            actor,
            view.transaction_id,
            expected_version=view.version,
            notes="x",
            aged_date=TODAY - dt.timedelta(days=1),
        )
    assert refused.value.field == "aged"
    assert posted_charge(demo_uow, staff(demo_uow), view.transaction_id) == view


def test_data2_a_posted_charge_changed_elsewhere_is_refused(demo_uow) -> None:
    """DATA-2: the second workstation's change of the same posted charge is refused, not merged."""
    actor = _actor(demo_uow)
    patient = _patient(demo_uow, icm=Icm.FULL_FEE_AT_SERVICE, covered=False)
    view = posted_charge(demo_uow, staff(demo_uow), _post(demo_uow, actor, patient).transaction_id)
    edit_posted_charge(demo_uow, actor, view.transaction_id, expected_version=view.version, notes="first")
    with pytest.raises(ConflictError):
        edit_posted_charge(demo_uow, actor, view.transaction_id, expected_version=view.version, notes="second")
    assert posted_charge(demo_uow, staff(demo_uow), view.transaction_id).notes == "first"


def test_tx_ins2_an_unclaimed_charge_goes_on_an_open_claim_and_a_claimed_one_is_not_moved(demo_uow) -> None:
    """TX-INS-2: a posted insurable charge on no claim can be put on an open claim, once."""
    actor = _actor(demo_uow)
    claim_id, patient = _open_claim(demo_uow)
    view = posted_charge(demo_uow, staff(demo_uow), _post(demo_uow, actor, patient).transaction_id)
    assert view.claim is None and view.insurable
    edited = edit_posted_charge(demo_uow, actor, view.transaction_id, expected_version=view.version, claim_id=claim_id)
    assert edited.changed == ("claim",)
    again = posted_charge(demo_uow, staff(demo_uow), view.transaction_id)
    assert again.claim is not None and again.claim.claim_id == claim_id
    second = _post(demo_uow, actor, patient, tooth="4")
    other = create_claim(demo_uow, actor, patient_id=patient, transaction_ids=[second.transaction_id])
    with pytest.raises(RuleViolation) as refused:
        edit_posted_charge(demo_uow, actor, view.transaction_id, expected_version=again.version, claim_id=other.id)
    assert "already on a claim" in refused.value.message
    assert posted_charge(demo_uow, staff(demo_uow), view.transaction_id).claim.claim_id == claim_id


def test_tx_age4_redating_an_icm2_charge_keeps_its_insurance_portion_held(demo_uow) -> None:
    """TX-AGE-4/TX-AGE-5: on ICM 2 the Aged date is the patient's part's: blank keeps it current, a
    date ages it again; the insurance part stays held whatever the Aged date."""
    actor = _actor(demo_uow)
    patient = _patient(demo_uow, icm=Icm.PATIENT_PORTION_AT_SERVICE, covered=True)
    view = posted_charge(demo_uow, staff(demo_uow), _post(demo_uow, actor, patient).transaction_id)
    assert view.aged_date == TODAY and view.held_amount == view.estimated_insurance > 0
    blank = edit_posted_charge(demo_uow, actor, view.transaction_id, expected_version=view.version, aged_date=None)
    held = posted_charge(demo_uow, staff(demo_uow), view.transaction_id)
    assert (held.aged_date, held.held_amount) == (None, view.held_amount)
    edit_posted_charge(demo_uow, actor, view.transaction_id, expected_version=blank.version, aged_date=TODAY)
    again = posted_charge(demo_uow, staff(demo_uow), view.transaction_id)
    assert (again.aged_date, again.held_amount) == (TODAY, view.held_amount)


def test_ins5_demo_dmo_code_without_bluebook_entry_pays_fee_minus_the_plans_copay(demo_uow) -> None:
    """INS-5: on the demo's DMO plan a code with no bluebook entry is estimated as Fee 0 - the plan's copay."""
    from sqlalchemy import select

    from dentaldesk.db.models import BluebookEntry, Coverage, DentalPlan, ProcedureCode
    from dentaldesk.domain.estimates import EstimateInput, estimate_items
    from dentaldesk.domain.terms import EstimationType
    from dentaldesk.services.practice.pricing import load_coverages, quote_fee_in

    with demo_uow:
        s = demo_uow.session
        plan = s.scalar(select(DentalPlan).where(DentalPlan.estimation_type == EstimationType.DMO))
        patient_id = s.scalar(
            select(Coverage.patient_id).where(Coverage.dental_plan_id == plan.id, Coverage.rank == "primary")
        )
        listed = set(s.scalars(select(BluebookEntry.code).where(BluebookEntry.dental_plan_id == plan.id)))
        code = s.scalars(
            select(ProcedureCode).where(ProcedureCode.insurable.is_(True), ProcedureCode.code.not_in(listed))
        ).first()
        quote = quote_fee_in(s, patient_id, code.code)
        [item] = estimate_items(
            [EstimateInput(key=1, code=code.code, category=code.category, fee=quote.fee)],
            *load_coverages(s, patient_id, {code.code}),
        )
        copay = plan.default_copay
    assert copay > 0
    assert quote.source.startswith("Fee 0")
    assert f"copay {copay:,.2f}" in item.explanation
