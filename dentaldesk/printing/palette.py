"""Chart status colours, one palette for the screen chart and the printed handout.

Okabe-Ito colours, safe for the common colour-vision deficiencies; planned work is also told
apart by its shape (a light, hatched fill inside a strong outline) rather than by hue alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from dentaldesk.domain.terms import GraphicStatus


@dataclass(frozen=True)
class StatusStyle:
    label: str
    fill: str
    stroke: str
    hatched: bool
    ink: str  # text drawn on the fill


STATUS_STYLES: dict[GraphicStatus, StatusStyle] = {
    GraphicStatus.PLANNED: StatusStyle("Planned", fill="#fbe0cc", stroke="#d55e00", hatched=True, ink="#344054"),
    GraphicStatus.COMPLETED: StatusStyle("Completed", fill="#0072b2", stroke="#0072b2", hatched=False, ink="#ffffff"),
    GraphicStatus.EXISTING: StatusStyle("Existing", fill="#009e73", stroke="#009e73", hatched=False, ink="#ffffff"),
}
