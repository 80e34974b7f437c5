"""One check of an item's fields against its code and the office (TP-6, CODE-3/4, ID-1/2/3,
MONEY-2/3, TX-RTU-1, TX-VAL-1).

The Patient Transactions dialog runs :func:`check_item` on every keystroke and shows each problem
at its field; the plan services run the same function on what they are handed and refuse the
first problem as the typed error it carries. So the dialog's message at a field is, word for word,
the service's refusal of the same input.

A problem marked ``missing`` is a required field still empty (a tooth or surfaces the code
requires, a provider, a fee): a plan item may wait for it, since the plan is not approvable until
it is filled in (TP-5, CODE-4), while a posted charge (``complete``) is refused without it.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal
from typing import NoReturn, Protocol

from dentaldesk.domain.codes import parse_rtu
from dentaldesk.domain.errors import DentalDeskError, NotFound, RuleViolation, ValidationError
from dentaldesk.domain.money import format_money, parse_money
from dentaldesk.domain.teeth import Dentition, check_tooth_fits_code, display_tooth, parse_surfaces, parse_tooth
from dentaldesk.domain.terms import ToothNumbering

MAX_VISIT = 99

# The order in which the fields are checked, and so which problem a service refuses first.
FIELD_ORDER = ("code", "tooth", "surfaces", "provider", "collection_provider", "rtu", "fee")


class CodeFacts(Protocol):
    """What the check needs of a procedure code (CODE-1): a code row of the office's list."""

    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def requires_tooth(self) -> bool: ...
    @property
    def requires_surface(self) -> bool: ...
    @property
    def active(self) -> bool: ...
    @property
    def default_rtu(self) -> int: ...
    @property
    def dentition(self) -> Dentition: ...


@dataclass(frozen=True)
class FieldProblem:
    """One refused or missing field: the field's name, the message shown there, the error type."""

    field: str
    message: str
    missing: bool = False
    error: type[DentalDeskError] = ValidationError

    def refuse(self) -> NoReturn:
        raise self.error(self.message, self.field)


@dataclass(frozen=True)
class TypedItem:
    """An item's fields as typed in the dialog or handed to a service.

    ``code`` and ``tooth`` are text in the office's numbering (ID-1); ``fee`` is typed text, an
    amount (Decimal or int) or None for no fee; ``rtu`` is typed text, a number, or None for the
    code's default (TX-RTU-1). A provider id of None means none chosen (for the collection
    provider: the production provider).
    """

    code: str
    tooth: str = ""
    surfaces: str = ""
    provider_id: int | None = None
    collection_provider_id: int | None = None
    fee: object = None
    rtu: object = None


@dataclass(frozen=True)
class CheckedItem:
    """The item's values as far as they could be read, and every problem, in :data:`FIELD_ORDER`."""

    tooth: str | None
    surfaces: str
    fee: Decimal | None
    rtu: int
    problems: tuple[FieldProblem, ...]

    def refusals(self, *, complete: bool = False) -> tuple[FieldProblem, ...]:
        """The problems that refuse the item: all of them for a posted charge, else all but missing ones."""
        return tuple(p for p in self.problems if complete or not p.missing)

    def refuse_first(self, *, complete: bool = False) -> None:
        """Raise the first refusal as its typed error; return when there is none."""
        found = self.refusals(complete=complete)
        if found:
            found[0].refuse()


def code_missing_message(code: str) -> str:
    """CODE-3: what to do when a code is not in the office's list (seed 000 troubleshooting)."""
    return (
        f"{code} is not in the office's procedure code list. To use it, add it under "
        "Settings -> Procedure codes or copy it from the master list."
    )


def check_code(typed: str, code: CodeFacts | None, *, keep_inactive: bool = False) -> FieldProblem | None:
    """The typed code against the office's row for it (CODE-3): none typed, not in the list, or
    inactive (unless ``keep_inactive``: the item already has that code)."""
    if not typed.strip():
        return FieldProblem("code", "Choose a procedure code.")
    if code is None:
        return FieldProblem("code", code_missing_message(typed.strip().upper()), error=NotFound)
    if not code.active and not keep_inactive:
        return FieldProblem(
            "code",
            f"{code.code} ({code.name}) is inactive in the office's code list. Make it active under "
            "Settings -> Procedure codes, or choose another code.",
            error=RuleViolation,
        )
    return None


def missing_fee_message(code: str, schedule_fee: Decimal | None, fee_source: str) -> str:
    """What an empty Fee says: the fee the resolver found, or that none has one (TX-FEE-4)."""
    if schedule_fee is not None:
        return f"Type a fee ({fee_source}: {format_money(schedule_fee)})."
    return f"Type a fee: no fee schedule has one for {code}."


