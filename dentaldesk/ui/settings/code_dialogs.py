"""The dialogs of the ADA Transaction Codes window: one code's editor, and the import preview."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from dentaldesk.domain.teeth import Dentition
from dentaldesk.domain.terms import Category
from dentaldesk.services.practice.code_admin import CodeForm, ImportPreview, add_code, edit_code, load_code
from dentaldesk.services.practice.codes import import_codes
from dentaldesk.ui.kit.conflicts import ConflictBar, reload_keeping_edits
from dentaldesk.ui.kit.context import AppContext
from dentaldesk.ui.kit.operations import run_op
from dentaldesk.ui.kit.table_model import Column, RowsModel
from dentaldesk.ui.kit.widgets import error_label, hint_label, make_default, make_table
from dentaldesk.ui.settings.forms import FieldForm, enum_items, select_data

FLAG_CAPTIONS = (
    ("insurable", "&Insurable"),
    ("taxable", "&Taxable"),
    ("requires_tooth", "Requires t&ooth"),
    ("requires_surface", "Requires s&urface"),
    ("charts_graphic", "C&harts graphic"),
)


class CodeDialog(QDialog):
    """Add a custom code (``code_id`` None) or edit one: name, description, category, dentition
    (ID-3), RTU's, flags."""

    def __init__(self, ctx: AppContext, code_id: int | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.code_id = code_id
        self.saved_id: int | None = None
        adding = code_id is None
        self.setWindowTitle("Add a procedure code" if adding else "Edit procedure code")
        self.setObjectName("code_dialog")
        form = FieldForm()
        self.form = form
        self.code = form.line("code", "&Code", placeholder="D2740 or an office code", width=160)
        self.custom = form.check(
            "custom",
            "Custo&m office code (not a CDT code)",
            hint="Tick for an office's own code such as WHITEN1; CDT codes are D and four digits.",
        )
        self.name = form.line("name", "&Name")
        self.description = form.text(
            "description",
            "Patient-friendly &description",
            height=60,
            hint="Printed on the patient's handout in plain words.",
        )
        self.category = form.combo("category", "Cate&gory", enum_items(Category))
        self.dentition = form.combo(
            "dentition",
            "D&entition",
            enum_items(Dentition),
            hint="The teeth the code is for: a tooth of the other dentition is refused on it.",
        )
        self.rtu = form.line("rtu", "Default &RTU's (minutes)", width=80)
        self.usual_fee = form.line("usual_fee", "Usual &fee (Fee 0)", placeholder="optional, e.g. 125.00", width=160)
        self.flags = {key: form.check(key, caption) for key, caption in FLAG_CAPTIONS}
        self.flags["requires_surface"].toggled.connect(
            lambda on: self.flags["requires_tooth"].setChecked(True) if on else None
        )
        self.problem = error_label("code_problem")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.save_button = buttons.addButton("&Save", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setObjectName("save_code")
        make_default(self.save_button)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        self.conflict = ConflictBar(self.reload_keeping_edits, name="code_conflict")
        layout.addWidget(self.conflict)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)
        self._loaded: CodeForm | None = None
        if adding:
            self.custom.setChecked(True)
            self.rtu.setText("0")
            self.flags["insurable"].setChecked(True)
        else:
            self._load()

    def _load(self) -> None:
        assert self.code_id is not None
        ok, loaded = run_op(self.ctx, self, lambda: load_code(self.ctx.uow(), self.ctx.user, self.code_id))
        if not ok or loaded is None:
            self.save_button.setEnabled(False)
            return
        self._loaded = loaded
        self.code.setReadOnly(True)
        self.code.setToolTip("The code itself cannot change: past plans and charges name it.")
        self.custom.setEnabled(False)
        self.usual_fee.setEnabled(False)
        self.usual_fee.setPlaceholderText("change fees under Fee schedules")
        self.show_form(loaded)
        self.name.setFocus()

    def show_form(self, loaded: CodeForm) -> None:
        self.code.setText(loaded.code)
        self.custom.setChecked(loaded.custom)
        self.name.setText(loaded.name)
        self.description.setPlainText(loaded.description)
        select_data(self.category, loaded.category.value)
        select_data(self.dentition, Dentition(loaded.dentition).value)
        self.rtu.setText(loaded.default_rtu)
        for key, box in self.flags.items():
            box.setChecked(getattr(loaded, key))

    def reload_keeping_edits(self) -> None:
        """DATA-4: the code as the other workstation saved it, with this person's typing re-applied."""
        if self._loaded is None or self.code_id is None:
            return
        code_id = self.code_id
        fresh = reload_keeping_edits(
            self.conflict,
            self._loaded,
            self.code_form(),
            lambda: load_code(self.ctx.uow(), self.ctx.user, code_id),
            self.show_form,
        )
        if fresh is not None:
            self._loaded = fresh

    def code_form(self) -> CodeForm:
        return CodeForm(
            code=self.code.text(),
            name=self.name.text(),
            description=self.description.toPlainText(),
            category=Category(self.category.currentData()),
            dentition=Dentition(self.dentition.currentData()),
            default_rtu=self.rtu.text(),
            custom=self.custom.isChecked(),
            usual_fee=self.usual_fee.text(),
            version=self._loaded.version if self._loaded is not None else None,
            **{key: box.isChecked() for key, box in self.flags.items()},
        )

    def save(self) -> None:
        self.form.clear_errors()
        self.problem.setVisible(False)
        form = self.code_form()
        if self.code_id is None:

            def action() -> int:
                return add_code(self.ctx.uow(), self.ctx.user, form)
        else:
            code_id = self.code_id

            def action() -> int:
                edit_code(self.ctx.uow(), self.ctx.user, code_id, form)
                return code_id

        ok, saved = run_op(
            self.ctx,
            self,
            action,
            changed="settings",
            field_labels=self.form.errors,
            fallback=self.problem,
            conflict=self.conflict,
        )
        if ok:
            self.saved_id = saved
            self.accept()


REFUSED_COLUMNS: list[Column[tuple[int, str, str]]] = [
    Column("Line", lambda r: str(r[0]), align_right=True),
    Column("Code", lambda r: r[1]),
    Column("Why it is refused", lambda r: r[2]),
]


class ImportPreviewDialog(QDialog):
    """What a code CSV would add and update, and each refused row with its reason, before importing."""

    def __init__(self, ctx: AppContext, path: Path, preview: ImportPreview, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.path = path
        self.setWindowTitle("Import procedure codes")
        self.setObjectName("import_preview")
        self.summary = QLabel(
            f"<b>{path.name}</b>: {len(preview.new)} new codes, {len(preview.updated)} codes to update, "
            f"{len(preview.refused)} rows refused."
        )
        self.summary.setObjectName("import_summary")
        self.summary.setWordWrap(True)
        self.refused = RowsModel(REFUSED_COLUMNS, self)
        self.refused.set_rows(list(preview.refused))
        self.table = make_table("refused_rows")
        self.table.setModel(self.refused)
        self.table.setVisible(bool(preview.refused))
        note = hint_label(
            "Refused rows are left out; fix them in the file and import again. Fees in the file go into Fee 0."
            if preview.refused
            else "Every row can be imported. Fees in the file go into Fee 0."
        )
        self.problem = error_label("import_problem")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.import_button = buttons.addButton(
            f"&Import {len(preview.new) + len(preview.updated)} codes", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.import_button.setObjectName("import_codes")
        make_default(self.import_button)
        self.import_button.setEnabled(bool(preview.new or preview.updated))
        buttons.accepted.connect(self.run_import)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(note)
        layout.addWidget(self.problem)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(buttons)
        layout.addLayout(row)
        self.resize(640, 360 if preview.refused else 160)
        self.result_text = ""

    def run_import(self) -> None:
        ok, report = run_op(
            self.ctx,
            self,
            lambda: import_codes(self.ctx.uow(), self.ctx.user, self.path),
            changed="settings",
            fallback=self.problem,
        )
        if ok and report is not None:
            self.result_text = (
                f"Imported: {report.added} added, {report.updated} updated, {len(report.refused)} refused."
            )
            self.accept()
