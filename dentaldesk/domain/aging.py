"""When charges start aging, and how a ledger ages (TX-DOS-1/2, TX-AGE-1..5, AGE-1..5, INS-8).

A posted charge is split into parts that age on their own (TX-AGE-2..4, INS-8):

* its **write-off** (INS-8), posted with it: never billed, held or aged as the patient's;
* its **held** part (ICM 1: the whole charge less the write-off; ICM 2: the estimated insurance),
  current until the claim it is on completes; from the final payment's date (``released_on``)
  what insurance did not pay of it ages;
* the **patient's part** (what is left), aging from ``aged_date`` (blank: current, TX-AGE-5).

Credits are applied in two ways. The part of an insurance payment (or a write-off correction)
that pays held amounts (its ``held_amount``) pays its claim's held parts and ages with them:
insurance money pays what was held for insurance, never the patient's old balance. Everything
else (patient payments, adjustments, the rest of an insurance payment) is applied to the oldest
open amounts first (AGE-2, AGE-4: held amounts last), and what is left over is the account's
credit.

Every date a part ages from is fixed when the part is posted or its claim completes, and a
past date's aging only reads rows dated on or before it, so no later action changes how money
aged before that action's own date (AGE-5).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from dentaldesk.domain.errors import ConfirmationNeeded, ValidationError
from dentaldesk.domain.money import ZERO, money
from dentaldesk.domain.terms import Icm, TransactionKind

CURRENT = "current"
D0_30 = "d0_30"
D31_60 = "d31_60"
D61_90 = "d61_90"
OVER_90 = "over_90"
BUCKETS = (CURRENT, D0_30, D31_60, D61_90, OVER_90)
OLDEST_FIRST = (OVER_90, D61_90, D31_60, D0_30, CURRENT)
BACK_DATING_DAYS = 30  # TX-DOS-2: a DOS further back than this asks for confirmation


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


def check_completed_dos(
    dos: date,
    today: date,
    *,
    birth_date: date | None = None,
    prerequisites: Iterable[tuple[str, date]] = (),
    back_dating_confirmed: bool = False,
) -> bool:
    """The DOS of a completed procedure (TX-DOS-1, TX-DOS-2); True when it is back-dated.

    Refused: a future DOS; a DOS before the patient's birth date; a DOS before the DOS of any
    prerequisite (``prerequisites`` are (label, DOS) of the completed prerequisites). A DOS more
    than :data:`BACK_DATING_DAYS` days back raises :class:`ConfirmationNeeded` unless the person
    confirmed it; the caller audits a confirmed back-dating (the True returned).
    """
    check_dos(dos, today, completed=True)
    if birth_date is not None and dos < birth_date:
        raise ValidationError(
            f"The date of service {dos.isoformat()} is before the patient's birth date {birth_date.isoformat()}.",
            "dos",
        )
    for label, done in prerequisites:
        if dos < done:
            raise ValidationError(
                f"The date of service {dos.isoformat()} is before {label}, done on {done.isoformat()}, "
                "which this procedure depends on.",
                "dos",
            )
    back_dated = dos < today - timedelta(days=BACK_DATING_DAYS)
    if back_dated and not back_dating_confirmed:
        raise ConfirmationNeeded(
            f"The date of service {dos.isoformat()} is {(today - dos).days} days back. Post it with that date?",
            "dos",
        )
    return back_dated


# --- A posted charge's parts under the account's ICM (TX-AGE-2..4, INS-8) -----------------------


@dataclass(frozen=True)
class ChargeParts:
    """How a charge being posted is split (module docstring): the patient's part ages from
    ``aged_date`` (None: current); ``held_amount`` waits for the claim; ``write_off`` is never
    the patient's."""

    aged_date: date | None
    held_amount: Decimal
    write_off: Decimal

    def patient_part(self, total: Decimal) -> Decimal:
        """What of a charge of ``total`` (fee and tax) is the patient's to pay now or later."""
        return money(total) - self.write_off - self.held_amount


def charge_aging_parts(
    *,
    fee_total: Decimal,
    insurable: bool,
    icm: Icm,
    dos: date,
    estimated_insurance: Decimal,
    write_off: Decimal = ZERO,
    aged_date: date | None | object = None,
    aged_chosen: bool = False,
) -> ChargeParts:
    """The parts of a charge being posted (TX-AGE-2..4, INS-8, glossary: ICM).

    ``fee_total`` is the fee and its tax; ``write_off`` the estimated write-off (INS-7), posted
    with the charge under every ICM and never more than the fee.

    * Non-insurable or ICM 0: nothing held; the rest ages from DOS (TX-AGE-2).
    * Insurable on ICM 1: the whole charge less the write-off is held; nothing is the patient's
      until the claim completes (TX-AGE-3).
    * Insurable on ICM 2: the estimated insurance is held; the patient's part (fee - write-off -
      estimated insurance) ages from DOS (TX-AGE-4).

    ``aged_chosen`` with ``aged_date`` is the person's Aged field: a date (or None, blank: current)
    for the patient's part instead of the DOS (TX-AGE-5).
    """
    total = money(fee_total)
    estimate = money(estimated_insurance)
    written_off = money(write_off)
    if total < 0:
        raise ValidationError("A charge cannot be negative.", "fee")
    if estimate < 0:
        raise ValidationError("An insurance estimate cannot be negative.", "insurance")
    if written_off < 0 or written_off > total:
        raise ValidationError("A write-off lies between 0 and the charge.", "write_off")
    net = total - written_off
    if not insurable or icm is Icm.FULL_FEE_AT_SERVICE:
        held = ZERO
        default: date | None = dos
    elif icm is Icm.AFTER_INSURANCE:
        held = net
        default = None
    else:
        held = min(estimate, net)
        default = dos
    chosen = aged_date if aged_chosen else default
    if chosen is not None and not isinstance(chosen, date):
        raise ValidationError("The aged date is not a date.", "aged")
    return ChargeParts(chosen, held, written_off)


