"""The Settings hub and its set-up windows, driven as a person would."""

from __future__ import annotations

from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QComboBox, QLineEdit, QPlainTextEdit, QTableView, QWidget
from sqlalchemy import select

from dentaldesk import clock
from dentaldesk.db.models import Patient, ProcedureCode
from dentaldesk.domain.teeth import Dentition
from dentaldesk.domain.terms import Role
from dentaldesk.services.access.login import login
from dentaldesk.services.ledger.charge_facts import charge_facts
from dentaldesk.services.practice import dental_plans, settings, staff
from dentaldesk.services.practice.code_admin import master_list
from dentaldesk.services.practice.codes import office_codes, search_codes
from dentaldesk.ui.settings.view import SettingsView

LEFT = Qt.MouseButton.LeftButton


def choose(qtbot, combo: QComboBox, starts_with: str) -> None:
    """Pick a combo item with the keyboard (Home, then Down until it shows)."""
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Home)
    for _ in range(combo.count()):
        if combo.currentText().startswith(starts_with):
            return
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    raise AssertionError(f"no item starting with {starts_with!r} in {combo.objectName()}")


def retype(qtbot, edit: QLineEdit, text: str) -> None:
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    qtbot.keyClicks(edit, text)


@pytest.fixture
def hub(qtbot, demo_engine, make_ctx):
    """The Settings view of the demo practice, logged in as the owner."""
    from dentaldesk.services.uow import UnitOfWork

    ctx = make_ctx(demo_engine, login(UnitOfWork.for_engine(demo_engine), "owner", "demo-owner", "ws"))
    view = SettingsView(ctx)
    qtbot.addWidget(view)
    view.resize(1100, 460)
    view.show()
    view.refresh()
    return view


def open_window(qtbot, hub: SettingsView, key: str):
    qtbot.mouseClick(hub.buttons[key], LEFT)
    window = hub.windows[key]
    qtbot.addWidget(window)
    assert window.isVisible()
    window.activateWindow()  # typing goes to the window in front
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    return window


def unnamed_controls(window: QWidget) -> list[str]:
    """Inputs and buttons a screen reader could not name."""
    missing = []
    for w in window.findChildren(QWidget):
        if isinstance(w, (QLineEdit, QComboBox, QPlainTextEdit, QTableView)) and w.isVisibleTo(window):
            if not w.accessibleName() and "qt_" not in w.objectName():
                missing.append(f"{type(w).__name__}:{w.objectName()}")
        elif isinstance(w, QAbstractButton) and w.isVisibleTo(window) and not (w.accessibleName() or w.text()):
            missing.append(f"{type(w).__name__}:{w.objectName()}")
    return missing


def test_setup_roles_front_desk_sees_why_settings_are_disabled(qtbot, demo_engine, make_ctx, shots: Path) -> None:
    """SETUP_ROLES: front desk sees the summary, the set-up buttons disabled, and a line saying why."""
    from dentaldesk.services.uow import UnitOfWork

    ctx = make_ctx(demo_engine, login(UnitOfWork.for_engine(demo_engine), "frontdesk", "demo-front", "ws"))
    view = SettingsView(ctx)
    qtbot.addWidget(view)
    view.show()
    view.refresh()
    assert view.fields["tax"].text() == "Non-pro rata at 6 %"
    assert not any(b.isEnabled() for b in view.buttons.values())
    assert "Only an Owner or Admin" in view.why_disabled.text() and "Front desk" in view.why_disabled.text()
    assert view.open_window("general") is None
    view.grab().save(str(shots / "settings_hub_front_desk.png"))


