"""The Patients page: one selection (the highlighted row is the chosen patient), Enter chooses the
first match, and with nothing typed today's and recently opened patients are listed."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from dentaldesk import clock
from dentaldesk.services.ledger.posting import post_payment
from dentaldesk.services.plans import create_plan
from dentaldesk.ui.shell.main_window import MainWindow


def make_window(qtbot, practice, make_ctx, actor=None) -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(make_ctx(practice.engine, actor or practice.front_desk))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def header_name(window: MainWindow) -> str:
    return window.header.accessibleName()


def listed(window: MainWindow) -> list[tuple[str, str]]:
    model = window.patients.model
    return [(model.data(model.index(r, 0)), model.data(model.index(r, 5))) for r in range(model.rowCount())]


def test_the_highlighted_row_is_the_chosen_patient_and_edit_acts_on_it(qtbot, fast_practice, make_ctx) -> None:
    """A search highlights and chooses its first match (the header names them); Down moves the
    highlight and the choice together; Edit patient opens the highlighted patient."""
    window = make_window(qtbot, fast_practice, make_ctx)
    view = window.patients
    assert header_name(window) == "No patient selected" and not view.edit_button.isEnabled()
    qtbot.keyClicks(view.search, "smi")
    qtbot.waitUntil(lambda: view.model.rowCount() == 3)
    first = view.model.data(view.model.index(0, 0))
    assert view.table.currentIndex().row() == 0 and view.table.selectionModel().isRowSelected(0)
    last, given = first.split(", ")
    assert header_name(window).startswith(f"Patient {given} {last}")
    QTest.keyClick(view.search, Qt.Key.Key_Down)
    second = view.model.data(view.model.index(1, 0))
    qtbot.waitUntil(lambda: view.chosen_id == view.model.row(1).id)
    last, given = second.split(", ")
    assert header_name(window).startswith(f"Patient {given} {last}")
    assert view.table.selectionModel().isRowSelected(1)
    view.edit_button.click()
    dialog = view.patient_dialog
    qtbot.addWidget(dialog)
    assert dialog.last_name.text() == last and dialog.first_name.text() == given
    dialog.reject()


def test_enter_in_the_search_box_chooses_the_first_match_at_once(qtbot, fast_practice, make_ctx) -> None:
    """Enter straight after typing (before the search-as-you-type pause) chooses the first match."""
    window = make_window(qtbot, fast_practice, make_ctx)
    view = window.patients
    view.search.setFocus()
    QTest.keyClicks(view.search, "smith")
    QTest.keyClick(view.search, Qt.Key.Key_Return)
    assert header_name(window).startswith("Patient Anna Smith")
    assert view.search.hasFocus() or window.focusWidget() is view.search


def test_nothing_typed_lists_todays_and_recently_opened_patients(qtbot, fast_practice, make_ctx, shots: Path) -> None:
    """With nothing typed: patients with activity today (a payment, a plan) and the ones this user
    opened lately, kept for the next session of the same user and not shown to another user."""
    p = fast_practice
    anna, john, smitty, zoe, peter = p.patient_ids
    create_plan(p.uow, p.owner, john, "Crowns")
    post_payment(p.uow, p.front_desk, account_id=p.account_id, amount="40.00", paid_on=clock.today(), patient_id=peter)
    window = make_window(qtbot, p, make_ctx)
    view = window.patients
    assert listed(window) == [("Brown, Peter", "Today"), ("Smith, John", "Today")]
    assert "Today's patients: 2" in view.count.text()
    for name in ("jones", "angstr"):
        view.search.clear()
        QTest.keyClicks(view.search, name)
        QTest.keyClick(view.search, Qt.Key.Key_Return)
    assert header_name(window).startswith("Patient Zoë Ångström")
    view.search.clear()
    view.run_search()
    assert listed(window) == [
        ("Brown, Peter", "Today"),
        ("Smith, John", "Today"),
        ("Ångström, Zoë", "Opened recently"),
        ("Jones, Smitty", "Opened recently"),
    ]
    # The chosen patient stays highlighted in the list: one selection.
    assert view.table.currentIndex().row() == 2
    window.resize(1180, 640)
    window.grab().save(str(shots / "patients_page_today_and_recent.png"))

    again = make_window(qtbot, p, make_ctx)
    assert [row for row in listed(again) if row[1] == "Opened recently"] == [
        ("Ångström, Zoë", "Opened recently"),
        ("Jones, Smitty", "Opened recently"),
    ]
    assert header_name(again) == "No patient selected"
    owner = make_window(qtbot, p, make_ctx, p.owner)
    assert [row for row in listed(owner) if row[1] == "Opened recently"] == []
