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

from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeyEvent, QKeySequence, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QTreeView,
    QWidget,
)

from dentaldesk.domain.errors import DentalDeskError
from dentaldesk.domain.plans import new_approval_refusal, status_label
from dentaldesk.domain.terms import PLAN_EDITOR_ROLES, PlanStatus
from dentaldesk.services.plans import (
    ItemFormFacts,
    PlanSaved,
    PlanView,
    item_form_facts,
    load_plan,
    save_draft,
)
from dentaldesk.services.plans.options import OptionSummary, compare_options
from dentaldesk.services.practice.codes import CodeRow, office_codes
from dentaldesk.ui.kit import palette
from dentaldesk.ui.kit.conflicts import ConflictBar
from dentaldesk.ui.kit.context import AppContext
from dentaldesk.ui.kit.operations import run_op
from dentaldesk.ui.kit.widgets import RowHeightDelegate
from dentaldesk.ui.plans.approval_dialog import ApprovalDialog
from dentaldesk.ui.plans.commands import (
    EditItemCommand,
    LinkCommand,
    MoveToVisitCommand,
    RemoveItemCommand,
    UnlinkCommand,
)
from dentaldesk.ui.plans.dialogs import CancelPlanDialog, CompleteItemDialog, DependsOnDialog, VisitDialog
from dentaldesk.ui.plans.editor_chrome import EditorWidgets, make_chrome
from dentaldesk.ui.plans.editor_options import OptionFlows, not_chosen_banner
from dentaldesk.ui.plans.insurance_panel import InsurancePanel
from dentaldesk.ui.plans.item_flows import ItemFlows
from dentaldesk.ui.plans.options_panel import OptionNameDialog, OptionsStrip
from dentaldesk.ui.plans.panels import SidePanels, TotalsBar
from dentaldesk.ui.plans.plan_model import COLUMNS, FEE_COLUMN, NAME_COLUMN, FeeDelegate, Grouping, PlanTreeModel
from dentaldesk.ui.plans.status_flows import StatusFlows, completion_refusal
from dentaldesk.ui.plans.working_copy import WorkingItem, WorkingPlan
from dentaldesk.ui.transactions import PatientTransactionDialog
from dentaldesk.ui.transactions.help import column_help

