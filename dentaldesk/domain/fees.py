"""Fee resolution: which fee a new charge or plan item starts with (TX-FEE-1..4, INS-5).

This is the one fee resolver (STYLE.md convention 12): the plan editor, the Patient Transactions
dialog and the handout all call :func:`resolve_fee`, so the fee a person sees and the label saying
where it came from are the same everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from dentaldesk.domain.errors import ValidationError
from dentaldesk.domain.money import money

FIRST_SCHEDULE = 0
LAST_SCHEDULE = 26
USUAL_FEE_SCHEDULE = 0  # "Fee 0": the office's usual fee (UCR), the fallback for every lookup.

NO_FEE_SOURCE = "No fee on file: type a fee"


@dataclass(frozen=True)
class FeeQuote:
    """A default fee and, for a person, where it came from (TX-FEE-1..4).

    ``fee`` is ``None`` when no schedule has the code: the fee must be typed (TX-FEE-4).
    """

    fee: Decimal | None
    source: str


@dataclass(frozen=True)
class DmoPlanFacts:
    """What fee resolution needs to know of the patient's DMO/Capitation plan (TX-FEE-2/3).

    ``cap_fee`` is the plan's bluebook plan fee (the cap fee) for the code being priced, ``None``
    when the plan's bluebook has no entry (or an entry without a plan fee) for it.
    """

    plan_name: str
    cap_fee: Decimal | None


def check_schedule(schedule: int, *, field: str = "fee_schedule") -> int:
    """Validate a fee schedule number: 0 (the usual fee, "Fee 0") to 26 (glossary: fee schedule)."""
    if isinstance(schedule, bool) or not isinstance(schedule, int):
        raise ValidationError(f"Fee schedule must be a whole number from {FIRST_SCHEDULE} to {LAST_SCHEDULE}.", field)
    if not FIRST_SCHEDULE <= schedule <= LAST_SCHEDULE:
        raise ValidationError(
            f"Fee schedule {schedule} does not exist; schedules are numbered {FIRST_SCHEDULE} to {LAST_SCHEDULE}.",
            field,
        )
    return schedule


def _checked_fee(value: Decimal, where: str) -> Decimal:
    """A stored fee as money; a negative one is refused (MONEY-2) rather than charged."""
    fee = money(value)
    if fee < 0:
        raise ValidationError(f"{where} holds a negative fee ({fee}); correct it in Settings.", "fee")
    return fee


def resolve_fee(
    code: str,
    account_schedule: int,
    schedule_fee: Callable[[int, str], Decimal | None],
    dmo: DmoPlanFacts | None = None,
) -> FeeQuote:
    """The default fee for ``code`` on an account (TX-FEE-1..4, INS-5 fee part).

    * TX-FEE-2: a patient covered by a DMO/Capitation plan is charged that plan's bluebook cap fee.
    * TX-FEE-3 / INS-5: the DMO plan has no bluebook entry for the code -> schedule 0's fee.
    * TX-FEE-1: otherwise the account's own fee schedule.
    * TX-FEE-4: the account's schedule has no fee for the code -> schedule 0; schedule 0 has none
      either -> no fee (``fee is None``), and the person must type one.

    ``schedule_fee(schedule, code)`` looks a fee up and returns ``None`` when that schedule has no
    entry for the code. A fee of 0 is a real fee (MONEY-2), not a missing one.
    """
    check_schedule(account_schedule)
    if dmo is not None:
        if dmo.cap_fee is not None:
            return FeeQuote(
                _checked_fee(dmo.cap_fee, f"The bluebook of {dmo.plan_name}"),
                f"Bluebook cap fee ({dmo.plan_name})",
            )
        usual = schedule_fee(USUAL_FEE_SCHEDULE, code)
        if usual is None:
            return FeeQuote(None, NO_FEE_SOURCE)
        return FeeQuote(_checked_fee(usual, "Fee schedule 0"), f"Fee 0 (no bluebook entry for {dmo.plan_name})")

    own = schedule_fee(account_schedule, code)
    if own is not None:
        return FeeQuote(_checked_fee(own, f"Fee schedule {account_schedule}"), f"Fee schedule {account_schedule}")
    if account_schedule != USUAL_FEE_SCHEDULE:
        usual = schedule_fee(USUAL_FEE_SCHEDULE, code)
        if usual is not None:
            return FeeQuote(
                _checked_fee(usual, "Fee schedule 0"),
                f"Fee 0 (schedule {account_schedule} has no fee for {code})",
            )
    return FeeQuote(None, NO_FEE_SOURCE)
