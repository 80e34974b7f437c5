"""Fee schedules: codes x schedules (0 to 26), a few side by side, edited in place; raise by %.

Each cell edit is one action (one transaction, one audit event); a refused fee is shown under the
grid and the cell keeps its old value (TX-VAL-1). A raise is previewed, old beside new, before it
is applied.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from dentaldesk.domain.codes import code_matches
from dentaldesk.domain.money import format_money
from dentaldesk.services.practice.settings import (
    FeeChange,
    FeeGridRow,
    FeeScheduleRow,
    fee_cell,
    fee_grid,
    fee_schedules,
    name_fee_schedule,
    preview_raise,
    raise_fee_schedule,
    set_fee,
)
from dentaldesk.ui.kit.conflicts import ConflictBar
from dentaldesk.ui.kit.context import AppContext
from dentaldesk.ui.kit.operations import run_op
from dentaldesk.ui.kit.table_model import Column, RowsModel
from dentaldesk.ui.kit.widgets import error_label, hint_label, make_default, make_table
from dentaldesk.ui.settings.forms import SetupWindow, button, fit_columns

Index = QModelIndex | QPersistentModelIndex
SIDE_BY_SIDE = 3
FIXED_COLUMNS = 2  # code, name


class FeeGridModel(QAbstractTableModel):
    """Codes down, the chosen schedules across; fee cells edit in place through ``save_fee``."""

    def __init__(self, save_fee: Callable[[FeeGridRow, int, str], Decimal | None | bool], parent: Any = None) -> None:
        super().__init__(parent)
        self._save_fee = save_fee
        self._rows: list[FeeGridRow] = []
        self._numbers: list[int] = []
        self._names: dict[int, str] = {}

    def set_grid(self, rows: list[FeeGridRow], numbers: list[int], names: dict[int, str]) -> None:
        self.beginResetModel()
        self._rows, self._numbers, self._names = list(rows), list(numbers), dict(names)
        self.endResetModel()

    def row(self, n: int) -> FeeGridRow:
        return self._rows[n]

    @property
    def numbers(self) -> list[int]:
        return list(self._numbers)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else FIXED_COLUMNS + len(self._numbers)

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return base | Qt.ItemFlag.ItemIsEditable if index.column() >= FIXED_COLUMNS else base

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r = self._rows[index.row()]
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if col == 0:
                return r.code
            if col == 1:
                return r.name
            fee = r.fees[col - FIXED_COLUMNS]
            if role == Qt.ItemDataRole.EditRole:
                return format_money(fee)
            return format_money(fee, blank="-")
        if role == Qt.ItemDataRole.TextAlignmentRole and col >= FIXED_COLUMNS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and col >= FIXED_COLUMNS:
            return f"{r.code} in Fee {self._numbers[col - FIXED_COLUMNS]}: type a fee, or clear it to remove the entry"
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or index.column() < FIXED_COLUMNS:
            return False
        r = self._rows[index.row()]
        slot = index.column() - FIXED_COLUMNS
        saved = self._save_fee(r, slot, self._numbers[slot], str(value))
        if saved is False:
            return False
        fee, version = saved
        fees, versions = list(r.fees), list(r.versions or [None] * len(r.fees))
        fees[slot], versions[slot] = fee, version
        self._rows[index.row()] = replace(r, fees=tuple(fees), versions=tuple(versions))
        self.dataChanged.emit(index, index)
        return True

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or orientation != Qt.Orientation.Horizontal:
            return None
        if section == 0:
            return "Code"
        if section == 1:
            return "Name"
        number = self._numbers[section - FIXED_COLUMNS]
        return f"Fee {number}\n{self._names.get(number, '')}"


def schedule_combo(name: str, caption: str, schedules: list[FeeScheduleRow]) -> QComboBox:
    box = QComboBox()
    box.setObjectName(name)
    box.setAccessibleName(caption)
    fill_schedules(box, schedules)
    return box


def fill_schedules(box: QComboBox, schedules: list[FeeScheduleRow]) -> None:
    current = box.currentData()
    box.blockSignals(True)
    box.clear()
    for s in schedules:
        box.addItem(f"{s.number} - {s.name}" + (f" ({s.entries} fees)" if s.entries else " (empty)"), s.number)
    if current is not None:
        box.setCurrentIndex(box.findData(current))
    box.blockSignals(False)


class FeeSchedulesWindow(SetupWindow):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, "Fee schedules", parent)
        self.schedules: list[FeeScheduleRow] = []
        self.all_rows: list[FeeGridRow] = []
        self.raise_dialog: RaiseDialog | None = None
        ok, loaded = run_op(ctx, self, lambda: fee_schedules(ctx.uow(), ctx.user), fallback=self.problem)
        self.schedules = loaded or []

        pick_row = QHBoxLayout()
        self.pickers: list[QComboBox] = []
        for n in range(SIDE_BY_SIDE):
            caption = QLabel(f"Schedule &{n + 1}:")
            box = schedule_combo(f"schedule_{n + 1}", f"Schedule shown in column {n + 1}", self.schedules)
            box.setCurrentIndex(n)
            caption.setBuddy(box)
            box.currentIndexChanged.connect(self.reload)
            pick_row.addWidget(caption)
            pick_row.addWidget(box, 1)
            self.pickers.append(box)

        self.search = QLineEdit()
        self.search.setObjectName("fee_search")
        self.search.setAccessibleName("Search codes")
        self.search.setPlaceholderText("Search by code (D27) or name (crown) ...")
        self.search.setClearButtonEnabled(True)
        search_caption = QLabel("Searc&h:")
        search_caption.setBuddy(self.search)
        self.raise_button = button(
            "Raise by &%...", "raise_fees", tip="Raise every fee of a schedule by a percentage, with a preview."
        )
        top = QHBoxLayout()
        top.addWidget(search_caption)
        top.addWidget(self.search, 1)
        top.addWidget(self.raise_button)

        self.model = FeeGridModel(self._save_fee, self)
        self.table = make_table("fee_grid")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        fit_columns(self.table, 1)
        self.fee_error = error_label("fee")

        name_box = QGroupBox("Name a schedule")
        self.name_pick = schedule_combo("name_schedule", "Schedule to name", self.schedules)
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("schedule_name")
        self.name_edit.setAccessibleName("Schedule name")
        self.name_edit.setPlaceholderText("e.g. Loyalty / senior")
        name_caption = QLabel("Na&me:")
        name_caption.setBuddy(self.name_edit)
        self.name_button = button("Save &name", "save_schedule_name")
        self.name_edit.returnPressed.connect(self.name_button.click)  # Enter in the name saves it
        self.name_error = error_label("schedule_name")
        row = QHBoxLayout(name_box)
        row.addWidget(self.name_pick, 1)
        row.addWidget(name_caption)
        row.addWidget(self.name_edit, 1)
        row.addWidget(self.name_button)

        layout = QVBoxLayout(self)
        layout.addLayout(pick_row)
        layout.addLayout(top)
        layout.addWidget(
            hint_label(
                "Type in a fee cell to change it (Enter saves, Esc cancels); clear a cell to remove "
                "that fee. A code with no fee in the account's schedule is charged Fee 0 (TX-FEE-4)."
            )
        )
        layout.addWidget(self.table, 1)
        layout.addWidget(self.fee_error)
        self.conflict = ConflictBar(self.reload_after_conflict, name="fee_conflict")
        self._typed = ""
        layout.addWidget(self.conflict)
        layout.addWidget(name_box)
        layout.addWidget(self.name_error)
        layout.addWidget(self.problem)
        layout.addWidget(self.status)

        self.search.textChanged.connect(self.filter)
        self.raise_button.clicked.connect(self.open_raise)
        self.name_pick.currentIndexChanged.connect(self._show_name)
        self.name_button.clicked.connect(self.save_name)
        self.resize(980, 680)
        if ok:
            self.reload()
            self._show_name()
        else:
            for w in (self.raise_button, self.name_button, self.table):
                w.setEnabled(False)

    def shown_numbers(self) -> list[int]:
        numbers: list[int] = []
        for box in self.pickers:
            if box.currentData() is not None and box.currentData() not in numbers:
                numbers.append(int(box.currentData()))
        return numbers

    def reload(self) -> None:
        numbers = self.shown_numbers()
        ok, rows = run_op(
            self.ctx, self, lambda: fee_grid(self.ctx.uow(), self.ctx.user, numbers), fallback=self.problem
        )
        if ok and rows is not None:
            self.fee_error.setVisible(False)
            self.all_rows = rows
            self.filter()

    def filter(self) -> None:
        text = self.search.text()
        names = {s.number: s.name for s in self.schedules}
        self.model.set_grid(
            [r for r in self.all_rows if code_matches(text, r.code, r.name)], self.shown_numbers(), names
        )
        header = self.table.horizontalHeader()
        for column in range(FIXED_COLUMNS, self.model.columnCount()):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, 130)

    def _save_fee(self, row: FeeGridRow, slot: int, number: int, text: str) -> tuple[Decimal | None, int | None] | bool:
        """Save one cell with the version it was shown at (DATA-4); the fee and version now on file."""
        self.fee_error.setVisible(False)
        self.say("")
        expected = row.versions[slot] if row.versions else None

        def action() -> tuple[Decimal | None, int | None]:
            set_fee(self.ctx.uow(), self.ctx.user, row.code_id, number, text, expected_version=expected)
            return fee_cell(self.ctx.uow(), self.ctx.user, row.code_id, number)

        ok, saved = run_op(
            self.ctx,
            self,
            action,
            changed="settings",
            field_labels={"fee": self.fee_error, "code": self.fee_error},
            fallback=self.problem,
            conflict=self.conflict,
        )
        if self.conflict.showing_conflict:
            self._typed = f"{row.code} in Fee {number}: you typed {text.strip() or 'nothing'}"
        if not ok:
            if self.fee_error.isVisible():
                self.fee_error.setText(f"{row.code} in Fee {number}: {self.fee_error.text()}")
            return False
        fee = saved[0] if saved else None
        self.say(
            f"{row.code} in Fee {number}: " + (f"{format_money(fee)} saved." if fee is not None else "fee removed.")
        )
        self._refresh_schedules()
        return saved

    def reload_after_conflict(self) -> None:
        """DATA-4: show the fee as the other workstation saved it; a cell is one value, so the
        person's typing cannot be merged into it: it is named, to type again if still wanted."""
        self.reload()
        self.conflict.show_note(
            f"Reloaded the fees the other workstation saved. {self._typed}; type it again to replace theirs."
        )

    def _refresh_schedules(self) -> None:
        ok, loaded = run_op(self.ctx, self, lambda: fee_schedules(self.ctx.uow(), self.ctx.user), fallback=self.problem)
        if ok and loaded is not None:
            self.schedules = loaded
            for box in (*self.pickers, self.name_pick):
                fill_schedules(box, loaded)

    def _show_name(self) -> None:
        number = self.name_pick.currentData()
        self.name_edit.setText(next((s.name for s in self.schedules if s.number == number), ""))

    def save_name(self) -> None:
        number, name = int(self.name_pick.currentData()), self.name_edit.text()
        self.name_error.setVisible(False)
        self.say("")
        ok, _ = run_op(
            self.ctx,
            self,
            lambda: name_fee_schedule(self.ctx.uow(), self.ctx.user, number, name),
            changed="settings",
            field_labels={"schedule_name": self.name_error},
            fallback=self.problem,
        )
        if ok:
            self._refresh_schedules()
            self.filter()
            self.say(f"Fee {number} is now named '{name.strip()}'.")

    def open_raise(self) -> None:
        dialog = RaiseDialog(self.ctx, self.schedules, int(self.pickers[0].currentData()), self)
        dialog.accepted.connect(lambda: (self.reload(), self._refresh_schedules(), self.say(dialog.result_text)))
        self.raise_dialog = dialog
        dialog.open()


