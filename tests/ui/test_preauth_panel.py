"""The plan editor's Insurance tab, driven as a person does (CASE-2, CASE-5).

Send a preauthorization and record the carrier's answer, then see the Patient Transactions window
and the handout use the carrier's figures, marked preauthorized; apply the suggested benefit-year
split and see the estimate change by exactly the saving shown. On the money practice ("Acme
Percentage": 80 % restorative, 50 % crowns, deductible 50, maximum 1,500), fixed clock 2026-05-12.
"""

from __future__ import annotations

import subprocess
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog, QWidget

from dentaldesk.db.models import Coverage
from dentaldesk.printing.handout import build_handout_pdf
from dentaldesk.services.plans import ItemInput, add_item, create_plan
from dentaldesk.services.plans.handout import load_handout
from dentaldesk.ui.plans.editor import PlanEditor
from dentaldesk.ui.plans.insurance_panel import PreauthAnswerDialog
from dentaldesk.ui.transactions import PatientTransactionDialog

D = Decimal
LEFT = Qt.MouseButton.LeftButton
SHOTS = Path("/work/shots/h17b")


def snap(widget: QWidget, name: str) -> None:
    QApplication.processEvents()
    if SHOTS.is_dir():
        widget.grab().save(str(SHOTS / name))


def make_plan(money, items) -> tuple[int, list[int]]:
    saved = create_plan(money.uow, money.owner, money.patient_id, "Crown and filling")
    version, ids = saved.version, []
    for code, tooth, fee, visit in items:
        added = add_item(
            money.uow,
            money.owner,
            saved.plan_id,
            ItemInput(code=code, tooth=tooth, fee=D(fee), visit=visit),
            expected_version=version,
        )
        version, _ = added.version, ids.append(added.item_id)
    return saved.plan_id, ids


def open_editor(qtbot, money, make_ctx, plan_id: int, user=None) -> PlanEditor:
    editor = PlanEditor(make_ctx(money.engine, user or money.owner), plan_id)
    qtbot.addWidget(editor)
    editor.resize(1400, 760)
    editor.show()
    qtbot.waitExposed(editor)
    editor.panels.setCurrentWidget(editor.insurance)
    return editor


def item_dialog(qtbot, editor: PlanEditor, item_id: int) -> PatientTransactionDialog:
    key = next(k for k, saved in editor.working.ids.items() if saved == item_id)
    editor.tree.setCurrentIndex(editor.model.index_of(key))
    QTest.keyClick(editor.tree, Qt.Key.Key_Return)
    dialog = editor.dialog
    assert isinstance(dialog, PatientTransactionDialog) and dialog.isVisible()
    qtbot.addWidget(dialog)
    return dialog


