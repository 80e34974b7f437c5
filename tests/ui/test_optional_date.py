"""The Aged field's blankable date (TX-AGE-5: blank means current) reads today from the one clock."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt

from dentaldesk import clock
from dentaldesk.ui.kit.widgets import OptionalDate


def test_tx_age5_a_blank_date_stepped_into_starts_from_the_clocks_today(qtbot) -> None:
    """Before a DOS is named, Up on a blank Aged date gives the workstation's today as the clock
    says (a fixed clock in tests, SEC-2), not the system's calendar."""
    clock.set_clock(dt.datetime(2031, 2, 3, 12, 0, tzinfo=dt.UTC))
    field = OptionalDate("aged", "Aged", "blank - current")
    qtbot.addWidget(field)
    field.set_value(None)
    field.show()
    field.edit.setFocus()
    qtbot.keyClick(field.edit, Qt.Key.Key_Up)
    assert field.value() == dt.date(2031, 2, 3)
