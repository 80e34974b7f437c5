"""The one path from a widget to a service: run it, show a refusal where it belongs, announce.

Modelled on Anki's CollectionOp: a view calls ``run_op``; a typed DentalDeskError is shown next
to the field it names (or in a message box), and on success what the action changed is announced
so other views can refresh: the areas of the tables its transactions committed (the database's own
record of the change, db/changes.py ``recording``), so completing a plan item, which posts a
charge and marks the chart, refreshes the Ledger, the aging report and the chart as well as plans.

No exception reaches Qt from here: anything else a service raises (a defect; services raise only
typed errors) is shown as "something went wrong, nothing was saved" with its kind, and the
traceback goes to the error log (stderr and ``errors.log`` in the data folder). Every service
action is one transaction, so an action that failed in any way saved nothing (DATA-1).
:func:`install_excepthook` puts the same report behind every other Qt slot.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget

from dentaldesk.domain.errors import ConflictError, DentalDeskError
from dentaldesk.ui.kit.conflicts import ConflictBar
from dentaldesk.ui.kit.context import AppContext, announce, areas_of

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


def log_unexpected(exc: BaseException) -> None:
    """Write the traceback of a defect to stderr and the error log; never raises."""
    from dentaldesk.error_log import append_traceback, traceback_text

    print(traceback_text(exc), file=sys.stderr)
    append_traceback(exc)


def unexpected_message(exc: BaseException) -> str:
    return (
        "Something went wrong and the action did not finish. Nothing was saved by it.\n\n"
        f"What happened: {type(exc).__name__}: {str(exc)[:300]}\n\n"
        "Try again; if it happens again, tell your DentalDesk support and mention errors.log "
        "in the DentalDesk data folder."
    )


def _open_box(parent: QWidget | None, icon: QMessageBox.Icon, text: str, name: str) -> QMessageBox:
    """A message that does not block the event loop (a modal exec() inside a slot would)."""
    box = QMessageBox(icon, "DentalDesk", text, parent=parent)
    box.setObjectName(name)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


def show_unexpected(parent: QWidget | None, exc: BaseException) -> None:
    log_unexpected(exc)
    _open_box(parent, QMessageBox.Icon.Critical, unexpected_message(exc), "unexpected_error")


def install_excepthook() -> None:
    """Qt slots not run through run_op get the same report instead of a crash or a silent console."""

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if not isinstance(exc, Exception):
            sys.__excepthook__(kind, exc, tb)
            return
        if isinstance(exc, DentalDeskError):
            _open_box(None, QMessageBox.Icon.Warning, exc.message, "refusal")
            return
        show_unexpected(None, exc)

    sys.excepthook = hook


class _Defect:
    """An untyped exception of an action, carried back from the thread it ran on."""

    def __init__(self, error: Exception) -> None:
        self.error = error


def run_op(
    ctx: AppContext,
    parent: QWidget | None,
    action: Callable[[], T],
    *,
    changed: str | None = None,
    field_labels: Mapping[str, QLabel] | None = None,
    fallback: QLabel | None = None,
    conflict: ConflictBar | None = None,
    refused: Callable[[DentalDeskError], None] | None = None,
    off_thread: str | None = None,
) -> tuple[bool, T | None]:
    """Run one user action or read; return (succeeded, result).

    On success every area whose tables the action's transactions changed is announced (a read
    changes none); ``changed`` names one more for a change the database does not hold (the
    workstation's settings file). With ``conflict``, a stale save (ConflictError) is shown on that
    bar, which offers to reload keeping what was typed (DATA-4); otherwise it is shown like any
    refusal: at its field, else in ``fallback``, else in a box, or handed to ``refused`` where the
    caller shows it its own way (a status-bar line, or nothing for a figure the role may not see).

    With ``off_thread`` (the busy text, "Saving the plan..."), the action runs on a worker thread
    while the GUI thread keeps painting (background.wait_for: a busy dialog after 150 ms, the
    person's clicks and keys held until the answer), and run_op returns when it is done, as if it
    had run in place. Such an action must not touch widgets: it gets what was typed as values.
    """
    from dentaldesk.db.changes import recording  # after log in: SQLAlchemy is loaded by then

    if conflict is not None:
        conflict.clear()

    def attempt() -> tuple[T, list[str]] | _Defect:
        try:
            with recording() as seen:  # on the thread the action runs on: the record is per thread
                done = action()
        except DentalDeskError:
            raise
        except Exception as exc:  # raised again on the GUI thread, where run_op reports defects
            return _Defect(exc)
        return done, list(seen.tables)

    try:
        if off_thread is None:
            answer = attempt()
        else:
            from dentaldesk.ui.kit.background import wait_for

            answer = wait_for(attempt, parent, off_thread)
        if isinstance(answer, _Defect):
            raise answer.error
        result, tables = answer
    except ConflictError as exc:
        if conflict is not None:
            conflict.show_conflict(exc)
        elif refused is not None:
            refused(exc)
        else:
            show_error(parent, exc, field_labels, fallback)
        return False, None
    except DentalDeskError as exc:
        if refused is not None:
            refused(exc)
        else:
            show_error(parent, exc, field_labels, fallback)
        return False, None
    except Exception as exc:  # a defect in a service: shown, logged, never passed to Qt
        show_unexpected(parent, exc)
        return False, None
    areas = areas_of(tables)
    if changed and changed not in areas:
        areas.append(changed)
    announce(ctx.changes, areas)
    return True, result