CHANGE_COLUMNS: list[Column[FeeChange]] = [
    Column("Code", lambda c: c.code),
    Column("Name", lambda c: c.name),
    Column("Old fee", lambda c: format_money(c.old), align_right=True),
    Column("New fee", lambda c: format_money(c.new), align_right=True),
    Column("Change", lambda c: format_money(c.new - c.old), align_right=True),
]


class RaiseDialog(QDialog):
    """Raise a schedule by a percentage: preview old and new fees, then apply in one transaction."""

    def __init__(
        self, ctx: AppContext, schedules: list[FeeScheduleRow], number: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.previewed: list[FeeChange] = []
        self.result_text = ""
        self.setWindowTitle("Raise a fee schedule by a percentage")
        self.setObjectName("raise_dialog")
        self.schedule = schedule_combo("raise_schedule", "Schedule to raise", [s for s in schedules if s.entries])
        self.schedule.setCurrentIndex(max(0, self.schedule.findData(number)))
        self.percent = QLineEdit()
        self.percent.setObjectName("percent")
        self.percent.setAccessibleName("Raise by percent")
        self.percent.setPlaceholderText("e.g. 3 or 2.5 (negative lowers)")
        self.preview_button = button("&Preview", "preview_raise")
        make_default(self.preview_button)
        self.percent_error = error_label("percent")
        self.summary = QLabel()
        self.summary.setObjectName("raise_summary")
        self.model: RowsModel[FeeChange] = RowsModel(CHANGE_COLUMNS, self)
        self.table = make_table("raise_preview")
        self.table.setModel(self.model)
        fit_columns(self.table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.apply_button = buttons.addButton("&Apply raise", QDialogButtonBox.ButtonRole.AcceptRole)
        self.apply_button.setObjectName("apply_raise")
        self.apply_button.setEnabled(False)
        buttons.accepted.connect(self.apply)
        buttons.rejected.connect(self.reject)

        schedule_caption = QLabel("&Schedule:")
        schedule_caption.setBuddy(self.schedule)
        percent_caption = QLabel("Raise &by (%):")
        percent_caption.setBuddy(self.percent)
        row = QHBoxLayout()
        row.addWidget(schedule_caption)
        row.addWidget(self.schedule, 1)
        row.addWidget(percent_caption)
        row.addWidget(self.percent)
        row.addWidget(self.preview_button)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.percent_error)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.preview_button.clicked.connect(self.preview)
        self.percent.returnPressed.connect(self.preview)
        self.percent.textChanged.connect(self._stale)
        self.schedule.currentIndexChanged.connect(self._stale)
        self.resize(720, 520)

    def _stale(self) -> None:
        """Inputs changed after a preview: the preview no longer shows what Apply would do."""
        self.apply_button.setEnabled(False)
        self.previewed = []
        self.model.set_rows([])
        self.summary.setText("")

    def preview(self) -> None:
        self.percent_error.setVisible(False)
        number, percent = self.schedule.currentData(), self.percent.text()
        if number is None:
            self.percent_error.setText("No schedule has fees to raise yet.")
            self.percent_error.setVisible(True)
            return
        ok, changes = run_op(
            self.ctx,
            self,
            lambda: preview_raise(self.ctx.uow(), self.ctx.user, int(number), percent),
            field_labels={"percent": self.percent_error},
            fallback=self.percent_error,
        )
        if not ok or changes is None:
            return
        self.previewed = changes
        self.model.set_rows(changes)
        old = sum((c.old for c in changes), Decimal(0))
        new = sum((c.new for c in changes), Decimal(0))
        self.summary.setText(
            f"{len(changes)} fees in Fee {number}: total {format_money(old)} -> {format_money(new)}. "
            "Nothing is saved until you apply."
        )
        self.apply_button.setEnabled(True)

    def apply(self) -> None:
        number, percent, previewed = int(self.schedule.currentData()), self.percent.text(), list(self.previewed)
        ok, count = run_op(
            self.ctx,
            self,
            lambda: raise_fee_schedule(self.ctx.uow(), self.ctx.user, number, percent, previewed),
            changed="settings",
            field_labels={"percent": self.percent_error},
            fallback=self.percent_error,
        )
        if ok:
            self.result_text = f"Fee {number} raised by {percent.strip().rstrip('%').strip()} %: {count} fees changed."
            self.accept()
        else:
            self.apply_button.setEnabled(False)
