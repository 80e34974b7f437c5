"""Checks on the shipped starter master list of procedure codes (CODE-1)."""

import csv
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest

CSV_PATH = Path(__file__).resolve().parents[2] / "resources" / "master_codes.csv"

EXPECTED_COLUMNS = [
    "code",
    "name",
    "description",
    "category",
    "default_rtu",
    "fee",
    "insurable",
    "taxable",
    "requires_tooth",
    "requires_surface",
    "charts_graphic",
    "dentition",
]
ALLOWED_CATEGORIES = {
    "diagnostic",
    "preventive",
    "restorative",
    "endodontics",
    "periodontics",
    "prosthodontics_removable",
    "prosthodontics_fixed",
    "implant",
    "oral_surgery",
    "orthodontics",
    "adjunctive",
}
FLAG_COLUMNS = ["insurable", "taxable", "requires_tooth", "requires_surface", "charts_graphic"]
CODE_RE = re.compile(r"^D\d{4}$")


@pytest.fixture(scope="module")
def header():
    with CSV_PATH.open(newline="", encoding="utf-8") as f:
        return next(csv.reader(f))


@pytest.fixture(scope="module")
def rows():
    with CSV_PATH.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_header_matches_columns(header):
    """CODE-1/ID-3: the header lists exactly the code, name, description, category, RTU, fee, flag and
    dentition columns."""
    assert header == EXPECTED_COLUMNS


def test_at_least_120_rows(rows):
    """CODE-1: the starter master list ships at least 120 codes."""
    assert len(rows) >= 120


def test_no_ragged_rows(rows):
    """CODE-1: every row has exactly one value per column."""
    for r in rows:
        assert None not in r, f"extra fields in {r.get('code')}"
        assert all(v is not None for v in r.values()), f"missing fields in {r.get('code')}"


def test_codes_unique_and_well_formed(rows):
    """CODE-1: codes are unique and look like D followed by four digits."""
    codes = [r["code"] for r in rows]
    bad = [c for c in codes if not CODE_RE.match(c)]
    assert not bad, f"malformed codes: {bad}"
    dupes = sorted({c for c in codes if codes.count(c) > 1})
    assert not dupes, f"duplicate codes: {dupes}"


def test_category_in_allowed_set(rows):
    """CODE-1: every code's category is one of the eleven allowed categories."""
    bad = [(r["code"], r["category"]) for r in rows if r["category"] not in ALLOWED_CATEGORIES]
    assert not bad, f"unknown categories: {bad}"


def test_every_category_appears(rows):
    """CODE-1: every allowed category has at least one code in the master list."""
    missing = ALLOWED_CATEGORIES - {r["category"] for r in rows}
    assert not missing, f"categories with no codes: {sorted(missing)}"


def test_rtu_whole_non_negative(rows):
    """CODE-1: default RTU's are whole minutes, zero or more."""
    for r in rows:
        assert re.fullmatch(r"\d+", r["default_rtu"]), f"{r['code']}: bad RTU {r['default_rtu']!r}"
        assert int(r["default_rtu"]) >= 0


def test_fee_decimal_two_places_non_negative(rows):
    """CODE-1/MONEY-2: the fee parses as a Decimal with exactly two decimals and is never negative."""
    for r in rows:
        raw = r["fee"]
        try:
            fee = Decimal(raw)
        except InvalidOperation:
            pytest.fail(f"{r['code']}: fee {raw!r} is not a decimal")
        assert fee.is_finite(), f"{r['code']}: fee {raw!r} not finite"
        assert fee >= 0, f"{r['code']}: negative fee {raw!r}"
        assert fee.as_tuple().exponent == -2, f"{r['code']}: fee {raw!r} needs exactly two decimals"


def test_flags_are_zero_or_one(rows):
    """CODE-1: insurable, taxable, requires tooth, requires surface and charts graphic are 0 or 1."""
    for r in rows:
        for col in FLAG_COLUMNS:
            assert r[col] in ("0", "1"), f"{r['code']}: {col}={r[col]!r}"


def test_requires_surface_implies_requires_tooth(rows):
    """CODE-1/CODE-4: a code that requires a surface also requires a tooth."""
    bad = [r["code"] for r in rows if r["requires_surface"] == "1" and r["requires_tooth"] != "1"]
    assert not bad, f"surface without tooth: {bad}"


def test_names_unique_and_non_empty(rows):
    """CODE-1/CODE-2: every code has a non-empty short name and no two names are the same."""
    names = [r["name"].strip() for r in rows]
    assert all(names), "empty name found"
    lowered = [n.lower() for n in names]
    dupes = sorted({n for n in lowered if lowered.count(n) > 1})
    assert not dupes, f"duplicate names: {dupes}"


def test_descriptions_non_empty(rows):
    """CODE-1: every code has a patient-friendly description for the printed handout."""
    empty = [r["code"] for r in rows if not r["description"].strip()]
    assert not empty, f"empty descriptions: {empty}"


def test_dentition_is_permanent_primary_or_both(rows):
    """ID-3: every code says which dentition it applies to."""
    bad = [(r["code"], r["dentition"]) for r in rows if r["dentition"] not in ("permanent", "primary", "both")]
    assert not bad, f"unknown dentitions: {bad}"


def test_dentition_of_implants_crowns_bridges_and_primary_codes(rows):
    """ID-3: implants (D6xxx), crowns (D27xx) and bridges (D62xx-D67xx) are for permanent teeth; the
    primary-tooth codes (steel crown and pulpal therapy of a primary tooth, a primary tooth's remnant)
    for primary teeth; a sealant, a filling and a simple extraction for either."""
    dentition = {r["code"]: r["dentition"] for r in rows}
    for code, value in dentition.items():
        number = int(code[1:])
        if 6000 <= number <= 6999 or 2740 <= number <= 2799:
            assert value == "permanent", code
    for code in ("D2930", "D2934", "D3230", "D3240", "D7111"):
        assert dentition[code] == "primary", code
    for code in ("D1351", "D2330", "D2391", "D7140", "D3220", "D0120"):
        assert dentition[code] == "both", code