def test_tx_tax1_changing_the_tax_method_changes_taxable(qtbot, hub: SettingsView, demo_engine, shots: Path) -> None:
    """TX-TAX-1 story: Pro rata in General settings disables and checks Taxable; Non-pro rata enables it."""
    window = open_window(qtbot, hub, "general")
    with hub.ctx.uow() as uow:
        patient_id = uow.session.scalar(select(Patient.id).order_by(Patient.id).limit(1))

    def taxable() -> tuple[bool, bool]:
        with hub.ctx.uow() as uow:
            code = uow.session.scalar(select(ProcedureCode).where(ProcedureCode.code == "D2391"))
            facts = charge_facts(uow.session, patient_id, code, Decimal("150.00"), clock.today())
            return facts.taxable_enabled, facts.taxable

    assert taxable() == (True, False)
    choose(qtbot, window.tax_method, "Pro rata")
    assert "every charge is taxed" in window.tax_hint.text()
    qtbot.mouseClick(window.save_button, LEFT)
    assert window.status.text() == "General settings saved."
    assert taxable() == (False, True)
    assert hub.fields["tax"].text() == "Pro rata at 6 %"  # the hub heard "settings" changed
    window.grab().save(str(shots / "settings_general_pro_rata.png"))
    choose(qtbot, window.tax_method, "Non-pro rata")
    qtbot.mouseClick(window.save_button, LEFT)
    assert taxable() == (True, False)


def test_tx_tax1_bad_tax_rate_and_email_are_refused_at_the_field(qtbot, hub: SettingsView, shots: Path) -> None:
    """Bad input: a tax rate of 150 and an e-mail that is not one are refused beside the field."""
    window = open_window(qtbot, hub, "general")
    retype(qtbot, window.tax_rate, "150")
    qtbot.keyClicks(window.name, " Care")
    qtbot.mouseClick(window.save_button, LEFT)
    assert window.errors["tax_rate"].isVisible()
    assert window.errors["tax_rate"].text() == "A tax rate is a percent from 0 to 100."
    window.grab().save(str(shots / "settings_general_bad_rate.png"))
    retype(qtbot, window.tax_rate, "6")
    retype(qtbot, window.email, "front desk at maple")
    qtbot.mouseClick(window.save_button, LEFT)
    assert not window.errors["tax_rate"].isVisible()
    assert "not an e-mail address" in window.errors["email"].text()
    form = settings.load_general_settings(hub.ctx.uow(), hub.ctx.user)
    assert form.name == "Maple Street Dental" and form.tax_rate == "6"  # nothing saved


def test_general_settings_keyboard_tab_order_and_mnemonics(qtbot, hub: SettingsView) -> None:
    """Accessibility: Tab walks the fields in reading order; Alt+T jumps to Tax method; all are named."""
    window = open_window(qtbot, hub, "general")
    window.name.setFocus()
    order = []
    for _ in range(6):
        order.append(QApplication.focusWidget().objectName())
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert order == ["name", "office_code", "address", "phone", "email", "idle_lock_minutes"]
    qtbot.keyClick(window, Qt.Key.Key_T, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is window.tax_method
    assert unnamed_controls(window) == []


def test_code3_copy_from_master_list_then_the_code_is_available(qtbot, hub: SettingsView, shots: Path) -> None:
    """CODE-3 story: search the master list, copy D4921, and the office list (what plans use) has it."""
    window = open_window(qtbot, hub, "codes")
    assert search_codes(office_codes(hub.ctx.uow(), hub.ctx.user), "D4921") == []
    qtbot.keyClicks(window.master_search, "irrigation")
    rows = [window.master_model.row(n).code for n in range(window.master_model.rowCount())]
    assert rows == ["D4921"]
    window.master_table.selectRow(0)
    assert window.copy_button.text() == "&Copy 1 selected to office list"
    window.grab().save(str(shots / "settings_codes_before_copy.png"))
    qtbot.mouseClick(window.copy_button, LEFT)
    assert window.status.text() == "Copied to the office list: D4921."
    assert [window.office_model.row(n).code for n in range(window.office_model.rowCount())] == ["D4921"]
    [found] = search_codes(office_codes(hub.ctx.uow(), hub.ctx.user), "D4921")
    assert found.name == "Gum irrigation, per quadrant"
    assert window.master_model.data(window.master_model.index(0, 4)) == "has it"
    window.grab().save(str(shots / "settings_codes_copied.png"))


def test_code1_add_custom_code_refuses_a_non_cdt_code_until_custom_is_ticked(
    qtbot, hub: SettingsView, shots: Path
) -> None:
    """CODE-1 bad input: 'X12' without Custom is refused at the code; ticked Custom it is added with its flags."""
    window = open_window(qtbot, hub, "codes")
    qtbot.mouseClick(window.add_button, LEFT)
    dialog = window.code_dialog
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.code, "X12")
    dialog.custom.setChecked(False)
    qtbot.keyClicks(dialog.name, "Take-home whitening kit")
    choose(qtbot, dialog.category, "Adjunctive")
    retype(qtbot, dialog.rtu, "20")
    qtbot.keyClicks(dialog.usual_fee, "249.999")
    qtbot.mouseClick(dialog.save_button, LEFT)
    assert "does not look like a CDT code" in dialog.form.errors["code"].text()
    qtbot.mouseClick(dialog.custom, LEFT)
    qtbot.mouseClick(dialog.save_button, LEFT)
    assert dialog.form.errors["usual_fee"].text() == "An amount has at most two decimals (cents)."
    dialog.grab().save(str(shots / "settings_code_dialog_refused.png"))
    retype(qtbot, dialog.usual_fee, "250")
    qtbot.mouseClick(dialog.flags["taxable"], LEFT)
    qtbot.mouseClick(dialog.save_button, LEFT)
    assert not dialog.isVisible()
    assert window.status.text() == "X12 saved."
    row = window.selected_office_row()
    assert row is not None and (row.code, row.taxable, row.default_rtu) == ("X12", True, 20)


