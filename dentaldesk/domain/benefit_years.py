"""Benefit years (CASE-5): which unfinished visits to move into the next benefit year, and the saving.

A plan's items are estimated in the benefit year they are done in (``PlanLine.benefit_year``): this
year's items share what is left of this year's maximum and deductible (INS-2, INS-3), the next
year's start both again. Where this year's maximum runs out, or this year's deductible is met and
the next year's is not, moving some visits into the next year can lower what the patient pays.
:func:`suggest_split` tries the ways to move whole visits with unfinished items (every set of them
for up to ``EXHAUSTIVE_VISITS`` visits, else the later visits from each one on), keeps only those
that respect the prerequisites (an item done this year never waits for one moved into the next
year, TP-8/TP-9), estimates each with the one engine (``domain.estimates.estimate_plan``) and
suggests the one the patient pays least for: the fewest visits moved on a tie, none when no split
saves anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from itertools import combinations

from dentaldesk.domain.estimates import ItemEstimate, PlanCoverage, PlanLine, estimate_plan
from dentaldesk.domain.money import ZERO

EXHAUSTIVE_VISITS = 10


@dataclass(frozen=True)
class YearSplit:
    """The suggested split: the visits to move into ``next_year`` and what the patient pays either way."""

    visits: tuple[int, ...]
    next_year: int
    patient_before: Decimal
    patient_after: Decimal
    insurance_before: Decimal
    insurance_after: Decimal
    moved_keys: frozenset[int]

    @property
    def saving(self) -> Decimal:
        """How much less the patient pays with the split (CASE-5)."""
        return self.patient_before - self.patient_after


def _patient(estimates: Mapping[int, ItemEstimate]) -> Decimal:
    return sum((e.patient for e in estimates.values()), ZERO)


def _insurance(estimates: Mapping[int, ItemEstimate]) -> Decimal:
    return sum((e.insurance for e in estimates.values()), ZERO)


def movable_visits(lines: Sequence[PlanLine], year: int) -> list[int]:
    """The numbered visits with an unfinished item still planned in this benefit year."""
    return sorted(
        {
            line.visit
            for line in lines
            if line.visit is not None and not line.completed and (line.year_of(year) or year) <= year
        }
    )


def moved_lines(lines: Sequence[PlanLine], visits: Iterable[int], next_year: int) -> list[PlanLine]:
    """The plan with the unfinished items of ``visits`` set into ``next_year``."""
    chosen = set(visits)
    return [
        replace(line, benefit_year=next_year) if line.visit in chosen and not line.completed else line for line in lines
    ]


def breaks_prerequisites(
    lines: Sequence[PlanLine], prerequisites: Mapping[int, Iterable[int]], year: int
) -> list[tuple[int, int]]:
    """The (item, prerequisite) pairs where an item done this year waits for an unfinished one done
    in a later benefit year: a split that makes any is refused (TP-8, TP-9)."""
    by_key = {line.key: line for line in lines}
    broken: list[tuple[int, int]] = []
    for key, needs in prerequisites.items():
        item = by_key.get(key)
        if item is None:
            continue
        item_year = year if item.completed else (item.year_of(year) or year)
        for need in needs:
            prerequisite = by_key.get(need)
            if prerequisite is None or prerequisite.completed:
                continue
            if (prerequisite.year_of(year) or year) > item_year:
                broken.append((key, need))
    return broken


def _candidates(visits: Sequence[int]) -> Iterable[tuple[int, ...]]:
    if len(visits) <= EXHAUSTIVE_VISITS:
        for size in range(1, len(visits) + 1):
            yield from combinations(visits, size)
    else:
        for start in range(len(visits)):
            yield tuple(visits[start:])


def suggest_split(
    lines: Sequence[PlanLine],
    prerequisites: Mapping[int, Iterable[int]],
    primary: PlanCoverage | None,
    secondary: PlanCoverage | None,
    year: int,
) -> YearSplit | None:
    """CASE-5: the split of unfinished visits into the next benefit year that lowers the patient's
    portion most while respecting prerequisites, or None when no split lowers it (see the module
    docstring). ``year`` is the benefit year the coverage is in."""
    if primary is None:
        return None
    before = estimate_plan(lines, primary, secondary, year=year)
    patient_before = _patient(before)
    best: YearSplit | None = None
    next_year = year + 1
    for visits in _candidates(movable_visits(lines, year)):
        moved = moved_lines(lines, visits, next_year)
        if breaks_prerequisites(moved, prerequisites, year):
            continue
        after = estimate_plan(moved, primary, secondary, year=year)
        patient_after = _patient(after)
        if patient_after >= patient_before:
            continue
        if best is None or patient_after < best.patient_after:
            keys = frozenset(line.key for line in lines if line.visit in visits and not line.completed)
            best = YearSplit(
                visits, next_year, patient_before, patient_after, _insurance(before), _insurance(after), keys
            )
    return best
