"""The tooth chart (odontogram): every tooth with its five surfaces, marks coloured by status.

Used by the patient view (``PatientChartPanel``), beside the plan editor and by the Patient
Transactions dialog. It holds no business state: it draws the ChartMark rows it is given
(removed marks are not drawn, TX-CHART-1) and tells its owner which tooth a person chose
(``tooth_chosen``, the stored Universal tooth) by mouse or keyboard.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QAccessible,
    QAccessibleEvent,
    QFocusEvent,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QResizeEvent,
)
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QLabel, QRadioButton, QSizePolicy, QToolTip, QWidget

from dentaldesk.domain.teeth import display_tooth, is_primary
from dentaldesk.domain.terms import GraphicStatus, ToothNumbering
from dentaldesk.printing.palette import STATUS_STYLES
from dentaldesk.services.chart.marks import ChartMark
from dentaldesk.ui.chart.layout import (
    STATUS_PRIORITY,
    ChartLayout,
    Dentition,
    Glyph,
    chart_layout,
    mark_glyph,
    regions_for,
    shown_teeth,
)
from dentaldesk.ui.chart.paint import ChartScene, paint_chart, region_statuses

KEYS_NOTE = "Arrow keys move between teeth; Space or Enter chooses the tooth."


def mark_words(mark: ChartMark) -> str:
    surfaces = f" {mark.surfaces}" if mark.surfaces else ""
    return f"{mark.code}{surfaces} {mark.code_name}"


class ToothChart(QWidget):
    """A custom-painted odontogram for permanent, primary or mixed dentition."""

    tooth_chosen = Signal(str)  # Universal tooth, as stored
    current_changed = Signal(str)  # the keyboard focus moved to this tooth

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tooth_chart")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(360, 150)
        self._numbering = ToothNumbering.UNIVERSAL
        self._dentition = Dentition.PERMANENT
        self._marks: dict[str, list[ChartMark]] = {}
        self._current: str = "1"
        self._selected: str | None = None
        self._hover: str | None = None
        self._layout: ChartLayout | None = None
        self._update_accessibility()

    # -- what is shown --------------------------------------------------------------------------

    def sizeHint(self) -> QSize:
        return QSize(520, 220)

    def minimumSizeHint(self) -> QSize:
        return QSize(360, 150)

    def set_numbering(self, numbering: ToothNumbering) -> None:
        self._numbering = numbering
        self._changed()

    def numbering(self) -> ToothNumbering:
        return self._numbering

    def set_dentition(self, dentition: Dentition) -> None:
        if dentition is self._dentition:
            return
        self._dentition = dentition
        teeth = self.visible_teeth()
        if self._current not in teeth:
            self._current = teeth[0]
        self._layout = None
        self._changed()

    def dentition(self) -> Dentition:
        return self._dentition

    def set_marks(self, marks: Iterable[ChartMark]) -> None:
        """Show these marks; removed ones are history, not drawn (TX-CHART-1)."""
        by_tooth: dict[str, list[ChartMark]] = defaultdict(list)
        for mark in marks:
            if not mark.removed and mark.tooth:
                by_tooth[mark.tooth].append(mark)
        self._marks = dict(by_tooth)
        self._changed()

    def marks_on(self, tooth: str) -> list[ChartMark]:
        return list(self._marks.get(tooth, []))

    def hidden_marks(self) -> list[ChartMark]:
        """Current marks on teeth this dentition does not show (the chart says so)."""
        shown = shown_teeth(self._dentition)
        return [m for tooth, marks in self._marks.items() if tooth not in shown for m in marks]

    def visible_teeth(self) -> list[str]:
        return [t for row in self._places().rows for t in row.teeth]

    def surface_status(self, tooth: str, surface: str) -> GraphicStatus | None:
        """The status drawn on one surface letter of a tooth (the chart's mark model), or None."""
        place = self._places().places.get(tooth)
        if place is None:
            return None
        regions = regions_for(tooth, place.upper, surface)
        if len(regions) != 1:
            return None
        return region_statuses(place, self._marks.get(tooth, [])).get(regions[0])

    def glyphs(self, tooth: str) -> list[tuple[Glyph, GraphicStatus]]:
        return [(mark_glyph(m.code, m.category, m.surfaces), m.status) for m in self._marks.get(tooth, [])]

    # -- selection ------------------------------------------------------------------------------

    @property
    def current_tooth(self) -> str:
        return self._current

    @property
    def selected_tooth(self) -> str | None:
        return self._selected

    def select_tooth(self, tooth: str | None) -> None:
        """Show ``tooth`` as chosen (from outside, e.g. a mark picked in a list); emits nothing."""
        self._selected = tooth
        if tooth and tooth in self.visible_teeth():
            self._current = tooth
        self._changed()

    def choose(self, tooth: str) -> None:
        self._current = tooth
        self._selected = tooth
        self._changed()
        self.tooth_chosen.emit(tooth)

    def tooth_at(self, pos: QPointF) -> str | None:
        for tooth, place in self._places().places.items():
            if place.cell.contains(pos):
                return tooth
        return None

    def tooth_centre(self, tooth: str) -> QPointF:
        return self._places().places[tooth].crown.center()

    def region_centre(self, tooth: str, surface: str) -> QPointF:
        place = self._places().places[tooth]
        [region] = regions_for(tooth, place.upper, surface)
        return place.region_centre(region)

    # -- words for people who do not see the drawing --------------------------------------------

    def tooth_label(self, tooth: str) -> str:
        return display_tooth(tooth, self._numbering)

    def tooth_text(self, tooth: str) -> str:
        """ "Tooth 14, planned: D2740 Crown, all porcelain" - the tooltip and accessible name."""
        words = f"Tooth {self.tooth_label(tooth)}"
        if is_primary(tooth):
            words += " (primary)"
        marks = self._marks.get(tooth, [])
        if not marks:
            return f"{words}, no marks"
        parts = []
        for status in reversed(STATUS_PRIORITY):
            same = [mark_words(m) for m in marks if m.status is status]
            if same:
                parts.append(f"{STATUS_STYLES[status].label.lower()}: {'; '.join(same)}")
        return f"{words}, " + "; ".join(parts)

    def chart_description(self) -> str:
        numbering = "FDI" if self._numbering is ToothNumbering.FDI else "Universal"
        marks = [m for tooth in self.visible_teeth() for m in self._marks.get(tooth, [])]
        text = f"{self._dentition.label} teeth, {numbering} numbering. "
        if marks:
            text += (
                f"{len(marks)} mark{'s' if len(marks) != 1 else ''}: "
                + ". ".join(self.tooth_text(t) for t in self.visible_teeth() if t in self._marks)
                + ". "
            )
        else:
            text += "No marks. "
        hidden = self.hidden_marks()
        if hidden:
            text += f"{self._hidden_note(hidden)}. "
        return text + KEYS_NOTE

    def _hidden_note(self, hidden: list[ChartMark]) -> str:
        n = len(hidden)
        kind = "primary" if all(m.tooth and is_primary(m.tooth) for m in hidden) else "permanent"
        return f"{n} mark{'s' if n != 1 else ''} on {kind} teeth not shown: choose Mixed to see {'them' if n != 1 else 'it'}"

    def _update_accessibility(self) -> None:
        self.setAccessibleName(f"Tooth chart, {self.tooth_text(self._current)}")
        self.setAccessibleDescription(self.chart_description())
        if self.hasFocus():
            QAccessible.updateAccessibility(QAccessibleEvent(self, QAccessible.Event.NameChanged))

    def _changed(self) -> None:
        self._update_accessibility()
        self.update()

    # -- input ----------------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        tooth = self.tooth_at(event.position())
        if tooth is not None and event.button() == Qt.MouseButton.LeftButton:
            self.setFocus(Qt.FocusReason.MouseFocusReason)
            self.choose(tooth)
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        tooth = self.tooth_at(event.position())
        if tooth != self._hover:
            self._hover = tooth
            self.setCursor(Qt.CursorShape.PointingHandCursor if tooth else Qt.CursorShape.ArrowCursor)
            self.update()
        super().mouseMoveEvent(event)

    def leaveEvent(self, event: object) -> None:
        self._hover = None
        self.update()
        super().leaveEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        moves = {
            Qt.Key.Key_Left: (0, -1),
            Qt.Key.Key_Right: (0, 1),
            Qt.Key.Key_Up: (-1, 0),
            Qt.Key.Key_Down: (1, 0),
        }
        if key in moves:
            self._move(*moves[key])
        elif key in (Qt.Key.Key_Home, Qt.Key.Key_End):
            row = self._row_of(self._current)
            self._set_current(row.teeth[0] if key == Qt.Key.Key_Home else row.teeth[-1])
        elif key in (Qt.Key.Key_Space, Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Select):
            self.choose(self._current)
        else:
            super().keyPressEvent(event)

    def _row_of(self, tooth: str):
        layout = self._places()
        return layout.rows[layout.places[tooth].row]

    def _move(self, rows: int, steps: int) -> None:
        layout = self._places()
        place = layout.places[self._current]
        if steps:
            teeth = layout.rows[place.row].teeth
            i = max(0, min(len(teeth) - 1, teeth.index(self._current) + steps))
            self._set_current(teeth[i])
            return
        target = place.row + rows
        if not 0 <= target < len(layout.rows):
            return
        x = place.cell.center().x()
        nearest = min(layout.rows[target].teeth, key=lambda t: abs(layout.places[t].cell.center().x() - x))
        self._set_current(nearest)

    def _set_current(self, tooth: str) -> None:
        if tooth != self._current:
            self._current = tooth
            self._changed()
            self.current_changed.emit(tooth)

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self._changed()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.update()

    def event(self, event: object) -> bool:
        if isinstance(event, QHelpEvent) and event.type() == QHelpEvent.Type.ToolTip:
            tooth = self.tooth_at(QPointF(event.pos()))
            if tooth:
                QToolTip.showText(event.globalPos(), self.tooth_text(tooth), self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._layout = None
        super().resizeEvent(event)

    # -- painting -------------------------------------------------------------------------------

    def _places(self) -> ChartLayout:
        if self._layout is None:
            self._layout = chart_layout(self._dentition, float(self.width()), float(self.height()))
        return self._layout

    def paintEvent(self, event: QPaintEvent) -> None:
        hidden = self.hidden_marks()
        scene = ChartScene(
            layout=self._places(),
            marks=self._marks,
            label=self.tooth_label,
            selected=self._selected,
            current=self._current,
            focused=self.hasFocus(),
            hover=self._hover,
            hidden_note=self._hidden_note(hidden) if hidden else "",
            hidden_short=f"{len(hidden)} hidden: choose Mixed",
        )
        painter = QPainter(self)
        try:
            paint_chart(painter, scene, QRectF(self.rect()), self.font())
        finally:
            painter.end()


class DentitionSwitch(QWidget):
    """Permanent / Primary / Mixed: which teeth the chart shows."""

    changed = Signal(object)  # Dentition

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dentition_switch")
        self.setAccessibleName("Teeth shown")
        caption = QLabel("Teeth:")
        self.group = QButtonGroup(self)
        self.buttons: dict[Dentition, QRadioButton] = {}
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(caption)
        for dentition, text in (
            (Dentition.PERMANENT, "Pe&rmanent"),
            (Dentition.PRIMARY, "Pr&imary"),
            (Dentition.MIXED, "Mi&xed"),
        ):
            button = QRadioButton(text)
            button.setObjectName(f"dentition_{dentition.value}")
            button.setAccessibleName(f"{dentition.label} teeth")
            self.group.addButton(button)
            self.buttons[dentition] = button
            layout.addWidget(button)
            button.toggled.connect(lambda on, d=dentition: self.changed.emit(d) if on else None)
        layout.addStretch(1)
        self.buttons[Dentition.PERMANENT].setChecked(True)

    def set_dentition(self, dentition: Dentition) -> None:
        self.buttons[dentition].setChecked(True)

    def dentition(self) -> Dentition:
        return next(d for d, b in self.buttons.items() if b.isChecked())