def open_code(qtbot, window, code: str):  # type: ignore[no-untyped-def]
    """Search the office list for ``code`` and press Enter on it: its code dialog."""
    window.office_search.clear()
    qtbot.keyClicks(window.office_search, code)
    window.office_table.setFocus()
    window.office_table.selectRow(0)
    qtbot.keyClick(window.office_table, Qt.Key.Key_Return)
    dialog = window.code_dialog
    qtbot.addWidget(dialog)
    return dialog


def test_code1_edit_and_deactivate_a_code(qtbot, hub: SettingsView) -> None:
    """CODE-1/CODE-3: Enter on a code edits it; Deactivate takes it out of the pickers, not off the list."""
    window = open_window(qtbot, hub, "codes")
    dialog = open_code(qtbot, window, "D1110")
    assert dialog.code.isReadOnly() and dialog.code.text() == "D1110"
    retype(qtbot, dialog.name, "Adult cleaning")
    qtbot.mouseClick(dialog.save_button, LEFT)
    assert window.selected_office_row().name == "Adult cleaning"
    qtbot.mouseClick(window.active_button, LEFT)
    assert "deactivated" in window.status.text()
    assert window.office_model.rowCount() == 0  # inactive codes are hidden unless asked for
    qtbot.mouseClick(window.show_inactive, LEFT)
    assert window.office_model.row(0).active is False
    assert "D1110" not in {r.code for r in office_codes(hub.ctx.uow(), hub.ctx.user)}


def test_id3_the_code_dialog_shows_and_changes_the_dentition(qtbot, hub: SettingsView, shots: Path) -> None:
    """ID-3: D6010 opens with "Permanent teeth" (from the master list), shown in the list's Teeth
    column; D1351 (a sealant, both) changed to "Primary teeth" is saved and listed so."""
    window = open_window(qtbot, hub, "codes")
    dialog = open_code(qtbot, window, "D6010")
    assert window.office_model.data(window.office_model.index(0, 3)) == "Permanent"
    assert dialog.dentition.currentText() == "Permanent teeth"
    dialog.grab().save(str(shots / "id3_code_dialog_dentition.png"))
    dialog.reject()
    dialog = open_code(qtbot, window, "D1351")
    assert dialog.dentition.currentText() == "Permanent and primary"
    choose(qtbot, dialog.dentition, "Primary teeth")
    qtbot.mouseClick(dialog.save_button, LEFT)
    assert not dialog.isVisible()
    assert window.selected_office_row().dentition is Dentition.PRIMARY
    assert window.office_model.data(window.office_model.index(0, 3)) == "Primary"


def test_code2_office_search_as_you_type(qtbot, hub: SettingsView) -> None:
    """CODE-2: typing 'crown' lists only codes with a word starting 'crown'; 'D27' the D27xx codes."""
    window = open_window(qtbot, hub, "codes")
    qtbot.keyClicks(window.office_search, "crown")
    names = [window.office_model.row(n).name.lower() for n in range(window.office_model.rowCount())]
    assert names and all("crown" in n for n in names)
    window.office_search.clear()
    qtbot.keyClicks(window.office_search, "D27")
    codes = [window.office_model.row(n).code for n in range(window.office_model.rowCount())]
    assert codes and all(c.startswith("D27") for c in codes)


