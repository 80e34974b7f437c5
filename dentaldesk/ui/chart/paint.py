"""Painting the tooth chart: what ``ToothChart`` shows, drawn from a plain description (a scene).

Kept apart from the widget so the widget holds state and input, and this holds pens and brushes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPainterPath, QPen

from dentaldesk.domain.terms import GraphicStatus
from dentaldesk.printing.palette import STATUS_STYLES, StatusStyle
from dentaldesk.services.chart.marks import ChartMark
from dentaldesk.ui.chart.layout import STATUS_PRIORITY, ChartLayout, Glyph, ToothPlace, mark_glyph, regions_for
from dentaldesk.ui.kit import palette

INK = palette.color(palette.INK)
MUTED = palette.color(palette.SUBTLE)
TOOTH_LINE = palette.color(palette.FAINT)
ROOT_FILL = palette.color(palette.SUNKEN)
SELECTED = palette.color(palette.STRONG_INK)
FOCUS = palette.color(palette.FOCUS)
HOVER = palette.color(palette.HOVER)


@dataclass(frozen=True)
class ChartScene:
    """Everything one repaint needs: where teeth are, their current marks, what is chosen."""

    layout: ChartLayout
    marks: dict[str, list[ChartMark]]
    label: Callable[[str], str]
    selected: str | None
    current: str
    focused: bool
    hover: str | None
    hidden_note: str
    hidden_short: str


def region_statuses(place: ToothPlace, marks: Iterable[ChartMark]) -> dict[str, GraphicStatus]:
    """Which status each of a tooth's five regions shows; the work still to do shows on top."""
    marks = list(marks)
    drawn: dict[str, GraphicStatus] = {}
    for status in STATUS_PRIORITY:  # later statuses paint over earlier ones
        for mark in marks:
            if mark.status is not status:
                continue
            glyph = mark_glyph(mark.code, mark.category, mark.surfaces)
            if glyph is Glyph.SURFACES:
                regions: Iterable[str] = regions_for(place.tooth, place.upper, mark.surfaces)
            elif glyph is Glyph.OCCLUSAL:
                regions = ("centre",)
            elif glyph is Glyph.CROWN:
                regions = ("centre", "outer", "inner", "left", "right")
            else:
                regions = ()
            for region in regions:
                drawn[region] = status
    return drawn


def paint_chart(painter: QPainter, scene: ChartScene, area: QRectF, base: QFont) -> None:
    """Draw the whole chart: background, midline, every tooth with its marks, the legend."""
    layout = scene.layout
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.fillRect(area, palette.color(palette.PAPER))
    font = QFont(base)
    font.setPixelSize(max(8, min(16, int(layout.unit * 0.34))))
    painter.setFont(font)
    _paint_frame(painter, layout, font)
    for place in layout.places.values():
        _paint_tooth(painter, scene, place, font)
    legend_font = QFont(font)
    legend_font.setPixelSize(max(8, min(13, int(layout.unit * 0.32))))
    painter.setFont(legend_font)
    _paint_legend(painter, scene)


def _paint_frame(painter: QPainter, layout: ChartLayout, font: QFont) -> None:
    chart = layout.chart
    painter.setPen(QPen(palette.color(palette.BORDER), 1, Qt.PenStyle.DashLine))
    painter.drawLine(QPointF(layout.midline_x, chart.top()), QPointF(layout.midline_x, chart.bottom()))
    painter.drawLine(QPointF(chart.left(), layout.occlusal_y), QPointF(chart.right(), layout.occlusal_y))
    painter.setPen(MUTED)
    side = QFont(font)
    side.setBold(True)
    painter.setFont(side)
    width = layout.unit * 0.8
    for text, x in (("R", chart.left() - width - 2), ("L", chart.right() + 2)):
        painter.drawText(
            QRectF(x, layout.occlusal_y - layout.unit / 2, width, layout.unit), Qt.AlignmentFlag.AlignCenter, text
        )
    painter.setFont(font)


