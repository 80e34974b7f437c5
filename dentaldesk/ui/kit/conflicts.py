"""A save refused because another workstation saved first, and reloading without losing the typing (DATA-4).

Every form that saves a versioned record puts a :class:`ConflictBar` above its buttons and hands it
to ``run_op(..., conflict=bar)``. A ConflictError then shows there, in red, naming who saved first
and when; the form keeps everything typed. "Reload, keeping my changes" loads the record as the
other workstation saved it and re-applies the person's edits where they do not touch what the
other workstation changed (:func:`dentaldesk.domain.merge.reapply`); the red line goes, and a
neutral note says which edits, if any, were not re-applied.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

from PySide6.QtWidgets import QApplication, QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from dentaldesk.domain.errors import ConflictError, DentalDeskError
from dentaldesk.domain.merge import reapply
from dentaldesk.ui.kit import palette

T = TypeVar("T")


class ConflictBar(QFrame):
    """The refusal of a stale save, with the one way on: reload and keep what was typed."""

    def __init__(self, reload: Callable[[], None], parent: QWidget | None = None, *, name: str = "conflict") -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.text = QLabel()
        self.text.setObjectName(f"{name}_text")
        self.text.setWordWrap(True)
        self.text.setStyleSheet(palette.ERROR_STYLE)
        self.reload_button = QPushButton("Reload, &keeping my changes")
        self.reload_button.setObjectName(f"{name}_reload")
        self.reload_button.setAutoDefault(False)
        self.reload_button.setAccessibleName("Reload, keeping my changes")
        self.reload_button.clicked.connect(reload)
        self.note = QLabel()
        self.note.setObjectName(f"{name}_note")
        self.note.setWordWrap(True)
        self.note.setStyleSheet(palette.MUTED_STYLE)
        self._return_to: QWidget | None = None
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.text, 1)
        row.addWidget(self.reload_button)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(row)
        column.addWidget(self.note)
        self.clear()

    @property
    def showing_conflict(self) -> bool:
        return not self.text.isHidden()

    def show_conflict(self, error: ConflictError | str) -> None:
        message = error if isinstance(error, str) else error.message
        # Where the person was when the save was refused (the Save button, or a field with Enter):
        # after the reload the focus goes back there, not to whatever follows the hidden button.
        focused = QApplication.focusWidget()
        if focused is not None and focused is not self.reload_button and self.window().isAncestorOf(focused):
            self._return_to = focused
        self.text.setText(message)
        self.text.setAccessibleDescription(message)
        self.text.setVisible(True)
        self.reload_button.setVisible(True)
        self.note.setVisible(False)
        self.setVisible(True)

    def show_note(self, text: str) -> None:
        """After reloading: the red line goes; what was re-applied is said in a neutral note. The
        focus goes back to where it was when the save was refused, so Enter saves again."""
        back_to, self._return_to = self._return_to, None
        try:
            if back_to is not None and back_to.isVisible() and back_to.isEnabled():
                back_to.setFocus()
        except RuntimeError:  # the widget was deleted meanwhile: the focus stays where Qt put it
            pass
        self.text.clear()
        self.text.setVisible(False)
        self.reload_button.setVisible(False)
        self.note.setText(text)
        self.note.setAccessibleDescription(text)
        self.note.setVisible(bool(text))
        self.setVisible(bool(text))

    def clear(self) -> None:
        self.text.clear()
        self.note.clear()
        for part in (self.text, self.reload_button, self.note):
            part.setVisible(False)
        self.setVisible(False)


def reapplied_note(not_reapplied: tuple[str, ...], captions: Mapping[str, str] | None = None) -> str:
    """What a reload kept: every edit, or every edit but those the other workstation also made."""
    if not not_reapplied:
        return "Reloaded what the other workstation saved; your changes are re-applied. Save again to keep them."
    names = ", ".join(
        dict.fromkeys((captions or {}).get(f, f.replace("_", " ").replace(".", " ")) for f in not_reapplied)
    )
    return (
        "Reloaded what the other workstation saved; your other changes are re-applied. "
        f"Not re-applied, because the other workstation changed them too: {names}. Check them, then save."
    )


def reload_keeping_edits(
    bar: ConflictBar,
    base: T,
    mine: T,
    fetch: Callable[[], T],
    show: Callable[[T], None],
    captions: Mapping[str, str] | None = None,
) -> T | None:
    """Load the record anew, show it with the person's edits re-applied, and return it (the new base)."""
    try:
        theirs = fetch()
    except DentalDeskError as exc:
        bar.show_conflict(exc.message)
        return None
    merged = reapply(base, mine, theirs)
    show(merged.value)
    bar.show_note(reapplied_note(merged.not_reapplied, captions))
    return theirs
