"""ID-3: which dentition a procedure code applies to, and the one check of a tooth against it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dentaldesk.domain.codes import code_from_row
from dentaldesk.domain.errors import ValidationError
from dentaldesk.domain.teeth import (
    UNIVERSAL_PERMANENT,
    UNIVERSAL_PRIMARY,
    Dentition,
    check_tooth_fits_code,
    display_tooth,
    numbering_hint,
    parse_dentition,
    parse_tooth,
    tooth_dentition,
)
from dentaldesk.domain.terms import ToothNumbering

ALL_TEETH = UNIVERSAL_PERMANENT + UNIVERSAL_PRIMARY


def test_id3_implant_refuses_a_primary_tooth_naming_tooth_code_and_what_it_accepts():
    """ID-3: a primary tooth on a permanent-only code (an implant) is refused at the tooth field."""
    with pytest.raises(ValidationError) as refused:
        check_tooth_fits_code("K", "D6010", "Implant placement surgery", Dentition.PERMANENT)
    assert refused.value.field == "tooth"
    assert refused.value.message == (
        "D6010 (Implant placement surgery) is for permanent teeth (Universal 1-32); tooth K is a primary tooth."
    )


def test_id3_primary_only_code_refuses_a_permanent_tooth_in_fdi_numbering():
    """ID-3 with ID-1: under FDI the refusal names the tooth and the range in FDI numbers."""
    tooth = parse_tooth("36", ToothNumbering.FDI)
    with pytest.raises(ValidationError) as refused:
        check_tooth_fits_code(tooth, "D3240", "Root canal, baby back tooth", Dentition.PRIMARY, ToothNumbering.FDI)
    assert refused.value.message == (
        "D3240 (Root canal, baby back tooth) is for primary teeth (FDI 51-85); tooth 36 is a permanent tooth."
    )


@pytest.mark.parametrize("tooth", ["1", "19", "32", "A", "K", "T"])
def test_id3_a_code_for_both_accepts_every_tooth(tooth):
    """ID-3: a code for both dentitions (a sealant) takes a permanent and a primary tooth."""
    check_tooth_fits_code(tooth, "D1351", "Sealant", Dentition.BOTH)


@given(
    st.sampled_from(ALL_TEETH),
    st.sampled_from(list(Dentition)),
    st.sampled_from(list(ToothNumbering)),
)
def test_id3_every_tooth_against_every_dentition(tooth, dentition, numbering):
    """ID-3: over all teeth x dentitions x numberings, a tooth is accepted exactly when the code is
    for both or for the tooth's own dentition; a refusal is at the tooth field and names the tooth
    as the office writes it."""
    fits = dentition is Dentition.BOTH or (dentition is Dentition.PRIMARY) == tooth.isalpha()
    try:
        check_tooth_fits_code(tooth, "D0000", "Test code", dentition, numbering)
    except ValidationError as refused:
        assert not fits
        assert refused.field == "tooth"
        assert f"tooth {display_tooth(tooth, numbering)} is a {tooth_dentition(tooth).value} tooth" in refused.message
        assert f"is for {dentition.value} teeth" in refused.message
    else:
        assert fits


@pytest.mark.parametrize(
    ("numbering", "dentition", "hint"),
    [
        (ToothNumbering.UNIVERSAL, Dentition.BOTH, "Universal: 1-32, primary A-T"),
        (ToothNumbering.UNIVERSAL, Dentition.PERMANENT, "Universal: 1-32 (permanent only)"),
        (ToothNumbering.UNIVERSAL, Dentition.PRIMARY, "Universal: A-T (primary only)"),
        (ToothNumbering.FDI, Dentition.BOTH, "FDI: 11-48, primary 51-85"),
        (ToothNumbering.FDI, Dentition.PERMANENT, "FDI: 11-48 (permanent only)"),
        (ToothNumbering.FDI, Dentition.PRIMARY, "FDI: 51-85 (primary only)"),
    ],
)
def test_id3_the_tooth_hint_says_what_the_code_accepts(numbering, dentition, hint):
    """ID-1/ID-3: the tooth field's hint names the numbering and, for a one-dentition code, its range."""
    assert numbering_hint(numbering, dentition) == hint


@pytest.mark.parametrize(
    ("text", "dentition"),
    [("permanent", Dentition.PERMANENT), (" Primary ", Dentition.PRIMARY), ("BOTH", Dentition.BOTH)],
)
def test_id3_a_dentition_is_read_from_its_name(text, dentition):
    assert parse_dentition(text) is dentition


def test_id3_an_unknown_dentition_is_refused_with_the_three_names():
    with pytest.raises(ValidationError) as refused:
        parse_dentition("adult")
    assert refused.value.field == "dentition"
    assert "permanent, primary or both" in refused.value.message


def test_id3_a_code_row_reads_its_dentition_and_an_empty_cell_as_both():
    """ID-3: a code list row gives the dentition; left empty (or without the column) it is both."""
    row = {"code": "D6010", "name": "Implant", "category": "implant"}
    assert code_from_row(row).dentition is Dentition.BOTH
    assert code_from_row({**row, "dentition": "permanent"}).dentition is Dentition.PERMANENT
    with pytest.raises(ValidationError) as refused:
        code_from_row({**row, "dentition": "adult"})
    assert refused.value.field == "dentition"
