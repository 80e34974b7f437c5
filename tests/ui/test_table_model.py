"""The table model hands a view its rows a page at a time and sizes columns from a sample; tested
without a view (Qt's QAbstractItemModelTester checks the model's contract as rows are paged in)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtTest import QAbstractItemModelTester

from dentaldesk.ui.kit.table_model import SAMPLE_ROWS, Column, RowsModel, sampled_widths
from dentaldesk.ui.kit.widgets import make_table


@dataclass(frozen=True)
class Line:
    n: int
    name: str


COLUMNS = [Column("No.", lambda r: str(r.n), align_right=True), Column("Name", lambda r: r.name)]


def lines(count: int) -> list[Line]:
    return [Line(n, f"line {n}") for n in range(count)]


def test_the_model_hands_out_its_rows_a_page_at_a_time(qapp) -> None:
    model: RowsModel[Line] = RowsModel(COLUMNS, page_size=200)
    QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    inserted: list[tuple[int, int]] = []
    model.rowsInserted.connect(lambda _parent, first, last: inserted.append((first, last)))

    model.set_rows(lines(450))
    assert (model.rowCount(), model.total_rows) == (200, 450)
    assert model.canFetchMore(QModelIndex())
    assert model.data(model.index(199, 1)) == "line 199"
    assert not model.index(200, 1).isValid()  # not handed out yet

    model.fetchMore(QModelIndex())
    assert model.rowCount() == 400
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 450 and not model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())  # nothing left: no change, no signal
    assert inserted == [(200, 399), (400, 449)]
    assert model.data(model.index(449, 0), Qt.ItemDataRole.TextAlignmentRole) == int(
        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    )

    model.set_rows(lines(30))  # a new result starts again at its first page
    assert model.rowCount() == 30 and not model.canFetchMore(QModelIndex())
    assert model.rows == lines(30)


def test_fetch_to_and_fetch_all_hand_out_the_rows_asked_for(qapp) -> None:
    model: RowsModel[Line] = RowsModel(COLUMNS, page_size=100)
    QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    model.set_rows(lines(1000))
    model.fetch_to(250)
    assert model.rowCount() == 300  # whole pages, up to and past row 250
    model.fetch_all()
    assert model.rowCount() == 1000
    assert model.row(999) == Line(999, "line 999")


def test_column_widths_come_from_a_sample_of_rows_not_every_row(qapp) -> None:
    asked: list[int] = []

    def name(row: Line) -> str:
        asked.append(row.n)
        return row.name

    rows = lines(20_000)
    rows[-1] = Line(19_999, "the widest name of all, at the very end")
    model: RowsModel[Line] = RowsModel([COLUMNS[0], Column("Name", name)])
    model.set_rows(rows)
    metrics = QFontMetrics(QFont())
    widths = sampled_widths(model, metrics)
    assert len(asked) <= SAMPLE_ROWS
    assert widths[1] >= metrics.horizontalAdvance("the widest name of all, at the very end")
    assert widths[0] >= metrics.horizontalAdvance("No.")


def test_a_table_sized_on_reset_reads_only_the_sample(qtbot) -> None:
    asked: list[int] = []

    def name(row: Line) -> str:
        asked.append(row.n)
        return row.name

    model: RowsModel[Line] = RowsModel([COLUMNS[0], Column("Name", name), Column("End", lambda r: "")])
    table = make_table("lines")
    qtbot.addWidget(table)
    table.setModel(model)
    table.resize(500, 300)
    model.set_rows(lines(20_000))
    assert 0 < len(asked) <= SAMPLE_ROWS  # the reset sized the columns from the sample
    asked.clear()
    table.show()
    qtbot.waitExposed(table)
    assert model.rowCount() < 1000  # the shown table was handed pages, not 20,000 rows
    assert len(asked) < 200  # painting asked for the visible rows only
    table.selectRow(5000)  # a row beyond those shown: its page is handed out first
    assert table.selectionModel().selectedRows()[0].row() == 5000
