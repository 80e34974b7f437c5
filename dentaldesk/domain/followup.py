"""Follow-up of presented and approved plans (CASE-3): which plans wait, in what order, and the
contact notes the front desk records while calling patients.

Pure rules: a contact note is checked here before any service writes it, the waiting list is
ordered here, and the days a plan has waited are counted here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

from dentaldesk.domain.errors import ValidationError

NOTE_MAX = 2000
# How far ahead a "will call back" date may be: a typo such as 2062 is refused.
CALL_BACK_MAX_DAYS = 366


class ContactKind(str, Enum):
    """What came of one contact with the patient about a plan (CASE-3)."""

    CALLED = "called"
    LEFT_MESSAGE = "left_message"
    WILL_CALL_BACK = "will_call_back"
    DECLINED = "declined"

    @property
    def label(self) -> str:
        return {
            "called": "Called",
            "left_message": "Left a message",
            "will_call_back": "Will call back",
            "declined": "Declined",
        }[self.value]


@dataclass(frozen=True)
class ContactNote:
    """A contact note as checked: the kind, the note (the reason, for a decline) and the call-back day."""

    kind: ContactKind
    note: str
    call_back_on: dt.date | None


def check_contact(kind: ContactKind | str, note: str, call_back_on: dt.date | None, today: dt.date) -> ContactNote:
    """CASE-3: a declined contact names the reason; "will call back" names a day from today on.

    Refusals name the field: ``kind``, ``note`` or ``call_back_on``.
    """
    try:
        chosen = ContactKind(kind)
    except ValueError:
        raise ValidationError("Choose what came of the contact.", "kind") from None
    cleaned = " ".join((note or "").split()) if chosen is not ContactKind.CALLED else (note or "").strip()
    if len(cleaned) > NOTE_MAX:
        raise ValidationError(f"A note has at most {NOTE_MAX} characters.", "note")
    if chosen is ContactKind.DECLINED and not cleaned:
        raise ValidationError('Say why the patient declined, e.g. "Cost; will wait for next year".', "note")
    if chosen is ContactKind.WILL_CALL_BACK:
        if call_back_on is None:
            raise ValidationError("Enter the day the patient will call back.", "call_back_on")
        if call_back_on < today:
            raise ValidationError(f"The call-back day {call_back_on:%Y-%m-%d} is in the past.", "call_back_on")
        if call_back_on > today + dt.timedelta(days=CALL_BACK_MAX_DAYS):
            raise ValidationError("The call-back day is more than a year ahead; check the year.", "call_back_on")
    else:
        call_back_on = None
    return ContactNote(chosen, cleaned, call_back_on)


def days_waiting(since: dt.date, today: dt.date) -> int:
    """Whole days since the plan was presented or approved; never negative (a clock set back)."""
    return max(0, (today - since).days)


@dataclass(frozen=True)
class Waiting:
    """What the list is ordered and filtered on, for one plan."""

    plan_id: int
    since: dt.date
    open_fee: Decimal
    provider_ids: frozenset[int]


def follow_up_order(rows: list[Waiting]) -> list[Waiting]:
    """CASE-3: oldest first (the day presented or approved), then the plan made first."""
    return sorted(rows, key=lambda w: (w.since, w.plan_id))


def keep(row: Waiting, provider_id: int | None, min_amount: Decimal | None) -> bool:
    """The list's filters: a provider with unfinished work on the plan, and at least an amount left to do."""
    if provider_id is not None and provider_id not in row.provider_ids:
        return False
    return min_amount is None or row.open_fee >= min_amount
