"""The hash that ties a patient's approval and signature to what was approved (DOMAIN.md TP-15, TP-12)."""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dentaldesk.domain.approval import ApprovedLine, canonical_text, content_hash, signature_matches

FAST = settings(max_examples=60, deadline=None)

EXTRACTION = ApprovedLine("D7210", "19", "", "Dr. Ada Molar", Decimal("250.00"), 1)
CROWN = ApprovedLine("D2740", "14", "", "Dr. Ada Molar", Decimal("1200.00"), None)
TITLE = "Phase 1: restorations"
TOTAL = Decimal("1450.00")

# Pinned: a stored approval must still verify after any release (change HASH_VERSION, never this).
PINNED_TEXT = (
    '{"lines":[["D7210","19","","Dr. Ada Molar","25000",1],["D2740","14","","Dr. Ada Molar","120000",null]],'
    '"title":"Phase 1: restorations","total":"145000","version":"dentaldesk-approval/1"}'
)
PINNED_HASH = "72b30cb68b77133126d6be7fee463749ed4df00e8b3c4992845afdc81542e46d"


def test_tp15_hash_is_pinned_across_releases() -> None:
    """TP-15: the serialization and its SHA-256 never change, so old signatures keep verifying."""
    assert canonical_text(TITLE, [EXTRACTION, CROWN], TOTAL, version=1) == PINNED_TEXT
    assert hashlib.sha256(PINNED_TEXT.encode("utf-8")).hexdigest() == PINNED_HASH
    assert content_hash(TITLE, [EXTRACTION, CROWN], TOTAL, version=1) == PINNED_HASH
    assert signature_matches(PINNED_HASH, TITLE, [EXTRACTION, CROWN], TOTAL, version=1)


PRICED = replace(CROWN, taxable=None, insurable=True, insurance=Decimal("600.00"), patient=Decimal("600.00"))
PINNED_V2_TEXT = (
    '{"insurance":"60000","lines":[["D2740","14","","Dr. Ada Molar","120000",null,"default","yes","60000",'
    '"60000"]],"patient":"60000","title":"Phase 1: restorations","total":"120000","version":"dentaldesk-approval/2"}'
)


def test_tp15_version_2_text_is_pinned() -> None:
    """TP-15: version 2 adds each line's Taxable and Insurable choices, its estimated insurance and
    patient portion, and their totals, in a fixed serialization."""
    assert canonical_text(TITLE, [PRICED], Decimal("1200.00")) == PINNED_V2_TEXT


@pytest.mark.parametrize(
    "change",
    [
        dict(taxable=True),
        dict(taxable=False),
        dict(insurable=False),
        dict(insurable=None),
        dict(insurance=Decimal("599.99")),
        dict(patient=Decimal("600.01")),
    ],
)
def test_tp15_choices_and_estimate_are_covered(change) -> None:
    """TP-15: changing a line's Taxable or Insurable choice or its estimate breaks the signature."""
    stored = content_hash(TITLE, [PRICED], Decimal("1200.00"))
    assert signature_matches(stored, TITLE, [PRICED], Decimal("1200.00"))
    assert not signature_matches(stored, TITLE, [replace(PRICED, **change)], Decimal("1200.00"))


def test_tp15_an_old_approval_is_checked_by_its_own_version() -> None:
    """TP-15: a version 1 approval verifies against what it covered; read as version 2 it fails."""
    old = content_hash(TITLE, [CROWN], Decimal("1200.00"), version=1)
    assert signature_matches(old, TITLE, [PRICED], Decimal("1200.00"), version=1)
    assert not signature_matches(old, TITLE, [PRICED], Decimal("1200.00"))
    assert not signature_matches(old, TITLE, [PRICED], Decimal("1200.00"), version=9)


def test_tp15_money_is_serialized_as_cents_not_float() -> None:
    """TP-15, MONEY-1: 1200, 1200.0 and 1200.00 are the same fee and hash the same."""
    a = content_hash(TITLE, [replace(CROWN, fee=Decimal("1200"))], Decimal("1200"))
    b = content_hash(TITLE, [replace(CROWN, fee=Decimal("1200.0"))], Decimal("1200.00"))
    assert a == b
    assert "1200.0" not in canonical_text(TITLE, [CROWN], TOTAL)


def test_tp15_float_fee_is_refused() -> None:
    """MONEY-1: a float never gets into an approval."""
    with pytest.raises(TypeError):
        content_hash(TITLE, [replace(CROWN, fee=1200.0)], TOTAL)  # type: ignore[arg-type]


def test_tp15_line_order_matters() -> None:
    """TP-15: the handout's order is part of what was approved."""
    assert content_hash(TITLE, [EXTRACTION, CROWN], TOTAL) != content_hash(TITLE, [CROWN, EXTRACTION], TOTAL)


def test_tp15_no_visit_differs_from_visit() -> None:
    """TP-15, TP-16: an unassigned visit is not the same as visit 0 or visit 1."""
    hashes = {content_hash(TITLE, [replace(CROWN, visit=v)], TOTAL) for v in (None, 0, 1)}
    assert len(hashes) == 3


