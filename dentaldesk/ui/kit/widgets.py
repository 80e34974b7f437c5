"""Small shared widgets: an empty-state panel that says what to do next, a table set-up."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QAbstractItemModel, QEvent, QModelIndex, QObject, QPersistentModelIndex, QSize, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QDateEdit,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from dentaldesk.ui.kit.table_model import RowsModel, sampled_widths


class EmptyState(QWidget):
    """Shown instead of an empty table: says plainly there is nothing yet and what to do."""

    def __init__(self, message: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel(message)
        self.label.setWordWrap(True)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setStyleSheet("color: #475467; font-size: 13pt; padding: 24px;")
        self.label.setAccessibleName("Empty state")
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.label)
        layout.addStretch(2)

    def set_message(self, message: str) -> None:
        self.label.setText(message)


ERROR_STYLE = "color: #b42318;"
HINT_STYLE = "color: #475467;"


def error_label(name: str) -> QLabel:
    """A hidden red line under a field that shows why an input was refused (TX-VAL-1)."""
    label = QLabel()
    label.setObjectName(f"{name}_error")
    label.setStyleSheet(ERROR_STYLE)
    label.setWordWrap(True)
    label.setVisible(False)
    label.setAccessibleName(f"{name.replace('_', ' ').capitalize()} message")
    return label


class _KeepDefault(QObject):
    """Makes its button the default again each time it is shown (see :func:`make_default`)."""

    def __init__(self, button: QPushButton) -> None:
        super().__init__(button)
        self.button = button

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show:
            # After the whole dialog is shown: a QDialogButtonBox makes another of its buttons the
            # default while it is being shown (Cancel, in a box made with StandardButton.Cancel).
            QTimer.singleShot(0, self, self._again)  # with this object as context: never after the button is gone
        return False

    def _again(self) -> None:
        self.button.setDefault(True)


def make_default(button: QPushButton) -> QPushButton:
    """OK (Post, Save) is the form's default button: Enter in any field presses it, Escape cancels.

    Tab onto another button and Enter presses that one instead, as everywhere on the desktop.
    """
    button.setDefault(True)
    button.setAutoDefault(True)
    button.installEventFilter(_KeepDefault(button))
    return button


def enter_in_text_box_presses(box: QPlainTextEdit, button: QPushButton) -> None:
    """A short multi-line box (a reason): Enter presses the form's button, Shift+Enter starts a line."""

    class _Enter(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if (
                event.type() == QEvent.Type.KeyPress
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)  # type: ignore[attr-defined]
                and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier  # type: ignore[attr-defined]
            ):
                if button.isEnabled():
                    button.click()
                return True
            return False

    box.installEventFilter(_Enter(box))