def handout_text(money, plan_id: int, tmp_path: Path, shot: str) -> str:
    pdf = build_handout_pdf(load_handout(money.uow, money.owner, plan_id))
    path = tmp_path / "handout.pdf"
    path.write_bytes(pdf)
    if SHOTS.is_dir():
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(path), str(SHOTS / shot)])
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_case2_send_a_preauthorization_record_the_answer_and_see_the_dialog_and_handout_use_it(
    qtbot, money, make_ctx, tmp_path, monkeypatch
) -> None:
    """CASE-2: Send preauthorization saves the numbered request; Record answer refuses an allowed fee
    above the fee at its field, then takes the carrier's figures; the crown's Patient Transactions
    window and the handout show the carrier's 600.00, marked preauthorized, the Why? says so."""
    plan_id, (filling, crown) = make_plan(money, [("D2391", "30", "180.00", 1), ("D2740", "14", "1350.00", 1)])
    saved_to = tmp_path / "request.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(saved_to), "")))
    editor = open_editor(qtbot, money, make_ctx, plan_id)
    panel = editor.insurance
    assert "No preauthorization sent" in panel.preauth_status.text()
    qtbot.mouseClick(panel.send_button, LEFT)
    assert saved_to.read_bytes().startswith(b"%PDF")
    if SHOTS.is_dir():
        subprocess.run(["pdftoppm", "-png", "-r", "60", str(saved_to), str(SHOTS / "preauth_request")])
    request = panel.requests[0]
    top = panel.request_list.topLevelItem(0)
    assert top.text(0).startswith(f"{request.number} · 2026-05-12 · Acme Dental · Sent")
    assert [top.child(1).text(c) for c in range(3)] == ["D2740 #14", "1,350.00", "waiting"]
    snap(editor, "editor_preauth_sent.png")

    qtbot.mouseClick(panel.answer_button, LEFT)
    dialog = editor.dialog
    assert isinstance(dialog, PreauthAnswerDialog)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(dialog.ok_button.isDefault)  # a person types a moment after the dialog opens
    crown_line = next(line for line in request.lines if line.code == "D2740")
    filling_line = next(line for line in request.lines if line.code == "D2391")
    allowed, pays = dialog.allowed[crown_line.line_id], dialog.pays[crown_line.line_id]
    allowed.clear()
    qtbot.keyClicks(allowed, "1400")
    qtbot.keyClicks(pays, "600")
    qtbot.keyClicks(dialog.pays[filling_line.line_id], "104")
    dialog.deductible[filling_line.line_id].clear()
    qtbot.keyClicks(dialog.deductible[filling_line.line_id], "50")
    QTest.keyClick(pays, Qt.Key.Key_Return)
    error = dialog.errors[f"allowed:{crown_line.line_id}"]
    assert dialog.isVisible() and error.isVisibleTo(dialog)
    assert "more than the fee sent, 1,350.00" in error.text()
    snap(dialog, "preauth_answer_refused.png")
    allowed.clear()
    qtbot.keyClicks(allowed, "1,200.00")
    QTest.keyClick(pays, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert panel.request_list.topLevelItem(0).text(0).endswith("Answered 2026-05-12")
    answered = panel.request_list.topLevelItem(0).child(1)
    assert [answered.text(c) for c in range(5)] == ["D2740 #14", "1,350.00", "1,200.00", "0.00", "600.00"]
    snap(editor, "editor_preauth_answered.png")

    window = item_dialog(qtbot, editor, crown)
    section = window.insurance
    assert section.insurance_pays.text() == "600.00"
    assert f"preauthorized {request.number}" in section.coverage_type.text()
    qtbot.mouseClick(section.why, LEFT)
    assert "preauthorized by Acme Dental" in section.explanation.text()
    assert "750.00" in section.portion.text()
    snap(window, "transactions_preauthorized.png")
    window.reject()

    text = handout_text(money, plan_id, tmp_path, "handout_preauthorized")
    assert f"Preauthorized {request.number}" in text
    assert "600.00" in text and "104.00" in text


def test_case5_apply_the_benefit_year_split_and_see_the_estimate_change_by_the_saving(
    qtbot, money, make_ctx, tmp_path
) -> None:
    """CASE-5: with 1,200 of the 1,500 used, the tab suggests both visits in 2027, saving 479.00
    (1,230.00 -> 751.00); Apply split moves them, the handout's patient portion drops by exactly
    479.00 and the crown's window says next benefit year; Put back restores it."""
    with money.uow:
        money.uow.session.get(Coverage, money.coverage_id).benefits_used = D("1200.00")
        money.uow.commit()
    plan_id, (filling, crown) = make_plan(money, [("D2391", "30", "180.00", 1), ("D2740", "14", "1350.00", 2)])
    before = sum(i.patient for i in load_handout(money.uow, money.owner, plan_id).items)
    editor = open_editor(qtbot, money, make_ctx, plan_id)
    panel = editor.insurance
    suggestion = panel.split_text.text()
    assert "Moving visit 1 and visit 2 into the 2027 benefit year" in suggestion
    assert "from 1,230.00 to 751.00: a saving of 479.00" in suggestion
    assert panel.apply_button.isEnabled() and not panel.put_back_button.isVisible()
    snap(editor, "editor_split_suggested.png")

    qtbot.mouseClick(panel.apply_button, LEFT)
    after = sum(i.patient for i in load_handout(money.uow, money.owner, plan_id).items)
    assert before - after == D("479.00")
    assert "Visits 1, 2 planned in the 2027 benefit year" in panel.split_text.text()
    assert panel.put_back_button.isVisible() and panel.put_back_button.isEnabled()
    snap(editor, "editor_split_applied.png")
    window = item_dialog(qtbot, editor, crown)
    assert window.insurance.insurance_pays.text() == "675.00"
    assert "next benefit year" in window.insurance.coverage_type.text()
    window.reject()
    assert "In the 2027 benefit year" in handout_text(money, plan_id, tmp_path, "handout_split")

    qtbot.mouseClick(panel.put_back_button, LEFT)
    assert sum(i.patient for i in load_handout(money.uow, money.owner, plan_id).items) == before


def test_case5_front_desk_sees_the_suggestion_but_cannot_apply_it(qtbot, money, make_ctx) -> None:
    """TP-1: the split changes the plan: a front-desk user sees it, Apply is disabled with the reason."""
    with money.uow:
        money.uow.session.get(Coverage, money.coverage_id).benefits_used = D("1200.00")
        money.uow.commit()
    plan_id, _ = make_plan(money, [("D2391", "30", "180.00", 1), ("D2740", "14", "1350.00", 2)])
    panel = open_editor(qtbot, money, make_ctx, plan_id, money.front_desk).insurance
    assert "a saving of 479.00" in panel.split_text.text()
    assert not panel.apply_button.isEnabled()
    assert "cannot change treatment plans" in panel.apply_button.toolTip()
