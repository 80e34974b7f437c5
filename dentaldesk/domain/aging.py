"""When charges start aging, and how a ledger ages (TX-DOS-1, TX-AGE-1..5, AGE-1..3).

A charge carries an aged date (``None`` = held current) and, on an ICM 2 account, a held amount:
the estimated insurance portion that stays current while the rest ages from DOS. Credits
(payments and adjustments) are not tied to charges here: they are applied to the oldest open
charges first (AGE-2), and what is left over is shown as an unapplied credit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from dentaldesk.domain.errors import ValidationError
from dentaldesk.domain.money import ZERO, money
from dentaldesk.domain.terms import Icm, TransactionKind

CURRENT = "current"
D0_30 = "d0_30"
D31_60 = "d31_60"
D61_90 = "d61_90"
OVER_90 = "over_90"
BUCKETS = (CURRENT, D0_30, D31_60, D61_90, OVER_90)


# --- The Aged and DOS fields of the Patient Transactions dialog --------------------------------


def default_aged_date(*, insurable: bool, icm: Icm, dos: date) -> date | None:
    """The Aged field's default for a new charge (TX-AGE-2, TX-AGE-3, TX-AGE-4).

    * Non-insurable, or an ICM 0 account: the DOS (the dialog's DOS defaults to today), so the
      charge ages at once (TX-AGE-2).
    * Insurable on ICM 1: blank, the whole charge stays current (TX-AGE-3).
    * Insurable on ICM 2: blank, the field shows the deferred insurance portion, which stays
      current (TX-AGE-4); the patient's estimated portion still ages from DOS, which
      :func:`charge_aging_parts` records on the posted charge.
    """
    if not insurable or icm is Icm.FULL_FEE_AT_SERVICE:
        return dos
    return None


def check_aged_date(aged: date | None, dos: date) -> None:
    """Refuse an aged date before the DOS (TX-AGE-5, TX-VAL-1); blank or future dates are fine."""
    if aged is not None and aged < dos:
        raise ValidationError(
            f"The aged date {aged.isoformat()} is before the date of service {dos.isoformat()}; "
            "a charge cannot start aging before it was done.",
            "aged",
        )


def check_dos(dos: date, today: date, completed: bool) -> None:
    """Refuse a future DOS on a completed procedure (TX-DOS-1); planned work may be dated ahead."""
    if completed and dos > today:
        raise ValidationError(
            f"The date of service {dos.isoformat()} is in the future; a completed procedure "
            "must be dated today or earlier.",
            "dos",
        )


# --- A posted charge's aging state under the account's ICM --------------------------------------


def charge_aging_parts(
    *, fee_total: Decimal, insurable: bool, icm: Icm, dos: date, estimated_insurance: Decimal
) -> tuple[date | None, Decimal]:
    """(aged_date, held_amount) for a charge being posted (TX-AGE-2..4, glossary: ICM).

    * Non-insurable or ICM 0: ``(dos, 0)``, the full fee ages from DOS.
    * Insurable on ICM 1: ``(None, 0)``, the whole charge is held current until its claim completes.
    * Insurable on ICM 2: ``(dos, estimated insurance)``, the patient's portion ages from DOS and
      the estimated insurance portion (never more than the charge) is held current.
    """
    total = money(fee_total)
    estimate = money(estimated_insurance)
    if total < 0:
        raise ValidationError("A charge cannot be negative.", "fee")
    if estimate < 0:
        raise ValidationError("An insurance estimate cannot be negative.", "insurance")
    if not insurable or icm is Icm.FULL_FEE_AT_SERVICE:
        return dos, ZERO
    if icm is Icm.AFTER_INSURANCE:
        return None, ZERO
    return dos, min(estimate, total)


def release_on_claim_complete(
    *, aged_date: date | None, held_amount: Decimal, final_payment_date: date
) -> tuple[date | None, Decimal]:
    """A charge's new (aged_date, held_amount) once its claim is complete (TX-AGE-3, TX-AGE-4).

    A held charge (no aged date: ICM 1; or a held insurance portion: ICM 2) starts aging from the
    final insurance payment's date, whole, with nothing held: what insurance did not cover is now
    the patient's, and it became due on that date. On ICM 2 the patient's portion, usually paid at
    the visit, therefore ages from that date too: one charge carries one aged date. A charge that
    was never held keeps its aged date.
    """
    if aged_date is None or money(held_amount) > 0:
        return final_payment_date, ZERO
    return aged_date, money(held_amount)


# --- Ledger aging (AGE-1..3) ---------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerEntry:
    """One ledger row as aging sees it (AGE-1).

    ``amount`` is positive for every kind; ``kind`` says whether it raises the balance (a charge)
    or lowers it (payments, insurance payments, adjustments). ``aged_date`` ``None`` holds the
    whole charge current; ``held_amount`` is the part of a dated charge held current (ICM 2's
    estimated insurance portion). Both only matter for charges.
    """

    id: int
    kind: TransactionKind
    amount: Decimal
    dos: date
    aged_date: date | None = None
    held_amount: Decimal = field(default=ZERO)

    def __post_init__(self) -> None:
        amount = money(self.amount)
        held = money(self.held_amount)
        if amount < 0:
            raise ValidationError("A ledger amount is never negative; its kind gives the sign.", "amount")
        if held < 0 or held > amount:
            raise ValidationError("The held amount must lie between 0 and the charge.", "held_amount")
        object.__setattr__(self, "amount", amount)
        object.__setattr__(self, "held_amount", held)

    @property
    def is_charge(self) -> bool:
        return self.kind is TransactionKind.CHARGE


@dataclass(frozen=True)
class AgingBuckets:
    """An account's aged balance on one date (AGE-1, AGE-3).

    ``current`` holds what is not aging yet (no aged date, a held insurance portion, or an aged
    date still in the future); ``credit`` is credit left after paying every open charge (>= 0).
    """

    current: Decimal = ZERO
    d0_30: Decimal = ZERO
    d31_60: Decimal = ZERO
    d61_90: Decimal = ZERO
    over_90: Decimal = ZERO
    credit: Decimal = ZERO

    @property
    def balance(self) -> Decimal:
        """Account balance = sum of the buckets - unapplied credit (AGE-3)."""
        return self.current + self.d0_30 + self.d31_60 + self.d61_90 + self.over_90 - self.credit

    def amount_in(self, bucket: str) -> Decimal:
        """The amount in a bucket named by one of :data:`BUCKETS`."""
        if bucket not in BUCKETS:
            raise KeyError(bucket)
        return getattr(self, bucket)


def bucket_for(days: int) -> str:
    """The bucket of a charge aged ``days`` days (AGE-1): 0-30, 31-60, 61-90, over 90.

    Negative days (an aged date still in the future) are current (TX-AGE-5).
    """
    if days < 0:
        return CURRENT
    if days <= 30:
        return D0_30
    if days <= 60:
        return D31_60
    if days <= 90:
        return D61_90
    return OVER_90


@dataclass(frozen=True)
class _OpenPiece:
    """A part of a charge that sits in one bucket; ``order`` sorts oldest first (AGE-2)."""

    order: tuple
    bucket: str
    amount: Decimal


_DATED, _HELD = 0, 1  # held-current amounts are the youngest of all


def _charge_pieces(entry: LedgerEntry, as_of: date) -> list[_OpenPiece]:
    if entry.aged_date is None:
        return [_OpenPiece((_HELD, entry.dos, entry.id), CURRENT, entry.amount)]
    days = (as_of - entry.aged_date).days
    pieces = []
    aging = entry.amount - entry.held_amount
    if aging > 0:
        pieces.append(_OpenPiece((_DATED, entry.aged_date, entry.dos, entry.id), bucket_for(days), aging))
    if entry.held_amount > 0:
        pieces.append(_OpenPiece((_HELD, entry.dos, entry.id), CURRENT, entry.held_amount))
    return pieces


def age_ledger(entries: Sequence[LedgerEntry], as_of: date) -> AgingBuckets:
    """Age an account's ledger on ``as_of`` (AGE-1, AGE-2, AGE-3, TX-AGE-5).

    * AGE-1: each charge's aging part goes to the bucket of the days from its aged date to
      ``as_of``; no aged date, a held amount, or a future aged date is current (TX-AGE-5).
    * AGE-2: all credits are applied to the oldest open charges first (most days aged first;
      held-current amounts are the youngest); credit beyond every charge is ``credit``.
    * AGE-3: ``balance`` = sum of the buckets - credit = charges - credits, always.

    Entries dated (DOS) after ``as_of`` were not on the ledger yet on that date and are left out,
    so aging a past date shows the account as it stood then.
    """
    pieces: list[_OpenPiece] = []
    credit_left = ZERO
    for entry in entries:
        if entry.dos > as_of:
            continue
        if entry.is_charge:
            pieces.extend(_charge_pieces(entry, as_of))
        else:
            credit_left += entry.amount
    totals = dict.fromkeys(BUCKETS, ZERO)
    for piece in sorted(pieces, key=lambda p: p.order):
        applied = min(credit_left, piece.amount)
        credit_left -= applied
        totals[piece.bucket] += piece.amount - applied
    return AgingBuckets(credit=credit_left, **totals)