def test_code1_import_csv_shows_refused_rows_before_importing(
    qtbot, hub: SettingsView, tmp_path: Path, shots: Path
) -> None:
    """CODE-1: the import preview lists each refused row with its reason; Import adds the good ones."""
    window = open_window(qtbot, hub, "codes")
    path = tmp_path / "licensed.csv"
    path.write_text(
        "code,name,category,fee\nD0999,Unlisted exam,diagnostic,40\nX1,Not CDT,diagnostic,10\n"
        "D0998,Bad fee,diagnostic,1.234\n",
        encoding="utf-8",
    )
    window.preview_import(path)
    dialog = window.import_dialog
    qtbot.addWidget(dialog)
    assert "1 new codes, 0 codes to update, 2 rows refused" in dialog.summary.text()
    assert [dialog.refused.row(n)[:2] for n in range(dialog.refused.rowCount())] == [(3, "X1"), (4, "D0998")]
    dialog.grab().save(str(shots / "settings_import_preview.png"))
    qtbot.mouseClick(dialog.import_button, LEFT)
    assert window.status.text() == "Imported: 1 added, 0 updated, 2 refused."
    assert search_codes(office_codes(hub.ctx.uow(), hub.ctx.user), "D0999")


def test_money1_fee_grid_edits_in_place_and_refuses_three_decimals(qtbot, hub: SettingsView, shots: Path) -> None:
    """MONEY-1/MONEY-2: typing in a fee cell saves it; 10.005 is refused beside the grid and not saved."""
    window = open_window(qtbot, hub, "fees")
    qtbot.keyClicks(window.search, "D0120")
    assert window.model.rowCount() == 1
    index = window.model.index(0, 2)
    window.table.setCurrentIndex(index)
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit)
    editor.selectAll()
    qtbot.keyClicks(editor, "10.005")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(window.fee_error.isVisible)  # the view commits the edit from the event loop
    assert window.fee_error.text() == "D0120 in Fee 0: An amount has at most two decimals (cents)."
    assert window.model.data(index) == "65.00"
    window.grab().save(str(shots / "settings_fees_refused.png"))
    qtbot.keyClick(window.table, Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    editor.selectAll()
    qtbot.keyClicks(editor, "68.50")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.model.data(index) == "68.50")
    assert window.model.data(index) == "68.50"
    assert window.status.text() == "D0120 in Fee 0: 68.50 saved."
    [row] = [r for r in settings.fee_grid(hub.ctx.uow(), hub.ctx.user, [0]) if r.code == "D0120"]
    assert row.fees == (Decimal("68.50"),)


