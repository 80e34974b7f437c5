"""The one widget kit of every window: the message lines under a field (a refusal, a hint), captions,
stacks and rows, the date fields (one Tab stop; blank-able for the Aged date), a read-only code
option, an empty-state panel, the table set-up and the keyboard helpers. Colours come from
:mod:`dentaldesk.ui.kit.palette`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import (
    QAbstractItemModel,
    QDate,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeyEvent, QMouseEvent, QPalette, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QCheckBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from dentaldesk import clock
from dentaldesk.ui.kit import palette
from dentaldesk.ui.kit.default_button import make_default as make_default  # the kit's name for it
from dentaldesk.ui.kit.table_model import RowsModel, sampled_widths

DATE_FORMAT = "yyyy-MM-dd"
_BLANK = QDate(1900, 1, 1)  # a blank-able date edit's "no date" value, shown as its special text


class EmptyState(QWidget):
    """Shown instead of an empty table: says plainly there is nothing yet and what to do."""

    def __init__(self, message: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel(message)
        self.label.setWordWrap(True)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setStyleSheet(f"color: {palette.MUTED}; font-size: 13pt; padding: 24px;")
        self.label.setAccessibleName("Empty state")
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.label)
        layout.addStretch(2)

    def set_message(self, message: str) -> None:
        self.label.setText(message)


def tint(widget: QWidget, color: str) -> None:
    """Draw a widget's text in ``color`` (a :mod:`palette` role): a palette entry, not a style
    sheet, since a sheet per label makes a window slower to open."""
    colours = widget.palette()
    colours.setColor(QPalette.ColorRole.WindowText, palette.color(color))
    widget.setPalette(colours)


def bold(widget: QWidget) -> None:
    font = widget.font()
    font.setBold(True)
    widget.setFont(font)


class MessageLabel(QLabel):
    """A line under a field, coloured the first time it is shown: most of a window's message lines
    are never shown, and a palette per label cost the Patient Transactions window ~15 ms to open."""

    def __init__(self, color: str) -> None:
        super().__init__()
        self.color = color
        self._tinted = False
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)

    def set_color(self, color: str) -> None:
        """Another role for the line (a refusal line that reads as a note)."""
        self.color = color
        if self._tinted:
            tint(self, color)

    def showEvent(self, event: QShowEvent) -> None:
        if not self._tinted:
            self._tinted = True
            tint(self, self.color)
        super().showEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        # A wrapped line asks for the height its text needs at the width it got: a window's layout
        # sizes it from its one-line hint otherwise, and clips the last line.
        super().resizeEvent(event)
        needed = self.heightForWidth(self.width())
        if needed > 0 and needed != self.minimumHeight():
            self.setMinimumHeight(needed)


def error_label(name: str) -> MessageLabel:
    """The hidden red line under a field that shows why an input was refused (TX-VAL-1); named
    ``<name>_error`` so the UI helper finds it by the refused field's name."""
    label = MessageLabel(palette.ERROR)
    label.setObjectName(f"{name}_error")
    label.setVisible(False)
    label.setAccessibleName(f"{name.replace('_', ' ').capitalize()} message")
    return label


def hint_label(text: str = "", name: str = "", *, shown: bool = True) -> MessageLabel:
    """A grey line of help under a field; ``shown=False`` for one that appears only when it has
    something to say."""
    label = MessageLabel(palette.MUTED)
    label.setText(text)
    if name:
        label.setObjectName(name)
    label.setVisible(shown)
    return label


def show_message(label: QLabel, text: str) -> None:
    label.setText(text)
    label.setVisible(bool(text))
    label.setAccessibleDescription(text)


def caption(text: str, buddy: QWidget) -> QLabel:
    """A field's caption; its & letter moves the keyboard to the field (mnemonic)."""
    label = QLabel(text)
    label.setBuddy(buddy)
    return label


def stack(*widgets: QWidget) -> QWidget:
    """A field with its message lines below it; never taller than its visible parts."""
    box = QWidget()
    box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    for w in widgets:
        layout.addWidget(w)
    return box


def row(*widgets: QWidget, stretch: bool = True) -> QWidget:
    """Widgets side by side (a fee and its tax, a figure and its Why? button)."""
    box = QWidget()
    layout = QHBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    for w in widgets:
        layout.addWidget(w)
    if stretch:
        layout.addStretch(1)
    return box


