"""Plans at the stages case presentation follows (CASE-3, CASE-6): presented on a day, approved on a
day, partly done, with a second provider; built through the services on the small practice."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from dentaldesk import clock
from dentaldesk.db.models import Patient, Provider
from dentaldesk.domain.terms import ApprovalMethod
from dentaldesk.services.plans import ItemInput, add_item, approve, complete_item, create_plan, load_plan
from dentaldesk.services.plans.handout import HandoutDelivery, record_handout
from dentaldesk.services.practice.codes import copy_master_codes

CODES = ["D0120", "D1110", "D2391", "D2740", "D2950", "D6010", "D7140"]


def noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12, 0), tzinfo=dt.UTC)


class CaseDesk:
    """The small practice with codes, two providers and phone numbers."""

    def __init__(self, practice) -> None:  # type: ignore[no-untyped-def]
        self.p = practice
        self.uow = practice.uow
        self.owner = practice.owner
        self.front = practice.front_desk
        copy_master_codes(self.uow, self.owner, CODES)
        with self.uow:
            s = self.uow.session
            s.add(Provider(office_id=practice.office_id, name="Dr. Hana Hygiene", short_name="HH", kind="hygienist"))
            for n, patient_id in enumerate(practice.patient_ids):
                s.execute(update(Patient).where(Patient.id == patient_id).values(phone=f"555-010{n}"))
            self.uow.commit()
        with self.uow:
            self.dentist, self.hygienist = self.uow.session.scalars(select(Provider.id).order_by(Provider.id)).all()[:2]

    def plan(
        self,
        patient: int,
        title: str,
        items: list[tuple[str, str, str]],
        *,
        provider: int | None = None,
        presented: dt.date | None = None,
        approved: dt.date | None = None,
        done: int = 0,
    ) -> int:
        """A plan of ``items`` (code, tooth, fee) for patient number ``patient`` (0-based), handed out
        on ``presented``, approved on ``approved`` (on paper), its first ``done`` items completed."""
        start = presented or approved or clock.today()
        with clock.clock_at(noon(start)):
            saved = create_plan(self.uow, self.owner, self.p.patient_ids[patient], title)
            version = saved.version
            for code, tooth, fee in items:
                added = add_item(
                    self.uow,
                    self.owner,
                    saved.plan_id,
                    ItemInput(code=code, tooth=tooth, provider_id=provider or self.dentist, fee=Decimal(fee)),
                    expected_version=version,
                )
                version = added.version
            if presented is not None:
                record_handout(self.uow, self.front, saved.plan_id, HandoutDelivery.PRINTED, detail="desk printer")
        if approved is not None:
            with clock.clock_at(noon(approved)):
                version = load_plan(self.uow, self.owner, saved.plan_id).version
                version = approve(
                    self.uow,
                    self.front,
                    saved.plan_id,
                    expected_version=version,
                    approver_name="The patient",
                    method=ApprovalMethod.ON_PAPER,
                ).version
                view = load_plan(self.uow, self.owner, saved.plan_id)
                for row in view.items[:done]:
                    version = complete_item(
                        self.uow, self.owner, saved.plan_id, row.id, expected_version=version, today=approved
                    ).version
        return saved.plan_id


@pytest.fixture
def case_desk(fast_practice) -> CaseDesk:  # type: ignore[no-untyped-def]
    return CaseDesk(fast_practice)
