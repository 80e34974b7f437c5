"""Procedure codes, the ADA Transaction Codes window: the office list and the master list side by side.

Search as you type in either list (CODE-2); copy selected master codes into the office list (seed
000 troubleshooting); add a custom code, edit one, deactivate it; import a licensed CSV after a
preview of its refused rows.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from dentaldesk.domain.codes import code_matches
from dentaldesk.domain.money import format_money
from dentaldesk.services.practice.code_admin import MasterRow, master_list, preview_import, set_code_active
from dentaldesk.services.practice.codes import CodeRow, copy_master_codes, office_codes, search_codes
from dentaldesk.ui.kit.context import AppContext
from dentaldesk.ui.kit.operations import run_op
from dentaldesk.ui.kit.table_model import Column, RowsModel
from dentaldesk.ui.kit.widgets import make_table
from dentaldesk.ui.settings.code_dialogs import CodeDialog, ImportPreviewDialog
from dentaldesk.ui.settings.forms import SetupWindow, button, fit_columns

ALL = 100_000  # the search limit when filtering a loaded list: show every match


def flags_text(r: CodeRow) -> str:
    names = (
        ("insurable", "Ins"),
        ("taxable", "Tax"),
        ("requires_tooth", "Tooth"),
        ("requires_surface", "Surf"),
        ("charts_graphic", "Chart"),
    )
    return " ".join(short for key, short in names if getattr(r, key))


OFFICE_COLUMNS: list[Column[CodeRow]] = [
    Column("Code", lambda r: r.code),
    Column("Name", lambda r: r.name),
    Column("Category", lambda r: r.category.label),
    Column("Teeth", lambda r: r.dentition.value.capitalize()),  # ID-3: Permanent, Primary or Both
    Column("RTU's", lambda r: str(r.default_rtu), align_right=True),
    Column("Options", flags_text),
    Column("Status", lambda r: "Active" if r.active else "Inactive"),
]
MASTER_COLUMNS: list[Column[MasterRow]] = [
    Column("Code", lambda r: r.code),
    Column("Name", lambda r: r.name),
    Column("Category", lambda r: r.category.label),
    Column("Usual fee", lambda r: format_money(r.usual_fee), align_right=True),
    Column("Office list", lambda r: "has it" if r.in_office else ""),
]


def search_box(name: str, caption: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setAccessibleName(caption)
    edit.setPlaceholderText("Search by code (D27) or name (crown) ...")
    edit.setClearButtonEnabled(True)
    return edit


class ProcedureCodesWindow(SetupWindow):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, "Procedure codes", parent)
        self.office_rows: list[CodeRow] = []
        self.master_rows: list[MasterRow] = []
        self.code_dialog: CodeDialog | None = None
        self.import_dialog: ImportPreviewDialog | None = None

        # The office list (left).
        self.office_search = search_box("office_search", "Search the office list")
        self.show_inactive = QCheckBox("Show inacti&ve codes")
        self.show_inactive.setObjectName("show_inactive")
        self.office_model: RowsModel[CodeRow] = RowsModel(OFFICE_COLUMNS, self)
        self.office_table = make_table("office_codes")
        self.office_table.setModel(self.office_model)
        fit_columns(self.office_table, 1)
        self.office_count = QLabel()
        self.office_count.setObjectName("office_count")
        self.add_button = button("&Add custom code...", "add_code")
        self.edit_button = button("&Edit...", "edit_code", tip="Edit the selected code (or press Enter on it)")
        self.active_button = button(
            "&Deactivate", "toggle_active", tip="A deactivated code stays on past records and leaves the pickers."
        )
        self.import_button = button("&Import CSV...", "import_csv", tip="Import a licensed code list (CSV).")
        search_caption = QLabel("Searc&h:")
        search_caption.setBuddy(self.office_search)
        office_box = QGroupBox("Office list (what plans and charges can use)")
        office_layout = QVBoxLayout(office_box)
        row = QHBoxLayout()
        row.addWidget(search_caption)
        row.addWidget(self.office_search, 1)
        row.addWidget(self.show_inactive)
        office_layout.addLayout(row)
        office_layout.addWidget(self.office_table, 1)
        office_layout.addWidget(self.office_count)
        buttons = QHBoxLayout()
        for b in (self.add_button, self.edit_button, self.active_button, self.import_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        office_layout.addLayout(buttons)

        # The master list (right).
        self.master_search = search_box("master_search", "Search the master list")
        self.master_model: RowsModel[MasterRow] = RowsModel(MASTER_COLUMNS, self)
        self.master_table = make_table("master_codes")
        self.master_table.setModel(self.master_model)
        fit_columns(self.master_table, 1)
        self.master_table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.copy_button = button(
            "&Copy selected to office list",
            "copy_codes",
            tip="Copies the selected codes with their usual fee into Fee 0.",
        )
        master_caption = QLabel("Sea&rch:")
        master_caption.setBuddy(self.master_search)
        master_box = QGroupBox("Master list (starter codes shipped with DentalDesk)")
        master_layout = QVBoxLayout(master_box)
        row = QHBoxLayout()
        row.addWidget(master_caption)
        row.addWidget(self.master_search, 1)
        master_layout.addLayout(row)
        master_layout.addWidget(self.master_table, 1)
        row = QHBoxLayout()
        row.addWidget(self.copy_button)
        row.addStretch(1)
        master_layout.addLayout(row)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(office_box)
        splitter.addWidget(master_box)
        splitter.setSizes([620, 480])
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.problem)
        layout.addWidget(self.status)

        self.office_search.textChanged.connect(self.filter_office)
        self.show_inactive.toggled.connect(self.filter_office)
        self.master_search.textChanged.connect(self.filter_master)
        self.office_table.activated.connect(lambda _i: self.edit_selected())
        self.office_table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.master_table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.add_button.clicked.connect(self.add_custom)
        self.edit_button.clicked.connect(self.edit_selected)
        self.active_button.clicked.connect(self.toggle_active)
        self.import_button.clicked.connect(self.choose_import_file)
        self.copy_button.clicked.connect(self.copy_selected)
        QShortcut(QKeySequence.StandardKey.Find, self, activated=lambda: self.office_search.setFocus())
        self.setTabOrder(self.office_search, self.show_inactive)
        self.setTabOrder(self.show_inactive, self.office_table)
        self.setTabOrder(self.office_table, self.add_button)
        self.setTabOrder(self.import_button, self.master_search)
        self.setTabOrder(self.master_search, self.master_table)
        self.setTabOrder(self.master_table, self.copy_button)
        self.resize(1180, 640)
        self.reload()

    # ---------------------------------------------------------------- loading and searching

    def reload(self) -> None:
        ok, rows = run_op(
            self.ctx,
            self,
            lambda: (
                office_codes(self.ctx.uow(), self.ctx.user, include_inactive=True),
                master_list(self.ctx.uow(), self.ctx.user),
            ),
            fallback=self.problem,
        )
        if not ok or rows is None:
            for b in (self.add_button, self.edit_button, self.active_button, self.import_button, self.copy_button):
                b.setEnabled(False)
            return
        self.office_rows, self.master_rows = rows
        self.filter_office()
        self.filter_master()

    def filter_office(self) -> None:
        shown = [r for r in self.office_rows if r.active or self.show_inactive.isChecked()]
        found = search_codes(shown, self.office_search.text(), limit=ALL)
        self.office_model.set_rows(found)
        active = sum(1 for r in self.office_rows if r.active)
        self.office_count.setText(f"{len(found)} shown; {active} active codes in the office list")
        self._selection_changed()

    def filter_master(self) -> None:
        text = self.master_search.text()
        self.master_model.set_rows([r for r in self.master_rows if code_matches(text, r.code, r.name)])
        self._selection_changed()

    def selected_office_row(self) -> CodeRow | None:
        rows = self.office_table.selectionModel().selectedRows()
        return self.office_model.row(rows[0].row()) if rows else None

    def selected_master_codes(self) -> list[str]:
        rows = sorted(i.row() for i in self.master_table.selectionModel().selectedRows())
        return [self.master_model.row(r).code for r in rows if not self.master_model.row(r).in_office]

    def _selection_changed(self, *_args: object) -> None:
        chosen = self.selected_office_row()
        self.edit_button.setEnabled(chosen is not None)
        self.active_button.setEnabled(chosen is not None)
        self.active_button.setText("Reac&tivate" if chosen is not None and not chosen.active else "&Deactivate")
        count = len(self.selected_master_codes())
        self.copy_button.setEnabled(count > 0)
        self.copy_button.setText(f"&Copy {count} selected to office list" if count else "&Copy selected to office list")

    def select_office_code(self, code: str) -> None:
        for n, r in enumerate(self.office_model.rows):
            if r.code == code:
                self.office_model.fetch_to(n)
                self.office_table.selectionModel().select(
                    self.office_model.index(n, 0),
                    QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
                )
                self.office_table.scrollTo(self.office_model.index(n, 0))
                return

    # ---------------------------------------------------------------- actions

    def copy_selected(self) -> None:
        codes = self.selected_master_codes()
        if not codes:
            return
        self.say("")
        ok, added = run_op(
            self.ctx,
            self,
            lambda: copy_master_codes(self.ctx.uow(), self.ctx.user, codes),
            changed="settings",
            fallback=self.problem,
        )
        if ok and added is not None:
            self.reload()
            self.say(
                f"Copied to the office list: {', '.join(added)}."
                if added
                else "Those codes are already in the office list."
            )
            if added:
                self.office_search.setText(added[0])
                self.select_office_code(added[0])

    def add_custom(self) -> None:
        self._open_code_dialog(None)

    def edit_selected(self) -> None:
        chosen = self.selected_office_row()
        if chosen is not None:
            self._open_code_dialog(chosen.id)

    def _open_code_dialog(self, code_id: int | None) -> None:
        dialog = CodeDialog(self.ctx, code_id, self)
        dialog.accepted.connect(lambda: self._code_saved(dialog))
        self.code_dialog = dialog
        dialog.open()

    def _code_saved(self, dialog: CodeDialog) -> None:
        code = dialog.code.text().strip().upper()
        self.reload()
        self.select_office_code(code)
        self.say(f"{code} saved.")

    def toggle_active(self) -> None:
        chosen = self.selected_office_row()
        if chosen is None:
            return
        self.say("")
        ok, _ = run_op(
            self.ctx,
            self,
            lambda: set_code_active(self.ctx.uow(), self.ctx.user, chosen.id, not chosen.active),
            changed="settings",
            fallback=self.problem,
        )
        if ok:
            self.reload()
            self.select_office_code(chosen.code)
            self.say(
                f"{chosen.code} {'reactivated' if not chosen.active else 'deactivated: it stays on past records and leaves the pickers'}."
            )

    def choose_import_file(self) -> None:
        name, _filter = QFileDialog.getOpenFileName(self, "Import procedure codes", "", "Code lists (*.csv)")
        if name:
            self.preview_import(Path(name))

    def preview_import(self, path: Path) -> None:
        ok, preview = run_op(
            self.ctx, self, lambda: preview_import(self.ctx.uow(), self.ctx.user, path), fallback=self.problem
        )
        if not ok or preview is None:
            return
        dialog = ImportPreviewDialog(self.ctx, path, preview, self)
        dialog.accepted.connect(lambda: (self.reload(), self.say(dialog.result_text)))
        self.import_dialog = dialog
        dialog.open()
