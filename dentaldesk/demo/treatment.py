"""Realistic treatment plans for the demo: which codes, teeth, surfaces, visits and prerequisites.

Each template returns a :class:`TreatmentDraft` whose items are in plan order (visit, then list
position), and whose prerequisites always point at an earlier item of an earlier or the same
visit: completing any prefix of the items in that order respects TP-9. Teeth are Universal and
checked with the domain's tooth and surface parsers (ID-1, ID-2).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from dentaldesk.domain.teeth import parse_surfaces, parse_tooth

SIX_YEAR_MOLARS = ("3", "14", "19", "30")
TWELVE_YEAR_MOLARS = ("2", "15", "18", "31")
MOLARS = SIX_YEAR_MOLARS + TWELVE_YEAR_MOLARS
THIRD_MOLARS = ("1", "16", "17", "32")
PREMOLARS = ("4", "5", "12", "13", "20", "21", "28", "29")
ANTERIORS = ("6", "7", "8", "9", "10", "11", "22", "23", "24", "25", "26", "27")
UPPER_FRONT = ("7", "8", "9", "10")
PRIMARY_MOLARS = ("A", "B", "I", "J", "K", "L", "S", "T")
# Teeth whose both neighbours are in the same arch, for a three-unit bridge.
BRIDGE_PONTICS = ("3", "4", "5", "12", "13", "14", "19", "20", "21", "28", "29", "30")
QUADRANTS = ("Upper right", "Upper left", "Lower left", "Lower right")

# Work the hygienist does; everything else is the dentist's.
HYGIENE_CODES = frozenset({"D1110", "D1120", "D1206", "D1208", "D1351", "D4341", "D4342", "D4355", "D4910"})

_POSTERIOR_SURFACES = ("O", "O", "MO", "DO", "OB", "OL", "MOD", "MO", "DO")
_ANTERIOR_SURFACES = ("M", "D", "F", "MI", "DI", "MF", "DF", "MIF", "DL")
_COMPOSITE_POSTERIOR = {1: "D2391", 2: "D2392", 3: "D2393"}
_AMALGAM = {1: "D2140", 2: "D2150", 3: "D2160"}
_COMPOSITE_ANTERIOR = {1: "D2330", 2: "D2331", 3: "D2332"}


@dataclass(frozen=True)
class ItemSpec:
    """One planned procedure: code, tooth, surfaces, visit, prerequisites (indices), note."""

    code: str
    tooth: str | None = None
    surfaces: str = ""
    visit: int | None = None
    prerequisites: tuple[int, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class TreatmentDraft:
    title: str
    items: tuple[ItemSpec, ...]


def _item(
    code: str,
    tooth: str | None = None,
    surfaces: str = "",
    visit: int | None = 1,
    prerequisites: tuple[int, ...] = (),
    note: str = "",
) -> ItemSpec:
    return ItemSpec(
        code,
        parse_tooth(tooth) if tooth else None,
        parse_surfaces(surfaces) if surfaces else "",
        visit,
        prerequisites,
        note,
    )


def filling(rng: random.Random, tooth: str, visit: int) -> ItemSpec:
    """A filling with surfaces that fit the tooth: white on front teeth, mostly white at the back."""
    if tooth in ANTERIORS:
        surfaces = rng.choice(_ANTERIOR_SURFACES)
        codes = _COMPOSITE_ANTERIOR
    else:
        surfaces = rng.choice(_POSTERIOR_SURFACES)
        codes = _AMALGAM if rng.random() < 0.2 else _COMPOSITE_POSTERIOR
    return _item(codes[min(len(surfaces), 3)], tooth, surfaces, visit)


def _rct_code(tooth: str) -> str:
    if tooth in ANTERIORS:
        return "D3310"
    return "D3320" if tooth in PREMOLARS else "D3330"


def checkup(rng: random.Random, age: int) -> TreatmentDraft:
    child = age < 14
    new = rng.random() < 0.4
    items = [
        _item("D0150" if new else "D0120"),
        _item("D0210" if new and not child else "D0274"),
        _item("D1120" if child else "D1110"),
    ]
    if child or rng.random() < 0.3:
        items.append(_item("D1206"))
    if not child and rng.random() < 0.3:
        items.append(_item("D0330"))
    return TreatmentDraft("New patient exam and cleaning" if new else "Checkup and cleaning", tuple(items))


def fillings(rng: random.Random, age: int) -> TreatmentDraft:
    pool = PRIMARY_MOLARS if age < 10 else MOLARS + PREMOLARS + ANTERIORS
    teeth = rng.sample(pool, rng.randint(2, 5))
    items = [_item("D0120"), _item("D0274")]
    items += [filling(rng, tooth, 1 if n < 2 else 2) for n, tooth in enumerate(teeth)]
    return TreatmentDraft(f"Fillings ({len(teeth)} teeth)", tuple(items))


def crown(rng: random.Random, age: int) -> TreatmentDraft:
    tooth = rng.choice(MOLARS + PREMOLARS)
    items = (
        _item("D0120"),
        _item("D0220", tooth),
        _item("D2950", tooth),
        _item(rng.choice(("D2740", "D2740", "D2750")), tooth, visit=2, prerequisites=(2,)),
    )
    return TreatmentDraft(f"Crown #{tooth}", items)


def root_canal_crown(rng: random.Random, age: int) -> TreatmentDraft:
    tooth = rng.choice(MOLARS + PREMOLARS + ANTERIORS)
    core = "D2954" if tooth in ANTERIORS else "D2950"
    items = (
        _item("D0140"),
        _item("D0220", tooth),
        _item(_rct_code(tooth), tooth),
        _item(core, tooth, visit=2, prerequisites=(2,)),
        _item("D2740", tooth, visit=3, prerequisites=(3,)),
    )
    return TreatmentDraft(f"Root canal and crown #{tooth}", items)


def implant(rng: random.Random, age: int) -> TreatmentDraft:
    """Extraction, then implant, then its crown: the D7210 -> D6010 -> D6058 chain (TP-8)."""
    tooth = rng.choice(SIX_YEAR_MOLARS + PREMOLARS)
    items = (
        _item("D0120"),
        _item("D0330"),
        _item("D7210", tooth),
        _item("D6010", tooth, visit=2, prerequisites=(2,), note="After the socket has healed (3 months)."),
        _item(rng.choice(("D6058", "D6058", "D6065")), tooth, visit=3, prerequisites=(3,)),
    )
    return TreatmentDraft(f"Implant to replace #{tooth}", items)


def perio(rng: random.Random, age: int) -> TreatmentDraft:
    items = [_item("D0180")]
    quads = 4 if rng.random() < 0.7 else 2
    for n in range(quads):
        items.append(_item("D4341", visit=1 if n < 2 else 2, note=QUADRANTS[n]))
    items.append(_item("D4910", visit=3, prerequisites=tuple(range(1, quads + 1))))
    return TreatmentDraft("Gum treatment (scaling and root planing)", tuple(items))


def bridge(rng: random.Random, age: int) -> TreatmentDraft:
    pontic = int(rng.choice(BRIDGE_PONTICS))
    front, back = str(pontic - 1), str(pontic + 1)
    items: list[ItemSpec] = [_item("D0220", str(pontic))]
    waits: tuple[int, ...] = ()
    if rng.random() < 0.5:
        items.append(_item("D7140", str(pontic)))
        waits = (1,)
    items.append(_item("D6750", front, visit=2, prerequisites=waits))
    items.append(_item(rng.choice(("D6240", "D6245")), str(pontic), visit=2, prerequisites=waits))
    items.append(_item("D6750", back, visit=2, prerequisites=waits))
    return TreatmentDraft(f"Bridge #{front}-#{back}", tuple(items))


def dentures(rng: random.Random, age: int) -> TreatmentDraft:
    teeth = sorted(rng.sample(("6", "7", "8", "9", "10", "11"), rng.randint(1, 3)), key=int)
    items = [_item("D0150"), _item("D0330")]
    items += [_item("D7140", tooth) for tooth in teeth]
    items.append(_item("D5110", visit=2, prerequisites=tuple(range(2, len(items)))))
    if rng.random() < 0.4:
        items.append(_item("D5214", visit=2))
    return TreatmentDraft("Upper denture", tuple(items))


def wisdom(rng: random.Random, age: int) -> TreatmentDraft:
    teeth = sorted(rng.sample(THIRD_MOLARS, rng.randint(2, 4)), key=int)
    items = [_item("D0330")]
    items += [_item(rng.choice(("D7230", "D7240")), tooth, visit=2) for tooth in teeth]
    items.append(_item("D9230", visit=2))
    return TreatmentDraft("Wisdom teeth removal", tuple(items))


def sealants(rng: random.Random, age: int) -> TreatmentDraft:
    teeth = TWELVE_YEAR_MOLARS if age >= 12 else SIX_YEAR_MOLARS  # sealed as each molar comes in
    items = [_item("D0120"), _item("D1120"), _item("D1206")]
    items += [_item("D1351", tooth, visit=1 if n < 2 else 2) for n, tooth in enumerate(teeth)]
    return TreatmentDraft("Checkup and sealants", tuple(items))


def ortho(rng: random.Random, age: int) -> TreatmentDraft:
    items = [_item("D0330"), _item("D8080", visit=2)]
    items += [_item("D8670", visit=3 + n, prerequisites=(1,)) for n in range(rng.randint(2, 3))]
    return TreatmentDraft("Braces", tuple(items))


def cosmetic(rng: random.Random, age: int) -> TreatmentDraft:
    teeth = sorted(rng.sample(UPPER_FRONT, rng.randint(2, 4)), key=int)
    items = [_item("D0150"), _item("D9975")]
    items += [_item("D2962", tooth, visit=2) for tooth in teeth]
    return TreatmentDraft("Smile makeover", tuple(items))


def guard(rng: random.Random, age: int) -> TreatmentDraft:
    if age < 18:
        return TreatmentDraft("Sports mouthguard", (_item("D0120"), _item("D0274"), _item("D9941")))
    items = [_item("D0140"), _item("D0272"), _item("D9944")]
    if rng.random() < 0.5:
        items.append(_item("D9630", note="Prescription toothpaste"))
    return TreatmentDraft("Night guard for grinding", tuple(items))


def emergency(rng: random.Random, age: int) -> TreatmentDraft:
    tooth = rng.choice(MOLARS + PREMOLARS)
    items = [_item("D0140"), _item("D0220", tooth), _item("D9110")]
    if rng.random() < 0.5:
        items.append(_item("D7140", tooth, visit=2))
    else:
        items.append(_item(_rct_code(tooth), tooth, visit=2))
        items.append(_item("D2950", tooth, visit=3, prerequisites=(3,)))
    return TreatmentDraft(f"Emergency: pain #{tooth}", tuple(items))


Template = Callable[[random.Random, int], TreatmentDraft]

# name -> (template, youngest age, oldest age, weight in the large practice)
TEMPLATES: dict[str, tuple[Template, int, int, int]] = {
    "checkup": (checkup, 0, 120, 10),
    "fillings": (fillings, 5, 120, 20),
    "crown": (crown, 18, 120, 12),
    "root_canal_crown": (root_canal_crown, 16, 120, 10),
    "implant": (implant, 25, 120, 8),
    "perio": (perio, 30, 120, 8),
    "bridge": (bridge, 30, 120, 4),
    "dentures": (dentures, 55, 120, 3),
    "wisdom": (wisdom, 16, 35, 5),
    "sealants": (sealants, 6, 15, 6),
    "ortho": (ortho, 10, 17, 3),
    "cosmetic": (cosmetic, 18, 70, 3),
    "guard": (guard, 12, 120, 3),
    "emergency": (emergency, 12, 120, 7),
}


def fits(name: str, age: int) -> bool:
    _, youngest, oldest, _ = TEMPLATES[name]
    return youngest <= age <= oldest


def random_plan(rng: random.Random, age: int) -> TreatmentDraft:
    """A plan drawn by weight among the templates that fit the patient's age."""
    names = [name for name in TEMPLATES if fits(name, age)]
    weights = [TEMPLATES[name][3] for name in names]
    name = rng.choices(names, weights)[0]
    return TEMPLATES[name][0](rng, age)


