"""AGE-5 as a property: no action changes how money aged before the action's own date.

Random ledgers are built by random actions through the services, each on its own day (post a
charge, take a payment, post an adjustment, file a claim, post an insurance payment with or
without completing the claim), on accounts of every ICM with a PPO or a percentage plan. Before
and after each action the account's aging is asked as of every earlier day: it must not change,
and on every day the buckets add up to the balance (AGE-3).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
import tempfile
from decimal import Decimal
from pathlib import Path

from acting import staff
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from money_clinic import FIXED, Clinic, R
from sqlalchemy import select

from dentaldesk.db.engine import make_engine
from dentaldesk.db.models import Claim, LedgerTransaction
from dentaldesk.domain.aging import BUCKETS, age_ledger
from dentaldesk.domain.errors import DentalDeskError
from dentaldesk.domain.terms import ClaimStatus, EstimationType, Icm
from dentaldesk.services.claims.filing import claim_detail, create_claim, post_insurance_payment
from dentaldesk.services.ledger.aging import ledger_entry
from dentaldesk.services.ledger.posting import post_adjustment, post_charge, post_payment

START = dt.date(2026, 1, 5)
D = Decimal

CHARGES = st.tuples(st.just("charge"), st.sampled_from(["D0120", "D2391", "D2740", "D9972"]), st.integers(1, 1500))
ACTIONS = st.one_of(
    CHARGES,
    st.tuples(st.just("payment"), st.integers(1, 800)),
    st.tuples(st.just("adjustment"), st.integers(1, 300)),
    st.tuples(st.just("claim")),
    st.tuples(st.just("insurance"), st.integers(0, 100), st.booleans(), st.integers(0, 60)),
)


def _entries(clinic: Clinic) -> list:
    lt = LedgerTransaction
    with clinic.uow.read():
        rows = clinic.uow.session.execute(
            select(
                lt.id, lt.kind, lt.amount, lt.tax, lt.dos, lt.aged_date, lt.held_amount, lt.write_off, lt.released_on
            ).where(lt.account_id == clinic.account)
        ).all()
    return [ledger_entry(row) for row in rows]


def _aging_before(clinic: Clinic, day: dt.date) -> dict[dt.date, object]:
    """The account's buckets as of every day from START up to the day before ``day``."""
    entries = _entries(clinic)
    found = {}
    for n in range((day - START).days):
        as_of = START + dt.timedelta(days=n)
        buckets = age_ledger(entries, as_of)
        on_ledger = [e for e in entries if e.dos <= as_of]
        assert buckets.balance == sum((e.balance_effect for e in on_ledger), D(0))  # AGE-3
        assert all(buckets.amount_in(b) >= 0 for b in BUCKETS)
        found[as_of] = buckets
    return found


def _act(clinic: Clinic, action: tuple, day: dt.date) -> None:
    kind = action[0]
    if kind == "charge":
        _kind, code, dollars = action
        post_charge(
            clinic.uow,
            clinic.desk,
            patient_id=clinic.patient,
            procedure_code_id=clinic.code_ids[code],
            fee=D(dollars),
            dos=day,
            today=day,
            tooth="14" if code in ("D2740", "D2391") else None,
        )
    elif kind == "payment":
        post_payment(clinic.uow, clinic.desk, account_id=clinic.account, amount=D(action[1]), paid_on=day, today=day)
    elif kind == "adjustment":
        post_adjustment(
            clinic.uow,
            clinic.owner,
            account_id=clinic.account,
            amount=D(action[1]),
            reason="Courtesy",
            adjusted_on=day,
            today=day,
        )
    elif kind == "claim":
        create_claim(clinic.uow, clinic.desk, patient_id=clinic.patient, today=day)
    else:
        _kind, percent, final, extra_write_off = action
        with clinic.uow.read():
            claim_id = clinic.uow.session.scalar(
                select(Claim.id).where(Claim.status == ClaimStatus.OPEN).order_by(Claim.id).limit(1)
            )
        if claim_id is None:
            return
        lines = claim_detail(clinic.uow, clinic.desk, claim_id).lines
        paid = {line.line_id: (line.estimated * percent / 100).quantize(D("0.01")) for line in lines}
        write_offs = {line.line_id: line.estimated_write_off + extra_write_off for line in lines if extra_write_off}
        post_insurance_payment(
            clinic.uow,
            clinic.desk,
            claim_id=claim_id,
            paid=paid,
            write_offs=write_offs,
            paid_on=day,
            final=final,
            today=day,
        )


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    icm=st.sampled_from(list(Icm)),
    ppo=st.booleans(),
    charges=st.lists(st.tuples(CHARGES, st.integers(0, 25)), min_size=1, max_size=3),
    steps=st.lists(st.tuples(ACTIONS, st.integers(0, 25)), max_size=6),
    paid=st.tuples(st.just("insurance"), st.integers(0, 110), st.booleans(), st.integers(0, 60)),
    gaps=st.tuples(st.integers(0, 20), st.integers(1, 60)),
)
def test_age5_no_action_changes_the_aging_of_any_earlier_date(
    money_template, icm, ppo, charges, steps, paid, gaps
) -> None:
    """AGE-5 (property): after every action, the aging of every date before the action's own date is
    what it was before the action; AGE-3 holds on every date."""
    source, built = money_template
    folder = Path(tempfile.mkdtemp(prefix="age5-"))
    try:
        path = folder / "money.sqlite3"
        shutil.copyfile(source, path)
        engine = make_engine(f"sqlite:///{path}")
        clinic = Clinic(built.on(engine))
        staff(clinic.uow)
        if ppo:
            clinic.plan(
                "Acme PPO", EstimationType.PPO, {FIXED: 50, R: 80}, bluebook={"D2740": "900", "D2391": "150"}, icm=icm
            )
        else:
            clinic.plan(
                "Acme", EstimationType.PERCENTAGE, {FIXED: 50, R: 80}, deductible="50", annual_max="1500", icm=icm
            )
        day = START
        # Charges, their claim, anything at all, and the carrier's payment: every path of money.
        plan = [*charges, (("claim",), gaps[0]), *steps, (paid, gaps[1]), (("insurance", 100, True, 0), 5)]
        for action, gap in plan:
            day += dt.timedelta(days=gap)
            before = _aging_before(clinic, day)
            with contextlib.suppress(DentalDeskError):  # a refused action changes nothing either
                _act(clinic, action, day)
            assert _aging_before(clinic, day) == before, (action, day)
        engine.dispose()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