# Ctrl+Enter on the main keyboard and on the keypad.
GO_AHEAD_KEYS = [QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")]
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
        # CASE-1: the working copy is of one option; None = the plan's counted option.
        self.option_id: int | None = None
        self.summaries: tuple[OptionSummary, ...] = ()

        def refuse(exc: DentalDeskError) -> None:
            raise exc  # no editor without its plan: the one opening it shows why

        _, fetched = run_op(ctx, parent, self._fetch, refused=refuse, off_thread="Opening the plan...")
        if fetched is None:  # a defect, already reported and logged
            raise DentalDeskError("The plan could not be opened: something went wrong (see errors.log).")
        self.working = WorkingPlan.load(self._adopt(fetched))
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
        self.tree.setItemDelegate(RowHeightDelegate(self.tree))  # the app's one row height
        header = self.tree.header()
        # Sized from the rows' texts at each redraw (fit_columns), not by Qt asking every cell of
        # every column on each layout; the person can widen a column.
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        # The name takes what is left (elided when narrow), so Fee and Status always show.
        header.setSectionResizeMode(NAME_COLUMN, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        self.delegate = FeeDelegate(self.model, self.preview_fee, self.commit_fee, self.refuse, self.tree)
        self.tree.setItemDelegateForColumn(FEE_COLUMN, self.delegate)
        self.delegate.closeEditor.connect(lambda *_: self.show_working_total())
        self.totals = TotalsBar()
        self.panels = SidePanels()
        self.insurance = InsurancePanel(self)  # CASE-2 preauthorization, CASE-5 benefit years
        self.panels.addTab(self.insurance, "Ins&urance")
        self.approve_reason = QLabel()
        self.approve_reason.setObjectName("approve_reason")
        self.approve_reason.setWordWrap(True)
        self.approve_reason.setStyleSheet(f"color: {palette.WARNING};")
        self.message = QLabel()
        self.message.setObjectName("editor_message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(palette.ERROR_STYLE)
        self.message.setVisible(False)
        self.conflict = ConflictBar(self.reload_keeping_edits, name="plan_conflict")
        self.options = OptionsStrip()
        self.options.option_picked.connect(lambda option_id: self.option_flows.show_option(option_id))

        widgets = EditorWidgets(
            title_label=self.title_label,
            options=self.options,
            tree=self.tree,
            panels=self.panels,
            totals=self.totals,
            approve_reason=self.approve_reason,
            message=self.message,
            conflict=self.conflict,
        )
        self.chrome = make_chrome(self, self, self.undo_stack, widgets, self._handout_menu)
        chrome = self.chrome
        self.item_flows = ItemFlows(self, self, chrome.edit_action)
        self.status_flows = StatusFlows(self, self, chrome.approve_action, chrome.complete_action, chrome.cancel_action)
        self.option_flows = OptionFlows(self, self, self.options, self.tree)
        self.tree.selectionModel().currentRowChanged.connect(lambda *_: self._update_actions())
        self.tree.selectionModel().currentChanged.connect(lambda *_: self._show_column_help())
        self.tree.activated.connect(self._activated)
        self.tree.installEventFilter(self)  # Ctrl+Enter in the list goes ahead instead of opening the item
        self.undo_stack.cleanChanged.connect(self._stack_changed)
        self.undo_stack.indexChanged.connect(self._stack_changed)
        self.resize(1180, 720)
        ctx.changes.remote.connect(self._remote)
        self.refresh()
        self.tree.setFocus()

    # --- state

    @property
    def view(self) -> PlanView:
        return self.working.view

    def _fetch(self, option_id: int | None = None) -> tuple[PlanView, tuple[OptionSummary, ...]]:
        """The plan as saved, of the option shown or ``option_id`` (CASE-1), with every option's
        comparison; an option removed meanwhile falls back to the plan's counted option. Reads only,
        touching nothing of the editor: always run through run_op (a save's on its worker)."""
        uow, user = self.ctx.uow, self.ctx.user
        wanted = self.option_id if option_id is None else option_id
        summaries = compare_options(uow(), user, self.plan_id)
        if wanted not in {o.id for o in summaries}:
            wanted = None
        return load_plan(uow(), user, self.plan_id, wanted), summaries

    def _adopt(self, fetched: tuple[PlanView, tuple[OptionSummary, ...]]) -> PlanView:
        """What :meth:`_fetch` read becomes the option shown and the options compared."""
        view, summaries = fetched
        self.option_id, self.summaries = view.option_id, summaries
        return view

    def can_edit(self) -> bool:
        return self.ctx.user.role in PLAN_EDITOR_ROLES and self.view.status in EDITABLE and not self.view.is_not_chosen

    def edit_refusal(self) -> str:
        if self.ctx.user.role not in PLAN_EDITOR_ROLES:
            return (
                f"{self.ctx.user.role.label} users cannot change treatment plans (TP-1); "
                "ask an Owner, Admin or Dentist."
            )
        if self.view.status not in EDITABLE:
            return f"This plan is {status_label(self.view.status)}; it can no longer be changed."
        if self.view.is_not_chosen:
            return f'"{self.view.option_name}" was not chosen; it is kept as it was presented (CASE-1).'
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
        if self.model.grouping is Grouping.BY_VISIT:  # a visit's caption across its row (TP-16)
            for row in range(self.model.rowCount()):
                self.tree.setFirstColumnSpanned(row, QModelIndex(), True)
        self.fit_columns()
        self.select(key)
        self.totals.show_plan(self.working)
        self.panels.show_view(self.view)
        self.insurance.show_plan()
        self.options.show_options(self.summaries, self.view.option_id, not_chosen_banner(self.view))
        if self.view.is_not_chosen:  # the approved total is the chosen option's, not this one's
            self.totals.approved.setText("")
        # CASE-1: a not-chosen option is shown greyed, read-only.
        self.tree.setStyleSheet(f"QTreeView {{ color: {palette.FAINT}; }}" if self.view.is_not_chosen else "")
        self._update_title()
        self._update_actions()
        self._show_column_help()

    def fit_columns(self) -> None:
        """Each column as wide as its widest text or its title (the name takes what is left)."""
        header = self.tree.header()
        widths = self.model.column_widths(self.tree.fontMetrics(), self.tree.indentation())
        for column, width in enumerate(widths):
            if column != NAME_COLUMN:
                header.resizeSection(column, max(width, header.sectionSizeHint(column)))

    def _show_column_help(self) -> None:
        """F1 on the item list explains the current cell's column (the tooth in the office's numbering)."""
        column = max(0, self.tree.currentIndex().column())
        self.tree.setWhatsThis(column_help(COLUMNS[column], self.view.numbering))

    def _stack_changed(self, *_args: object) -> None:
        self._update_title()

    def _update_title(self) -> None:
        view = self.view
        dirty = self.is_dirty()
        self.setWindowTitle(f"{'* ' if dirty else ''}{view.title} - {view.patient_name} - DentalDesk")
        unsaved = f" · <span style='color:{palette.WARNING}'>unsaved changes</span>" if dirty else ""
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
        self._set(self.chrome.new_plan_action, self.ctx.user.role in PLAN_EDITOR_ROLES, refusal)
        self._set(self.chrome.add_action, can_edit, refusal)
        for action in (
            self.chrome.edit_action,
            self.chrome.fee_action,
            self.chrome.remove_action,
            self.chrome.visit_action,
        ):
            self._set(
                action,
                can_edit and planned,
                refusal or (no_item if item is None else "A completed item cannot be changed."),
            )
        self._set(
            self.chrome.link_action,
            can_edit and item is not None and len(self.working.items) > 1,
            refusal or (no_item if item is None else "Add another item first."),
        )
        self._set(
            self.chrome.unlink_action,
            can_edit and item is not None and bool(item.prerequisites),
            refusal or (no_item if item is None else "This item depends on no other item."),
        )
        self._set(self.chrome.save_action, can_edit, refusal)
        self.chrome.save_action.setText("&Save changes" if self.view.status is PlanStatus.APPROVED else "&Save draft")
        # Cancelling is of the whole plan, whichever option is shown.
        plan_editable = self.ctx.user.role in PLAN_EDITOR_ROLES and self.view.status in EDITABLE
        self._set(self.chrome.cancel_action, plan_editable, "" if plan_editable else refusal)
        option_refusals = self.option_flows.refusals()
        for name, action in (
            ("add", self.chrome.add_option_action),
            ("copy", self.chrome.copy_option_action),
            ("rename", self.chrome.rename_option_action),
            ("remove", self.chrome.remove_option_action),
        ):
            reason = option_refusals[name]
            self._set(action, not reason, reason)
        several = len(self.view.options) > 1
        self._set(self.chrome.next_option_action, several, "This plan has one option.")
        self._set(self.chrome.previous_option_action, several, "This plan has one option.")
        self._update_approve()
        self._update_complete(item)
        self._update_shortcuts()

    def _update_shortcuts(self) -> None:
        """Ctrl+Enter goes ahead as fits: approve a draft or a raised total, else complete an item."""
        status = self.view.status
        approving = status is PlanStatus.DRAFT or (
            status is PlanStatus.APPROVED and self.chrome.approve_action.isEnabled()
        )
        ahead, other = (
            (self.chrome.approve_action, self.chrome.complete_action)
            if approving
            else (self.chrome.complete_action, self.chrome.approve_action)
        )
        other.setShortcuts([])
        ahead.setShortcuts(GO_AHEAD_KEYS)

    def _update_approve(self) -> None:
        status = self.view.status
        reason = ""
        if status is PlanStatus.DRAFT:
            self.chrome.approve_action.setText("Appr&ove plan…")
            problems = self.working.approval_problems()
            several = len(self.view.options) > 1
            if not self.working.items and several:
                reason = f'"{self.view.option_name}" has no items; an option with no items cannot be approved (CASE-1).'
            elif not self.working.items:
                reason = "Add at least one item before the plan can be approved (TP-5)."
            elif problems:
                reason = "Cannot approve yet (TP-5): " + "; ".join(p.message for p in problems) + "."
        elif status is PlanStatus.APPROVED:
            self.chrome.approve_action.setText("Record new appr&oval…")
            # The service's own rule (TP-12, TP-15); unsaved edits are saved first and change
            # what the approval covers.
            approval = self.view.latest_approval
            reason = new_approval_refusal(
                status,
                total_raised=self.working.needs_reapproval(),
                approval_covers_plan=approval is not None and approval.signature_matches and not self.is_dirty(),
            )
        else:
            self.chrome.approve_action.setText("Appr&ove plan…")
            reason = f"This plan is {status_label(status)}."
        self._set(self.chrome.approve_action, not reason, reason)
        self.approve_reason.setText(reason if status is PlanStatus.DRAFT else "")
        self.approve_reason.setVisible(bool(reason) and status is PlanStatus.DRAFT)

    def _update_complete(self, item: WorkingItem | None) -> None:
        status = self.view.status
        if self.view.is_not_chosen:
            self._set(self.chrome.complete_action, False, self.edit_refusal())
        elif status is not PlanStatus.APPROVED:
            reason = (
                "Record the patient's approval first (TP-12)."
                if status is PlanStatus.DRAFT
                else f"This plan is {status_label(status)}."
            )
            self._set(self.chrome.complete_action, False, reason)
        elif item is None:
            self._set(self.chrome.complete_action, False, "Select the item done at this visit.")
        elif item.is_completed:
            self._set(self.chrome.complete_action, False, f"{item.label} is already completed.")
        else:
            # Enabled; a refusal (unfinished prerequisites, TP-9) is shown when it is pressed.
            self._set(self.chrome.complete_action, True, completion_refusal(self.working, item.key) or "")

    def show_working_total(self) -> None:
        """The total of the working copy as it stands (TP-7), once a fee is no longer being typed."""
        self.totals.show_total(self.working.total())

    def show_status(self, text: str, timeout: int) -> None:
        self.statusBar().showMessage(text, timeout)

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))
        self.message.setAccessibleDescription(text)

    def changed(self) -> None:
        self.show_message("")
        self.refresh()

    def open_dialog(self, dialog: QWidget) -> None:
        """Open a dialog window-modal without blocking; the editor takes the keyboard back after."""
        self.dialog = dialog
        dialog.finished.connect(self._dialog_closed)
        dialog.open()

    def _dialog_closed(self, *_args: object) -> None:
        self.dialog = None
        self.activateWindow()
        self.tree.setFocus()

    # --- editing (each edit is an undo step on the working copy)

    def push(self, command: QUndoCommand) -> None:
        self.undo_stack.push(command)

    def current_plan(self) -> WorkingPlan:
        return self.working

    def form_facts(self) -> tuple[ItemFormFacts, list[CodeRow]] | None:
        """The dialog's header, providers and the office's codes, read once per load (None: refused,
        and the refusal shown)."""
        if self._form_facts is None or self._codes is None:
            patient_id, actor = self.view.patient_id, self.ctx.user

            def read() -> tuple[ItemFormFacts, list[CodeRow]]:
                uow = self.ctx.uow()
                return (
                    item_form_facts(uow, actor, patient_id, actor.provider_id),
                    office_codes(uow, actor, include_inactive=True),
                )

            ok, found = run_op(self.ctx, self, read, off_thread="Reading the office's codes...")
            if not ok or found is None:
                return None
            self._form_facts, self._codes = found
        return self._form_facts, self._codes

    def add_item(self) -> PatientTransactionDialog | None:
        """ "+ Add item" (Ins): the Patient Transactions dialog; OK adds the item as one undo step."""
        return self.item_flows.open_add()

    def edit_item(self) -> PatientTransactionDialog | None:
        """Edit item (Enter, Ctrl+E): the same dialog on the item; OK is one undo step."""
        return self.item_flows.open_edit()

    def edit_fee_in_place(self) -> None:
        """F2: type the fee in the row; the total follows each keystroke (TP-7)."""
        key = self.selected_key()
        if key is None or not self.chrome.fee_action.isEnabled():
            self.show_message(self.chrome.fee_action.toolTip())
            return
        index = self.model.index_of(key).siblingAtColumn(FEE_COLUMN)
        self.tree.setCurrentIndex(index)
        self.tree.edit(index)

    def preview_fee(self, key: int | None, fee: Decimal | None) -> None:
        """TP-7: the total with the fee being typed, before anything is saved."""
        self.show_message("")  # the fee as typed now reads: a refusal of an earlier keystroke is gone
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
            self.push(EditItemCommand(self.current_plan, self.changed, before, replace(before, fee=fee)))
        else:
            self.show_message("")  # a good fee typed again: the refusal of the bad one is gone
            self.show_working_total()

    def refuse(self, message: str) -> None:
        self.show_message(message)
        self.show_working_total()

    def remove_item(self) -> None:
        key = self.selected_key()
        if key is None or not self.chrome.remove_action.isEnabled():
            self.show_message(self.chrome.remove_action.toolTip())
            return
        self.push(RemoveItemCommand(self.current_plan, self.changed, key))

    def depends_on(self) -> DependsOnDialog | None:
        """ "Depends on…": pick the prerequisite; a loop is refused with its path (TP-8)."""
        key = self.selected_key()
        if key is None or not self.chrome.link_action.isEnabled():
            self.show_message(self.chrome.link_action.toolTip())
            return None
        dialog = DependsOnDialog(self.working, key, self)
        dialog.accepted.connect(
            lambda: (
                self.push(LinkCommand(self.current_plan, self.changed, key, dialog.prerequisite))
                if dialog.prerequisite is not None
                else None
            )
        )
        self.open_dialog(dialog)
        return dialog

    def remove_dependency(self) -> None:
        key = self.selected_key()
        if key is None or not self.chrome.unlink_action.isEnabled():
            self.show_message(self.chrome.unlink_action.toolTip())
            return
        item = self.working.item(key)
        prerequisites = sorted(item.prerequisites)
        if len(prerequisites) > 1:  # one user action, one undo step
            self.undo_stack.beginMacro(f"Remove dependencies of {item.label}")
        for prerequisite in prerequisites:
            self.push(UnlinkCommand(self.current_plan, self.changed, key, prerequisite))
        if len(prerequisites) > 1:
            self.undo_stack.endMacro()

    def move_to_visit(self) -> VisitDialog | None:
        key = self.selected_key()
        if key is None or not self.chrome.visit_action.isEnabled():
            self.show_message(self.chrome.visit_action.toolTip())
            return None
        item = self.working.item(key)
        dialog = VisitDialog(item.label, item.visit, self)
        dialog.accepted.connect(
            lambda: (
                self.push(MoveToVisitCommand(self.current_plan, self.changed, key, dialog.chosen()))
                if dialog.chosen() != self.working.item(key).visit
                else None
            )
        )
        self.open_dialog(dialog)
        return dialog

    def set_grouping(self, grouping: Grouping) -> None:
        self.model.grouping = grouping
        (self.chrome.by_visit if grouping is Grouping.BY_VISIT else self.chrome.by_dependency).setChecked(True)
        self.refresh()

    def switch_grouping(self) -> None:
        self.set_grouping(Grouping.BY_DEPENDENCY if self.model.grouping is Grouping.BY_VISIT else Grouping.BY_VISIT)

    def go_ahead(self) -> object:
        """Ctrl+Enter: approve (a draft, a raised total) or complete the selected item, whichever has
        the keys now; a refusal shows at the editor's message line."""
        return self.approve() if self.chrome.approve_action.shortcuts() else self.complete_item()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.tree
            and event.type() == QEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            self.go_ahead()
            return True
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """A shortcut of a disabled action (front desk pressing Ins or F2, TP-1; Delete on a completed
        item) says why at the editor's message line instead of doing nothing."""
        pressed = QKeySequence(event.keyCombination())
        for action in self.actions():
            if not action.isEnabled() and any(
                k.matches(pressed) == QKeySequence.SequenceMatch.ExactMatch for k in action.shortcuts()
            ):
                self.show_message(action.toolTip())
                event.accept()
                return
        super().keyPressEvent(event)

    def _activated(self, index: QModelIndex) -> None:
        if self.model.key_at(index) is not None and self.chrome.edit_action.isEnabled():
            self.edit_item()

    # --- saving and loading

    def save(self) -> bool:
        """Save draft (Ctrl+S): the working copy's changes as one action (DATA-1, DATA-2)."""
        if not self.can_edit():
            self.show_message(self.edit_refusal())
            return False
        changes = self.working.changes()
        ctx, actor, plan_id, version, option_id = (
            self.ctx,
            self.ctx.user,
            self.plan_id,
            self.view.version,
            self.option_id,
        )

        def save_and_load() -> tuple[PlanSaved, tuple[PlanView, tuple[OptionSummary, ...]]]:
            saved = save_draft(ctx.uow(), actor, plan_id, changes, expected_version=version)
            return saved, self._fetch(option_id)  # the plan as saved, read on the same worker

        ok, answer = run_op(
            self.ctx,
            self,
            save_and_load,
            changed="plans",
            fallback=self.message,
            conflict=self.conflict,
            off_thread="Saving the plan...",
        )
        if not ok or answer is None:
            return False
        saved, fetched = answer
        fresh = self._adopt(fetched)
        self.working.adopt_saved(changes, saved.new_item_ids)
        self.reload(keep_undo=True, view=fresh)
        self.undo_stack.setClean()
        self.statusBar().showMessage("Saved", 4000)
        return True

    def reload(self, *, keep_undo: bool = False, view: PlanView | None = None) -> None:
        """Load the plan again (or show ``view``, just read); the undo history is kept only after
        this editor's own save."""
        if view is None:
            ok, fetched = run_op(self.ctx, self, self._fetch, fallback=self.message, off_thread="Reading the plan...")
            if not ok or fetched is None:
                return
            view = self._adopt(fetched)
        self.working = WorkingPlan.load(view, self.working)
        self._form_facts = self._codes = None
        if not keep_undo:
            self.undo_stack.clear()
        self.show_message("")  # what was refused is about the plan as it was
        self.refresh()

    def _remote(self, change: object) -> None:
        """DATA-7: another workstation saved this plan. Without unsaved edits the editor shows it as saved
        now; with them nothing is overwritten: it says so and offers to reload keeping the edits."""
        items = set(self.working.ids.values())
        touches = change.touches
        if not (touches("treatment_plan", self.plan_id) or any(touches("plan_item", i) for i in items)):
            return
        who = getattr(change, "who", "") or "Another workstation"
        if self.is_dirty():
            self.conflict.show_conflict(
                f"{who} changed this plan while you were editing it. Your unsaved changes are kept: reload to "
                "see theirs with yours re-applied (DATA-7)."
            )
            return
        if self.dialog is not None and self.dialog.isVisible():
            return  # a dialog of this editor is open: the plan is reloaded when it closes (status_changed)
        self.reload()
        self.statusBar().showMessage(f"{who} changed this plan; it is shown as saved now.", 8000)

    def reload_keeping_edits(self) -> None:
        """DATA-4: the plan as another workstation saved it, with this editor's unsaved edits re-applied
        where they do not touch what that workstation changed. A new undo history starts."""
        ok, fetched = run_op(self.ctx, self, self._fetch, fallback=self.message)
        if not ok or fetched is None:
            return
        fresh = self._adopt(fetched)
        self.working, skipped = self.working.rebase(fresh)
        self._form_facts = self._codes = None
        self.undo_stack.clear()
        self.show_message("")
        self.refresh()
        if skipped:
            note = (
                "Reloaded the other workstation's changes; yours are re-applied except "
                + "; ".join(skipped)
                + ". Check them, then save."
            )
        else:
            note = "Reloaded the other workstation's changes; yours are re-applied. Save to keep them."
        self.conflict.show_note(note if self.is_dirty() else "Reloaded the other workstation's changes.")

    def ask_reload(self) -> None:
        if not self.is_dirty():
            self.reload()
            self.conflict.clear()
            return
        box = self.ask(
            "Reload the plan? Keep my changes re-applies your unsaved edits onto what was saved meanwhile; "
            "Discard loses them.",
            QMessageBox.StandardButton.Discard,
            self._reload_answered,
            extra=QMessageBox.StandardButton.Apply,
        )
        box.button(QMessageBox.StandardButton.Apply).setText("&Keep my changes")

    def _reload_answered(self, answer: QMessageBox.StandardButton) -> None:
        if answer == QMessageBox.StandardButton.Discard:
            self.reload()
            self.conflict.clear()
        elif answer == QMessageBox.StandardButton.Apply:
            self.reload_keeping_edits()

    def ask(
        self,
        text: str,
        yes: QMessageBox.StandardButton,
        then: Callable[[QMessageBox.StandardButton], None],
        extra: QMessageBox.StandardButton | None = None,
    ) -> QMessageBox:
        """A question that does not block the window (keyboard and tests answer it like any dialog)."""
        box = QMessageBox(QMessageBox.Icon.Question, "DentalDesk", text, parent=self)
        buttons = [yes] + ([extra] if extra else []) + [QMessageBox.StandardButton.Cancel]
        for button in buttons:
            box.addButton(button)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.finished.connect(lambda _r: then(box.standardButton(box.clickedButton())))
        self.open_dialog(box)
        return box

    def saved_plan_id(self) -> int | None:
        """The plan for the handout: only as saved, so what prints is what is on file."""
        if self.is_dirty():
            self.show_message("Save the plan first (Ctrl+S) so the handout shows your changes.")
            return None
        return self.plan_id

    def _handout_menu(self) -> QMenu:
        from dentaldesk.ui.plans.print_handout import handout_menu

        return handout_menu(self.ctx, self, self.saved_plan_id, with_print=False)

    def print_preview(self):
        """Print preview (Ctrl+P, TP-17): the handout as saved, printer or not; Save as PDF from it."""
        from dentaldesk.ui.plans.print_handout import print_plan

        plan_id = self.saved_plan_id()
        if plan_id is None:
            return None
        dialog = print_plan(self.ctx, self, plan_id)
        if dialog is not None:
            self.dialog = dialog
            dialog.finished.connect(self._dialog_closed)
        return dialog

    def ask_new_plan(self) -> None:
        self.new_plan_requested.emit(self.view.patient_id)

    # --- options (CASE-1; recorded at once, see editor_options.py)

    def add_option(self) -> OptionNameDialog | None:
        """Add option: a new, empty option beside the others."""
        return self.option_flows.open_add_option(copy=False)

    def copy_option(self) -> OptionNameDialog | None:
        """Copy option: this option's items and links as the start of another."""
        return self.option_flows.open_add_option(copy=True)

    def rename_option(self) -> OptionNameDialog | None:
        return self.option_flows.open_rename_option()

    def remove_option(self) -> QMessageBox | None:
        return self.option_flows.ask_remove_option()

    def next_option(self) -> None:
        self.option_flows.step_option(1)

    def previous_option(self) -> None:
        self.option_flows.step_option(-1)

    # --- status actions (recorded at once, never undone here; see status_flows.py)

    def save_pending(self) -> bool:
        return not self.is_dirty() or self.save()

    def approve(self) -> ApprovalDialog | None:
        """Approve plan (TP-5, TP-15) or record a new approval of a raised total (TP-12)."""
        return self.status_flows.open_approval()

    def complete_item(self) -> CompleteItemDialog | None:
        """Complete the selected item at this visit (TP-9, TP-12, TP-13, TP-10)."""
        return self.status_flows.open_completion()

    def cancel_plan(self) -> CancelPlanDialog | None:
        """Cancel plan: asks the reason (TP-3)."""
        return self.status_flows.open_cancel()

    def status_changed(self) -> None:
        """After an approval, a completion or a cancel: reload, and a new undo history starts."""
        self.show_message("")
        self.reload()
        self.undo_stack.setClean()
        if self.view.status is PlanStatus.COMPLETED:
            self.statusBar().showMessage("Every item is done: the plan is completed (TP-10).", 6000)

    # --- closing

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._discard_ok or not self.can_edit() or not self.is_dirty():
            event.accept()
            return
        event.ignore()

        def answered(answer: QMessageBox.StandardButton) -> None:
            if (
                answer == QMessageBox.StandardButton.Save
                and self.save()
                or answer == QMessageBox.StandardButton.Discard
            ):
                self._discard_ok = True
                self.close()

        self.ask(
            f'Save the changes to "{self.view.title}"?',
            QMessageBox.StandardButton.Save,
            answered,
            QMessageBox.StandardButton.Discard,
        )
