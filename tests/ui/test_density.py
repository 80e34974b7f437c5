"""One row height across tables and the plan tree, one money format, and a Patient Transactions
window that keeps its size while it fills in (MONEY-3's format shown everywhere)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from sqlalchemy import Engine, select

from dentaldesk.db.models import Patient
from dentaldesk.services.access.login import login
from dentaldesk.services.plans import create_plan
from dentaldesk.services.uow import UnitOfWork
from dentaldesk.ui.kit.widgets import make_table, row_height
from dentaldesk.ui.plans.editor import PlanEditor
from dentaldesk.ui.transactions import PatientTransactionDialog


def _editor(qtbot, demo_engine: Engine, make_ctx) -> PlanEditor:
    uow = UnitOfWork.for_engine(demo_engine)
    dentist = login(uow, "dentist", "demo-dentist", "ws-test")
    with uow:
        patient = uow.session.scalar(select(Patient.id).order_by(Patient.id))
    saved = create_plan(uow, dentist, patient, "Density")
    editor = PlanEditor(make_ctx(demo_engine, dentist), saved.plan_id)
    qtbot.addWidget(editor)
    editor.show()
    qtbot.waitExposed(editor)
    editor.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is editor, timeout=2000)
    return editor


def _add(qtbot, editor: PlanEditor, code: str, tooth: str, shots: Path | None = None) -> PatientTransactionDialog:
    editor.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is editor, timeout=2000)
    QTest.keyClick(editor.tree, Qt.Key.Key_Insert)
    dialog = editor.dialog
    assert isinstance(dialog, PatientTransactionDialog)
    qtbot.addWidget(dialog)
    QApplication.processEvents()
    # ID-1: the tooth field names the numbering in force before anything is typed.
    assert dialog.procedure.tooth.lineEdit().placeholderText() == "Universal: 1-32, primary A-T"
    before = dialog.size()
    qtbot.keyClicks(dialog.procedure.code_edit, code)
    assert dialog.procedure.code is not None and dialog.procedure.code.code == code
    if tooth:
        qtbot.keyClicks(dialog.procedure.tooth.lineEdit(), tooth)
    for _ in range(3):
        QApplication.processEvents()
    assert dialog.size() == before, f"the window changed size from {before} to {dialog.size()}"
    if shots is not None:
        dialog.grab().save(str(shots / f"transactions_{code}.png"))
    return dialog


def test_the_transactions_window_keeps_its_size_when_a_code_is_picked(qtbot, demo_engine, make_ctx, shots) -> None:
    """A picked code fills the fee, options, insurance and aging: the window stays as it opened."""
    editor = _editor(qtbot, demo_engine, make_ctx)
    dialog = _add(qtbot, editor, "D2740", "14", shots)
    # MONEY-3's one format: the fee field shows thousands separators like the insurance figures.
    assert dialog.procedure.fee.text().count(",") == 1
    dialog.reject()


def test_plan_rows_are_as_high_as_every_table_and_a_done_item_is_marked(qtbot, demo_engine, make_ctx, shots) -> None:
    """The plan tree's rows have the app's one row height (about 30 px), the same as a table's."""
    editor = _editor(qtbot, demo_engine, make_ctx)
    for code, tooth in (("D2740", "14"), ("D0120", "")):
        dialog = _add(qtbot, editor, code, tooth)
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda d=dialog: not d.isVisible(), timeout=2000)
    table = make_table("sample")
    qtbot.addWidget(table)
    index = editor.model.index_of(next(iter(editor.working.items)))
    height = editor.tree.visualRect(index).height()
    assert height == row_height(editor.tree) == table.verticalHeader().defaultSectionSize()
    assert 24 <= height <= 40
    editor.grab().save(str(shots / "plan_editor_rows.png"))


def test_plan_columns_fit_their_widest_text_without_qt_measuring_every_cell(
    qtbot, demo_engine, make_ctx, shots, monkeypatch
) -> None:
    """TP-16, MONEY-2: every column but the name (which takes what is left) is as wide as its
    widest text, in either grouping (a visit's caption spans its row), so no fee or status is cut;
    the widths come from the rows' texts at each redraw, not from Qt asking the delegate for every
    cell on each layout."""
    from dentaldesk.ui.kit.widgets import RowHeightDelegate
    from dentaldesk.ui.plans.plan_model import COLUMNS, NAME_COLUMN, Grouping

    editor = _editor(qtbot, demo_engine, make_ctx)
    for code, tooth in (("D2740", "14"), ("D0120", ""), ("D7140", "19")):
        dialog = _add(qtbot, editor, code, tooth)
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda d=dialog: not d.isVisible(), timeout=2000)
    asked: list[int] = []
    own = RowHeightDelegate.sizeHint
    monkeypatch.setattr(
        RowHeightDelegate, "sizeHint", lambda self, o, i: (asked.append(i.column()), own(self, o, i))[1]
    )
    header, metrics = editor.tree.header(), editor.tree.fontMetrics()
    for grouping in (Grouping.BY_VISIT, Grouping.BY_DEPENDENCY):
        asked.clear()
        editor.set_grouping(grouping)
        for _ in range(3):
            QApplication.processEvents()
        if grouping is Grouping.BY_VISIT:
            assert editor.tree.isFirstColumnSpanned(0, QModelIndex())
        assert len(asked) <= 2 * len(COLUMNS)  # one row's cells (uniform rows), not each cell of the tree
        model = editor.model
        for column in range(len(COLUMNS)):
            if column == NAME_COLUMN:
                continue
            tops = range(model.rowCount()) if grouping is Grouping.BY_DEPENDENCY else range(0)
            texts = [model.item(r, column).text() for r in tops]  # a visit's caption spans its row
            texts += [
                model.item(r).child(c, column).text()
                for r in range(model.rowCount())
                for c in range(model.item(r).rowCount())
            ]
            widest = max(metrics.horizontalAdvance(t) for t in texts)
            assert header.sectionSize(column) >= widest, (COLUMNS[column], header.sectionSize(column), widest)
        editor.grab().save(str(shots / f"plan_columns_{grouping.name.lower()}.png"))
