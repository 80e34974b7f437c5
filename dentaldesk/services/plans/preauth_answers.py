"""The carriers' preauthorization answers a plan's estimate reads (CASE-2).

:func:`preauth_answers_in` gives, per plan item, the newest answer recorded for it (an answered
or denied request), with the item as it was sent; whether the answer still holds (same code,
tooth, fee and benefit year) is the domain's rule (``domain.preauth.PreauthAnswer.applies``).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from dentaldesk.db.models import Preauthorization, PreauthorizationLine
from dentaldesk.domain.money import ZERO
from dentaldesk.domain.preauth import PreauthAnswer, request_number

ANSWERED = ("answered", "denied")


def preauth_answers_in(session: Session, plan_id: int) -> dict[int, PreauthAnswer]:
    """Plan item id -> the newest answer the carrier gave for it (CASE-2)."""
    rows = session.execute(
        select(
            PreauthorizationLine.plan_item_id,
            PreauthorizationLine.code,
            PreauthorizationLine.tooth,
            PreauthorizationLine.fee,
            PreauthorizationLine.allowed,
            PreauthorizationLine.pays,
            PreauthorizationLine.deductible,
            PreauthorizationLine.denied,
            Preauthorization.id,
            Preauthorization.carrier,
            Preauthorization.benefit_year,
            Preauthorization.answered_on,
        )
        .join(Preauthorization, Preauthorization.id == PreauthorizationLine.preauthorization_id)
        .where(
            Preauthorization.plan_id == plan_id,
            Preauthorization.status.in_(ANSWERED),
            PreauthorizationLine.plan_item_id.is_not(None),
        )
        .order_by(Preauthorization.answered_on, Preauthorization.id)
    ).all()
    found: dict[int, PreauthAnswer] = {}
    for r in rows:  # oldest first: a newer answer replaces an older one
        found[r.plan_item_id] = PreauthAnswer(
            number=request_number(r.id),
            carrier=r.carrier,
            code=r.code,
            tooth=r.tooth or "",
            fee=r.fee,
            benefit_year=r.benefit_year,
            answered_on=r.answered_on,
            allowed=r.allowed if r.allowed is not None else r.fee,
            pays=r.pays if r.pays is not None else ZERO,
            deductible=r.deductible if r.deductible is not None else ZERO,
            denied=bool(r.denied),
        )
    return found
