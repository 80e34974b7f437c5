"""The plan editor window (seed 000): build, sequence, approve and complete a treatment plan.

Undo with a database, the choice made here (see working_copy.py): the editor edits an in-memory
working copy; each edit is a named QUndoCommand (Ctrl+Z / Ctrl+Y, names in the Edit menu) and
touches no database. Save draft (Ctrl+S) sends the whole difference as one service call, saved in
one transaction or refused whole (DATA-1) if another workstation saved the plan first (DATA-2).
Undo history survives a save (a later undo is saved by the next save). Approving, completing an
item and cancelling are not editor edits: they are recorded with the patient or posted to the
ledger at once, so they save pending edits first and start a new undo history afterwards.

Front desk users open plans read-only for editing (TP-1): the edit actions are disabled with the
reason as their tooltip, while Approve and Complete item stay available; the services enforce the
same rules whatever the window shows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from dentaldesk.domain.errors import RuleViolation
from dentaldesk.domain.plans import check_can_complete, status_label
from dentaldesk.domain.terms import PLAN_EDITOR_ROLES, ApprovalMethod, PlanStatus
from dentaldesk.services.codes import CodeRow, office_codes
from dentaldesk.services.plans import (
    ItemFormFacts,
    approve,
    cancel_plan,
    complete_item,
    item_form_facts,
    load_plan,
    quote_fee,
    record_approval,
    save_draft,
)
from dentaldesk.ui.context import AppContext
from dentaldesk.ui.operations import run_op
from dentaldesk.ui.plans.approval_dialog import ApprovalDialog
from dentaldesk.ui.plans.commands import (
    AddItemCommand,
    EditItemCommand,
    LinkCommand,
    MoveToVisitCommand,
    RemoveItemCommand,
    UnlinkCommand,
)
from dentaldesk.ui.plans.dialogs import CancelPlanDialog, CompleteItemDialog, DependsOnDialog, VisitDialog
from dentaldesk.ui.plans.panels import SidePanels, TotalsBar
from dentaldesk.ui.plans.plan_model import COLUMNS, FEE_COLUMN, FeeDelegate, Grouping, PlanTreeModel, fee_text
from dentaldesk.ui.plans.working_copy import WorkingItem, WorkingPlan
from dentaldesk.ui.transaction_dialog import PatientTransactionDialog, ProcedureEntry

ERROR_STYLE = "color: #b42318;"
EDITABLE = frozenset({PlanStatus.DRAFT, PlanStatus.APPROVED})


class PlanEditor(QMainWindow):
    """One plan, opened in its own window."""

    new_plan_requested = Signal(int)  # patient id: Ctrl+N asks the Treatments view for a new plan

    def __init__(self, ctx: AppContext, plan_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.plan_id = plan_id
        self.setObjectName("plan_editor")
        self.undo_stack = QUndoStack(self)
        self.working = WorkingPlan.load(load_plan(ctx.uow(), plan_id))
        self._form_facts: ItemFormFacts | None = None
        self._codes: list[CodeRow] | None = None
        self._discard_ok = False
        self.dialog: QWidget | None = None  # the dialog currently open, for keyboard users and tests

        self.title_label = QLabel()
        self.title_label.setObjectName("plan_title")
        self.title_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.model = PlanTreeModel(self)
        self.tree = QTreeView()
        self.tree.setObjectName("plan_items")
        self.tree.setAccessibleName("Plan items")
        self.tree.setModel(self.model)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        header = self.tree.header()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # The name takes what is left (elided when narrow), so Fee and Status always show.
        header.setSectionResizeMode(COLUMNS.index("Name"), QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        self.delegate = FeeDelegate(self.model, self.preview_fee, self.commit_fee, self.refuse, self.tree)
        self.tree.setItemDelegateForColumn(FEE_COLUMN, self.delegate)
        self.delegate.closeEditor.connect(lambda *_: self.totals.show_total(self.working.total()))
        self.totals = TotalsBar()
        self.panels = SidePanels()
        self.approve_reason = QLabel()
        self.approve_reason.setObjectName("approve_reason")
        self.approve_reason.setWordWrap(True)
        self.approve_reason.setStyleSheet("color: #9a6700;")
        self.message = QLabel()
        self.message.setObjectName("editor_message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setVisible(False)

        self._make_actions()
        self._make_menus()
        self._layout()
        self.tree.selectionModel().currentRowChanged.connect(lambda *_: self._update_actions())
        self.tree.activated.connect(self._activated)
        self.undo_stack.cleanChanged.connect(self._stack_changed)
        self.undo_stack.indexChanged.connect(self._stack_changed)
        self.resize(1180, 720)
        self.refresh()
        self.tree.setFocus()

    # --- construction

    def _action(self, text: str, name: str, slot: Callable[[], object], shortcut: str | QKeySequence | None = None,
                tip: str = "") -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setStatusTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _make_actions(self) -> None:
        self.new_plan_action = self._action("&New plan…", "new_plan", self._ask_new_plan, "Ctrl+N")
        self.add_action = self._action("+ &Add item…", "add_item", self.add_item, "Ins")
        self.edit_action = self._action("&Edit item…", "edit_item", self.edit_item, "Ctrl+E")
        self.fee_action = self._action("Change &fee", "change_fee", self.edit_fee_in_place, "F2")
        self.remove_action = self._action("&Remove item", "remove_item", self.remove_item, QKeySequence.StandardKey.Delete)
        self.link_action = self._action("&Depends on…", "depends_on", self.depends_on, "Ctrl+D")
        self.unlink_action = self._action("Remove de&pendency", "remove_dependency", self.remove_dependency,
                                          "Ctrl+Shift+D")
        self.visit_action = self._action("&Move to visit…", "move_to_visit", self.move_to_visit, "Ctrl+M")
        self.save_action = self._action("&Save draft", "save_draft", self.save, QKeySequence.StandardKey.Save)
        self.approve_action = self._action("A&pprove plan…", "approve", self.approve)
        self.complete_action = self._action("&Complete item…", "complete_item", self.complete_item, "Ctrl+Return")
        self.cancel_action = self._action("Cance&l plan…", "cancel_plan", self.cancel_plan)
        self.reload_action = self._action("Re&load", "reload", self.ask_reload, QKeySequence.StandardKey.Refresh)
        self.close_action = self._action("&Close", "close_editor", self.close, QKeySequence.StandardKey.Close)
        self.undo_action = self.undo_stack.createUndoAction(self, "&Undo")
        self.undo_action.setObjectName("undo")
        self.undo_action.setShortcuts([QKeySequence(QKeySequence.StandardKey.Undo)])
        self.redo_action = self.undo_stack.createRedoAction(self, "&Redo")
        self.redo_action.setObjectName("redo")
        redo_keys = [QKeySequence("Ctrl+Y")]
        redo_keys += [k for k in QKeySequence.keyBindings(QKeySequence.StandardKey.Redo) if k not in redo_keys]
        self.redo_action.setShortcuts(redo_keys)
        self.addAction(self.undo_action)
        self.addAction(self.redo_action)
        self.by_dependency = QAction("By &dependency", self, checkable=True)
        self.by_dependency.setObjectName("by_dependency")
        self.by_visit = QAction("By &visit", self, checkable=True)
        self.by_visit.setObjectName("by_visit")
        group = QActionGroup(self)
        for action, grouping in ((self.by_dependency, Grouping.BY_DEPENDENCY), (self.by_visit, Grouping.BY_VISIT)):
            group.addAction(action)
            action.triggered.connect(lambda _c=False, g=grouping: self.set_grouping(g))
        self.by_dependency.setChecked(True)
        self.toggle_grouping = self._action("Switch &grouping", "toggle_grouping", self._toggle_grouping, "Ctrl+G")

    def _make_menus(self) -> None:
        bar = self.menuBar()
        plan = bar.addMenu("&Plan")
        for action in (self.new_plan_action, self.save_action, self.approve_action, self.cancel_action,
                       self.reload_action):
            plan.addAction(action)
        plan.addMenu(self._handout_menu())
        plan.addSeparator()
        plan.addAction(self.close_action)
        edit = bar.addMenu("&Edit")
        edit.setObjectName("edit_menu")
        edit.addAction(self.undo_action)
        edit.addAction(self.redo_action)
        edit.addSeparator()
        for action in (self.add_action, self.edit_action, self.fee_action, self.remove_action, self.link_action,
                       self.unlink_action, self.visit_action):
            edit.addAction(action)
        item = bar.addMenu("&Item")
        item.addAction(self.complete_action)
        view = bar.addMenu("&View")
        view.addAction(self.by_dependency)
        view.addAction(self.by_visit)
        view.addAction(self.toggle_grouping)

    def _handout_menu(self):  # type: ignore[no-untyped-def]
        from dentaldesk.ui.print_handout import handout_menu

        return handout_menu(self.ctx, self, self._saved_plan_id)

    def _button(self, action: QAction, name: str) -> QPushButton:
        """A tab-reachable button mirroring an action: text, enabled state and the reason tooltip."""
        button = QPushButton(action.text())
        button.setObjectName(name)
        button.setAccessibleName(action.text().replace("&", "").replace("…", ""))
        button.clicked.connect(action.trigger)

        def mirror() -> None:
            button.setText(action.text())
            button.setEnabled(action.isEnabled())
            shortcut = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            tip = action.toolTip() if action.toolTip() != action.text().replace("&", "") else ""
            button.setToolTip(tip or (f"{action.text().replace('&', '')} ({shortcut})" if shortcut else ""))
            button.setAccessibleDescription(button.toolTip())

        action.changed.connect(mirror)
        mirror()
        return button

    def _layout(self) -> None:
        self.add_button = self._button(self.add_action, "add_item_button")
        self.edit_button = self._button(self.edit_action, "edit_item_button")
        self.remove_button = self._button(self.remove_action, "remove_item_button")
        self.link_button = self._button(self.link_action, "depends_on_button")
        self.visit_button = self._button(self.visit_action, "move_to_visit_button")
        self.save_button = self._button(self.save_action, "save_draft_button")
        self.approve_button = self._button(self.approve_action, "approve_button")
        self.complete_button = self._button(self.complete_action, "complete_item_button")
        self.cancel_button = self._button(self.cancel_action, "cancel_plan_button")
        self.dependency_button = QPushButton("By dependency")
        self.visit_group_button = QPushButton("By visit")
        for button, action, name in ((self.dependency_button, self.by_dependency, "by_dependency_button"),
                                     (self.visit_group_button, self.by_visit, "by_visit_button")):
            button.setObjectName(name)
            button.setCheckable(True)
            button.setAutoExclusive(True)
            button.setChecked(action.isChecked())
            button.clicked.connect(action.trigger)
            action.toggled.connect(button.setChecked)

        edit_row = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.remove_button, self.link_button, self.visit_button):
            edit_row.addWidget(button)
        edit_row.addStretch(1)
        edit_row.addWidget(QLabel("Show:"))
        edit_row.addWidget(self.dependency_button)
        edit_row.addWidget(self.visit_group_button)

        action_row = QHBoxLayout()
        for button in (self.save_button, self.approve_button, self.complete_button):
            action_row.addWidget(button)
        action_row.addStretch(1)
        action_row.addWidget(self.cancel_button)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(edit_row)
        left_layout.addWidget(self.tree, 1)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(self.panels)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([880, 300])
        self.panels.setMinimumWidth(260)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addWidget(self.title_label)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.totals)
        layout.addWidget(self.approve_reason)
        layout.addWidget(self.message)
        layout.addLayout(action_row)
        self.setCentralWidget(central)
        order = [self.tree, self.add_button, self.edit_button, self.remove_button, self.link_button,
                 self.visit_button, self.dependency_button, self.visit_group_button, self.panels,
                 self.save_button, self.approve_button, self.complete_button, self.cancel_button]
        for first, second in zip(order, order[1:], strict=False):
            QWidget.setTabOrder(first, second)

    # --- state

    @property
    def view(self):  # type: ignore[no-untyped-def]
        return self.working.view

    def can_edit(self) -> bool:
        return self.ctx.user.role in PLAN_EDITOR_ROLES and self.view.status in EDITABLE

    def edit_refusal(self) -> str:
        if self.ctx.user.role not in PLAN_EDITOR_ROLES:
            return (f"{self.ctx.user.role.label} users cannot change treatment plans (TP-1); "
                    "ask an Owner, Admin or Dentist.")
        if self.view.status not in EDITABLE:
            return f"This plan is {status_label(self.view.status)}; it can no longer be changed."
        return ""

    def selected_key(self) -> int | None:
        return self.model.key_at(self.tree.currentIndex())

    def select(self, key: int | None) -> None:
        if key is None or key not in self.working.items:
            return
        index = self.model.index_of(key)
        if index.isValid():
            self.tree.setCurrentIndex(index)

    def is_dirty(self) -> bool:
        return self.working.is_dirty()

    # --- drawing

    def refresh(self) -> None:
        """Redraw everything from the working copy (after each edit, undo, redo, save, reload)."""
        key = self.selected_key()
        self.model.rebuild(self.working, editable_fees=self.can_edit())
        self.tree.expandAll()
        self.select(key)
        self.totals.show_plan(self.working)
        self.panels.show_view(self.view)
        self._update_title()
        self._update_actions()

    def _stack_changed(self, *_args: object) -> None:
        self._update_title()

    def _update_title(self) -> None:
        view = self.view
        dirty = self.is_dirty()
        self.setWindowTitle(f"{'* ' if dirty else ''}{view.title} - {view.patient_name} - DentalDesk")
        unsaved = " · <span style='color:#9a6700'>unsaved changes</span>" if dirty else ""
        self.title_label.setText(
            f"<span style='font-size:15pt'><b>{view.title}</b></span> &nbsp; {view.patient_name} "
            f"(patient ID {view.patient_number}) &nbsp;·&nbsp; <b>{status_label(view.status)}</b>{unsaved}"
        )

    def _set(self, action: QAction, enabled: bool, reason: str = "") -> None:
        action.setEnabled(enabled)
        action.setToolTip(reason or action.text().replace("&", ""))

    def _update_actions(self) -> None:
        key = self.selected_key()
        item = self.working.items.get(key) if key is not None else None
        refusal = self.edit_refusal()
        can_edit = not refusal
        planned = item is not None and not item.is_completed
        no_item = "Select an item first."
        self._set(self.new_plan_action, self.ctx.user.role in PLAN_EDITOR_ROLES, refusal)
        self._set(self.add_action, can_edit, refusal)
        for action in (self.edit_action, self.fee_action, self.remove_action, self.visit_action):
            self._set(action, can_edit and planned, refusal or (no_item if item is None else
                                                                "A completed item cannot be changed."))
        self._set(self.link_action, can_edit and item is not None and len(self.working.items) > 1,
                  refusal or (no_item if item is None else "Add another item first."))
        self._set(self.unlink_action, can_edit and item is not None and bool(item.prerequisites),
                  refusal or (no_item if item is None else "This item depends on no other item."))
        self._set(self.save_action, can_edit, refusal)
        self.save_action.setText("&Save changes" if self.view.status is PlanStatus.APPROVED else "&Save draft")
        self._set(self.cancel_action, can_edit, refusal)
        self._update_approve()
        self._update_complete(item)

    def _update_approve(self) -> None:
        status = self.view.status
        reason = ""
        if status is PlanStatus.DRAFT:
            self.approve_action.setText("A&pprove plan…")
            problems = self.working.approval_problems()
            if not self.working.items:
                reason = "Add at least one item before the plan can be approved (TP-5)."
            elif problems:
                reason = "Cannot approve yet (TP-5): " + "; ".join(p.message for p in problems) + "."
        elif status is PlanStatus.APPROVED:
            self.approve_action.setText("Record new a&pproval…")
            if not self.working.needs_reapproval():
                reason = "The patient has approved this plan's total."
        else:
            self.approve_action.setText("A&pprove plan…")
            reason = f"This plan is {status_label(status)}."
        self._set(self.approve_action, not reason, reason)
        self.approve_reason.setText(reason if status is PlanStatus.DRAFT else "")
        self.approve_reason.setVisible(bool(reason) and status is PlanStatus.DRAFT)

    def _update_complete(self, item: WorkingItem | None) -> None:
        status = self.view.status
        if status is not PlanStatus.APPROVED:
            reason = ("Record the patient's approval first (TP-12)." if status is PlanStatus.DRAFT
                      else f"This plan is {status_label(status)}.")
            self._set(self.complete_action, False, reason)
        elif item is None:
            self._set(self.complete_action, False, "Select the item done at this visit.")
        elif item.is_completed:
            self._set(self.complete_action, False, f"{item.label(self.working.numbering)} is already completed.")
        else:
            # Enabled; a refusal (unfinished prerequisites, TP-9) is shown when it is pressed.
            self._set(self.complete_action, True, self._completion_refusal(item.key) or "")

    def _completion_refusal(self, key: int) -> str | None:
        db_id = self.working.ids.get(key)
        view = self.view
        if db_id is None or db_id not in {row.id for row in view.items}:
            return "Save the plan first (Ctrl+S)."
        try:
            check_can_complete(view.facts(), db_id, view.status, view.blocked_item_ids)
        except RuleViolation as exc:
            return exc.message
        return None

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))
        self.message.setAccessibleDescription(text)

    def _changed(self) -> None:
        self.show_message("")
        self.refresh()

    def _open(self, dialog: QWidget) -> None:
        """Open a dialog window-modal without blocking; the editor takes the keyboard back after."""
        self.dialog = dialog
        dialog.finished.connect(self._dialog_closed)  # type: ignore[attr-defined]
        dialog.open()  # type: ignore[attr-defined]

    def _dialog_closed(self, *_args: object) -> None:
        self.dialog = None
        self.activateWindow()
        self.tree.setFocus()

    # --- editing (each edit is an undo step on the working copy)

    def _push(self, command) -> None:  # type: ignore[no-untyped-def]
        self.undo_stack.push(command)

    def _plan(self) -> WorkingPlan:
        return self.working

    def _form(self) -> tuple[ItemFormFacts, list[CodeRow]]:
        if self._form_facts is None or self._codes is None:
            self._form_facts = item_form_facts(self.ctx.uow(), self.view.patient_id, self.ctx.user.provider_id)
            self._codes = office_codes(self.ctx.uow(), self.view.office_id, include_inactive=True)
        return self._form_facts, self._codes

    def _item_dialog(self, title: str, initial: ProcedureEntry | None, key: int | None,
                     on_ok: Callable[[ProcedureEntry], None]) -> PatientTransactionDialog:
        facts, codes = self._form()
        patient_id = self.view.patient_id
        dialog = PatientTransactionDialog(
            facts, codes, lambda code: quote_fee(self.ctx.uow(), patient_id, code),
            initial=initial, title=title, parent=self,
        )
        dialog.procedure.fee_changed.connect(lambda fee: self.preview_fee(key, fee))
        dialog.accepted.connect(lambda: on_ok(dialog.entry()))
        dialog.finished.connect(lambda _r: self.totals.show_total(self.working.total()))
        self._open(dialog)
        return dialog

    def add_item(self) -> PatientTransactionDialog | None:
        """"+ Add item" (Ins): the Patient Transactions dialog; OK adds the item as one undo step."""
        if not self.can_edit():
            self.show_message(self.edit_refusal())
            return None
        selected = self.working.items.get(self.selected_key() or -1)
        visit = selected.visit if selected is not None else None

        def added(entry: ProcedureEntry) -> None:
            key = self.working.new_key()
            item = self._item_from(entry, key, visit=visit, sequence=self.working.sequence_after())
            self._push(AddItemCommand(self._plan, self._changed, item))
            self.select(key)

        return self._item_dialog("Patient Transactions - add plan item", None, None, added)

    def edit_item(self) -> PatientTransactionDialog | None:
        key = self.selected_key()
        if key is None or not self.edit_action.isEnabled():
            self.show_message(self.edit_action.toolTip())
            return None
        before = self.working.item(key)
        facts, codes = self._form()
        code = next((c for c in codes if c.code == before.code), None)
        initial = None
        if code is not None:
            initial = ProcedureEntry(
                code=code, tooth=before.tooth, surfaces=before.surfaces, provider_id=before.provider_id,
                provider_name=before.provider_name, collection_provider_id=before.collection_provider_id,
                fee=before.fee, schedule_fee=before.schedule_fee, fee_source=before.fee_source, rtu=before.rtu,
                notes=before.notes,
            )

        def edited(entry: ProcedureEntry) -> None:
            after = self._item_from(entry, key, visit=before.visit, sequence=before.sequence, base=before)
            if after != before:
                self._push(EditItemCommand(self._plan, self._changed, before, after))

        return self._item_dialog(f"Patient Transactions - {before.label(self.working.numbering)}", initial, key, edited)

    def _item_from(self, entry: ProcedureEntry, key: int, *, visit: int | None, sequence: int,
                   base: WorkingItem | None = None) -> WorkingItem:
        item = WorkingItem(
            key=key, code=entry.code.code, name=entry.code.name, category=entry.code.category,
            insurable=entry.code.insurable, requires_tooth=entry.code.requires_tooth,
            requires_surface=entry.code.requires_surface, charts_graphic=entry.code.charts_graphic,
            tooth=entry.tooth, surfaces=entry.surfaces, provider_id=entry.provider_id,
            provider_name=entry.provider_name, collection_provider_id=entry.collection_provider_id,
            fee=entry.fee, schedule_fee=entry.schedule_fee, fee_source=entry.fee_source, rtu=entry.rtu,
            visit=visit, sequence=sequence, notes=entry.notes,
        )
        if base is not None:
            item = replace(item, status=base.status, completed_on=base.completed_on, approved_fee=base.approved_fee,
                           prerequisites=base.prerequisites)
        return item

    def edit_fee_in_place(self) -> None:
        """F2: type the fee in the row; the total follows each keystroke (TP-7)."""
        key = self.selected_key()
        if key is None or not self.fee_action.isEnabled():
            self.show_message(self.fee_action.toolTip())
            return
        index = self.model.index_of(key).siblingAtColumn(FEE_COLUMN)
        self.tree.setCurrentIndex(index)
        self.tree.edit(index)

    def preview_fee(self, key: int | None, fee: Decimal | None) -> None:
        """TP-7: the total with the fee being typed, before anything is saved."""
        if key is None:
            total = self.working.total() + (fee or Decimal(0))
        else:
            total = self.working.total_with_fee(key, fee)
        self.totals.show_total(total, typing=True)

    def commit_fee(self, key: int, fee: Decimal) -> None:
        """A fee typed in the row becomes one undo step, "Change fee of D2740 #14"."""
        # Called from inside the view's commit: the tree is rebuilt once the editor has closed.
        QTimer.singleShot(0, lambda: self._change_fee(key, fee))

    def _change_fee(self, key: int, fee: Decimal) -> None:
        before = self.working.items.get(key)
        if before is not None and before.fee != fee:
            self._push(EditItemCommand(self._plan, self._changed, before, replace(before, fee=fee)))
        else:
            self.totals.show_total(self.working.total())

    def refuse(self, message: str) -> None:
        self.show_message(message)
        self.totals.show_total(self.working.total())

    def remove_item(self) -> None:
        key = self.selected_key()
        if key is None or not self.remove_action.isEnabled():
            self.show_message(self.remove_action.toolTip())
            return
        self._push(RemoveItemCommand(self._plan, self._changed, key))

    def depends_on(self) -> DependsOnDialog | None:
        """"Depends on…": pick the prerequisite; a loop is refused with its path (TP-8)."""
        key = self.selected_key()
        if key is None or not self.link_action.isEnabled():
            self.show_message(self.link_action.toolTip())
            return None
        dialog = DependsOnDialog(self.working, key, self)
        dialog.accepted.connect(
            lambda: self._push(LinkCommand(self._plan, self._changed, key, dialog.prerequisite))
            if dialog.prerequisite is not None else None
        )
        self._open(dialog)
        return dialog

    def remove_dependency(self) -> None:
        key = self.selected_key()
        if key is None or not self.unlink_action.isEnabled():
            self.show_message(self.unlink_action.toolTip())
            return
        item = self.working.item(key)
        prerequisites = sorted(item.prerequisites)
        if len(prerequisites) > 1:  # one user action, one undo step
            self.undo_stack.beginMacro(f"Remove dependencies of {item.label(self.working.numbering)}")
        for prerequisite in prerequisites:
            self._push(UnlinkCommand(self._plan, self._changed, key, prerequisite))
        if len(prerequisites) > 1:
            self.undo_stack.endMacro()

    def move_to_visit(self) -> VisitDialog | None:
        key = self.selected_key()
        if key is None or not self.visit_action.isEnabled():
            self.show_message(self.visit_action.toolTip())
            return None
        item = self.working.item(key)
        dialog = VisitDialog(item.label(self.working.numbering), item.visit, self)
        dialog.accepted.connect(
            lambda: self._push(MoveToVisitCommand(self._plan, self._changed, key, dialog.chosen()))
            if dialog.chosen() != self.working.item(key).visit else None
        )
        self._open(dialog)
        return dialog

    def set_grouping(self, grouping: Grouping) -> None:
        self.model.grouping = grouping
        (self.by_visit if grouping is Grouping.BY_VISIT else self.by_dependency).setChecked(True)
        self.refresh()

    def _toggle_grouping(self) -> None:
        self.set_grouping(Grouping.BY_DEPENDENCY if self.model.grouping is Grouping.BY_VISIT else Grouping.BY_VISIT)

    def _activated(self, index: QModelIndex) -> None:
        if self.model.key_at(index) is not None and self.edit_action.isEnabled():
            self.edit_item()

    # --- saving and loading

    def save(self) -> bool:
        """Save draft (Ctrl+S): the working copy's changes as one action (DATA-1, DATA-2)."""
        if not self.can_edit():
            self.show_message(self.edit_refusal())
            return False
        changes = self.working.changes()
        version = self.view.version
        ok, saved = run_op(
            self.ctx, self,
            lambda: save_draft(self.ctx.uow(), self.ctx.user, self.plan_id, changes, expected_version=version),
            changed="plans", fallback=self.message,
        )
        if not ok or saved is None:
            return False
        self.working.adopt_saved_ids(saved.new_item_ids)
        self.reload(keep_undo=True)
        self.undo_stack.setClean()
        self.statusBar().showMessage("Saved", 4000)
        return True

    def reload(self, *, keep_undo: bool = False) -> None:
        """Load the plan again; the undo history is kept only after this editor's own save."""
        self.working = WorkingPlan.load(load_plan(self.ctx.uow(), self.plan_id), self.working)
        self._form_facts = self._codes = None
        if not keep_undo:
            self.undo_stack.clear()
        self.refresh()

    def ask_reload(self) -> None:
        if not self.is_dirty():
            self.reload()
            return
        self._ask("Reload the plan and lose the changes not saved?", QMessageBox.StandardButton.Discard,
                  lambda answer: self.reload() if answer == QMessageBox.StandardButton.Discard else None)

    def _ask(self, text: str, yes: QMessageBox.StandardButton, then: Callable[[QMessageBox.StandardButton], None],
             extra: QMessageBox.StandardButton | None = None) -> QMessageBox:
        """A question that does not block the window (keyboard and tests answer it like any dialog)."""
        box = QMessageBox(QMessageBox.Icon.Question, "DentalDesk", text, parent=self)
        buttons = [yes] + ([extra] if extra else []) + [QMessageBox.StandardButton.Cancel]
        for button in buttons:
            box.addButton(button)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.finished.connect(lambda _r: then(box.standardButton(box.clickedButton())))
        self._open(box)
        return box

    def _saved_plan_id(self) -> int | None:
        """The plan for the handout: only as saved, so what prints is what is on file."""
        if self.is_dirty():
            self.show_message("Save the plan first (Ctrl+S) so the handout shows your changes.")
            return None
        return self.plan_id

    def _ask_new_plan(self) -> None:
        self.new_plan_requested.emit(self.view.patient_id)

    # --- status actions (recorded at once, never undone here)

    def _save_pending(self) -> bool:
        return not self.is_dirty() or self.save()

    def approve(self) -> ApprovalDialog | None:
        """Approve plan (TP-5, TP-15) or record a new approval of a raised total (TP-12)."""
        if not self.approve_action.isEnabled():
            self.show_message(self.approve_action.toolTip())
            return None
        if not self._save_pending():
            return None
        reapproval = self.view.status is PlanStatus.APPROVED
        version = self.view.version

        def submit(dialog: ApprovalDialog, approver: str, method: ApprovalMethod, png: bytes | None) -> bool:
            service = record_approval if reapproval else approve
            ok, _ = run_op(
                self.ctx, dialog,
                lambda: service(self.ctx.uow(), self.ctx.user, self.plan_id, expected_version=version,
                                approver_name=approver, method=method, signature_png=png),
                changed="plans", field_labels=dialog.errors, fallback=dialog.general,
            )
            return ok

        dialog = ApprovalDialog(self.view, submit, reapproval=reapproval, parent=self)
        dialog.accepted.connect(self._status_changed)
        self._open(dialog)
        return dialog

    def complete_item(self) -> CompleteItemDialog | None:
        """Complete the selected item at this visit (TP-9, TP-12, TP-13, TP-10)."""
        key = self.selected_key()
        if key is None or not self.complete_action.isEnabled():
            self.show_message(self.complete_action.toolTip())
            return None
        if not self._save_pending():
            return None
        refusal = self._completion_refusal(key)
        if refusal:
            self.show_message(refusal)
            return None
        item = self.working.item(key)
        db_id = self.working.ids[key]
        version = self.view.version

        def submit(dialog: CompleteItemDialog, dos: dt.date) -> bool:
            ok, _ = run_op(
                self.ctx, dialog,
                lambda: complete_item(self.ctx.uow(), self.ctx.user, self.plan_id, db_id, expected_version=version,
                                      completed_on=dos),
                changed="plans", field_labels=dialog.errors, fallback=dialog.general,
            )
            return ok

        dialog = CompleteItemDialog(item.label(self.working.numbering), item.name, fee_text(item), submit, parent=self)
        dialog.accepted.connect(self._status_changed)
        self._open(dialog)
        return dialog

    def cancel_plan(self) -> CancelPlanDialog | None:
        """Cancel plan: asks the reason (TP-3)."""
        if not self.cancel_action.isEnabled():
            self.show_message(self.cancel_action.toolTip())
            return None
        if not self._save_pending():
            return None
        version = self.view.version

        def submit(dialog: CancelPlanDialog, reason: str) -> bool:
            ok, _ = run_op(
                self.ctx, dialog,
                lambda: cancel_plan(self.ctx.uow(), self.ctx.user, self.plan_id, reason, expected_version=version),
                changed="plans", field_labels=dialog.errors, fallback=dialog.general,
            )
            return ok

        dialog = CancelPlanDialog(self.view.title, submit, self)
        dialog.accepted.connect(self._status_changed)
        self._open(dialog)
        return dialog

    def _status_changed(self) -> None:
        self.show_message("")
        self.reload()
        self.undo_stack.setClean()
        status = self.view.status
        if status is PlanStatus.COMPLETED:
            self.statusBar().showMessage("Every item is done: the plan is completed (TP-10).", 6000)

    # --- closing

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._discard_ok or not self.can_edit() or not self.is_dirty():
            event.accept()
            return
        event.ignore()

        def answered(answer: QMessageBox.StandardButton) -> None:
            if answer == QMessageBox.StandardButton.Save and self.save():
                self._discard_ok = True
                self.close()
            elif answer == QMessageBox.StandardButton.Discard:
                self._discard_ok = True
                self.close()

        self._ask(f"Save the changes to \"{self.view.title}\"?", QMessageBox.StandardButton.Save, answered,
                  QMessageBox.StandardButton.Discard)