def _fee(value: object) -> Decimal | None:
    """A fee typed or given: empty is no fee; otherwise the one money parser (MONEY-2/3)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parse_money(value, field="fee")  # type: ignore[arg-type]  # refuses what is not an amount


def _rtu(value: object, default: int) -> int:
    """RTU's typed or given (TX-RTU-1); None takes the code's default."""
    if value is None:
        return default
    if isinstance(value, str):
        return parse_rtu(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValidationError("RTU's are whole minutes (0 or more).", "rtu")
    return value


def check_item(
    typed: TypedItem,
    code: CodeFacts | None,
    numbering: ToothNumbering,
    *,
    providers: Collection[int],
    keep_inactive: bool = False,
    schedule_fee: Decimal | None = None,
    fee_source: str = "",
) -> CheckedItem:
    """Every problem of an item's fields, each at its field (TP-6, CODE-3/4, ID-1/2/3, MONEY-2/3, TX-RTU-1).

    ``code`` is the office's row for the typed code (None when the list has none); the checks that
    depend on the code (surfaces it takes, a tooth or surfaces it requires, the dentition its tooth
    must be of, the missing fee's message) run only for a usable code. ``providers`` are the office's active providers.
    ``schedule_fee`` and ``fee_source`` are what the fee resolver found, named when the fee is empty.
    """
    found: dict[str, FieldProblem] = {}
    code_problem = check_code(typed.code, code, keep_inactive=keep_inactive)
    if code_problem is not None:
        found["code"] = code_problem
    usable = code if code_problem is None else None

    tooth: str | None = None
    tooth_text = typed.tooth.strip()
    if tooth_text:
        try:
            tooth = parse_tooth(tooth_text, numbering)
            if usable is not None:  # ID-3: the tooth is of the dentition the code is for
                check_tooth_fits_code(tooth, usable.code, usable.name, usable.dentition, numbering)
        except DentalDeskError as exc:
            found["tooth"] = FieldProblem("tooth", exc.message)
    elif usable is not None and usable.requires_tooth:
        found["tooth"] = FieldProblem("tooth", f"{usable.code} needs a tooth.", missing=True)

    surfaces = ""
    try:
        surfaces = parse_surfaces(typed.surfaces)
    except DentalDeskError as exc:
        found["surfaces"] = FieldProblem("surfaces", exc.message)
    else:
        if usable is not None and surfaces and not usable.requires_surface:
            found["surfaces"] = FieldProblem(
                "surfaces", f"{usable.code} ({usable.name}) does not take surfaces; leave Surfaces empty."
            )
        elif usable is not None and usable.requires_surface and not surfaces:
            found["surfaces"] = FieldProblem("surfaces", f"{usable.code} needs its surfaces.", missing=True)

    if typed.provider_id is None:
        found["provider"] = FieldProblem("provider", "Choose who will do this procedure.", missing=True)
    elif typed.provider_id not in providers:
        found["provider"] = FieldProblem("provider", "Choose an active provider of this office.")
    if typed.collection_provider_id is not None and typed.collection_provider_id not in providers:
        found["collection_provider"] = FieldProblem("collection_provider", "Choose an active provider of this office.")

    rtu = 0
    try:
        rtu = _rtu(typed.rtu, usable.default_rtu if usable is not None else 0)
    except DentalDeskError as exc:
        found["rtu"] = FieldProblem("rtu", exc.message)

    fee: Decimal | None = None
    try:
        fee = _fee(typed.fee)
    except DentalDeskError as exc:
        found["fee"] = FieldProblem("fee", exc.message)
    else:
        if fee is None and usable is not None:
            found["fee"] = FieldProblem("fee", missing_fee_message(usable.code, schedule_fee, fee_source), missing=True)

    problems = tuple(found[name] for name in FIELD_ORDER if name in found)
    return CheckedItem(tooth=tooth, surfaces=surfaces, fee=fee, rtu=rtu, problems=problems)


def check_choice(value: object, field: str) -> bool | None:
    """A Taxable or Insurable choice: ticked, unticked, or None for the default (TX-TAX-2, TX-INS-1)."""
    if value is None or isinstance(value, bool):
        return value
    raise ValidationError("Tick the box, untick it, or leave it to the code's default.", field)


def check_visit(value: object) -> int | None:
    """A visit (phase) number, 1 to 99, or None for no visit (TP-16)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_VISIT:
        raise ValidationError(f"A visit is numbered 1 to {MAX_VISIT}.", "visit")
    return value


def item_label(code: str, tooth: str | None, numbering: ToothNumbering) -> str:
    """How an item is named in messages and undo steps: ``D2740 #14`` (ID-1 display form)."""
    return f"{code} #{display_tooth(tooth, numbering)}" if tooth else code
