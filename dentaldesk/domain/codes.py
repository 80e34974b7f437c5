"""Procedure code rules: what a code row must hold, how a code is searched (CODE-1, CODE-2)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from dentaldesk.domain.errors import ValidationError
from dentaldesk.domain.money import parse_money
from dentaldesk.domain.teeth import Dentition, parse_dentition
from dentaldesk.domain.terms import Category

CDT_PATTERN = re.compile(r"^D\d{4}$")
FLAG_NAMES = ("insurable", "taxable", "requires_tooth", "requires_surface", "charts_graphic")


@dataclass(frozen=True)
class CodeDefinition:
    """CODE-1: a code with its category, default RTU's, flags, (optional) usual fee and the
    dentition it applies to (ID-3)."""

    code: str
    name: str
    category: Category
    description: str = ""
    default_rtu: int = 0
    fee: Decimal | None = None
    insurable: bool = True
    taxable: bool = False
    requires_tooth: bool = False
    requires_surface: bool = False
    charts_graphic: bool = False
    dentition: Dentition = Dentition.BOTH


def normalize_code(text: str, *, custom: bool = False) -> str:
    """Upper-case a typed code; without the custom flag it must look like a CDT code (D and 4 digits)."""
    code = text.strip().upper()
    if not code:
        raise ValidationError("Enter a code.", "code")
    if not custom and not CDT_PATTERN.match(code):
        raise ValidationError(
            f"'{code}' does not look like a CDT code (D and four digits, e.g. D2740). "
            "Tick Custom code for an office code.",
            "code",
        )
    if len(code) > 16:
        raise ValidationError("A code has at most 16 characters.", "code")
    return code


def parse_category(text: str) -> Category:
    key = text.strip().lower().replace(" ", "_").replace(",", "").replace("-", "_")
    for category in Category:
        if key in (category.value, category.label.lower().replace(" ", "_").replace(",", "")):
            return category
    allowed = ", ".join(c.value for c in Category)
    raise ValidationError(f"'{text.strip()}' is not a category. Use one of: {allowed}.", "category")


def parse_flag(text: str, field: str) -> bool:
    key = text.strip().lower()
    if key in ("1", "y", "yes", "true", "x"):
        return True
    if key in ("0", "n", "no", "false", ""):
        return False
    raise ValidationError(f"{field} must be 1 or 0, not '{text.strip()}'.", field)


def parse_rtu(text: str) -> int:
    """TX-RTU-1: a whole number of minutes >= 0."""
    cleaned = text.strip()
    if not cleaned:
        return 0
    if not re.fullmatch(r"\d+", cleaned):
        raise ValidationError(f"RTU's are whole minutes (0 or more), not '{cleaned}'.", "rtu")
    return int(cleaned)


def code_from_row(row: dict[str, str], *, custom: bool = False) -> CodeDefinition:
    """One CSV row (code, name, category, fee, the flags and the dentition) as a checked code
    definition; an empty or missing dentition reads as both (ID-3)."""
    name = (row.get("name") or "").strip()
    if not name:
        raise ValidationError("The name is empty.", "name")
    fee_text = (row.get("fee") or "").strip()
    requires_surface = parse_flag(row.get("requires_surface") or "0", "requires_surface")
    requires_tooth = parse_flag(row.get("requires_tooth") or "0", "requires_tooth") or requires_surface
    dentition_text = (row.get("dentition") or "").strip()
    return CodeDefinition(
        code=normalize_code(row.get("code") or "", custom=custom),
        name=name[:120],
        category=parse_category(row.get("category") or ""),
        description=(row.get("description") or "").strip(),
        default_rtu=parse_rtu(row.get("default_rtu") or "0"),
        fee=parse_money(fee_text) if fee_text else None,
        insurable=parse_flag(row.get("insurable") or "1", "insurable"),
        taxable=parse_flag(row.get("taxable") or "0", "taxable"),
        requires_tooth=requires_tooth,
        requires_surface=requires_surface,
        charts_graphic=parse_flag(row.get("charts_graphic") or "0", "charts_graphic"),
        dentition=parse_dentition(dentition_text) if dentition_text else Dentition.BOTH,
    )


def code_matches(query: str, code: str, name: str) -> bool:
    """CODE-2: a code prefix ("D27") or any word of the name ("crown"), case-insensitive."""
    q = query.strip().lower()
    if not q:
        return True
    if code.lower().startswith(q):
        return True
    words = re.split(r"[^a-z0-9]+", name.lower())
    return all(any(w.startswith(part) for w in words) for part in q.split())