def full_mouth(rng: random.Random, size: int = 60) -> TreatmentDraft:
    """A full-mouth rehabilitation of exactly ``size`` items with chains of prerequisites.

    Exam and x-rays, four quadrants of scaling, then per tooth a chain (root canal -> buildup ->
    crown, extraction -> implant -> implant crown, buildup -> crown, or a filling), and
    periodontal maintenance after the scaling. The benchmark plan for the plan editor.
    """
    items: list[ItemSpec] = [_item("D0150"), _item("D0210"), _item("D0180")]
    quads = []
    for n in range(4):
        quads.append(len(items))
        items.append(_item("D4341", visit=2, note=QUADRANTS[n]))
    teeth = list(MOLARS + PREMOLARS + ANTERIORS)
    rng.shuffle(teeth)
    left = size - len(items) - 1  # the maintenance visit closes the plan
    if not 0 < left <= 3 * len(teeth):
        raise ValueError(f"a full-mouth plan holds {len(items) + 2} to {len(items) + 1 + 3 * len(teeth)} items")
    last_visit = 2
    for n, tooth in enumerate(teeth):
        if left == 0:
            break
        teeth_left = len(teeth) - n
        need = -(-left // teeth_left)  # enough per tooth to reach the size with the teeth left
        chain = min(max(rng.choice((1, 2, 3, 3)), need), left, 3)
        visit = 3 + n // 4
        start = len(items)
        if chain == 1:
            items.append(filling(rng, tooth, visit))
        elif chain == 2:
            items.append(_item("D2950", tooth, visit=visit))
            items.append(_item("D2740", tooth, visit=visit + 1, prerequisites=(start,)))
        elif tooth in ANTERIORS or rng.random() < 0.7:
            items.append(_item(_rct_code(tooth), tooth, visit=visit))
            core = "D2954" if tooth in ANTERIORS else "D2950"
            items.append(_item(core, tooth, visit=visit + 1, prerequisites=(start,)))
            items.append(_item("D2740", tooth, visit=visit + 2, prerequisites=(start + 1,)))
        else:
            items.append(_item("D7210", tooth, visit=visit))
            items.append(_item("D6010", tooth, visit=visit + 1, prerequisites=(start,)))
            items.append(_item("D6058", tooth, visit=visit + 2, prerequisites=(start + 1,)))
        left -= chain
        last_visit = max(last_visit, visit + chain - 1)
    items.append(_item("D4910", visit=last_visit + 1, prerequisites=tuple(quads)))
    return TreatmentDraft("Full mouth rehabilitation", tuple(items))


def plan_order(items: tuple[ItemSpec, ...]) -> list[int]:
    """Indices of the items in plan order: visit, then list position (TP-16)."""
    return sorted(range(len(items)), key=lambda i: (items[i].visit or 0, i))


def all_codes() -> frozenset[str]:
    """Every code the templates may use, to check against the office list before building."""
    codes = {
        "D0120",
        "D0140",
        "D0150",
        "D0180",
        "D0210",
        "D0220",
        "D0272",
        "D0274",
        "D0330",
        "D1110",
        "D1120",
        "D1206",
        "D1351",
        "D2740",
        "D2750",
        "D2950",
        "D2954",
        "D2962",
        "D3310",
        "D3320",
        "D3330",
        "D4341",
        "D4910",
        "D5110",
        "D5214",
        "D6010",
        "D6058",
        "D6065",
        "D6240",
        "D6245",
        "D6750",
        "D7140",
        "D7210",
        "D7230",
        "D7240",
        "D8080",
        "D8670",
        "D9110",
        "D9230",
        "D9630",
        "D9941",
        "D9944",
        "D9975",
    }
    codes |= set(_COMPOSITE_POSTERIOR.values()) | set(_AMALGAM.values()) | set(_COMPOSITE_ANTERIOR.values())
    return frozenset(codes)
