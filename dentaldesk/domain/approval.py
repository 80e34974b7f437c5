"""What the patient approved, fixed by a hash (TP-15, TP-12).

When the patient approves a plan, the service stores ``content_hash`` of exactly what was shown:
title, lines in handout order (code, tooth, surfaces, provider, fee, visit, the Taxable and
Insurable choices, the estimated insurance and patient portion), and the totals. A stored
signature belongs to that content only; if the plan is re-priced, its choices or its estimate
change afterwards, ``signature_matches`` turns false and the handout must not print the old
signature as if it covered the new plan.

Version 1 (approvals recorded before the estimate was hashed) covered code, tooth, surfaces,
provider, fee and visit of each line and the total; such an approval is checked against what it
covered, by its stored version.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from dentaldesk.domain.money import ZERO, format_money, to_cents
from dentaldesk.domain.plans import ItemFacts, plan_order_key

# Bumped only if the serialization ever changes; old hashes then stay checkable by version.
HASH_VERSIONS = {1: "dentaldesk-approval/1", 2: "dentaldesk-approval/2"}
CURRENT_VERSION = 2
HASH_VERSION = HASH_VERSIONS[1]  # the first version's tag (kept for its pinned tests)


@dataclass(frozen=True)
class ApprovedLine:
    """One plan line as the patient saw it when approving (TP-15).

    ``taxable`` and ``insurable`` are the person's choices for the item's charge (None: as the
    code, office and coverage say); ``insurance`` and ``patient`` the estimate shown (INS-9).
    """

    code: str
    tooth: str
    surfaces: str
    provider: str
    fee: Decimal
    visit: int | None
    taxable: bool | None = None
    insurable: bool | None = None
    insurance: Decimal = ZERO
    patient: Decimal = ZERO


def _text(value: str) -> str:
    # The same visible text may reach us composed or decomposed (e.g. a name typed on another
    # system); normalising keeps the hash stable across such round trips.
    return unicodedata.normalize("NFC", value)


def _cents(value: Decimal) -> str:
    # Money as integer cents in a string: no float, no exponent, no trailing-zero ambiguity.
    return str(to_cents(value))


def _choice(value: bool | None) -> str:
    return "default" if value is None else ("yes" if value else "no")


def _line(line: ApprovedLine, version: int) -> list[object]:
    fields: list[object] = [
        _text(line.code),
        _text(line.tooth),
        _text(line.surfaces),
        _text(line.provider),
        _cents(line.fee),
        line.visit,
    ]
    if version >= 2:
        fields += [_choice(line.taxable), _choice(line.insurable), _cents(line.insurance), _cents(line.patient)]
    return fields


def canonical_text(title: str, lines: Sequence[ApprovedLine], total: Decimal, version: int = CURRENT_VERSION) -> str:
    """The exact text the hash is taken of: JSON with fixed keys, lines in the order given."""
    if version not in HASH_VERSIONS:
        raise ValueError(f"unknown approval hash version {version}")
    payload: dict[str, object] = {
        "version": HASH_VERSIONS[version],
        "title": _text(title),
        "lines": [_line(line, version) for line in lines],
        "total": _cents(total),
    }
    if version >= 2:
        payload["insurance"] = _cents(sum((line.insurance for line in lines), ZERO))
        payload["patient"] = _cents(sum((line.patient for line in lines), ZERO))
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def content_hash(title: str, lines: Sequence[ApprovedLine], total: Decimal, version: int = CURRENT_VERSION) -> str:
    """SHA-256 hex of what the patient approved (TP-15). Line order matters."""
    return hashlib.sha256(canonical_text(title, lines, total, version).encode("utf-8")).hexdigest()


def signature_matches(
    stored_hash: str, title: str, lines: Sequence[ApprovedLine], total: Decimal, version: int = CURRENT_VERSION
) -> bool:
    """True when the plan as it is now is exactly what the stored approval covered (TP-15), read
    with the approval's own hash version."""
    if not stored_hash or version not in HASH_VERSIONS:
        return False
    expected = content_hash(title, lines, total, version)
    # Compared as bytes: compare_digest refuses non-ASCII str; a damaged stored value is a mismatch.
    return hmac.compare_digest(stored_hash.strip().lower().encode("utf-8"), expected.encode("ascii"))


@dataclass(frozen=True)
class LineTerms:
    """What a line's hash takes beyond the item itself: the Taxable and Insurable choices and the
    estimate (INS-9: a planned item's estimate, a completed item's posted figures)."""

    taxable: bool | None
    insurable: bool | None
    insurance: Decimal
    patient: Decimal