def test_money1_raise_a_schedule_by_percent_with_preview(qtbot, hub: SettingsView, shots: Path) -> None:
    """MONEY-1: Raise by % previews old and new fees; Apply saves exactly them."""
    window = open_window(qtbot, hub, "fees")
    qtbot.mouseClick(window.raise_button, LEFT)
    dialog = window.raise_dialog
    qtbot.addWidget(dialog)
    choose(qtbot, dialog.schedule, "1 -")
    qtbot.keyClicks(dialog.percent, "5")
    assert not dialog.apply_button.isEnabled()
    qtbot.keyClick(dialog.percent, Qt.Key.Key_Return)
    first = dialog.model.row(0)
    assert dialog.model.data(dialog.model.index(0, 2)) == f"{first.old:,.2f}"
    assert first.new == (first.old * Decimal("1.05")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert "Nothing is saved until you apply" in dialog.summary.text()
    dialog.grab().save(str(shots / "settings_raise_preview.png"))
    qtbot.mouseClick(dialog.apply_button, LEFT)
    assert window.status.text().startswith("Fee 1 raised by 5 %")
    [row] = [r for r in settings.fee_grid(hub.ctx.uow(), hub.ctx.user, [1]) if r.code == first.code]
    assert row.fees == (first.new,)


def test_ins1_new_dental_plan_refuses_coverage_over_100_then_saves(qtbot, hub: SettingsView, shots: Path) -> None:
    """INS-1 bad input: 120 % coverage is refused under the categories; corrected, the plan is saved."""
    window = open_window(qtbot, hub, "plans")
    qtbot.mouseClick(window.new_button, LEFT)
    qtbot.keyClicks(window.name, "Guardian DentalGuard")
    qtbot.keyClicks(window.carrier, "Guardian")
    choose(qtbot, window.estimation, "PPO")
    retype(qtbot, window.percents[next(iter(window.percents))], "100")
    from dentaldesk.domain.terms import Category

    retype(qtbot, window.percents[Category.RESTORATIVE], "120")
    qtbot.mouseClick(window.save_plan_button, LEFT)
    assert window.category_error.text() == "Coverage for Restorative is a percent from 0 to 100; 120 % is outside."
    assert not window.tabs.isTabEnabled(1)  # no bluebook before the plan exists
    window.grab().save(str(shots / "settings_plan_refused.png"))
    retype(qtbot, window.percents[Category.RESTORATIVE], "80")
    qtbot.mouseClick(window.save_plan_button, LEFT)
    assert window.status.text() == "Guardian DentalGuard saved."
    assert window.tabs.isTabEnabled(1)
    plan = next(p for p in dental_plans.dental_plans(hub.ctx.uow(), hub.ctx.user) if p.name == "Guardian DentalGuard")
    terms = {
        t.category: t.coverage_percent
        for t in dental_plans.load_dental_plan(hub.ctx.uow(), hub.ctx.user, plan.id).categories
    }
    assert terms[Category.RESTORATIVE] == "80"


def test_bluebook_grid_row_typed_and_saved_and_a_negative_fee_refused(qtbot, hub: SettingsView, shots: Path) -> None:
    """MONEY-2 / glossary (bluebook): a row typed into the grid is saved; a negative fee shows its row."""
    window = open_window(qtbot, hub, "plans")
    dmo = next(n for n, p in enumerate(window.plans.rows) if p.name == "Cigna Dental Care DHMO")
    window.plan_table.selectRow(dmo)
    window.tabs.setCurrentIndex(1)
    before = window.book.rowCount()
    qtbot.mouseClick(window.add_row_button, LEFT)
    for column, text in ((0, "D4921"), (1, "-30")):
        window.book.setCurrentCell(before, column)
        qtbot.keyClick(window.book, Qt.Key.Key_F2)
        editor = QApplication.focusWidget()
        qtbot.keyClicks(editor, text)
        qtbot.keyClick(editor, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda c=column, t=text: window.book.item(before, c).text() == t)
    qtbot.mouseClick(window.save_book_button, LEFT)
    assert window.book_error.text().startswith(f"Row {before + 1} (D4921):")
    window.grab().save(str(shots / "settings_bluebook_refused.png"))
    hub.ctx.changes.changed.emit("settings")
    from dentaldesk.services.practice.codes import copy_master_codes

    copy_master_codes(hub.ctx.uow(), hub.ctx.user, ["D4921"])
    window.book.setCurrentCell(before, 1)
    qtbot.keyClick(window.book, Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    editor.selectAll()
    qtbot.keyClicks(editor, "30")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.book.item(before, 1).text() == "30")
    qtbot.mouseClick(window.save_book_button, LEFT)
    assert window.status.text() == f"Bluebook saved: {before + 1} codes."
    plan_id = window.plan_id
    line = next(b for b in dental_plans.load_bluebook(hub.ctx.uow(), hub.ctx.user, plan_id) if b.code == "D4921")
    assert line.plan_fee == "30.00"


def test_last_active_owner_cannot_be_demoted_in_the_users_window(qtbot, hub: SettingsView, shots: Path) -> None:
    """Choosing Admin for the only Owner is refused at the role, with the reason."""
    window = open_window(qtbot, hub, "users")
    owner_row = next(n for n, u in enumerate(window.users.rows) if u.username == "owner")
    window.table.selectRow(owner_row)
    choose(qtbot, window.role, "Admin")
    qtbot.mouseClick(window.save_button, LEFT)
    assert "is the last active Owner" in window.errors["role"].text()
    window.grab().save(str(shots / "settings_users_last_owner.png"))
    roles = {u.username: u.role for u in staff.list_users(hub.ctx.uow(), hub.ctx.user)}
    assert roles["owner"] is Role.OWNER


def test_sec1_add_a_user_and_reset_a_password(qtbot, hub: SettingsView, shots: Path) -> None:
    """SEC-1: a user added in the window logs in; after Reset password the new password works."""
    window = open_window(qtbot, hub, "users")
    qtbot.mouseClick(window.new_button, LEFT)
    qtbot.keyClicks(window.username, "hana")
    qtbot.keyClicks(window.full_name, "Hannah Lee")
    choose(qtbot, window.role, "Dentist")
    choose(qtbot, window.provider, "Hannah Lee")
    qtbot.keyClicks(window.password, "brush-floss-1")
    qtbot.keyClicks(window.confirm, "brush-floss-2")
    qtbot.mouseClick(window.save_button, LEFT)
    assert window.errors["confirm"].text() == "The two passwords differ."
    retype(qtbot, window.confirm, "brush-floss-1")
    qtbot.mouseClick(window.save_button, LEFT)
    assert window.status.text() == "hana saved."
    assert login(hub.ctx.uow(), "hana", "brush-floss-1", "ws").provider_id is not None
    qtbot.mouseClick(window.reset_button, LEFT)
    dialog = window.reset_dialog
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.password, "new-secret-9")
    qtbot.keyClicks(dialog.confirm, "new-secret-9")
    dialog.grab().save(str(shots / "settings_reset_password.png"))
    qtbot.mouseClick(dialog.reset_button, LEFT)
    assert "Password of hana reset" in window.status.text()
    assert login(hub.ctx.uow(), "hana", "new-secret-9", "ws").username == "hana"