def directed_part(amount: Decimal, held_open: Decimal) -> Decimal:
    """The part of an insurance payment or write-off correction that pays held amounts: no more
    than what its claim still holds open (the rest is applied oldest first, AGE-2)."""
    return min(money(amount), max(ZERO, money(held_open)))


def write_off_correction(estimated: Decimal, actual: Decimal | None) -> Decimal:
    """INS-8: what completing a claim posts against a charge: the actual write-off the carrier
    reported less the estimated one posted with the charge (negative: the patient owes more);
    0 when no actual write-off was entered (the estimate stands)."""
    if actual is None:
        return ZERO
    return money(actual) - money(estimated)


# --- Ledger aging (AGE-1..5) ---------------------------------------------------------------------

CREDIT_KINDS = frozenset(
    {
        TransactionKind.PAYMENT,
        TransactionKind.INSURANCE_PAYMENT,
        TransactionKind.ADJUSTMENT,
        TransactionKind.WRITE_OFF,
    }
)


@dataclass(frozen=True)
class LedgerEntry:
    """One ledger row as aging sees it (module docstring).

    ``amount`` is positive for every kind (a charge's includes its tax); ``kind`` says whether it
    raises the balance (a charge) or lowers it. On a charge, ``write_off`` is the write-off posted
    with it, ``held_amount`` the part held for insurance and ``aged_date`` when the patient's part
    starts aging (None: current). On a credit, ``held_amount`` is the part that pays held amounts.
    ``released_on`` is the date the held part starts aging (None: still held).
    """

    id: int
    kind: TransactionKind
    amount: Decimal
    dos: date
    aged_date: date | None = None
    held_amount: Decimal = field(default=ZERO)
    write_off: Decimal = field(default=ZERO)
    released_on: date | None = None

    def __post_init__(self) -> None:
        amount = money(self.amount)
        held = money(self.held_amount)
        written_off = money(self.write_off)
        if amount < 0:
            raise ValidationError("A ledger amount is never negative; its kind gives the sign.", "amount")
        if written_off < 0 or written_off > amount or (written_off > 0 and not self.is_charge):
            raise ValidationError("A charge's write-off lies between 0 and the charge.", "write_off")
        if held < 0 or held > amount - written_off:
            raise ValidationError("The held amount must lie between 0 and the charge.", "held_amount")
        object.__setattr__(self, "amount", amount)
        object.__setattr__(self, "held_amount", held)
        object.__setattr__(self, "write_off", written_off)

    @property
    def is_charge(self) -> bool:
        return self.kind is TransactionKind.CHARGE

    @property
    def balance_effect(self) -> Decimal:
        """What the row adds to the account's balance: a charge less its write-off, or -credit."""
        return self.amount - self.write_off if self.is_charge else -self.amount


@dataclass(frozen=True, slots=True)
class AgingBuckets:
    """An account's aged balance on one date (AGE-1, AGE-3, AGE-4).

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
        amount: Decimal = getattr(self, bucket)
        return amount


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


def _bucket_since(start: date | None, as_of: date) -> str:
    return CURRENT if start is None else bucket_for((as_of - start).days)


def age_ledger(entries: Sequence[LedgerEntry], as_of: date) -> AgingBuckets:
    """Age an account's ledger on ``as_of`` (AGE-1..5, TX-AGE-2..5, INS-8).

    * Rows dated (DOS) after ``as_of`` were not on the ledger yet and are left out (AGE-5).
    * Each charge's patient part (amount - write-off - held) goes to the bucket of the days from
      its aged date to ``as_of``; its held part to the bucket of the days since ``released_on``;
      no date, or a future one, is current (AGE-1, AGE-4, TX-AGE-5).
    * A credit's part that pays held amounts is taken from the bucket its claim's held parts are
      in (the same ``released_on``); the rest of every credit is applied to the buckets oldest
      first, Over 90 down to Current (AGE-2; held amounts are current, so they are paid last).
      What is left is ``credit``.
    * AGE-3: ``balance`` = sum of the buckets - credit = charges - write-offs - credits, always.
    """
    totals = dict.fromkeys(BUCKETS, ZERO)
    pool = ZERO
    for entry in entries:
        if entry.dos > as_of:
            continue
        held_bucket = _bucket_since(entry.released_on, as_of)
        if entry.is_charge:
            patient = entry.amount - entry.write_off - entry.held_amount
            totals[_bucket_since(entry.aged_date, as_of)] += patient
            totals[held_bucket] += entry.held_amount
        else:
            totals[held_bucket] -= entry.held_amount
            pool += entry.amount - entry.held_amount
    for bucket in OLDEST_FIRST:  # a part paid beyond what it held (never posted so) is a credit
        if totals[bucket] < 0:
            pool -= totals[bucket]
            totals[bucket] = ZERO
    for bucket in OLDEST_FIRST:
        applied = min(pool, totals[bucket])
        pool -= applied
        totals[bucket] -= applied
    return AgingBuckets(credit=pool, **totals)