def enter_in_text_box_presses(box: QPlainTextEdit, button: QPushButton) -> None:
    """A short multi-line box (a reason): Enter presses the form's button, Shift+Enter starts a line."""

    class _Enter(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if (
                event.type() == QEvent.Type.KeyPress
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier
            ):
                if button.isEnabled():
                    button.click()
                return True
            return False

    box.installEventFilter(_Enter(box))


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

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
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
    for ``request()``: a shown view refreshes at once (through ``while_shown`` when given: a view
    that reads on a worker, so the window that acted is not kept waiting); a hidden one (another
    page of the main window, a closed editor's parent) only notes it and refreshes when it is
    shown next. An explicit refresh (the view opened on another patient) calls ``done()`` so it is
    not repeated.
    """

    def __init__(
        self, view: QWidget, refresh: Callable[[], None], *, while_shown: Callable[[], None] | None = None
    ) -> None:
        super().__init__(view)
        self.view = view
        self._refresh = refresh
        self._while_shown = while_shown or refresh
        self.stale = False
        view.installEventFilter(self)

    def request(self) -> None:
        if self.view.isVisible():
            self.stale = False
            self._while_shown()
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


def to_qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def from_qdate(day: QDate) -> dt.date:
    return dt.date(day.year(), day.month(), day.day())


def day_of(edit: QDateEdit) -> dt.date:
    """The day a date field holds."""
    return from_qdate(edit.date())


def date_edit(name: str, accessible: str = "", day: dt.date | None = None) -> DateEdit:
    """A date field with a calendar (Alt+Down), ISO format, today unless ``day``; arrows step the
    part under the cursor, Tab leaves it."""
    edit = DateEdit()
    edit.setObjectName(name)
    if accessible:
        edit.setAccessibleName(accessible)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat(DATE_FORMAT)
    edit.setDate(to_qdate(day or clock.today()))
    return edit


class _BlankableDateEdit(DateEdit):
    """A date edit whose blank value is shown as text; any step, key or click on a blank field
    starts from ``start()`` (the DOS), not from the blank's placeholder date."""

    def __init__(self) -> None:
        super().__init__()
        self.start = clock.today  # until set_start names the DOS

    def is_blank(self) -> bool:
        return self.date() == _BLANK

    def _fill(self) -> None:
        if self.is_blank() and not self.isReadOnly():
            self.setDate(to_qdate(self.start()))

    def stepBy(self, steps: int) -> None:
        if self.is_blank():
            self._fill()
            return
        super().stepBy(steps)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.is_blank() and event.key() not in _PASSING_KEYS:
            self._fill()
            if event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down):
                return
        super().keyPressEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._fill()
        super().mousePressEvent(event)


_PASSING_KEYS = frozenset(
    {
        Qt.Key.Key_Tab,
        Qt.Key.Key_Backtab,
        Qt.Key.Key_Escape,
        Qt.Key.Key_Return,
        Qt.Key.Key_Enter,
        Qt.Key.Key_Shift,
        Qt.Key.Key_Control,
        Qt.Key.Key_Alt,
    }
)


class OptionalDate(QWidget):
    """A date that may be blank: the Aged field (TX-AGE-5: blank means current).

    A date edit plus a "Current" box: checking the box blanks the date (the edit then reads
    "blank - current"); choosing a date unchecks it. Both are reached with Tab, the box toggles
    with Space, and Up/Down (or typing, or the calendar, Alt+Down) on a blank date starts from
    the DOS, so the field works from the keyboard alone.
    """

    changed = Signal()

    def __init__(self, name: str, accessible: str, blank_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = _BlankableDateEdit()
        self.edit.setObjectName(name)
        self.edit.setAccessibleName(accessible)
        self.edit.setCalendarPopup(True)
        self.edit.setDisplayFormat(DATE_FORMAT)
        self.edit.setMinimumDate(_BLANK)
        self.edit.setSpecialValueText(blank_text)
        self.edit.setMinimumWidth(150)
        self.blank = QCheckBox("Curr&ent (no aged date)")
        self.blank.setObjectName(f"{name}_blank")
        self.blank.setAccessibleName(f"{accessible}: blank, the charge stays current")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit)
        layout.addWidget(self.blank)
        layout.addStretch(1)
        self._last = clock.today()
        self._quiet = False
        self.edit.dateChanged.connect(self._date_changed)
        self.blank.toggled.connect(self._blank_toggled)
        self.setFocusProxy(self.edit)

    def value(self) -> dt.date | None:
        return None if self.edit.date() == _BLANK else from_qdate(self.edit.date())

    def set_value(self, day: dt.date | None) -> None:
        self._quiet = True
        try:
            if day is not None:
                self._last = day
            self.edit.setDate(_BLANK if day is None else to_qdate(day))
            self.blank.setChecked(day is None)
        finally:
            self._quiet = False

    def set_start(self, start: Callable[[], dt.date]) -> None:
        """Where a blank date starts when the person steps or types into it (the DOS)."""
        self.edit.start = start

    def set_read_only(self, read_only: bool) -> None:
        self.edit.setReadOnly(read_only)
        self.edit.setCalendarPopup(not read_only)
        self.blank.setEnabled(not read_only)

    def _date_changed(self, day: QDate) -> None:
        if self._quiet:
            return
        is_blank = day == _BLANK
        if not is_blank:
            self._last = from_qdate(day)
        self._quiet = True
        self.blank.setChecked(is_blank)
        self._quiet = False
        self.changed.emit()

    def _blank_toggled(self, checked: bool) -> None:
        if self._quiet:
            return
        self._quiet = True
        self.edit.setDate(_BLANK if checked else to_qdate(self._last))
        self._quiet = False
        self.changed.emit()


class OptionBox(QCheckBox):
    """A code option shown as the code defines it (TX-OPT-1): readable, never changed here.

    Not greyed out (so it reads clearly) but deaf to clicks and keys; its description says where
    the option is set.
    """

    def __init__(self, text: str, name: str) -> None:
        super().__init__(text)
        self.setObjectName(name)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setAccessibleName(f"{text} (code option)")
        self.setAccessibleDescription("Read-only: set for the code under Settings -> Procedure codes.")


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
        if event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_F1:
            from PySide6.QtWidgets import QToolTip

            widget = QApplication.focusWidget()
            text = field_help(widget) if widget is not None else ""
            if widget is not None and text:
                # Under the field; in a list or table, under its current cell (the column F1 explains).
                area, rect = widget, widget.rect()
                if isinstance(widget, QAbstractItemView) and widget.currentIndex().isValid():
                    area, rect = widget.viewport(), widget.visualRect(widget.currentIndex())
                QToolTip.showText(area.mapToGlobal(rect.bottomLeft()), text, area, rect, 20000)
                return True
        return False


def install_field_help() -> None:
    """F1 help for every window of the app, installed once on the application."""
    app = QApplication.instance()
    if app is not None and app.property("field_help") is None:
        helper = FieldHelp(app)
        app.installEventFilter(helper)
        app.setProperty("field_help", True)
