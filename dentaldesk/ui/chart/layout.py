"""Where the tooth chart draws each tooth and surface, and how a mark looks (no painting here).

The chart is read as a dentist reads it, facing the patient: the patient's right is on the
viewer's left, the upper arch on top (Universal 1-16, A-J left to right), the lower arch below
(32-17, T-K). Each crown is the classic five-surface diagram: the centre is occlusal/incisal,
the side toward the midline mesial, the other side distal, the edge away from the tongue
buccal/facial and the edge toward it lingual. Kept apart from the widget so the geometry can be
checked without painting.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QPolygonF

from dentaldesk.domain.terms import Category, GraphicStatus
from dentaldesk.printing.palette import STATUS_STYLES, StatusStyle  # noqa: F401 - one palette (re-exported)

UPPER_PERMANENT = tuple(str(n) for n in range(1, 17))
LOWER_PERMANENT = tuple(str(n) for n in range(32, 16, -1))
UPPER_PRIMARY = tuple("ABCDEFGHIJ")
LOWER_PRIMARY = tuple("TSRQPONMLK")
# Primary teeth sit under the permanent teeth that replace them (A under 4 ... J under 13).
PRIMARY_FIRST_COLUMN = 3


class Dentition(str, Enum):
    """Which teeth the chart shows (permanent, primary and mixed dentition)."""

    PERMANENT = "permanent"
    PRIMARY = "primary"
    MIXED = "mixed"

    @property
    def label(self) -> str:
        return {"permanent": "Permanent", "primary": "Primary", "mixed": "Mixed"}[self.value]


class Glyph(Enum):
    """How a procedure shows on a tooth."""

    SURFACES = "surfaces"  # fillings, inlays: the surfaces named
    OCCLUSAL = "occlusal"  # sealants without surfaces: the biting surface
    CROWN = "crown"  # crowns, bridge units, build-ups: the whole crown, ringed
    ROOT_CANAL = "root_canal"  # endodontics: a line down the root
    IMPLANT = "implant"  # an implant fixture in place of the root
    EXTRACTION = "extraction"  # the tooth crossed out


IMPLANT_FIXTURES = frozenset({"D6010", "D6013", "D6040", "D6050", "D6104"})


def mark_glyph(code: str, category: Category, surfaces: str) -> Glyph:
    """The drawing for a mark, from its code's category (CODE-1) and its surfaces (ID-2)."""
    if surfaces:
        return Glyph.SURFACES
    if category is Category.ORAL_SURGERY or code == "D6100":
        return Glyph.EXTRACTION
    if category is Category.ENDODONTICS:
        return Glyph.ROOT_CANAL
    if code in IMPLANT_FIXTURES:
        return Glyph.IMPLANT
    if category is Category.PREVENTIVE:
        return Glyph.OCCLUSAL
    return Glyph.CROWN


# When marks overlap on a surface, the work still to do shows on top.
STATUS_PRIORITY = (GraphicStatus.EXISTING, GraphicStatus.COMPLETED, GraphicStatus.PLANNED)

REGIONS = ("centre", "outer", "inner", "left", "right")


@dataclass(frozen=True)
class ToothRow:
    teeth: tuple[str, ...]
    upper: bool
    primary: bool
    first_column: int


def rows_for(dentition: Dentition) -> tuple[ToothRow, ...]:
    """The rows of teeth from top to bottom of the chart."""
    up = ToothRow(UPPER_PERMANENT, upper=True, primary=False, first_column=0)
    lp = ToothRow(LOWER_PERMANENT, upper=False, primary=False, first_column=0)
    if dentition is Dentition.PERMANENT:
        return (up, lp)
    if dentition is Dentition.PRIMARY:
        return (ToothRow(UPPER_PRIMARY, True, True, 0), ToothRow(LOWER_PRIMARY, False, True, 0))
    return (
        up,
        ToothRow(UPPER_PRIMARY, True, True, PRIMARY_FIRST_COLUMN),
        ToothRow(LOWER_PRIMARY, False, True, PRIMARY_FIRST_COLUMN),
        lp,
    )


def shown_teeth(dentition: Dentition) -> frozenset[str]:
    return frozenset(t for row in rows_for(dentition) for t in row.teeth)


def on_patients_right(tooth: str) -> bool:
    """Teeth drawn on the viewer's left: their mesial side faces right, toward the midline."""
    if tooth.isdigit():
        n = int(tooth)
        return n <= 8 or n >= 25
    return tooth in "ABCDE" or tooth in "PQRST"


def surface_letters(tooth: str, upper: bool) -> dict[str, str]:
    """Which surface letters each region of the five-surface diagram stands for."""
    mesial_right = on_patients_right(tooth)
    return {
        "centre": "OI",
        "outer": "BF" if upper else "L",  # top edge of the crown on the chart
        "inner": "L" if upper else "BF",  # bottom edge
        "left": "D" if mesial_right else "M",
        "right": "M" if mesial_right else "D",
    }


def regions_for(tooth: str, upper: bool, surfaces: str) -> tuple[str, ...]:
    letters = surface_letters(tooth, upper)
    return tuple(region for region in REGIONS if any(s in letters[region] for s in surfaces))