def test_provider_added_with_a_chart_colour(qtbot, hub: SettingsView, shots: Path) -> None:
    """A provider with name, kind and chart colour; 'pink' is refused at the colour."""
    window = open_window(qtbot, hub, "providers")
    qtbot.mouseClick(window.new_button, LEFT)
    qtbot.keyClicks(window.name, "Sam Ortiz, DDS")
    qtbot.keyClicks(window.short_name, "so")
    retype(qtbot, window.color, "pink")
    qtbot.mouseClick(window.save_button, LEFT)
    assert "is not a colour" in window.form.errors["color"].text()
    window.grab().save(str(shots / "settings_provider_refused.png"))
    retype(qtbot, window.color, "#0E9384")
    qtbot.mouseClick(window.save_button, LEFT)
    assert window.status.text() == "Sam Ortiz, DDS saved."
    row = next(p for p in staff.list_providers(hub.ctx.uow(), hub.ctx.user) if p.short_name == "SO")
    assert (row.kind, row.color) == ("dentist", "#0e9384")


@pytest.mark.parametrize("key", ["general", "codes", "fees", "plans", "users", "providers"])
def test_every_setup_window_names_its_controls_and_is_pictured(qtbot, hub: SettingsView, key: str, shots: Path) -> None:
    """Accessibility: every input and button of each set-up window has an accessible name; screenshot saved."""
    window = open_window(qtbot, hub, key)
    assert unnamed_controls(window) == []
    path = shots / f"settings_{key}.png"
    assert window.grab().save(str(path)) and path.stat().st_size > 0


def test_master_list_marks_codes_the_office_has(demo_uow) -> None:
    """CODE-3: the master list says which codes the office list already holds (the demo leaves three out)."""
    owner = login(demo_uow, "owner", "demo-owner", "ws")
    missing = sorted(m.code for m in master_list(demo_uow, owner) if not m.in_office)
    assert missing == ["D4921", "D7953", "D9972"]


def test_a_closed_window_opens_again_with_current_data(qtbot, hub: SettingsView) -> None:
    """Closing a set-up window and opening it again shows what was saved meanwhile."""
    first = open_window(qtbot, hub, "general")
    assert open_window(qtbot, hub, "general") is first  # open: brought to the front, not doubled
    first.close()
    form = settings.load_general_settings(hub.ctx.uow(), hub.ctx.user)
    settings.save_general_settings(hub.ctx.uow(), hub.ctx.user, replace(form, phone="(217) 555-0000"))
    again = open_window(qtbot, hub, "general")
    assert again is not first and again.phone.text() == "(217) 555-0000"


