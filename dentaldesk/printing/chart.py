"""The tooth chart printed on the handout: 32 permanent teeth in two arches, planned work marked.

Drawn as a dentist's chart is read, facing the patient: the patient's right is on the left of the
page, the upper arch runs 1..16 (FDI 18..11, 21..28) and the lower arch 32..17 (FDI 48..41,
31..38) beneath it. Numbers follow the office's numbering (ID-1) through the one formatter,
``display_tooth``.
"""

from __future__ import annotations

from collections.abc import Collection

from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors

from dentaldesk.domain.teeth import display_tooth, is_primary
from dentaldesk.domain.terms import GraphicStatus, ToothNumbering
from dentaldesk.printing.palette import STATUS_STYLES

# The same colours as the chart on screen (printing/palette.py).
_PLANNED = STATUS_STYLES[GraphicStatus.PLANNED]
_DONE = STATUS_STYLES[GraphicStatus.COMPLETED]
PLANNED_FILL = colors.HexColor(_PLANNED.fill)
PLANNED_STROKE = colors.HexColor(_PLANNED.stroke)
PLANNED_TEXT = colors.HexColor(_PLANNED.ink)
DONE_FILL = colors.HexColor(_DONE.fill)
DONE_STROKE = colors.HexColor(_DONE.stroke)
DONE_TEXT = colors.HexColor(_DONE.ink)
TOOTH_FILL = colors.white
TOOTH_STROKE = colors.HexColor("#98a2b3")
INK = colors.HexColor("#344054")
MUTED = colors.HexColor("#667085")

UPPER = tuple(str(n) for n in range(1, 17))
LOWER = tuple(str(n) for n in range(32, 16, -1))

# Relative widths from the midline outwards: central, lateral, canine, two premolars, three molars.
_WIDTHS = (0.9, 0.8, 0.9, 0.95, 0.95, 1.25, 1.2, 1.1)


# Distance of each permanent tooth from the midline, 0 = central incisor.
_FROM_MIDLINE = {
    **{str(t): 8 - t for t in range(1, 9)},
    **{str(t): t - 9 for t in range(9, 17)},
    **{str(t): t - 17 for t in range(17, 25)},
    **{str(t): 32 - t for t in range(25, 33)},
}


def _width_of(universal: str) -> float:
    return _WIDTHS[_FROM_MIDLINE[universal]]


def tooth_chart(
    width: float,
    planned: Collection[str],
    completed: Collection[str],
    numbering: ToothNumbering,
    font: str,
    bold_font: str,
) -> Drawing:
    """A chart ``width`` points wide with planned teeth filled and finished ones shaded green.

    ``planned`` and ``completed`` hold stored (Universal) tooth numbers; primary teeth (A-T) are
    not on this permanent chart and are listed by the handout in words instead.
    """
    planned = {t for t in planned if not is_primary(t)}
    completed = {t for t in completed if not is_primary(t)} - planned
    side_label = 34.0
    usable = width - 2 * side_label
    gap = 2.0
    total_units = sum(_width_of(t) for t in UPPER)
    unit = (usable - gap * (len(UPPER) - 1)) / total_units
    tooth_h = 24.0
    legend_h = 14.0
    height = 2 * tooth_h + 22 + legend_h
    drawing = Drawing(width, height)

    def arch(teeth: tuple[str, ...], y: float, label: str) -> None:
        x = side_label
        for tooth in teeth:
            w = _width_of(tooth) * unit
            if tooth in planned:
                fill, stroke, ink, face = PLANNED_FILL, PLANNED_STROKE, PLANNED_TEXT, bold_font
            elif tooth in completed:
                fill, stroke, ink, face = DONE_FILL, DONE_STROKE, DONE_TEXT, font
            else:
                fill, stroke, ink, face = TOOTH_FILL, TOOTH_STROKE, MUTED, font
            drawing.add(Rect(x, y, w, tooth_h, rx=5, ry=5, fillColor=fill, strokeColor=stroke, strokeWidth=0.8))
            drawing.add(
                String(
                    x + w / 2,
                    y + tooth_h / 2 - 3,
                    display_tooth(tooth, numbering),
                    fontName=face,
                    fontSize=7.5,
                    fillColor=ink,
                    textAnchor="middle",
                )
            )
            x += w + gap
        drawing.add(String(2, y + tooth_h / 2 - 3, label, fontName=font, fontSize=7, fillColor=MUTED))

    upper_y = legend_h + tooth_h + 10
    lower_y = legend_h + 4
    arch(UPPER, upper_y, "Upper")
    arch(LOWER, lower_y, "Lower")
    mid = width / 2
    drawing.add(
        Line(
            mid,
            lower_y - 2,
            mid,
            upper_y + tooth_h + 2,
            strokeColor=TOOTH_STROKE,
            strokeWidth=0.5,
            strokeDashArray=[2, 2],
        )
    )
    top = upper_y + tooth_h + 4
    drawing.add(String(side_label, top, "Your right", fontName=font, fontSize=6.5, fillColor=MUTED))
    drawing.add(
        String(width - side_label, top, "Your left", fontName=font, fontSize=6.5, fillColor=MUTED, textAnchor="end")
    )

    # Legend along the bottom.
    x = side_label
    for fill, stroke, text in (
        (PLANNED_FILL, PLANNED_STROKE, "Planned work"),
        (DONE_FILL, DONE_STROKE, "Done in this plan"),
        (TOOTH_FILL, TOOTH_STROKE, "No work planned"),
    ):
        drawing.add(Rect(x, 1, 10, 8, rx=2, ry=2, fillColor=fill, strokeColor=stroke, strokeWidth=0.8))
        drawing.add(String(x + 14, 2, text, fontName=font, fontSize=7, fillColor=INK))
        x += 18 + len(text) * 3.9
    return drawing
