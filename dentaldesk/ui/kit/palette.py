"""Every colour the screens use, by what it means; the only module of ``ui/`` that spells a colour.

A window names a role (``palette.ERROR``, ``palette.MUTED``), never a colour, so one change here
changes every place the role appears; ``tests/test_architecture.py`` refuses a colour written
anywhere else in ``ui/``. The chart's status colours, shared with the printed handout, are in
:mod:`dentaldesk.printing.palette`.
"""

from __future__ import annotations

from PySide6.QtGui import QColor

# --- text
ERROR = "#b42318"  # a refusal: the line under a field, a failed action, an overdue amount
MUTED = "#475467"  # a hint under a field, a note, a caption: read second
SUCCESS = "#05603a"  # an action done (a payment posted)
SAVED = "#067647"  # saved, a saving, the chosen option (CASE-1, CASE-5)
WARNING = "#9a6700"  # why a button is disabled, an item waiting on a new approval (TP-12)
CAUTION = "#b54708"  # a setting locked for this role; a removed chart mark
FAINT = "#98a2b3"  # what does not count: a not-chosen option (CASE-1), presented-only bars, outlines
SUBTLE = "#667085"  # between MUTED and FAINT: a not-chosen banner, a removed mark's row
INK = "#344054"  # the chart's lines and labels
STRONG_INK = "#1d2939"  # the chart's selected tooth
NOTICE_TEXT = "#93370d"  # text on a notice band

# --- fills and lines
PAPER = "#ffffff"  # a sheet: the chart, a signature, a printed page
BORDER = "#d0d5dd"  # a light frame round a panel
SUNKEN = "#f2f4f7"  # a read-only field's base; a tooth's roots
STRIP = "#f5f7fa"  # the aging strip's band
GROUP_BAND = "#eef2f7"  # a visit's header row in the plan tree (TP-16)
DONE = "#1a7f37"  # a completed item's text (TP-11)
DONE_BAND = "#e6f4ea"  # a completed item's row
HEADER_BAND = "#f2f6fc"  # the patient header
HEADER_BORDER = "#d0d9e6"
NOTICE_BAND = "#fffaeb"  # a notice that asks a second look (a possible duplicate patient)
NOTICE_BORDER = "#fec84b"
BACKDROP = "#8a8f98"  # behind the pages of the print preview
ACCENT = "#1f6feb"  # accepted plans' bars, the signature's stroke, a new provider's colour
FOCUS = "#155eef"  # the chart's focused tooth
HOVER = "#eef4ff"  # the chart's tooth under the mouse
SIGNATURE_INK = "#102a43"
SIGNATURE_GUIDE = "#9fb3c8"  # the line to sign on

# Style-sheet forms of the roles, for a widget styled by a sheet (rich text, a sheet it already has).
ERROR_STYLE = f"color: {ERROR};"
MUTED_STYLE = f"color: {MUTED};"
ALERT_STYLE = f"color: {ERROR}; font-weight: bold;"  # a warning that must not be missed
SAVED_STYLE = f"color: {SAVED};"


def color(role: str) -> QColor:
    """A role as a QColor, for painting and item models."""
    return QColor(role)
