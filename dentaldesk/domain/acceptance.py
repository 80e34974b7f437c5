"""Case acceptance (CASE-6): presented and accepted plans, by count and amount, per provider and month.

A plan counts once, in the month it was first presented (its first handout printed, saved or
sent, or its approval when that came first), under the provider with the largest share of its
fees. It counts as accepted when the patient approved it, whenever that was: the rate of a month
says how many of the plans presented that month the patients went on to accept. The presented
amount is the plan's fee total; the accepted amount is the total the patient first approved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from dentaldesk.domain.errors import ValidationError
from dentaldesk.domain.money import ZERO, money

NO_PROVIDER = "(no provider)"
# A report spans at most this many days: a typo such as 1026 for 2026 is refused.
MAX_SPAN_DAYS = 3660


@dataclass(frozen=True)
class PresentedPlan:
    """One plan as the report counts it."""

    plan_id: int
    provider: str
    presented_on: dt.date
    amount: Decimal
    accepted_on: dt.date | None = None
    accepted_amount: Decimal = ZERO

    @property
    def accepted(self) -> bool:
        return self.accepted_on is not None


@dataclass(frozen=True)
class AcceptanceRow:
    """One month and provider: presented and accepted plans, count and amount."""

    month: str  # YYYY-MM
    provider: str
    presented: int
    presented_amount: Decimal
    accepted: int
    accepted_amount: Decimal

    @property
    def rate(self) -> Decimal:
        """Accepted plans per presented plan, as a percent with one decimal (0 with none presented)."""
        if not self.presented:
            return Decimal("0.0")
        return (Decimal(100 * self.accepted) / Decimal(self.presented)).quantize(Decimal("0.1"), ROUND_HALF_UP)

    @property
    def amount_rate(self) -> Decimal:
        """Accepted amount per presented amount, as a percent with one decimal."""
        if not self.presented_amount:
            return Decimal("0.0")
        return (Decimal(100) * self.accepted_amount / self.presented_amount).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass(frozen=True)
class AcceptanceReport:
    start: dt.date
    end: dt.date
    rows: tuple[AcceptanceRow, ...]
    total: AcceptanceRow

    @property
    def months(self) -> tuple[str, ...]:
        return tuple(sorted({r.month for r in self.rows}))

    @property
    def providers(self) -> tuple[str, ...]:
        return tuple(sorted({r.provider for r in self.rows}))


def check_period(start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date]:
    """The report's period, both days included; the end not before the start."""
    if start is None:
        raise ValidationError("Enter the first day of the report.", "start")
    if end is None:
        raise ValidationError("Enter the last day of the report.", "end")
    if end < start:
        raise ValidationError(f"The last day {end:%Y-%m-%d} is before the first day {start:%Y-%m-%d}.", "end")
    if (end - start).days > MAX_SPAN_DAYS:
        raise ValidationError("A report spans at most ten years; check the years.", "end")
    return start, end


def month_of(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def plan_provider(fees_by_provider: Mapping[str, Decimal]) -> str:
    """The provider credited with a plan: the largest share of its fees; a tie goes to the name first
    in the alphabet; a plan with no provider on any item is under NO_PROVIDER."""
    named = {name: fee for name, fee in fees_by_provider.items() if name}
    if not named:
        return NO_PROVIDER
    return min(named, key=lambda name: (-money(named[name]), name))


def _row(month: str, provider: str, plans: list[PresentedPlan]) -> AcceptanceRow:
    accepted = [p for p in plans if p.accepted]
    return AcceptanceRow(
        month=month,
        provider=provider,
        presented=len(plans),
        presented_amount=money(sum((p.amount for p in plans), ZERO)),
        accepted=len(accepted),
        accepted_amount=money(sum((p.accepted_amount for p in accepted), ZERO)),
    )


def acceptance(plans: Iterable[PresentedPlan], start: dt.date, end: dt.date) -> AcceptanceReport:
    """CASE-6: the plans presented from ``start`` to ``end`` (both included), per month and provider,
    months in order and providers by name within a month, with the whole period's total."""
    start, end = check_period(start, end)
    chosen = [p for p in plans if start <= p.presented_on <= end]
    groups: dict[tuple[str, str], list[PresentedPlan]] = {}
    for plan in chosen:
        groups.setdefault((month_of(plan.presented_on), plan.provider or NO_PROVIDER), []).append(plan)
    rows = tuple(_row(month, provider, groups[(month, provider)]) for month, provider in sorted(groups))
    return AcceptanceReport(start=start, end=end, rows=rows, total=_row("total", "All providers", chosen))


def acceptance_table(report: AcceptanceReport) -> list[list[str]]:
    """The report as text cells: a header, a line per month and provider, the total (table and CSV)."""
    header = [
        "Month",
        "Provider",
        "Presented",
        "Presented amount",
        "Accepted",
        "Accepted amount",
        "Accepted %",
        "Amount accepted %",
    ]

    def line(row: AcceptanceRow, month: str) -> list[str]:
        return [
            month,
            row.provider,
            str(row.presented),
            f"{row.presented_amount:.2f}",
            str(row.accepted),
            f"{row.accepted_amount:.2f}",
            f"{row.rate}",
            f"{row.amount_rate}",
        ]

    return [header, *(line(r, r.month) for r in report.rows), line(report.total, "Total")]


def by_month(report: AcceptanceReport, provider: str | None = None) -> tuple[AcceptanceRow, ...]:
    """The report's months, each summed over its providers (or one provider's rows), for the chart."""
    months: dict[str, list[AcceptanceRow]] = {}
    for row in report.rows:
        if provider is None or row.provider == provider:
            months.setdefault(row.month, []).append(row)
    return tuple(
        AcceptanceRow(
            month=month,
            provider=provider or "All providers",
            presented=sum(r.presented for r in rows),
            presented_amount=money(sum((r.presented_amount for r in rows), ZERO)),
            accepted=sum(r.accepted for r in rows),
            accepted_amount=money(sum((r.accepted_amount for r in rows), ZERO)),
        )
        for month, rows in sorted(months.items())
    )