def default_dentition(birth_date: dt.date | None, marked_teeth: Iterable[str], today: dt.date) -> Dentition:
    """Primary below 6, mixed to 12, permanent after; mixed whenever a mark would be hidden."""
    if birth_date is None:
        chosen = Dentition.PERMANENT
    else:
        age = today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))
        chosen = Dentition.PRIMARY if age < 6 else Dentition.MIXED if age < 13 else Dentition.PERMANENT
    if any(t not in shown_teeth(chosen) for t in marked_teeth):
        return Dentition.MIXED
    return chosen


# -- geometry ------------------------------------------------------------------------------------

SIDE_MARGIN = 0.9  # room for the "R" / "L" side labels, in columns
LABEL_H = 0.46
ROOT_H = (0.52, 0.42)  # permanent, primary
CROWN_H = (0.80, 0.66)
CROWN_W = (0.80, 0.68)
ROW_GAP = 0.10
ARCH_GAP = 0.34
LEGEND_H = 0.62
TOP_MARGIN = 0.12


@dataclass(frozen=True)
class ToothPlace:
    """Where one tooth is drawn: the whole cell (hit area), label, root zone and crown."""

    tooth: str
    row: int
    upper: bool
    primary: bool
    cell: QRectF
    label: QRectF
    root: QRectF
    crown: QRectF

    def region_polygon(self, region: str) -> QPolygonF:
        c = self.crown
        inset = min(c.width(), c.height()) * 0.3
        inner = c.adjusted(inset, inset, -inset, -inset)
        tl, tr, br, bl = c.topLeft(), c.topRight(), c.bottomRight(), c.bottomLeft()
        itl, itr, ibr, ibl = inner.topLeft(), inner.topRight(), inner.bottomRight(), inner.bottomLeft()
        points = {
            "centre": (itl, itr, ibr, ibl),
            "outer": (tl, tr, itr, itl),
            "inner": (bl, br, ibr, ibl),
            "left": (tl, itl, ibl, bl),
            "right": (tr, itr, ibr, br),
        }[region]
        return QPolygonF(list(points))

    def region_centre(self, region: str) -> QPointF:
        poly = self.region_polygon(region)
        if region == "centre":
            return poly.boundingRect().center()
        # The midpoint between the outer edge's middle and the inner square's edge middle.
        a = (poly[0] + poly[1]) / 2
        b = (poly[2] + poly[3]) / 2
        return (a + b) / 2

    def root_tip(self) -> QPointF:
        return QPointF(self.root.center().x(), self.root.top() if self.upper else self.root.bottom())

    def root_base(self) -> QPointF:
        return QPointF(self.root.center().x(), self.root.bottom() if self.upper else self.root.top())


@dataclass(frozen=True)
class ChartLayout:
    unit: float
    places: dict[str, ToothPlace]
    rows: tuple[ToothRow, ...]
    midline_x: float
    occlusal_y: float
    chart: QRectF
    legend: QRectF


def _height_in_units(rows: tuple[ToothRow, ...]) -> float:
    total = TOP_MARGIN + ARCH_GAP + LEGEND_H + ROW_GAP * (len(rows) - 2)
    for row in rows:
        p = 1 if row.primary else 0
        total += LABEL_H + ROOT_H[p] + CROWN_H[p]
    return total


def chart_layout(dentition: Dentition, width: float, height: float) -> ChartLayout:
    """Place every shown tooth in a widget of ``width`` x ``height``; scales with the widget."""
    rows = rows_for(dentition)
    columns = 10 if dentition is Dentition.PRIMARY else 16
    unit = max(4.0, min(width / (columns + 2 * SIDE_MARGIN), height / _height_in_units(rows)))
    chart_w = columns * unit
    left = (width - chart_w) / 2
    top = max(0.0, (height - _height_in_units(rows) * unit) / 2) + TOP_MARGIN * unit
    places: dict[str, ToothPlace] = {}
    y = top
    occlusal_y = top
    for index, row in enumerate(rows):
        p = 1 if row.primary else 0
        label_h, root_h, crown_h, crown_w = LABEL_H * unit, ROOT_H[p] * unit, CROWN_H[p] * unit, CROWN_W[p] * unit
        row_h = label_h + root_h + crown_h
        for n, tooth in enumerate(row.teeth):
            x = left + (row.first_column + n) * unit
            cx = x + unit / 2
            if row.upper:
                label = QRectF(x, y, unit, label_h)
                root = QRectF(cx - crown_w / 2, y + label_h, crown_w, root_h)
                crown = QRectF(cx - crown_w / 2, y + label_h + root_h, crown_w, crown_h)
            else:
                crown = QRectF(cx - crown_w / 2, y, crown_w, crown_h)
                root = QRectF(cx - crown_w / 2, y + crown_h, crown_w, root_h)
                label = QRectF(x, y + crown_h + root_h, unit, label_h)
            places[tooth] = ToothPlace(
                tooth, index, row.upper, row.primary, QRectF(x, y, unit, row_h), label, root, crown
            )
        y += row_h
        next_row = rows[index + 1] if index + 1 < len(rows) else None
        if next_row is not None and row.upper and not next_row.upper:
            occlusal_y = y + ARCH_GAP * unit / 2
            y += ARCH_GAP * unit
        elif next_row is not None:
            y += ROW_GAP * unit
    legend = QRectF(left, y + 0.08 * unit, chart_w, LEGEND_H * unit)
    return ChartLayout(
        unit=unit,
        places=places,
        rows=rows,
        midline_x=left + chart_w / 2,
        occlusal_y=occlusal_y,
        chart=QRectF(left, top, chart_w, y - top),
        legend=legend,
    )
