"""What the patient approved, fixed by a hash (TP-15, TP-12).

When the patient approves a plan, the service stores ``content_hash`` of exactly what was shown:
title, lines in handout order, and total. A stored signature belongs to that content only; if the
plan is re-priced or changed afterwards, ``signature_matches`` turns false and the handout must not
print the old signature as if it covered the new plan.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from dentaldesk.domain.money import to_cents
from dentaldesk.domain.plans import ItemFacts, plan_order_key

# Bumped only if the serialization ever changes; old hashes then stay checkable by version.
HASH_VERSION = "dentaldesk-approval/1"


@dataclass(frozen=True)
class ApprovedLine:
    """One plan line as the patient saw it when approving (TP-15)."""

    code: str
    tooth: str
    surfaces: str
    provider: str
    fee: Decimal
    visit: int | None


def _text(value: str) -> str:
    # The same visible text may reach us composed or decomposed (e.g. a name typed on another
    # system); normalising keeps the hash stable across such round trips.
    return unicodedata.normalize("NFC", value)


def _cents(value: Decimal) -> str:
    # Money as integer cents in a string: no float, no exponent, no trailing-zero ambiguity.
    return str(to_cents(value))


def canonical_text(title: str, lines: Sequence[ApprovedLine], total: Decimal) -> str:
    """The exact text the hash is taken of: JSON with fixed keys, lines in the order given."""
    payload = {
        "version": HASH_VERSION,
        "title": _text(title),
        "lines": [
            [
                _text(line.code),
                _text(line.tooth),
                _text(line.surfaces),
                _text(line.provider),
                _cents(line.fee),
                line.visit,
            ]
            for line in lines
        ],
        "total": _cents(total),
    }
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def content_hash(title: str, lines: Sequence[ApprovedLine], total: Decimal) -> str:
    """SHA-256 hex of what the patient approved (TP-15). Line order matters."""
    return hashlib.sha256(canonical_text(title, lines, total).encode("utf-8")).hexdigest()


def signature_matches(stored_hash: str, title: str, lines: Sequence[ApprovedLine], total: Decimal) -> bool:
    """True when the plan as it is now is exactly what the stored approval covered (TP-15)."""
    if not stored_hash:
        return False
    expected = content_hash(title, lines, total)
    # Compared as bytes: compare_digest refuses non-ASCII str; a damaged stored value is a mismatch.
    return hmac.compare_digest(stored_hash.strip().lower().encode("utf-8"), expected.encode("ascii"))


def approved_lines(items: Iterable[ItemFacts], provider_name: Callable[[ItemFacts], str]) -> list[ApprovedLine]:
    """The plan's lines as an approval freezes and hashes them (TP-15): plan order, the stored
    (Universal) tooth, canonical surfaces, the provider's name, the fee (blank counts 0), the visit.

    The one place these lines are built: approving a plan and checking a signature on the
    handout must agree to the character.
    """
    return [
        ApprovedLine(
            code=f.code or "",
            tooth=f.tooth or "",
            surfaces=f.surfaces,
            provider=provider_name(f),
            fee=f.fee_or_zero,
            visit=f.visit,
        )
        for f in sorted(items, key=plan_order_key)
    ]
