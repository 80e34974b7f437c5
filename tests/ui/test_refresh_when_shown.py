"""A view refreshes on a change only while it is on screen; a hidden one when it is shown next
(STYLE.md 6: each view decides whether to redraw; a hidden page of the main window costs nothing)."""

from __future__ import annotations

from PySide6.QtWidgets import QStackedWidget, QWidget

from dentaldesk.ui.kit.widgets import RefreshWhenShown


def test_a_hidden_view_refreshes_once_when_shown_and_a_shown_one_at_once(qtbot) -> None:
    stack = QStackedWidget()
    qtbot.addWidget(stack)
    front, back = QWidget(), QWidget()
    stack.addWidget(front)
    stack.addWidget(back)
    refreshed: list[str] = []
    when_shown = RefreshWhenShown(back, lambda: refreshed.append("back"))
    stack.show()
    qtbot.waitExposed(stack)

    when_shown.request()  # a change while another page is shown
    when_shown.request()
    assert refreshed == [] and when_shown.stale
    stack.setCurrentWidget(back)
    assert refreshed == ["back"]  # once, for both changes
    when_shown.request()  # shown now: at once
    assert refreshed == ["back", "back"]

    stack.setCurrentWidget(front)
    when_shown.request()
    when_shown.done()  # an explicit refresh happened meanwhile
    stack.setCurrentWidget(back)
    assert refreshed == ["back", "back"]