def approved_lines(
    items: Iterable[ItemFacts],
    provider_name: Callable[[ItemFacts], str],
    terms: Callable[[ItemFacts], LineTerms] | None = None,
) -> list[ApprovedLine]:
    """The plan's lines as an approval freezes and hashes them (TP-15): plan order, the stored
    (Universal) tooth, canonical surfaces, the provider's name, the fee (blank counts 0), the visit,
    and (``terms``) the choices and the estimate.

    The one place these lines are built: approving a plan and checking a signature on the
    handout and in the editor must agree to the character.
    """
    lines = []
    for f in sorted(items, key=plan_order_key):
        extra = terms(f) if terms is not None else LineTerms(None, None, ZERO, ZERO)
        lines.append(
            ApprovedLine(
                code=f.code or "",
                tooth=f.tooth or "",
                surfaces=f.surfaces,
                provider=provider_name(f),
                fee=f.fee_or_zero,
                visit=f.visit,
                taxable=extra.taxable,
                insurable=extra.insurable,
                insurance=extra.insurance,
                patient=extra.patient,
            )
        )
    return lines


@dataclass(frozen=True)
class LineChange:
    """One line of what changed since the patient's last approval (TP-12, TP-15): a line added,
    removed, or changed in the listed parts (``fee``, ``tooth``, ``insurance``...)."""

    kind: str  # "added", "removed", "changed"
    before: ApprovedLine | None
    after: ApprovedLine | None
    parts: tuple[str, ...] = ()


_COMPARED = ("code", "tooth", "surfaces", "provider", "fee", "visit", "taxable", "insurable", "insurance", "patient")


def changes_since_approval(
    approved: Sequence[tuple[int | None, ApprovedLine]], now: Sequence[tuple[int, ApprovedLine]], *, version: int = 2
) -> list[LineChange]:
    """Line by line, how the plan now differs from what the patient approved (TP-15).

    Lines are matched by their plan item where the approval recorded it, else by code (an older
    approval). A version 1 approval recorded no estimate or choices, so those are not compared.
    Order: changed and removed lines in the approval's order, then added lines in plan order.
    """
    compared = _COMPARED if version >= 2 else _COMPARED[:6]
    by_item = {item_id: line for item_id, line in now}
    unmatched = dict(by_item)
    pairs: list[tuple[ApprovedLine, ApprovedLine | None]] = []
    for item_id, line in approved:
        if item_id is not None and item_id in unmatched:
            pairs.append((line, unmatched.pop(item_id)))
            continue
        same_code = next((k for k, other in unmatched.items() if other.code == line.code), None)
        pairs.append((line, unmatched.pop(same_code) if same_code is not None else None))
    changes: list[LineChange] = []
    for before, after in pairs:
        if after is None:
            changes.append(LineChange("removed", before, None))
            continue
        parts = tuple(name for name in compared if getattr(before, name) != getattr(after, name))
        if parts:
            changes.append(LineChange("changed", before, after, parts))
    changes += [LineChange("added", None, line) for item_id, line in now if item_id in unmatched]
    return changes


def describe_change(change: LineChange, tooth_text: Callable[[str], str]) -> str:
    """One change as the front desk reads it to the patient:
    ``D2740 #14: fee 1,350.00 → 1,200.00; insurance 675.00 → 600.00``."""

    def label(line: ApprovedLine) -> str:
        return f"{line.code} #{tooth_text(line.tooth)}" if line.tooth else line.code

    if change.kind == "added":
        assert change.after is not None
        return f"Added {label(change.after)}, {format_money(change.after.fee)}"
    if change.kind == "removed":
        assert change.before is not None
        return f"Removed {label(change.before)}, {format_money(change.before.fee)}"
    before, after = change.before, change.after
    assert before is not None and after is not None

    def shown(name: str, line: ApprovedLine) -> str:
        value = getattr(line, name)
        if name in ("fee", "insurance", "patient"):
            return format_money(value)
        if name == "tooth":
            return f"#{tooth_text(value)}" if value else "no tooth"
        if name in ("taxable", "insurable"):
            return "as the code says" if value is None else ("yes" if value else "no")
        if name == "visit":
            return f"visit {value}" if value is not None else "no visit"
        return str(value) or "none"

    names = {"patient": "patient portion"}
    parts = [f"{names.get(n, n)} {shown(n, before)} → {shown(n, after)}" for n in change.parts]
    return f"{label(before)}: " + "; ".join(parts)
