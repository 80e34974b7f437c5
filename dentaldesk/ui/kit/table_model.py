"""A thin table model over a list of plain rows (dataclasses), tested without a view.

The rows arrive whole from a service (a plain list of frozen values), but the view is handed them
a page at a time (``canFetchMore``/``fetchMore``, which a view calls when it is scrolled to the
end): a view lays out, selects and sizes only the rows it has been given, so a 27,000-row report
shows its first page at once instead of making Qt walk every row on the GUI thread.

Column widths come from a sample of rows (:func:`sampled_widths`), never from Qt measuring every
cell (``ResizeToContents`` asks every row's text of every column on each reset).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFontMetrics

Row = TypeVar("Row")
Index = QModelIndex | QPersistentModelIndex

PAGE_SIZE = 200  # rows handed to the view at a time: a few screens of a table
SAMPLE_ROWS = 40  # rows whose text sizes the columns: the first ones and the last ones
MEASURED_TEXTS = 3  # of those, the longest texts of a column are measured


@dataclass(frozen=True)
class Column(Generic[Row]):
    title: str
    text: Callable[[Row], str]
    align_right: bool = False


class RowsModel(QAbstractTableModel, Generic[Row]):
    def __init__(self, columns: Sequence[Column[Row]], parent: Any = None, *, page_size: int = PAGE_SIZE) -> None:
        super().__init__(parent)
        self._columns = list(columns)
        self._rows: list[Row] = []
        self._shown = 0
        self.page_size = max(1, page_size)

    def set_rows(self, rows: Sequence[Row]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._shown = min(len(self._rows), self.page_size)
        self.endResetModel()

    def row(self, index: int) -> Row:
        return self._rows[index]

    @property
    def rows(self) -> list[Row]:
        """Every row, including those not handed to the view yet."""
        return list(self._rows)

    @property
    def total_rows(self) -> int:
        return len(self._rows)

    @property
    def columns(self) -> list[Column[Row]]:
        return list(self._columns)

    # --- paging

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._shown < len(self._rows)

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid():
            return
        more = min(self.page_size, len(self._rows) - self._shown)
        if more <= 0:
            return
        self.beginInsertRows(QModelIndex(), self._shown, self._shown + more - 1)
        self._shown += more
        self.endInsertRows()

    def fetch_all(self) -> None:
        """Hand the view every row (to scroll to the last one, or select a row far down)."""
        if self._shown < len(self._rows):
            self.beginInsertRows(QModelIndex(), self._shown, len(self._rows) - 1)
            self._shown = len(self._rows)
            self.endInsertRows()

    def fetch_to(self, row: int) -> None:
        """Hand the view the rows up to ``row`` (and the rest of its page)."""
        while self._shown <= row and self.canFetchMore():
            self.fetchMore()

    # --- the model

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._shown

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        column = self._columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(self._rows[index.row()])
        if role == Qt.ItemDataRole.TextAlignmentRole and column.align_right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self._columns[section].title
        return None

    def sample_texts(self, column: int, sample: int = SAMPLE_ROWS) -> list[str]:
        """The column's text in the first and last rows (``sample`` in all): what its width is sized by."""
        rows = self._rows
        half = max(1, sample // 2)
        picked = rows if len(rows) <= sample else [*rows[:half], *rows[-half:]]
        text = self._columns[column].text
        return [text(r) for r in picked]


def sampled_widths(
    model: RowsModel[Any], metrics: QFontMetrics, header_metrics: QFontMetrics | None = None, *, padding: int = 18
) -> list[int]:
    """Each column's width: its title or the widest text of a sample of rows, whichever is wider.

    Sampling (the first and last rows) instead of measuring every cell keeps a reset cheap on any
    number of rows; a longer text further down is elided, and the person can widen the column.
    """
    header_metrics = header_metrics or metrics
    widths = []
    for n, column in enumerate(model.columns):
        widest = widest_text(metrics, model.sample_texts(n))
        widths.append(max(widest, header_metrics.horizontalAdvance(column.title)) + padding)
    return widths


def widest_text(metrics: QFontMetrics, texts: Iterable[str]) -> int:
    """The width of the widest of ``texts``. Only the few longest are measured: measuring text is
    the slow part (shaping), and a text of a few more characters is rarely narrower."""
    longest = sorted(set(texts), key=len, reverse=True)[:MEASURED_TEXTS]
    return max((metrics.horizontalAdvance(t) for t in longest), default=0)
