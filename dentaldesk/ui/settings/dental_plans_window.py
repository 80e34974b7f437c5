"""Dental plans: carrier, estimation type, coverage % per category, deductible, maximum, copays,
and the plan's bluebook (plan fee, copay, insurance pays, write-off per code) as an editable grid."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from dentaldesk.domain.codes import code_matches
from dentaldesk.domain.errors import DentalDeskError
from dentaldesk.domain.terms import Category, EstimationType
from dentaldesk.services.practice.dental_plans import (
    BluebookLine,
    CategoryTerms,
    DentalPlanForm,
    DentalPlanRow,
    blank_dental_plan_form,
    dental_plans,
    load_bluebook,
    load_dental_plan,
    save_bluebook,
    save_dental_plan,
)
from dentaldesk.ui.kit.conflicts import ConflictBar, reapplied_note, reload_keeping_edits
from dentaldesk.ui.kit.context import AppContext
from dentaldesk.ui.kit.operations import run_op
from dentaldesk.ui.kit.table_model import Column, RowsModel
from dentaldesk.ui.kit.widgets import error_label, hint_label, make_default, make_table, row_height
from dentaldesk.ui.settings.forms import FieldForm, SetupWindow, button, enum_items, fit_columns, select_data

PLAN_COLUMNS: list[Column[DentalPlanRow]] = [
    Column("Plan", lambda p: p.name),
    Column("Type", lambda p: p.estimation_type.label),
    Column("Patients", lambda p: str(p.patients), align_right=True),
    Column("Status", lambda p: "Active" if p.active else "Inactive"),
]
BLUEBOOK_HEADERS = ("Code", "Plan fee", "Copay", "Insurance pays", "Write-off")
TYPE_HINTS = {
    EstimationType.PERCENTAGE: "Percentage: the plan pays its coverage % of the fee (of the bluebook plan fee where one is on file).",
    EstimationType.PPO: "PPO: the bluebook plan fee is the allowed fee; the rest of the charged fee is written off (INS-7).",
    EstimationType.FLAT_FEE: "Flat fee: the plan pays the bluebook's insurance payment; the patient pays the copay.",
    EstimationType.DMO: "DMO/Capitation: the bluebook plan fee is the cap fee charged for the code (TX-FEE-2); without an "
    "entry the charge is Fee 0 less the plan's copay (INS-5).",
}


def reapply_lines(
    base: list[BluebookLine], mine: list[BluebookLine], theirs: list[BluebookLine]
) -> tuple[list[BluebookLine], list[str]]:
    """The bluebook grid re-applied code by code (DATA-4): rows added, changed or removed by the person
    are kept unless the other workstation changed the same row; returns the grid and the codes that clashed."""

    def plain(line: BluebookLine) -> BluebookLine:
        return replace(line, code=line.code.strip().upper(), version=None)

    was = {plain(line).code: plain(line) for line in base}
    now = {plain(line).code: plain(line) for line in mine if line.code.strip()}
    other = {line.code: line for line in theirs}
    merged = dict(other)
    clashes: list[str] = []
    for code in dict.fromkeys([*was, *now]):
        b, m, t = was.get(code), now.get(code), other.get(code)
        t_plain = replace(t, version=None) if t is not None else None
        if m == b:
            continue  # the person did not touch this row
        if t_plain in (b, m):  # only the person changed it (or both the same way)
            if m is None:
                merged.pop(code, None)
            else:
                merged[code] = replace(m, version=t.version if t is not None else None)
        else:
            clashes.append(code)
    return sorted(merged.values(), key=lambda line: line.code), clashes


class DentalPlansWindow(SetupWindow):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, "Dental plans", parent)
        self.plan_id: int | None = None
        self.loaded_form: DentalPlanForm | None = None
        self.loaded_book: list[BluebookLine] = []  # the grid as loaded: the base a reload re-applies onto

        # Plan list (left).
        self.plans: RowsModel[DentalPlanRow] = RowsModel(PLAN_COLUMNS, self)
        self.plan_table = make_table("plan_list")
        self.plan_table.setModel(self.plans)
        fit_columns(self.plan_table, 0)
        self.new_button = button("Ne&w plan", "new_plan")
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.plan_table, 1)
        left_layout.addWidget(self.new_button)

        # Plan tab.
        form = FieldForm()
        self.form = form
        self.name = form.line("name", "Plan &name")
        self.carrier = form.line("carrier", "&Carrier")
        self.group = form.line("group_number", "&Group number", width=180)
        self.estimation = form.combo("estimation_type", "&Estimation type", enum_items(EstimationType))
        self.type_hint = hint_label("", "type_hint")
        form.addRow("", self.type_hint)
        self.deductible = form.line("deductible", "&Deductible", width=140)
        self.annual_max = form.line("annual_max", "Annual &maximum", placeholder="blank: no maximum", width=180)
        self.copay = form.line("default_copay", "Default cop&ay", width=140)
        self.active = form.check("active", "Ac&tive (offered for new coverage)")
        self.percents: dict[Category, QLineEdit] = {}
        self.applies: dict[Category, QCheckBox] = {}
        categories = QGroupBox("Coverage by category")
        grid = QGridLayout(categories)
        grid.addWidget(QLabel("<b>Category</b>"), 0, 0)
        grid.addWidget(QLabel("<b>Coverage %</b>"), 0, 1)
        grid.addWidget(QLabel("<b>Deductible applies</b>"), 0, 2)
        for n, category in enumerate(Category, start=1):
            percent = QLineEdit()
            percent.setObjectName(f"percent_{category.value}")
            percent.setAccessibleName(f"Coverage % for {category.label}")
            percent.setMaximumWidth(70)
            applies = QCheckBox()
            applies.setObjectName(f"deductible_{category.value}")
            applies.setAccessibleName(f"Deductible applies to {category.label}")
            caption = QLabel(category.label)
            caption.setBuddy(percent)
            grid.addWidget(caption, n, 0)
            grid.addWidget(percent, n, 1)
            grid.addWidget(applies, n, 2)
            self.percents[category] = percent
            self.applies[category] = applies
        self.category_error = error_label("coverage_percent")
        self.save_plan_button = make_default(button("&Save plan", "save_plan"))
        plan_tab = QWidget()
        columns = QHBoxLayout()
        columns.addLayout(form, 3)
        columns.addWidget(categories, 2)
        plan_layout = QVBoxLayout(plan_tab)
        plan_layout.addLayout(columns)
        plan_layout.addWidget(self.category_error)
        self.plan_conflict = ConflictBar(self.reload_plan_keeping_edits, name="plan_conflict")
        plan_layout.addWidget(self.plan_conflict)
        plan_layout.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.save_plan_button)
        plan_layout.addLayout(row)

        # Bluebook tab.
        self.book = QTableWidget(0, len(BLUEBOOK_HEADERS))
        self.book.setObjectName("bluebook")
        self.book.setAccessibleName("Bluebook")
        self.book.setHorizontalHeaderLabels(list(BLUEBOOK_HEADERS))
        self.book.verticalHeader().setVisible(False)
        self.book.verticalHeader().setDefaultSectionSize(row_height(self.book))
        self.book.setAlternatingRowColors(True)
        self.book.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.book.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.book.setTabKeyNavigation(False)  # Tab leaves the grid; arrows move in it
        self.book_search = QLineEdit()
        self.book_search.setObjectName("bluebook_search")
        self.book_search.setAccessibleName("Find a code in the bluebook")
        self.book_search.setPlaceholderText("Find a code ...")
        self.book_search.setClearButtonEnabled(True)
        find_caption = QLabel("&Find:")
        find_caption.setBuddy(self.book_search)
        self.book_hint = hint_label("", "bluebook_hint")
        self.add_row_button = button("Add &row", "add_bluebook_row")
        self.remove_row_button = button("Remo&ve row", "remove_bluebook_row")
        self.save_book_button = button("Save b&luebook", "save_bluebook")
        self.book_error = error_label("bluebook")
        book_tab = QWidget()
        book_layout = QVBoxLayout(book_tab)
        row = QHBoxLayout()
        row.addWidget(find_caption)
        row.addWidget(self.book_search, 1)
        book_layout.addLayout(row)
        book_layout.addWidget(self.book_hint)
        book_layout.addWidget(self.book, 1)
        book_layout.addWidget(self.book_error)
        self.book_conflict = ConflictBar(self.reload_book_keeping_edits, name="book_conflict")
        book_layout.addWidget(self.book_conflict)
        row = QHBoxLayout()
        row.addWidget(self.add_row_button)
        row.addWidget(self.remove_row_button)
        row.addStretch(1)
        row.addWidget(self.save_book_button)
        book_layout.addLayout(row)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("plan_tabs")
        self.tabs.addTab(plan_tab, "&Plan")
        self.tabs.addTab(book_tab, "Blue&book")
        # Enter saves what the tab shows: the plan's terms, or its bluebook.
        self.tabs.currentChanged.connect(
            lambda index: (self.save_book_button if index == 1 else self.save_plan_button).setDefault(True)
        )
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self.tabs)
        splitter.setSizes([400, 720])
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.problem)
        layout.addWidget(self.status)

        self.plan_table.selectionModel().selectionChanged.connect(self._plan_chosen)
        self.new_button.clicked.connect(self.new_plan)
        self.estimation.currentIndexChanged.connect(self._explain_type)
        self.save_plan_button.clicked.connect(self.save_plan)
        self.add_row_button.clicked.connect(self.add_row)
        self.remove_row_button.clicked.connect(self.remove_row)
        self.save_book_button.clicked.connect(self.save_book)
        self.book_search.textChanged.connect(self.filter_book)
        self.resize(1220, 640)
        self.reload()
        if self.plans.rowCount():
            self.plan_table.selectRow(0)
        else:
            self.new_plan()

    # ---------------------------------------------------------------- the plan list

    def reload(self) -> None:
        ok, rows = run_op(self.ctx, self, lambda: dental_plans(self.ctx.uow(), self.ctx.user), fallback=self.problem)
        if not ok or rows is None:
            self.setEnabled(False)
            return
        self.plans.set_rows(rows)

    def select_plan(self, plan_id: int) -> None:
        for n, p in enumerate(self.plans.rows):
            if p.id == plan_id:
                self.plan_table.selectRow(n)
                return

    def _plan_chosen(self, *_args: object) -> None:
        rows = self.plan_table.selectionModel().selectedRows()
        if not rows:
            return
        plan = self.plans.row(rows[0].row())
        ok, loaded = run_op(
            self.ctx,
            self,
            lambda: (
                load_dental_plan(self.ctx.uow(), self.ctx.user, plan.id),
                load_bluebook(self.ctx.uow(), self.ctx.user, plan.id),
            ),
            fallback=self.problem,
        )
        if ok and loaded is not None:
            self.plan_id = plan.id
            self.show_plan(*loaded)

    def new_plan(self) -> None:
        self.plan_table.clearSelection()
        self.plan_id = None
        self.show_plan(blank_dental_plan_form(), [])
        self.name.setFocus()

    def show_plan(self, form: DentalPlanForm, book: list[BluebookLine]) -> None:
        self.form.clear_errors()
        self.category_error.setVisible(False)
        self.book_error.setVisible(False)
        self.plan_conflict.clear()
        self.book_conflict.clear()
        self.loaded_form = form
        self.show_plan_form(form)
        self.show_book(book)
        self.book_search.clear()
        saved = self.plan_id is not None
        self.tabs.setTabEnabled(1, saved)
        self.tabs.setTabToolTip(1, "" if saved else "Save the plan first, then fill its bluebook.")
        self._explain_type()

    def show_book(self, book: list[BluebookLine]) -> None:
        self.loaded_book = book
        self.show_lines(book)

    def show_lines(self, book: list[BluebookLine]) -> None:
        self.book.setRowCount(0)
        for line in book:
            self._append(line)
        self.tabs.setTabText(1, f"Blue&book ({len(book)})")

    def show_plan_form(self, form: DentalPlanForm) -> None:
        self.name.setText(form.name)
        self.carrier.setText(form.carrier)
        self.group.setText(form.group_number)
        select_data(self.estimation, form.estimation_type.value)
        self.deductible.setText(form.deductible)
        self.annual_max.setText(form.annual_max)
        self.copay.setText(form.default_copay)
        self.active.setChecked(form.active)
        for terms in form.categories:
            self.percents[terms.category].setText(terms.coverage_percent)
            self.applies[terms.category].setChecked(terms.deductible_applies)
        self._explain_type()

    def reload_plan_keeping_edits(self) -> None:
        """DATA-4: the plan's terms as the other workstation saved them, with this person's typing re-applied."""
        if self.plan_id is None:
            return
        plan_id = self.plan_id
        fresh = reload_keeping_edits(
            self.plan_conflict,
            self.loaded_form,
            self.plan_form(),
            lambda: load_dental_plan(self.ctx.uow(), self.ctx.user, plan_id),
            self.show_plan_form,
        )
        if fresh is not None:
            self.loaded_form = fresh

    def reload_book_keeping_edits(self) -> None:
        """DATA-4: the bluebook as the other workstation saved it, with this person's rows re-applied."""
        if self.plan_id is None:
            return
        plan_id = self.plan_id
        ok, theirs = run_op(
            self.ctx,
            self,
            lambda: load_bluebook(self.ctx.uow(), self.ctx.user, plan_id),
            refused=lambda exc: self.book_conflict.show_conflict(exc.message),
        )
        if not ok or theirs is None:
            return
        merged, clashes = reapply_lines(self.loaded_book, self.book_lines(), theirs)
        self.loaded_book = theirs
        self.show_lines(merged)
        self.book_conflict.show_note(reapplied_note(tuple(clashes)))

    def _explain_type(self) -> None:
        kind = EstimationType(self.estimation.currentData())
        self.type_hint.setText(TYPE_HINTS[kind])
        self.book_hint.setText(TYPE_HINTS[kind] + " Blank cells mean nothing on file.")

    # ---------------------------------------------------------------- saving the plan

    def plan_form(self) -> DentalPlanForm:
        return DentalPlanForm(
            name=self.name.text(),
            carrier=self.carrier.text(),
            group_number=self.group.text(),
            estimation_type=EstimationType(self.estimation.currentData()),
            deductible=self.deductible.text(),
            annual_max=self.annual_max.text(),
            default_copay=self.copay.text(),
            active=self.active.isChecked(),
            categories=tuple(CategoryTerms(c, self.percents[c].text(), self.applies[c].isChecked()) for c in Category),
            version=self.loaded_form.version if self.plan_id is not None else None,
        )

    def save_plan(self) -> None:
        self.form.clear_errors()
        self.say("")
        self.category_error.setVisible(False)
        form, plan_id = self.plan_form(), self.plan_id
        labels = dict(self.form.errors) | {f"coverage_percent:{c.value}": self.category_error for c in Category}
        ok, saved = run_op(
            self.ctx,
            self,
            lambda: save_dental_plan(self.ctx.uow(), self.ctx.user, plan_id, form),
            changed="settings",
            field_labels=labels,
            fallback=self.problem,
            conflict=self.plan_conflict,
        )
        if ok and saved is not None:
            self.reload()
            self.select_plan(saved)
            self.say(f"{form.name.strip()} saved.")

    # ---------------------------------------------------------------- the bluebook grid

    def _append(self, line: BluebookLine) -> int:
        n = self.book.rowCount()
        self.book.insertRow(n)
        for col, value in enumerate((line.code, line.plan_fee, line.copay, line.insurance_pays, line.write_off)):
            item = QTableWidgetItem(value)
            if col:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.book.setItem(n, col, item)
        return n

    def book_lines(self) -> list[BluebookLine]:
        def cell(r: int, c: int) -> str:
            item = self.book.item(r, c)
            return item.text() if item is not None else ""

        return [BluebookLine(*(cell(r, c) for c in range(len(BLUEBOOK_HEADERS)))) for r in range(self.book.rowCount())]

    def add_row(self) -> None:
        self.book_search.clear()
        n = self._append(BluebookLine(""))
        self.book.setCurrentCell(n, 0)
        self.book.editItem(self.book.item(n, 0))

    def remove_row(self) -> None:
        rows = sorted({i.row() for i in self.book.selectedIndexes()}, reverse=True)
        for r in rows:
            self.book.removeRow(r)
        if rows:
            self.say(f"{len(rows)} row(s) removed; Save bluebook to keep the change.")

    def filter_book(self) -> None:
        text = self.book_search.text()
        for r in range(self.book.rowCount()):
            item = self.book.item(r, 0)
            self.book.setRowHidden(r, not code_matches(text, item.text() if item else "", ""))

    def save_book(self) -> None:
        if self.plan_id is None:
            return
        self.book_error.setVisible(False)
        self.say("")
        plan_id, lines = self.plan_id, self.book_lines()
        refused: list[str] = []
        loaded = {line.code: line.version for line in self.loaded_book if line.version is not None}

        def action() -> int:
            try:
                return save_bluebook(self.ctx.uow(), self.ctx.user, plan_id, lines, expected_versions=loaded)
            except DentalDeskError as exc:
                refused.append(exc.field or "")
                raise

        ok, count = run_op(
            self.ctx, self, action, changed="settings", fallback=self.book_error, conflict=self.book_conflict
        )
        if not ok and refused and refused[0].startswith("bluebook:"):
            row = int(refused[0].split(":")[1]) - 1  # show the refused row (TX-VAL-1)
            self.book_search.clear()
            self.book.setCurrentCell(row, 0)
            self.book.scrollToItem(self.book.item(row, 0))
        if ok:
            ok2, book = run_op(
                self.ctx, self, lambda: load_bluebook(self.ctx.uow(), self.ctx.user, plan_id), fallback=self.problem
            )
            if ok2 and book is not None:
                self.show_book(book)
            self.say(f"Bluebook saved: {count} codes.")