def hint_label(text: str, name: str = "") -> QLabel:
    """A grey line of help under a field."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet(HINT_STYLE)
    if name:
        label.setObjectName(name)
    return label


class RowsTable(QTableView):
    """A table of a :class:`RowsModel`: rows of one fixed height, columns sized from a sample.

    Qt's ``ResizeToContents`` measures every cell of every row on each reset (on the GUI thread,
    and again when the hidden table is shown); here each reset sizes the columns from a sample of
    rows (:func:`sampled_widths`) and leaves them for the person to widen. A column set to
    ``Stretch`` or ``Fixed`` keeps its mode.
    """

    def setModel(self, model: QAbstractItemModel | None) -> None:
        old = self.model()
        if isinstance(old, RowsModel):
            old.modelReset.disconnect(self.fit_columns)
        super().setModel(model)
        if isinstance(model, RowsModel):
            model.modelReset.connect(self.fit_columns)
            self.fit_columns()

    def selectRow(self, row: int) -> None:
        """Select ``row``, first handing the view the rows up to it if it is beyond those shown."""
        model = self.model()
        if isinstance(model, RowsModel):
            model.fetch_to(row)
        super().selectRow(row)

    def fit_columns(self) -> None:
        model = self.model()
        if not isinstance(model, RowsModel):
            return
        header = self.horizontalHeader()
        widths = sampled_widths(model, self.fontMetrics(), header.fontMetrics())
        last = len(widths) - 1
        for column, width in enumerate(widths):
            mode = header.sectionResizeMode(column)
            if mode == QHeaderView.ResizeMode.Interactive and not (column == last and header.stretchLastSection()):
                header.resizeSection(column, width)


def row_height(widget: QWidget) -> int:
    """The one row height of every table and tree in the app: the font's line and 10 px of air
    (about 30 px at the default font)."""
    return widget.fontMetrics().height() + 10


class RowHeightDelegate(QStyledItemDelegate):
    """Gives a tree's rows the app's one row height (a QTreeView has no fixed section size)."""

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:  # type: ignore[override]
        hint = super().sizeHint(option, index)
        parent = self.parent()
        height = row_height(parent) if isinstance(parent, QWidget) else hint.height()
        return QSize(hint.width(), max(hint.height(), height))


def make_table(name: str) -> RowsTable:
    table = RowsTable()
    table.setObjectName(name)
    table.setAccessibleName(name.replace("_", " ").capitalize())
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.setTabKeyNavigation(False)  # Tab leaves the list for the next field; arrows move in it
    rows = table.verticalHeader()
    rows.setVisible(False)
    rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    rows.setDefaultSectionSize(row_height(table))
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    return table


class RefreshWhenShown(QObject):
    """A view's refresh on a change elsewhere, made only while the view is on screen.

    A change (an action in another window, or another workstation's through live refresh) asks
    for ``request()``: a shown view refreshes at once; a hidden one (another page of the main
    window, a closed editor's parent) only notes it and refreshes when it is shown next. An
    explicit refresh (the view opened on another patient) calls ``done()`` so it is not repeated.
    """

    def __init__(self, view: QWidget, refresh: Callable[[], None]) -> None:
        super().__init__(view)
        self.view = view
        self._refresh = refresh
        self.stale = False
        view.installEventFilter(self)

    def request(self) -> None:
        if self.view.isVisible():
            self.stale = False
            self._refresh()
        else:
            self.stale = True

    def done(self) -> None:
        self.stale = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self.stale and watched is self.view and event.type() == QEvent.Type.Show:
            self.stale = False
            self._refresh()
        return False


class DateEdit(QDateEdit):
    """A date field that is one Tab stop: Tab leaves it (Left/Right and the cursor move between
    day, month and year), where a plain QDateEdit takes a Tab stop per part of the date."""

    def focusNextPrevChild(self, next: bool) -> bool:
        return QAbstractSpinBox.focusNextPrevChild(self, next)


def step_in_ring(window: QWidget, chain: list[QWidget], forward: bool) -> bool:
    """Tab (``forward``) or Shift+Tab over ``chain`` as a ring: the last field wraps to the first,
    and what is hidden, disabled or not a Tab stop is passed over. False when the focus is not
    on the chain (the caller then lets Qt choose). For a window's ``focusNextPrevChild``: Qt's own
    order is bent by button boxes that re-order their buttons and fields made of parts."""
    stops = [w for w in chain if w.isVisibleTo(window) and w.isEnabled() and w.focusPolicy() & Qt.FocusPolicy.TabFocus]
    focused = QApplication.focusWidget()
    at = next(
        (n for n, w in enumerate(stops) if focused is not None and (w is focused or w.isAncestorOf(focused))), None
    )
    if at is None:
        return False
    target = stops[(at + (1 if forward else -1)) % len(stops)]
    target.setFocus(Qt.FocusReason.TabFocusReason if forward else Qt.FocusReason.BacktabFocusReason)
    return True


def field_help(widget: QWidget) -> str:
    """What F1 says about a field: its What's-this text, else its tooltip, else its name and what
    it expects (the placeholder); the field's own words, never an empty line."""
    for text in (widget.whatsThis(), widget.toolTip(), widget.accessibleDescription()):
        if text.strip():
            return text
    name = widget.accessibleName() or widget.objectName().replace("_", " ")
    hint = getattr(widget, "placeholderText", lambda: "")()
    if name and hint:
        return f"{name}: {hint}"
    return f"{name}." if name else ""


class FieldHelp(QObject):
    """F1 anywhere in the app: the focused field's help, shown beside it (see :func:`field_help`)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_F1:  # type: ignore[attr-defined]
            from PySide6.QtWidgets import QToolTip

            widget = QApplication.focusWidget()
            text = field_help(widget) if widget is not None else ""
            if widget is not None and text:
                QToolTip.showText(widget.mapToGlobal(widget.rect().bottomLeft()), text, widget, widget.rect(), 20000)
                return True
        return False


def install_field_help() -> None:
    """F1 help for every window of the app, installed once on the application."""
    app = QApplication.instance()
    if app is not None and app.property("field_help") is None:
        helper = FieldHelp(app)
        app.installEventFilter(helper)
        app.setProperty("field_help", True)
