"""The Treatments view: "+ New Plan" (Ctrl+N), opening a plan, front desk limits, the billing summary (TP-1, TP-14)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from dentaldesk.db.models import Provider
from dentaldesk.services.plans import ItemInput, add_item, create_plan, load_plan
from dentaldesk.services.practice.codes import copy_master_codes
from dentaldesk.ui.plans.dialogs import NewPlanDialog
from dentaldesk.ui.plans.editor import PlanEditor
from dentaldesk.ui.plans.treatments_view import TreatmentsView
from dentaldesk.ui.shell.main_window import MainWindow


def make_view(qtbot, practice, make_ctx, actor=None) -> TreatmentsView:
    view = TreatmentsView(make_ctx(practice.engine, actor or practice.owner))
    qtbot.addWidget(view)
    opened: list[PlanEditor] = []
    view.editor_opened.connect(lambda editor: (qtbot.addWidget(editor), opened.append(editor)))
    view.opened = opened  # type: ignore[attr-defined]
    view.show()
    view.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is view, timeout=2000)
    return view


def test_tp2_ctrl_n_creates_a_plan_for_the_current_patient_and_opens_the_editor(qtbot, fast_practice, make_ctx) -> None:
    """Seed 000 step 2: "+ New Plan" (Ctrl+N), the current patient preset, a title, then the editor."""
    view = make_view(qtbot, fast_practice, make_ctx)
    view.set_patient(fast_practice.patient_ids[1])
    assert "Press + New Plan (Ctrl+N)" in view.empty.label.text()
    QTest.keyClick(view, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = view.dialog
    assert isinstance(dialog, NewPlanDialog) and dialog.chosen.text() == "John Smith (1002)"
    assert not dialog.errors["title"].isVisible()  # nothing refused before the person has typed
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and dialog.errors["title"].isVisible()
    assert dialog.errors["title"].text() == "Give the plan a title." and view.opened == []
    qtbot.keyClicks(dialog.title, "Phase 1: restorations")
    assert not dialog.errors["title"].isVisible()  # gone with its cause
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert len(view.opened) == 1
    editor = view.opened[0]
    assert editor.view.title == "Phase 1: restorations" and editor.view.patient_id == fast_practice.patient_ids[1]
    assert view.model.rowCount() == 1 and view.model.row(0).title == "Phase 1: restorations"


def test_new_plan_finds_another_patient_by_name(qtbot, fast_practice, make_ctx) -> None:
    """Seed 000: "Pick the patient": typing a name lists the patient to choose."""
    view = make_view(qtbot, fast_practice, make_ctx)
    dialog = view.new_plan()
    assert dialog.patient_id is None
    qtbot.keyClicks(dialog.search, "brow")
    qtbot.waitUntil(lambda: dialog.results.count() == 1)
    assert dialog.chosen.text() == "Peter Brown (1005)"
    qtbot.keyClicks(dialog.title, "Hygiene")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert view.opened[0].view.patient_number == "1005"


def test_tp1_front_desk_cannot_start_a_plan_and_is_told_why(qtbot, fast_practice, make_ctx) -> None:
    """TP-1: New Plan is disabled for front desk with the reason as its tooltip; opening still works."""
    saved = create_plan(fast_practice.uow, fast_practice.owner, fast_practice.patient_ids[0], "Existing")
    view = make_view(qtbot, fast_practice, make_ctx, actor=fast_practice.front_desk)
    view.set_patient(None)
    assert not view.new_plan_button.isEnabled()
    assert "Front desk users cannot create treatment plans (TP-1)" in view.new_plan_button.toolTip()
    QTest.keyClick(view, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert view.dialog is None
    view.table.setFocus()
    view.table.setCurrentIndex(view.model.index(0, 0))
    QTest.keyClick(view.table, Qt.Key.Key_Return)
    assert len(view.opened) == 1 and view.opened[0].plan_id == saved.plan_id
    assert view.open_plan(saved.plan_id) is view.opened[0]  # one window per plan


def test_tp14_the_patient_header_shows_planned_and_completed_totals_and_the_estimate(
    qtbot, fast_practice, make_ctx
) -> None:
    """TP-14: choosing a patient shows the approved work still to do, completed, the drafts apart
    and the estimate of what is still to do."""
    copy_master_codes(fast_practice.uow, fast_practice.owner, ["D2740"])
    with fast_practice.uow:
        provider = fast_practice.uow.session.scalar(select(Provider.id))
    saved = create_plan(fast_practice.uow, fast_practice.owner, fast_practice.patient_ids[0], "Crown")
    add_item(
        fast_practice.uow,
        fast_practice.owner,
        saved.plan_id,
        ItemInput("D2740", "14", provider_id=provider),
        expected_version=saved.version,
    )
    ctx = make_ctx(fast_practice.engine, fast_practice.owner)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.choose_patient(fast_practice.patient_ids[0])
    text = window.header.billing.accessibleDescription()
    # TP-14, TP-4: a draft is not planned work yet: it is shown apart.
    assert (
        text
        == "Approved, still to do 0.00; Completed 0.00; Drafts (not approved) 1,350.00; Nothing approved is still to do"
    )
    assert load_plan(ctx.uow(), ctx.user, saved.plan_id).total.to_eng_string() == "1350.00"


def test_tp14_the_header_follows_an_action_with_its_billing_summary_read_off_the_gui_thread(
    qtbot, fast_practice, make_ctx
) -> None:
    """TP-14, STYLE.md 11: an item added in another window is announced; the header reads the
    patient's billing summary again on a worker and shows the new draft total."""
    from dentaldesk.ui.kit.operations import run_op

    copy_master_codes(fast_practice.uow, fast_practice.owner, ["D2740"])
    with fast_practice.uow:
        provider = fast_practice.uow.session.scalar(select(Provider.id))
    saved = create_plan(fast_practice.uow, fast_practice.owner, fast_practice.patient_ids[0], "Crown")
    ctx = make_ctx(fast_practice.engine, fast_practice.owner)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.choose_patient(fast_practice.patient_ids[0])
    assert "Drafts" not in window.header.billing.accessibleDescription()  # an empty draft plans nothing
    ok, _ = run_op(
        ctx,
        window,
        lambda: add_item(
            ctx.uow(),
            ctx.user,
            saved.plan_id,
            ItemInput("D2740", "14", provider_id=provider),
            expected_version=saved.version,
        ),
    )
    assert ok
    # The action has returned and the GUI thread has not waited: the read goes to a worker once
    # the event loop is back.
    assert "Drafts" not in window.header.billing.accessibleDescription()
    qtbot.waitUntil(lambda: "Drafts (not approved) 1,350.00" in window.header.billing.accessibleDescription())
    window.billing_runner.wait()


