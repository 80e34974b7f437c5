"""Teeth and surfaces (ID-1, ID-2): one validator and one formatter for both numberings, and the
dentition a procedure code applies to (ID-3)."""

from __future__ import annotations

from enum import Enum

from dentaldesk.domain.errors import ValidationError
from dentaldesk.domain.terms import ToothNumbering

SURFACE_ORDER = "MODBLIF"
MAX_SURFACES = 5

UNIVERSAL_PERMANENT = tuple(str(n) for n in range(1, 33))
UNIVERSAL_PRIMARY = tuple("ABCDEFGHIJKLMNOPQRST")
FDI_PERMANENT = tuple(f"{q}{t}" for q in (1, 2, 3, 4) for t in range(1, 9))
FDI_PRIMARY = tuple(f"{q}{t}" for q in (5, 6, 7, 8) for t in range(1, 6))

_RANGE_TEXT = {
    ToothNumbering.UNIVERSAL: "Universal numbering: 1-32 permanent, A-T primary",
    ToothNumbering.FDI: "FDI numbering: 11-18, 21-28, 31-38, 41-48 permanent, 51-55 ... 81-85 primary",
}

_FIELD_HINT = {
    ToothNumbering.UNIVERSAL: "Universal: 1-32, primary A-T",
    ToothNumbering.FDI: "FDI: 11-48, primary 51-85",
}


class Dentition(str, Enum):
    """ID-3: the teeth a procedure code applies to; the master list sets it for each code."""

    PERMANENT = "permanent"
    PRIMARY = "primary"
    BOTH = "both"

    @property
    def label(self) -> str:
        return {"permanent": "Permanent teeth", "primary": "Primary teeth", "both": "Permanent and primary"}[self.value]


# ID-3: the teeth of one dentition in each numbering, as a tooth field's hint and a refusal name them.
_DENTITION_RANGE = {
    (ToothNumbering.UNIVERSAL, Dentition.PERMANENT): "1-32",
    (ToothNumbering.UNIVERSAL, Dentition.PRIMARY): "A-T",
    (ToothNumbering.FDI, Dentition.PERMANENT): "11-48",
    (ToothNumbering.FDI, Dentition.PRIMARY): "51-85",
}
_NUMBERING_NAME = {ToothNumbering.UNIVERSAL: "Universal", ToothNumbering.FDI: "FDI"}


def numbering_hint(numbering: ToothNumbering, dentition: Dentition = Dentition.BOTH) -> str:
    """ID-1: the numbering in force and its range, short enough for a tooth field's placeholder;
    for a code of one dentition only (ID-3), that dentition's range: "Universal: 1-32 (permanent only)"."""
    numbering = ToothNumbering(numbering)
    dentition = Dentition(dentition)
    if dentition is Dentition.BOTH:
        return _FIELD_HINT[numbering]
    return f"{_NUMBERING_NAME[numbering]}: {_DENTITION_RANGE[numbering, dentition]} ({dentition.value} only)"


def parse_dentition(text: str) -> Dentition:
    """ID-3: a dentition as a code list or a form names it: permanent, primary or both."""
    key = text.strip().lower()
    for dentition in Dentition:
        if key in (dentition.value, dentition.label.lower()):
            return dentition
    raise ValidationError(
        f"'{text.strip()}' is not a dentition. Use permanent, primary or both.",
        "dentition",
    )


def tooth_dentition(universal: str) -> Dentition:
    """ID-3: whether a stored (Universal) tooth is a permanent or a primary tooth."""
    return Dentition.PRIMARY if is_primary(universal) else Dentition.PERMANENT


def check_tooth_fits_code(
    universal: str,
    code: str,
    code_name: str,
    dentition: Dentition,
    numbering: ToothNumbering = ToothNumbering.UNIVERSAL,
) -> None:
    """ID-3: refuse a primary tooth on a permanent-only code and a permanent tooth on a primary-only
    code; the message names the code, what it accepts and the tooth in the office's numbering."""
    dentition = Dentition(dentition)
    kind = tooth_dentition(universal)
    if dentition is Dentition.BOTH or dentition is kind:
        return
    numbering = ToothNumbering(numbering)
    accepts = f"{_NUMBERING_NAME[numbering]} {_DENTITION_RANGE[numbering, dentition]}"
    raise ValidationError(
        f"{code} ({code_name}) is for {dentition.value} teeth ({accepts}); "
        f"tooth {display_tooth(universal, numbering)} is a {kind.value} tooth.",
        "tooth",
    )


# Universal <-> FDI. Universal 1 is the upper right third molar (FDI 18), counting round the upper
# arch to 16 (FDI 28), then 17 lower left third molar (FDI 38) round to 32 (FDI 48).
_U_TO_FDI: dict[str, str] = {}
for _i in range(8):
    _U_TO_FDI[str(1 + _i)] = f"1{8 - _i}"
    _U_TO_FDI[str(9 + _i)] = f"2{1 + _i}"
    _U_TO_FDI[str(17 + _i)] = f"3{8 - _i}"
    _U_TO_FDI[str(25 + _i)] = f"4{1 + _i}"
for _i in range(5):
    _U_TO_FDI["ABCDE"[_i]] = f"5{5 - _i}"
    _U_TO_FDI["FGHIJ"[_i]] = f"6{1 + _i}"
    _U_TO_FDI["KLMNO"[_i]] = f"7{5 - _i}"
    _U_TO_FDI["PQRST"[_i]] = f"8{1 + _i}"
_FDI_TO_U = {v: k for k, v in _U_TO_FDI.items()}


def valid_teeth(numbering: ToothNumbering) -> tuple[str, ...]:
    if numbering is ToothNumbering.FDI:
        return FDI_PERMANENT + FDI_PRIMARY
    return UNIVERSAL_PERMANENT + UNIVERSAL_PRIMARY


def parse_tooth(text: str, numbering: ToothNumbering = ToothNumbering.UNIVERSAL) -> str:
    """Validate a typed tooth and return it in Universal form, the stored form (ID-1).

    Input is read in the office's numbering; the refusal names the valid range.
    """
    cleaned = text.strip().upper().lstrip("#")
    if numbering is ToothNumbering.FDI:
        if cleaned in _FDI_TO_U:
            return _FDI_TO_U[cleaned]
    else:
        cleaned = cleaned.lstrip("0") if cleaned.isdigit() else cleaned
        if cleaned in _U_TO_FDI:
            return cleaned
    raise ValidationError(f"Tooth '{text.strip()}' does not exist. {_RANGE_TEXT[numbering]}.", "tooth")


def display_tooth(universal: str | None, numbering: ToothNumbering = ToothNumbering.UNIVERSAL) -> str:
    """The one formatter for a stored (Universal) tooth in the office's numbering."""
    if not universal:
        return ""
    if numbering is ToothNumbering.FDI:
        return _U_TO_FDI[universal]
    return universal


def is_primary(universal: str) -> bool:
    return universal.isalpha()


def parse_surfaces(text: str) -> str:
    """Validate surfaces (ID-2): letters from M, O, D, B, L, I, F, at most 5, canonical order."""
    letters = [c for c in text.upper() if not c.isspace() and c != ","]
    bad = sorted({c for c in letters if c not in SURFACE_ORDER})
    if bad:
        raise ValidationError(f"'{''.join(bad)}' is not a surface. Use M, O, D, B, L, I or F.", "surfaces")
    unique = set(letters)
    if len(unique) > MAX_SURFACES:
        raise ValidationError(f"A tooth has at most {MAX_SURFACES} surfaces.", "surfaces")
    return "".join(c for c in SURFACE_ORDER if c in unique)