def test_tp15_field_boundaries_cannot_be_shifted() -> None:
    """TP-15: moving text from one field to the next changes the hash (no ambiguous joining)."""
    a = ApprovedLine("D2740", "14", "MO", "Dr. A", Decimal("1.00"), 1)
    b = ApprovedLine("D2740", "14M", "O", "Dr. A", Decimal("1.00"), 1)
    assert content_hash(TITLE, [a], TOTAL) != content_hash(TITLE, [b], TOTAL)


def test_tp15_composed_and_decomposed_names_hash_the_same() -> None:
    """TP-15: the same visible provider name, however its accents are encoded, keeps the signature valid."""
    composed = replace(CROWN, provider="Dr. Zoë Müller")
    decomposed = replace(CROWN, provider=unicodedata.normalize("NFD", "Dr. Zoë Müller"))
    assert content_hash(TITLE, [composed], TOTAL) == content_hash(TITLE, [decomposed], TOTAL)


def test_tp15_signature_matches_unchanged_plan() -> None:
    """TP-15: the stored hash matches while the plan is exactly what the patient approved."""
    stored = content_hash(TITLE, [EXTRACTION, CROWN], TOTAL)
    assert signature_matches(stored, TITLE, [EXTRACTION, CROWN], TOTAL)
    assert signature_matches(stored.upper() + "\n", TITLE, [EXTRACTION, CROWN], TOTAL)


def test_tp12_signature_stops_matching_after_reprice() -> None:
    """TP-12, TP-15: raising a fee after approval invalidates the stored signature."""
    stored = content_hash(TITLE, [EXTRACTION, CROWN], TOTAL)
    raised = [EXTRACTION, replace(CROWN, fee=Decimal("1300.00"))]
    assert not signature_matches(stored, TITLE, raised, Decimal("1550.00"))


@pytest.mark.parametrize("stored", ["", "not-a-hash", "é" * 64])
def test_tp15_missing_or_damaged_hash_never_matches(stored: str) -> None:
    """TP-15: an empty or damaged stored hash is a mismatch, not an error."""
    assert not signature_matches(stored, TITLE, [CROWN], TOTAL)


text = st.text(max_size=12)
cents = st.integers(min_value=0, max_value=10_000_000).map(lambda c: Decimal(c) / 100)
lines_strategy = st.builds(
    ApprovedLine,
    code=text,
    tooth=text,
    surfaces=text,
    provider=text,
    fee=cents,
    visit=st.one_of(st.none(), st.integers(min_value=0, max_value=50)),
)


@FAST
@given(st.text(max_size=30), st.lists(lines_strategy, max_size=6), cents)
def test_tp15_hash_is_stable_for_equal_content(title, lines, total) -> None:
    """TP-15: the same content, rebuilt from scratch, always gives the same 64-hex hash."""
    copies = [replace(line, fee=Decimal(str(line.fee))) for line in lines]
    first = content_hash(title, lines, total)
    assert first == content_hash(title, copies, Decimal(str(total)))
    assert len(first) == 64 and all(c in "0123456789abcdef" for c in first)
    assert signature_matches(first, title, copies, total)


@FAST
@given(st.lists(lines_strategy, min_size=1, max_size=6), cents, st.data())
def test_tp15_hash_changes_when_any_line_changes(lines, total, data) -> None:
    """TP-15: changing any field of any line, the title or the total changes the hash."""
    before = content_hash(TITLE, lines, total)
    index = data.draw(st.integers(0, len(lines) - 1))
    field = data.draw(st.sampled_from(["code", "tooth", "surfaces", "provider", "fee", "visit"]))
    old = getattr(lines[index], field)
    if field == "fee":
        new = old + Decimal(data.draw(st.integers(1, 100_000))) / 100
    elif field == "visit":
        new = data.draw(st.one_of(st.none(), st.integers(0, 50)).filter(lambda v: v != old))
    else:
        nfc = unicodedata.normalize("NFC", old)
        new = data.draw(text.filter(lambda t: unicodedata.normalize("NFC", t) != nfc))
    changed = list(lines)
    changed[index] = replace(lines[index], **{field: new})
    assert content_hash(TITLE, changed, total) != before
    assert not signature_matches(before, TITLE, changed, total)
    assert content_hash(TITLE, lines, total + Decimal("0.01")) != before
    assert content_hash(TITLE + " (revised)", lines, total) != before
    assert content_hash(TITLE, lines[:-1], total) != before


def test_tp15_approved_lines_follow_plan_order_and_name_the_provider() -> None:
    """TP-15: the frozen lines come in plan order (visit, then sequence) with the provider's name."""
    from dentaldesk.domain.approval import approved_lines
    from dentaldesk.domain.plans import ItemFacts

    items = [
        ItemFacts(
            id=1,
            code="D2740",
            label="D2740 #14",
            provider_id=7,
            tooth="14",
            surfaces="",
            fee=Decimal("1200.00"),
            visit=2,
            sequence=1,
        ),
        ItemFacts(
            id=2, code="D0120", label="D0120", provider_id=None, tooth=None, surfaces="", fee=None, visit=1, sequence=2
        ),
    ]
    lines = approved_lines(items, lambda f: {7: "Dr. Reyes"}.get(f.provider_id or 0, ""))
    assert [(line.code, line.tooth, line.provider, line.fee, line.visit) for line in lines] == [
        ("D0120", "", "", Decimal("0.00"), 1),
        ("D2740", "14", "Dr. Reyes", Decimal("1200.00"), 2),
    ]