def test_a_shown_list_reads_a_change_on_a_worker_and_a_hidden_one_reads_it_when_shown(
    qtbot, fast_practice, make_ctx, monkeypatch
) -> None:
    """STYLE.md 11, TP-2: a plan made in another window is announced; the list on screen reads it
    again on a worker (the action returns without waiting for it) and shows the new plan; a list
    that is hidden reads nothing on the announcement and reads once when it is shown."""
    from dentaldesk.ui.kit.operations import run_op

    view = make_view(qtbot, fast_practice, make_ctx)
    ctx, patient = view.ctx, fast_practice.patient_ids[2]
    reads: list[int] = []
    start = view.reader.start_soon
    monkeypatch.setattr(view.reader, "start_soon", lambda *args: (reads.append(1), start(*args))[1])
    assert view.model.rowCount() == 0

    ok, _ = run_op(ctx, view, lambda: create_plan(ctx.uow(), ctx.user, patient, "Crowns"))
    assert ok and reads == [1] and view.model.rowCount() == 0  # not read in place: on a worker, soon
    qtbot.waitUntil(lambda: view.model.rowCount() == 1 and view.model.row(0).title == "Crowns")

    view.hide()
    ok, _ = run_op(ctx, view, lambda: create_plan(ctx.uow(), ctx.user, patient, "Hygiene"))
    assert ok and reads == [1] and not view.reader.busy and view.when_shown.stale  # noted, not read
    assert view.model.rowCount() == 1
    view.show()  # shown again: read once, in place
    assert reads == [1] and not view.when_shown.stale
    assert sorted(view.model.row(n).title for n in range(view.model.rowCount())) == ["Crowns", "Hygiene"]
    view.reader.wait()
