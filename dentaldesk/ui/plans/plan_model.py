"""The plan editor's item tree: items under their prerequisites, or grouped by visit (TP-8, TP-16).

A thin Qt adapter over the working copy (STYLE.md 6): it formats, it does not decide. The fee
column is edited in place; while a fee is typed the editor previews the total (TP-7).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from enum import Enum

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QFont, QFontMetrics, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QLineEdit, QStyleOptionViewItem, QWidget

from dentaldesk.domain.errors import DentalDeskError
from dentaldesk.domain.money import format_money, parse_money, schedule_fee_note
from dentaldesk.domain.plans import chair_minutes, tree_rows, visit_groups
from dentaldesk.domain.teeth import display_tooth
from dentaldesk.ui.kit import palette
from dentaldesk.ui.kit.table_model import widest_text
from dentaldesk.ui.kit.widgets import RowHeightDelegate
from dentaldesk.ui.plans.working_copy import WorkingItem, WorkingPlan
from dentaldesk.ui.transactions.help import COLUMN_HELP

KEY_ROLE = Qt.ItemDataRole.UserRole + 1
COLUMNS = ("Code", "Name", "Tooth", "Surfaces", "Provider", "Fee", "RTU's", "Visit", "Status")
FEE_COLUMN = COLUMNS.index("Fee")
NAME_COLUMN = COLUMNS.index("Name")
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_RIGHT_COLUMNS = frozenset({FEE_COLUMN, COLUMNS.index("RTU's"), COLUMNS.index("Visit")})
_STATUS_COLUMN = COLUMNS.index("Status")
_GROUP_BRUSH = QBrush(palette.color(palette.GROUP_BAND))
_DONE_BRUSH = QBrush(palette.color(palette.DONE))
# A completed item is a state, not a style: the whole row on a green band, "Done" in its Status.
_DONE_BAND = QBrush(palette.color(palette.DONE_BAND))
_WAIT_BRUSH = QBrush(palette.color(palette.WARNING))


class Grouping(Enum):
    BY_DEPENDENCY = "By dependency"
    BY_VISIT = "By visit"


def fee_text(item: WorkingItem) -> str:
    """MONEY-2: an override says what it replaced: ``850.00 (schedule fee 1,000.00, discount 150.00)``."""
    if item.fee is None:
        return "no fee"
    note = schedule_fee_note(item.fee, item.schedule_fee)
    return f"{format_money(item.fee)} ({note})" if note else format_money(item.fee)


def visit_caption(visit: int | None, items: list[WorkingItem]) -> str:
    """A visit's header: its items, chair time from their RTU's, and its fees (TP-16, TX-RTU-1)."""
    name = f"Visit {visit}" if visit is not None else "No visit yet"
    minutes = chair_minutes(i.rtu for i in items)
    fees = format_money(sum((i.fee for i in items if i.fee is not None), Decimal(0)))
    count = f"{len(items)} item{'s' if len(items) != 1 else ''}"
    return f"{name} - {count}, {minutes} min chair time, {fees}"


class PlanTreeModel(QStandardItemModel):
    """Rows for the working copy; the item's key is under KEY_ROLE of column 0."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(COLUMNS), parent)
        self.setHorizontalHeaderLabels(list(COLUMNS))
        self.grouping = Grouping.BY_DEPENDENCY
        self.editable_fees = False
        self._rows: dict[int, list[QStandardItem]] = {}
        self._groups: dict[int | None, QStandardItem] = {}
        self._depth = 0  # how deep the tree's rows go below the top (0: top rows only)

    def rebuild(self, plan: WorkingPlan, *, editable_fees: bool) -> None:
        """The rows of ``plan``, told to the view as one reset: the rows are built away from the
        view (each row under its parent before the parent is in the model) and the view lays out
        once, not once per row."""
        self.editable_fees = editable_fees
        self.beginResetModel()
        self.blockSignals(True)  # the reset tells the view; each row's own insertion would too
        try:
            self.removeRows(0, self.rowCount())
            self._rows.clear()
            self._groups.clear()
            blocked = plan.blocked_keys()
            by_key = plan.items
            top: list[list[QStandardItem]] = []
            if self.grouping is Grouping.BY_VISIT:
                for visit, facts in visit_groups(plan.facts()):
                    members = [by_key[f.id] for f in facts]
                    group = self._group_row(visit, members)
                    top.append(group)
                    for item in members:
                        group[0].appendRow(self._item_row(plan, item, blocked))
                self._depth = 1 if top else 0
            else:
                parents: list[QStandardItem] = []
                self._depth = 0
                for fact, depth in tree_rows(plan.facts()):
                    row = self._item_row(plan, by_key[fact.id], blocked)
                    del parents[depth:]
                    if depth == 0:
                        top.append(row)
                    else:
                        parents[-1].appendRow(row)
                    parents.append(row[0])
                    self._depth = max(self._depth, depth)
            for row in top:
                self.appendRow(row)
        finally:
            self.blockSignals(False)
            self.endResetModel()

    def column_widths(self, metrics: QFontMetrics, indentation: int, *, padding: int = 18) -> list[int]:
        """Each column's width from the texts of its rows (the widest few measured), the first
        column with the indentation of the deepest row: the widths Qt's ResizeToContents would
        find, without asking every cell of every column on each layout. A visit's caption spans
        its row (the editor says so), so it widens no column."""
        widths = []
        for column in range(len(COLUMNS)):
            width = widest_text(metrics, [row[column].text() for row in self._rows.values()]) + padding
            if column == 0:
                width += indentation * (self._depth + 1)  # the branch lines and the deepest row's indent
            widths.append(width)
        return widths

    def _group_row(self, visit: int | None, members: list[WorkingItem]) -> list[QStandardItem]:
        caption = QStandardItem(visit_caption(visit, members))
        caption.setEditable(False)
        font = caption.font()
        font.setBold(True)
        caption.setFont(font)
        row = [caption] + [QStandardItem("") for _ in COLUMNS[1:]]
        for cell in row:
            cell.setEditable(False)
            cell.setBackground(_GROUP_BRUSH)
        self._groups[visit] = caption
        return row

    def _item_row(self, plan: WorkingPlan, item: WorkingItem, blocked: frozenset[int]) -> list[QStandardItem]:
        if item.is_completed:
            status = f"\u2713 Completed {item.completed_on:%Y-%m-%d}" if item.completed_on else "\u2713 Completed"
        elif item.key in blocked:
            status = "Planned - awaits the patient's new approval"
        else:
            status = "Planned"
        texts = (
            item.code,
            item.name,
            display_tooth(item.tooth, plan.numbering),
            item.surfaces,
            item.provider_name,
            fee_text(item),
            str(item.rtu),
            str(item.visit) if item.visit is not None else "",
            status,
        )
        row = []
        for column, text in enumerate(texts):
            cell = QStandardItem(text)
            cell.setEditable(column == FEE_COLUMN and self.editable_fees and not item.is_completed)
            cell.setData(item.key, KEY_ROLE)
            if column in _RIGHT_COLUMNS:
                cell.setTextAlignment(_RIGHT)
            if column == _STATUS_COLUMN:
                if item.is_completed:
                    cell.setForeground(_DONE_BRUSH)
                elif item.key in blocked:
                    cell.setForeground(_WAIT_BRUSH)
            if column == FEE_COLUMN:
                cell.setToolTip(f"Fee source: {item.fee_source}" if item.fee_source else "")
            row.append(cell)
        row[0].setAccessibleText(f"{item.label}, {item.name}, {texts[5]}, {status}")
        if item.is_completed:
            for cell in row:
                cell.setBackground(_DONE_BAND)
            font = QFont(row[-1].font())
            font.setBold(True)
            row[-1].setFont(font)
        self._rows[item.key] = row
        return row

    def update_fee(self, plan: WorkingPlan, key: int) -> None:
        """Refresh one item's fee and its visit's caption without rebuilding the tree (TP-7)."""
        row = self._rows.get(key)
        if row is None:
            return
        item = plan.item(key)
        row[FEE_COLUMN].setText(fee_text(item))
        if self.grouping is Grouping.BY_VISIT and item.visit in self._groups:
            members = [i for i in plan.items.values() if i.visit == item.visit]
            self._groups[item.visit].setText(visit_caption(item.visit, members))

    def key_at(self, index: QModelIndex | QPersistentModelIndex) -> int | None:
        if not index.isValid():
            return None
        value = self.itemFromIndex(index.siblingAtColumn(0)).data(KEY_ROLE)
        return int(value) if value is not None else None

    def index_of(self, key: int) -> QModelIndex:
        row = self._rows.get(key)
        return row[0].index() if row else QModelIndex()


