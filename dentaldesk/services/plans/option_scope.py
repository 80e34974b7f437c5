"""Which items stand for a plan (CASE-1): its counted option's, the chosen one or else the first.

The billing summary, Follow-up, the acceptance report, the Treatments list and completion count
one option of a plan, never the sum of its options: :func:`counted_item` is that condition in
SQL, :func:`counted_option_id_in` the option of one plan, both by ``domain.options.counted_option``.
Everything here reads.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from dentaldesk.db.models import PlanItem, PlanOption
from dentaldesk.domain.errors import NotFound
from dentaldesk.domain.options import OptionFacts, counted_option, ordered


def option_facts_in(session: Session, plan_id: int) -> list[OptionFacts]:
    """A plan's options left to right, with how many items each holds."""
    counts = dict(
        session.execute(
            select(PlanItem.option_id, func.count(PlanItem.id))
            .where(PlanItem.plan_id == plan_id)
            .group_by(PlanItem.option_id)
        ).all()
    )
    return ordered(
        [
            OptionFacts(o.id, o.name, o.position, bool(o.chosen), counts.get(o.id, 0))
            for o in session.scalars(select(PlanOption).where(PlanOption.plan_id == plan_id))
        ]
    )


def counted_option_id_in(session: Session, plan_id: int) -> int:
    """The option whose items are the plan's figures (CASE-1)."""
    options = option_facts_in(session, plan_id)
    if not options:
        raise NotFound("This treatment plan no longer exists.")
    return counted_option(options).id


def counted_item() -> ColumnElement[bool]:
    """SQL: the plan item is in its plan's counted option: its option is chosen, or no option of
    the plan is chosen and its option is the first (CASE-1)."""
    mine = aliased(PlanOption)
    other = aliased(PlanOption)
    chosen_in_plan = exists().where(other.plan_id == mine.plan_id, other.chosen.is_(True))
    first_position = select(func.min(PlanOption.position)).where(PlanOption.plan_id == mine.plan_id).scalar_subquery()
    return exists().where(
        mine.id == PlanItem.option_id,
        or_(mine.chosen.is_(True), and_(~chosen_in_plan, mine.position == first_position)),
    )
