"""What every page of the handout carries, drawn once the page count is known (TP-4).

"Page N of M" needs M before any page is finished, so the canvas holds its pages and draws the
footer, the running header and a draft's watermark on each when the document is saved.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from reportlab.lib import colors
from reportlab.pdfgen.canvas import Canvas

from dentaldesk.printing.fonts import Faces
from dentaldesk.printing.formats import format_date
from dentaldesk.services.plans.handout import PlanHandout

WATERMARK = "DRAFT - estimate only"
WATERMARK_INK = colors.HexColor("#d92d20")
MUTED = colors.HexColor("#667085")


def page_decorator(h: PlanHandout, faces: Faces, margin: float) -> Callable[[Canvas, int, int], None]:
    """What every page carries: footer, page N of M, a running header after page 1, the draft watermark."""
    footer_left = f"{h.office.name} · Plan {h.plan_id} · prepared {format_date(h.prepared_on)}"
    running = f"{h.patient.name} (patient ID {h.patient.patient_number}) · {h.title}"

    def decorate(canvas: Canvas, page: int, pages: int) -> None:
        width, height = canvas._pagesize
        canvas.saveState()
        canvas.setFont(faces.regular, 7.5)
        canvas.setFillColor(MUTED)
        canvas.drawString(margin, 22, footer_left)
        canvas.drawRightString(width - margin, 22, f"Page {page} of {pages}")
        if page > 1:
            canvas.drawString(margin, height - 26, running)
        if h.is_draft:
            # TP-4: every page of a draft says it is an estimate, across the page, over the content.
            canvas.setFillColor(WATERMARK_INK)
            canvas.setFillAlpha(0.16)
            angle = math.degrees(math.atan2(height, width))
            size = 0.78 * math.hypot(width, height) / max(1.0, canvas.stringWidth(WATERMARK, faces.bold, 1))
            canvas.translate(width / 2, height / 2)
            canvas.rotate(angle)
            canvas.setFont(faces.bold, size)
            canvas.drawCentredString(0, -size / 3, WATERMARK)
        canvas.restoreState()

    return decorate


def canvas_maker(decorate: Callable[[Canvas, int, int], None]) -> type[Canvas]:
    """A canvas that holds its pages until the end, so each can say "Page N of M"."""

    class NumberedCanvas(Canvas):  # type: ignore[misc]  # reportlab has no type information
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)
            self._held: list[dict[str, object]] = []

        def showPage(self) -> None:
            self._held.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            pages = len(self._held)
            for state in self._held:
                self.__dict__.update(state)
                decorate(self, self._pageNumber, pages)
                super().showPage()
            super().save()

    return NumberedCanvas