def _paint_tooth(painter: QPainter, scene: ChartScene, place: ToothPlace, font: QFont) -> None:
    tooth = place.tooth
    unit = scene.layout.unit
    marks = scene.marks.get(tooth, [])
    if tooth == scene.hover:
        painter.fillRect(place.cell, HOVER)
    # Root zone: a tapered outline, so the empty chart reads as teeth.
    root = place.root
    tip, base = place.root_tip(), place.root_base()
    half_base, half_tip = root.width() * 0.30, root.width() * 0.12
    root_path = QPainterPath()
    root_path.moveTo(base.x() - half_base, base.y())
    root_path.lineTo(tip.x() - half_tip, tip.y())
    root_path.lineTo(tip.x() + half_tip, tip.y())
    root_path.lineTo(base.x() + half_base, base.y())
    root_path.closeSubpath()
    painter.setPen(QPen(TOOTH_LINE, 1))
    painter.setBrush(ROOT_FILL)
    painter.drawPath(root_path)

    statuses = region_statuses(place, marks)
    for region in ("outer", "inner", "left", "right", "centre"):
        polygon = place.region_polygon(region)
        status = statuses.get(region)
        painter.setPen(QPen(TOOTH_LINE, 1))
        if status is None:
            painter.setBrush(palette.color(palette.PAPER))
            painter.drawPolygon(polygon)
            continue
        style = STATUS_STYLES[status]
        painter.setBrush(QColor(style.fill))
        painter.drawPolygon(polygon)
        if style.hatched:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QBrush(QColor(style.stroke), Qt.BrushStyle.BDiagPattern))
            painter.drawPolygon(polygon)

    for mark in marks:
        glyph = mark_glyph(mark.code, mark.category, mark.surfaces)
        style = STATUS_STYLES[mark.status]
        pen = QPen(QColor(style.stroke), max(2.0, unit * 0.09))
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        if glyph in (Glyph.CROWN, Glyph.SURFACES, Glyph.OCCLUSAL) and mark.status is GraphicStatus.PLANNED:
            # Planned work is outlined as well as tinted, so it never depends on colour alone.
            outline = QPen(QColor(style.stroke), max(1.5, unit * 0.06))
            painter.setPen(outline)
            if glyph is Glyph.CROWN:
                painter.drawRect(place.crown)
            else:
                for region in _regions_of(place, mark, glyph):
                    painter.drawPolygon(place.region_polygon(region))
        elif glyph is Glyph.CROWN:
            painter.setPen(QPen(QColor(style.stroke), max(1.5, unit * 0.06)))
            painter.drawRect(place.crown)
        elif glyph is Glyph.ROOT_CANAL:
            painter.setPen(pen)
            painter.drawLine(place.root_base(), tip)
        elif glyph is Glyph.IMPLANT:
            _paint_implant(painter, place, style)
        elif glyph is Glyph.EXTRACTION:
            painter.setPen(pen)
            top = QRectF(place.crown).united(place.root)
            painter.drawLine(top.topLeft(), top.bottomRight())
            painter.drawLine(top.topRight(), top.bottomLeft())

    _paint_label(painter, scene, place, font)


def _regions_of(place: ToothPlace, mark: ChartMark, glyph: Glyph) -> tuple[str, ...]:
    if glyph is Glyph.OCCLUSAL:
        return ("centre",)
    return regions_for(place.tooth, place.upper, mark.surfaces)


def _paint_implant(painter: QPainter, place: ToothPlace, style: StatusStyle) -> None:
    root = place.root
    body = QRectF(root.center().x() - root.width() * 0.16, root.top(), root.width() * 0.32, root.height())
    painter.setPen(QPen(QColor(style.stroke), 1.5))
    painter.setBrush(QColor(style.fill))
    painter.drawRect(body)
    painter.setPen(QPen(palette.color(palette.PAPER) if not style.hatched else QColor(style.stroke), 1.2))
    for k in range(1, 4):
        y = body.top() + body.height() * k / 4
        painter.drawLine(QPointF(body.left(), y), QPointF(body.right(), y))


def _paint_label(painter: QPainter, scene: ChartScene, place: ToothPlace, font: QFont) -> None:
    tooth = place.tooth
    text = scene.label(tooth)
    label = place.label.adjusted(1, 1, -1, -1)
    if tooth == scene.selected:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(SELECTED)
        painter.drawRoundedRect(label, 4, 4)
        bold = QFont(font)
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(palette.color(palette.PAPER))
        painter.drawText(label, Qt.AlignmentFlag.AlignCenter, text)
        painter.setFont(font)
        painter.setPen(QPen(SELECTED, 2))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(place.crown.adjusted(-2, -2, 2, 2))
    else:
        painter.setPen(INK if scene.marks.get(tooth) else MUTED)
        painter.drawText(label, Qt.AlignmentFlag.AlignCenter, text)
    if tooth == scene.current and scene.focused:
        pen = QPen(FOCUS, 2, Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(place.cell.adjusted(1, 1, -1, -1), 4, 4)


def _paint_legend(painter: QPainter, scene: ChartScene) -> None:
    layout = scene.layout
    legend = layout.legend
    box = min(legend.height() * 0.55, layout.unit * 0.4, 13.0)
    x = legend.left()
    y = legend.center().y()
    metrics = painter.fontMetrics()
    for status in (GraphicStatus.PLANNED, GraphicStatus.COMPLETED, GraphicStatus.EXISTING):
        style = STATUS_STYLES[status]
        swatch = QRectF(x, y - box / 2, box * 1.4, box)
        painter.setPen(QPen(QColor(style.stroke), 1.5))
        painter.setBrush(QColor(style.fill))
        painter.drawRect(swatch)
        if style.hatched:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QBrush(QColor(style.stroke), Qt.BrushStyle.BDiagPattern))
            painter.drawRect(swatch)
        painter.setPen(INK)
        text_x = swatch.right() + 4
        painter.drawText(QPointF(text_x, y + metrics.ascent() / 2 - 1), style.label)
        x = text_x + metrics.horizontalAdvance(style.label) + box * 1.6
    if scene.hidden_note:
        room = legend.right() - x
        note = scene.hidden_note
        if metrics.horizontalAdvance(note) > room:
            note = scene.hidden_short
        note = metrics.elidedText(note, Qt.TextElideMode.ElideRight, int(room))
        painter.setPen(palette.color(palette.CAUTION))
        painter.drawText(
            QRectF(x, legend.top(), room, legend.height()),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            note,
        )
