"""A signature pad: the patient signs with a mouse, a pen or a finger (TP-15).

Strokes are kept as lists of points in the pad's own coordinates, drawn with antialiasing, and
exported as a PNG (``png_bytes``) on a white background, the form the approval stores and the
handout prints. Keyboard users reach Clear with Tab; the pad says in its accessible description
whether it holds a signature.
"""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QImage,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QTabletEvent,
    QTouchEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from dentaldesk.ui.kit import palette

INK = palette.color(palette.SIGNATURE_INK)
PEN_WIDTH = 2.4
GUIDE = palette.color(palette.SIGNATURE_GUIDE)


class SignaturePad(QWidget):
    """Draw to sign; ``changed`` is emitted after every stroke and on clear."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("signature_pad")
        self.setAccessibleName("Signature pad")
        self.setAccessibleDescription("Empty: the patient signs here with the mouse, a pen or a finger.")
        self.setToolTip("The patient signs here with the mouse, a pen or a finger")
        self.setMinimumSize(QSize(360, 140))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents, True)
        self.setAttribute(Qt.WidgetAttribute.WA_StaticContents, True)
        self._strokes: list[list[QPointF]] = []
        self._drawing = False

    # --- state

    @property
    def strokes(self) -> list[list[QPointF]]:
        return [list(s) for s in self._strokes]

    def is_empty(self) -> bool:
        """No ink at all; a single click (a one-point stroke) is not a signature."""
        return not any(len(stroke) > 1 for stroke in self._strokes)

    def clear(self) -> None:
        self._strokes.clear()
        self._drawing = False
        self._announce()
        self.update()

    def _announce(self) -> None:
        if self.is_empty():
            self.setAccessibleDescription("Empty: the patient signs here with the mouse, a pen or a finger.")
        else:
            self.setAccessibleDescription(f"Signed ({len(self._strokes)} strokes).")
        self.changed.emit()

    # --- drawing input

    def _begin(self, point: QPointF) -> None:
        self._drawing = True
        self._strokes.append([point])
        self.update()

    def _extend(self, point: QPointF) -> None:
        if self._drawing and self._strokes:
            self._strokes[-1].append(point)
            self.update()

    def _end(self) -> None:
        if self._drawing:
            self._drawing = False
            self._announce()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._begin(event.position())
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        # While a stroke is open (the button went down on the pad) every move adds ink.
        self._extend(event.position())
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._extend(event.position())
            self._end()
        event.accept()

    def tabletEvent(self, event: QTabletEvent) -> None:
        kind = event.type()
        if kind == QTabletEvent.Type.TabletPress:
            self._begin(event.position())
        elif kind == QTabletEvent.Type.TabletMove:
            self._extend(event.position())
        elif kind == QTabletEvent.Type.TabletRelease:
            self._extend(event.position())
            self._end()
        event.accept()

    def event(self, event) -> bool:
        kind = event.type()
        if kind in (QTouchEvent.Type.TouchBegin, QTouchEvent.Type.TouchUpdate, QTouchEvent.Type.TouchEnd):
            points = event.points()
            if points:
                point = points[0].position()
                if kind == QTouchEvent.Type.TouchBegin:
                    self._begin(point)
                elif kind == QTouchEvent.Type.TouchUpdate:
                    self._extend(point)
                else:
                    self._extend(point)
                    self._end()
            event.accept()
            return True
        return super().event(event)

    # --- painting and export

    def _paint(self, painter: QPainter, rect: QRectF) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.fillRect(rect, palette.color(palette.PAPER))
        pen = QPen(INK, PEN_WIDTH, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        for stroke in self._strokes:
            if len(stroke) == 1:
                painter.drawPoint(stroke[0])
                continue
            path = QPainterPath(stroke[0])
            for point in stroke[1:]:
                path.lineTo(point)
            painter.drawPath(path)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        rect = QRectF(self.rect())
        self._paint(painter, rect)
        # The signing line and a hint, on screen only (not in the exported image).
        painter.setPen(QPen(GUIDE, 1, Qt.PenStyle.DashLine))
        base = rect.bottom() - 28
        painter.drawLine(QPointF(rect.left() + 16, base), QPointF(rect.right() - 16, base))
        if self.is_empty() and not self._drawing:
            painter.drawText(
                rect.adjusted(16, 0, -16, -6),
                Qt.AlignmentFlag.AlignBottom | Qt.AlignmentFlag.AlignLeft,
                "Sign above the line",
            )
        if self.hasFocus():
            painter.setPen(QPen(palette.color(palette.ACCENT), 2))
            painter.drawRect(rect.adjusted(1, 1, -1, -1))
        painter.end()

    def image(self) -> QImage:
        image = QImage(self.size(), QImage.Format.Format_RGB32)
        painter = QPainter(image)
        self._paint(painter, QRectF(image.rect()))
        painter.end()
        return image

    def png_bytes(self) -> bytes | None:
        """The signature as PNG bytes, or None when the pad is empty."""
        if self.is_empty():
            return None
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        self.image().save(buffer, "PNG")
        buffer.close()
        return bytes(data.data())
