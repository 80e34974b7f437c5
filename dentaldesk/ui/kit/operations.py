"""The one path from a widget to a service: run it, show a refusal where it belongs, announce.

Modelled on Anki's CollectionOp: a view calls ``run_op``; a typed DentalDeskError is shown next
to the field it names (or in a message box), and on success the change is announced so other
views can refresh.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

from PySide6.QtWidgets import QLabel, QMessageBox, QWidget

from dentaldesk.domain.errors import DentalDeskError
from dentaldesk.ui.kit.context import AppContext

T = TypeVar("T")


def show_error(
    parent: QWidget | None,
    error: DentalDeskError,
    field_labels: Mapping[str, QLabel] | None = None,
    fallback: QLabel | None = None,
) -> None:
    """Put the message at the field it concerns (TX-VAL-1), else in ``fallback``, else a box."""
    label = (field_labels or {}).get(error.field or "") or fallback
    if label is not None:
        label.setText(error.message)
        label.setVisible(True)
        label.setAccessibleDescription(error.message)
        return
    QMessageBox.warning(parent, "DentalDesk", error.message)


def run_op(
    ctx: AppContext,
    parent: QWidget | None,
    action: Callable[[], T],
    *,
    changed: str | None = None,
    field_labels: Mapping[str, QLabel] | None = None,
    fallback: QLabel | None = None,
) -> tuple[bool, T | None]:
    """Run one user action; return (succeeded, result)."""
    try:
        result = action()
    except DentalDeskError as exc:
        show_error(parent, exc, field_labels, fallback)
        return False, None
    if changed:
        ctx.changes.changed.emit(changed)
    return True, result
