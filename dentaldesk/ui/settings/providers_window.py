"""Providers: the dentists and hygienists who perform procedures, with their colour on the chart."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QColorDialog, QHBoxLayout, QLabel, QLineEdit, QSplitter, QVBoxLayout, QWidget

from dentaldesk.services.practice.staff import PROVIDER_KINDS, ProviderForm, ProviderRow, list_providers, save_provider
from dentaldesk.ui.kit import palette
from dentaldesk.ui.kit.conflicts import ConflictBar, reload_keeping_edits
from dentaldesk.ui.kit.context import AppContext
from dentaldesk.ui.kit.operations import run_op
from dentaldesk.ui.kit.table_model import Column, RowsModel
from dentaldesk.ui.kit.widgets import make_default, make_table
from dentaldesk.ui.settings.forms import FieldForm, SetupWindow, button, fit_columns, select_data

PROVIDER_COLUMNS: list[Column[ProviderRow]] = [
    Column("Name", lambda p: p.name),
    Column("Short", lambda p: p.short_name),
    Column("Kind", lambda p: p.kind_label),
    Column("Chart colour", lambda p: p.color),
    Column("Status", lambda p: "Active" if p.active else "Inactive"),
]


def _form_of(p: ProviderRow) -> ProviderForm:
    return ProviderForm(p.name, p.short_name, p.kind, p.color, p.active, p.version)


class ProvidersWindow(SetupWindow):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, "Providers", parent)
        self.provider_id: int | None = None
        self._loaded: ProviderForm | None = None
        self._version: int | None = None  # the chosen provider's version as listed (DATA-4)
        self.providers: RowsModel[ProviderRow] = RowsModel(PROVIDER_COLUMNS, self)
        self.table = make_table("provider_list")
        self.table.setModel(self.providers)
        fit_columns(self.table, 0)
        self.new_button = button("&New provider", "new_provider")
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.table, 1)
        left_layout.addWidget(self.new_button)

        form = FieldForm()
        self.form = form
        self.name = form.line("name", "N&ame", placeholder="e.g. Olivia Bennett, DDS")
        self.short_name = form.line("short_name", "S&hort name", placeholder="OB", width=90)
        self.kind = form.combo("kind", "&Kind", list((label, key) for key, label in PROVIDER_KINDS.items()))
        self.color = QLineEdit()
        self.color.setPlaceholderText(palette.ACCENT)
        self.color.setMaximumWidth(110)
        self.swatch = QLabel()
        self.swatch.setObjectName("color_swatch")
        self.swatch.setFixedSize(40, 22)
        self.swatch.setAccessibleName("Chart colour sample")
        self.choose_button = button("Pick colo&ur...", "choose_color", tip="Pick the colour from a palette")
        color_row = QWidget()
        row = QHBoxLayout(color_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.color)
        row.addWidget(self.swatch)
        row.addWidget(self.choose_button)
        row.addStretch(1)
        color_row.setFocusProxy(self.color)  # the caption's mnemonic lands in the text box
        form.add("color", "&Colour on the chart", color_row)
        self.color.setObjectName("color_text")
        self.color.setAccessibleName("Colour on the chart (#RRGGBB)")
        form.errors["color"].setObjectName("color_error")
        self.active = form.check("active", "Ac&tive (offered in the pickers)")
        self.save_button = make_default(button("&Save", "save_provider"))
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.addLayout(form)
        right_layout.addStretch(1)
        row2 = QHBoxLayout()
        row2.addStretch(1)
        row2.addWidget(self.save_button)
        right_layout.addLayout(row2)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([520, 420])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.problem)
        self.conflict = ConflictBar(self.reload_keeping_edits, name="provider_conflict")
        layout.addWidget(self.conflict)
        layout.addWidget(self.status)

        self.table.selectionModel().selectionChanged.connect(self._chosen)
        self.new_button.clicked.connect(self.new_provider)
        self.save_button.clicked.connect(self.save)
        self.choose_button.clicked.connect(self.choose_colour)
        self.color.textChanged.connect(self._show_swatch)
        self.setTabOrder(self.kind, self.color)
        self.setTabOrder(self.color, self.choose_button)
        self.setTabOrder(self.choose_button, self.active)
        self.resize(960, 440)
        self.reload()
        if self.providers.rowCount():
            self.table.selectRow(0)
        else:
            self.new_provider()

    def reload(self) -> None:
        ok, rows = run_op(self.ctx, self, lambda: list_providers(self.ctx.uow(), self.ctx.user), fallback=self.problem)
        if ok and rows is not None:
            self.providers.set_rows(rows)

    def _chosen(self, *_args: object) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        p = self.providers.row(rows[0].row())
        self.provider_id = p.id
        self.form.clear_errors()
        self.conflict.clear()
        self._loaded = _form_of(p)
        self.show_form(self._loaded)

    def show_form(self, form: ProviderForm) -> None:
        self._version = form.version
        self.name.setText(form.name)
        self.short_name.setText(form.short_name)
        select_data(self.kind, form.kind)
        self.color.setText(form.color)
        self.active.setChecked(form.active)

    def reload_keeping_edits(self) -> None:
        """DATA-4: the provider as the other workstation saved them, with this person's typing re-applied."""
        if self.provider_id is None or self._loaded is None:
            return
        provider_id = self.provider_id

        def fetch() -> ProviderForm:
            rows = list_providers(self.ctx.uow(), self.ctx.user)
            self.providers.set_rows(rows)
            return _form_of(next(p for p in rows if p.id == provider_id))

        fresh = reload_keeping_edits(self.conflict, self._loaded, self.provider_form(), fetch, self.show_form)
        if fresh is not None:
            self._loaded = fresh

    def new_provider(self) -> None:
        self.table.clearSelection()
        self.provider_id = None
        self._version = None
        self.form.clear_errors()
        for edit in (self.name, self.short_name):
            edit.clear()
        self.kind.setCurrentIndex(0)
        self.color.setText(palette.ACCENT)
        self.active.setChecked(True)
        self.name.setFocus()

    def _show_swatch(self) -> None:
        colour = QColor(self.color.text().strip())
        shown = colour.name() if colour.isValid() and self.color.text().strip().startswith("#") else "transparent"
        self.swatch.setStyleSheet(f"background: {shown}; border: 1px solid {palette.FAINT};")

    def choose_colour(self) -> None:
        picked = QColorDialog.getColor(QColor(self.color.text().strip() or palette.ACCENT), self, "Colour on the chart")
        if picked.isValid():
            self.color.setText(picked.name())

    def provider_form(self) -> ProviderForm:
        return ProviderForm(
            self.name.text(),
            self.short_name.text(),
            str(self.kind.currentData()),
            self.color.text(),
            self.active.isChecked(),
            self._version,
        )

    def save(self) -> None:
        self.form.clear_errors()
        self.say("")
        form, provider_id = self.provider_form(), self.provider_id
        ok, saved = run_op(
            self.ctx,
            self,
            lambda: save_provider(self.ctx.uow(), self.ctx.user, provider_id, form),
            changed="settings",
            field_labels=self.form.errors,
            fallback=self.problem,
            conflict=self.conflict,
        )
        if ok and saved is not None:
            self.reload()
            for n, p in enumerate(self.providers.rows):
                if p.id == saved:
                    self.table.selectRow(n)
            self.say(f"{form.name.strip()} saved.")