def test_data4_general_settings_saved_elsewhere_reload_keeps_my_typing(
    qtbot, hub: SettingsView, demo_engine, shots: Path
) -> None:
    """DATA-4: another workstation saves the office's address and name while General settings is open
    here with a new phone and a new name typed; Save is refused in red naming who saved first, the
    typing stays; Reload, keeping my changes shows their address with my phone, keeps their name
    (both changed it) and says so, and the red line goes; Save then keeps both."""
    from dentaldesk.services.uow import UnitOfWork

    window = open_window(qtbot, hub, "general")
    retype(qtbot, window.phone, "(217) 555-0188")
    retype(qtbot, window.name, "Maple Street Family Dental")
    elsewhere = login(UnitOfWork.for_engine(demo_engine), "admin", "demo-admin", "front-2")
    theirs = settings.load_general_settings(UnitOfWork.for_engine(demo_engine), elsewhere)
    settings.save_general_settings(
        UnitOfWork.for_engine(demo_engine),
        elsewhere,
        replace(theirs, address="40 Elm Avenue\nSpringfield", name="Maple Street Dental Group"),
    )
    qtbot.mouseClick(window.save_button, LEFT)
    bar = window.conflict
    assert bar.text.isVisible() and bar.reload_button.isVisible()
    assert "on front-2 saved this office's settings at " in bar.text.text()
    assert window.phone.text() == "(217) 555-0188" and window.name.text() == "Maple Street Family Dental"
    window.grab().save(str(shots / "settings_general_conflict.png"))
    qtbot.mouseClick(bar.reload_button, LEFT)
    assert not bar.text.isVisible() and not bar.reload_button.isVisible()  # the red line is gone
    assert window.phone.text() == "(217) 555-0188"  # my edit, re-applied
    assert window.address.toPlainText() == "40 Elm Avenue\nSpringfield"  # theirs
    assert window.name.text() == "Maple Street Dental Group"  # both changed it: theirs, named
    assert bar.note.isVisible() and "name" in bar.note.text().lower()
    window.grab().save(str(shots / "settings_general_reloaded.png"))
    # The focus is back on Save (where the refused save was made), not on Close: Enter saves.
    assert QApplication.focusWidget() is window.save_button
    qtbot.keyClick(window.save_button, Qt.Key.Key_Return)
    assert window.status.text() == "General settings saved."
    saved = settings.load_general_settings(hub.ctx.uow(), hub.ctx.user)
    assert (saved.phone, saved.address, saved.name) == (
        "(217) 555-0188",
        "40 Elm Avenue\nSpringfield",
        "Maple Street Dental Group",
    )


def test_data4_provider_saved_elsewhere_reload_keeps_my_typing(qtbot, hub: SettingsView, demo_engine) -> None:
    """DATA-4: a provider's colour is changed on another workstation while this window has a new
    short name typed; Save is refused in red, Reload, keeping my changes shows their colour with my
    short name and the red line goes; Save keeps both."""
    from dentaldesk.services.uow import UnitOfWork

    window = open_window(qtbot, hub, "providers")
    window.table.selectRow(0)
    provider_id = window.provider_id
    retype(qtbot, window.short_name, "ZZ")
    elsewhere = login(UnitOfWork.for_engine(demo_engine), "admin", "demo-admin", "front-2")
    row = next(p for p in staff.list_providers(UnitOfWork.for_engine(demo_engine), elsewhere) if p.id == provider_id)
    from dentaldesk.ui.settings.providers_window import _form_of

    staff.save_provider(
        UnitOfWork.for_engine(demo_engine), elsewhere, provider_id, replace(_form_of(row), color="#7a5af8")
    )
    qtbot.mouseClick(window.save_button, LEFT)
    bar = window.conflict
    assert bar.text.isVisible() and "on front-2 saved" in bar.text.text()
    assert window.short_name.text() == "ZZ"
    qtbot.mouseClick(bar.reload_button, LEFT)
    assert not bar.text.isVisible()
    assert window.short_name.text() == "ZZ" and window.color.text() == "#7a5af8"
    qtbot.mouseClick(window.save_button, LEFT)
    saved = next(p for p in staff.list_providers(hub.ctx.uow(), hub.ctx.user) if p.id == provider_id)
    assert (saved.short_name, saved.color) == ("ZZ", "#7a5af8")
