"""The practice the reliability tests run on, built through the services, and its ids as JSON.

Built on conftest's SmallPractice and money_practice's MoneyPractice (codes with fees, the dental
plan "Acme Percentage"), plus, for the two-process races and the kill -9 loop:

* ``claim_patients``: patients with a primary coverage and one completed insurable charge each,
  split in two halves, one per worker, so both workers file claims at the same moment;
* ``plan_id``: an approved plan of many exams, for completing the same item from two workers;
* ``draft_id``: a draft plan with one item whose fee both workers raise.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Engine, select

from dentaldesk.db.models import Provider
from dentaldesk.domain.terms import ApprovalMethod
from dentaldesk.services.ledger.posting import post_charge
from dentaldesk.services.patients.records import CoverageForm, PatientForm, add_patient
from dentaldesk.services.plans import ItemInput, add_item, approve, create_plan
from dentaldesk.services.uow import UnitOfWork

OWNER = ("owner", "owner-pass-1")
FRONT = ("front", "front-pass-1")


@dataclass(frozen=True)
class Ids:
    office_id: int
    account_id: int
    patient_id: int
    provider_id: int
    dental_plan_id: int
    exam_code_id: int
    claim_patients: list[list[int]]
    plan_id: int
    plan_items: list[int]
    draft_id: int
    draft_item: int

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self)), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Ids:
        return cls(**json.loads(path.read_text(encoding="utf-8")))


def build(engine: Engine, *, claim_patients: int = 20, plan_items: int = 20) -> Ids:
    """The reliability practice in ``engine`` (an empty, migrated database)."""
    import datetime as dt

    from conftest import SmallPractice
    from money_practice import MoneyPractice

    from dentaldesk import clock

    money = MoneyPractice(SmallPractice(UnitOfWork.for_engine(engine)))
    uow, owner = money.uow, money.owner
    with uow.read():
        provider_id = uow.session.scalar(select(Provider.id))
    assert provider_id is not None
    today = clock.today()
    exam = money.code_ids["D0120"]
    halves: list[list[int]] = [[], []]
    for n in range(claim_patients):
        saved = add_patient(
            uow,
            owner,
            PatientForm(
                first_name=f"Claim{n}",
                last_name="Racer",
                birth_date="1980-01-01",
                primary=CoverageForm(dental_plan_id=money.plan_id, subscriber_name=f"Claim{n} Racer"),
                allow_duplicate=True,
            ),
        )
        post_charge(
            uow,
            owner,
            patient_id=saved.patient_id,
            procedure_code_id=exam,
            fee=Decimal("65.00"),
            dos=today - dt.timedelta(days=1),
            production_provider_id=provider_id,
        )
        halves[n % 2].append(saved.patient_id)

    plan = create_plan(uow, owner, money.patient_id, "Race: many exams")
    version, items = plan.version, []
    for _ in range(plan_items):
        added = add_item(
            uow, owner, plan.plan_id, ItemInput("D0120", provider_id=provider_id), expected_version=version
        )
        version = added.version
        assert added.item_id is not None
        items.append(added.item_id)
    approve(
        uow, owner, plan.plan_id, expected_version=version, approver_name="Anna Smith", method=ApprovalMethod.ON_PAPER
    )

    draft = create_plan(uow, owner, money.patient_id, "Race: one fee")
    added = add_item(
        uow,
        owner,
        draft.plan_id,
        ItemInput("D2391", provider_id=provider_id, fee="100.00"),
        expected_version=draft.version,
    )
    assert added.item_id is not None
    return Ids(
        office_id=money.base.office_id,
        account_id=money.account_id,
        patient_id=money.patient_id,
        provider_id=provider_id,
        dental_plan_id=money.plan_id,
        exam_code_id=exam,
        claim_patients=halves,
        plan_id=plan.plan_id,
        plan_items=items,
        draft_id=draft.plan_id,
        draft_item=added.item_id,
    )