class FeeDelegate(RowHeightDelegate):
    """Edits a fee in place: the total is previewed as it is typed (TP-7); a bad fee is refused at
    the field with its reason (MONEY-1/2) and nothing changes."""

    def __init__(
        self,
        model: PlanTreeModel,
        preview: Callable[[int, Decimal | None], None],
        commit: Callable[[int, Decimal], None],
        refuse: Callable[[str], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._model = model
        self._preview = preview
        self._commit = commit
        self._refuse = refuse

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: QModelIndex) -> QWidget:
        editor = QLineEdit(parent)
        editor.setObjectName("fee_editor")
        editor.setAccessibleName("Fee")
        editor.setWhatsThis(COLUMN_HELP["Fee"])  # F1
        key = self._model.key_at(index)
        if key is not None:
            editor.textEdited.connect(lambda text, k=key: self._typed(k, text))
        return editor

    def _typed(self, key: int, text: str) -> None:
        try:
            self._preview(key, parse_money(text) if text.strip() else None)
        except DentalDeskError as exc:
            self._refuse(exc.message)

    def setEditorData(self, editor: QWidget, index: QModelIndex) -> None:
        text = index.data(Qt.ItemDataRole.DisplayRole) or ""
        plain = text.split(" (")[0]
        editor.setText("" if plain == "no fee" else plain)
        editor.selectAll()

    def setModelData(self, editor: QWidget, model, index: QModelIndex) -> None:
        key = self._model.key_at(index)
        if key is None:
            return
        text = editor.text()
        try:
            fee = parse_money(text, field="fee")
        except DentalDeskError as exc:
            self._refuse(exc.message)
            return
        self._commit(key, fee)
