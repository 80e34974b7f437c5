"""The main window: top navigation, patient header, views, status bar.

The window opens on Patients; the Treatments, Ledger and Settings views are made the first time
they are shown (``treatments``, ``ledger``, ``settings`` make them when first asked for), so
Log in shows the main window without building and laying out views nobody has opened yet.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from dentaldesk import __version__
from dentaldesk.config import describe_url
from dentaldesk.domain.errors import DentalDeskError
from dentaldesk.services.patients.search import PatientHeader, patient_header
from dentaldesk.services.plans import billing_summary_for_patient
from dentaldesk.services.practice.office import OfficeInfo
from dentaldesk.services.practice.session import SessionStart
from dentaldesk.ui.chart.panel import PatientChartPanel
from dentaldesk.ui.kit.background import Background
from dentaldesk.ui.kit.context import AppContext
from dentaldesk.ui.kit.live import LiveRefresh
from dentaldesk.ui.kit.operations import run_op
from dentaldesk.ui.ledger.view import LedgerView
from dentaldesk.ui.patients.header import PatientHeaderBar
from dentaldesk.ui.patients.view import PatientsView
from dentaldesk.ui.plans.followup_view import FollowUpView
from dentaldesk.ui.plans.treatments_view import TreatmentsView
from dentaldesk.ui.settings.view import SettingsView
from dentaldesk.ui.shell.auto_backup import AutoBackup
from dentaldesk.ui.shell.idle_lock import IdleLock


class MainWindow(QMainWindow):
    """The main window. ``session_ended`` says "logout" or "switch" once the login session is over
    (the start-up wiring then shows the login window again)."""

    session_ended = Signal(str)

    def __init__(self, ctx: AppContext, office: OfficeInfo | None = None, *, start: SessionStart | None = None) -> None:
        """``start``: the session's first figures, read with the login (else read here)."""
        super().__init__()
        self._replaced = False
        self.ctx = ctx
        if start is not None:
            office = start.office
        elif office is None:
            office = _office_of(ctx)
        self.office = office
        self.patient: PatientHeader | None = None
        self.setWindowTitle(f"DentalDesk - {office.name}")
        self.resize(1180, 760)

        from dentaldesk.ui.kit.widgets import install_field_help

        install_field_help()  # F1: the focused field's help, in every window
        self.header = PatientHeaderBar()
        self.patients = PatientsView(ctx, start=start.lists if start is not None else None)
        # The patient view: search on the left, the chosen patient's tooth chart beside it.
        self.chart = PatientChartPanel(ctx)
        self.patients_page = QSplitter()
        self.patients_page.setObjectName("patients_page")
        self.patients_page.addWidget(self.patients)
        self.patients_page.addWidget(self.chart)
        self.patients_page.setStretchFactor(0, 1)
        self.patients_page.setStretchFactor(1, 1)
        self._views: dict[str, QWidget] = {}
        self.stack = QStackedWidget()
        self.stack.setObjectName("views")

        self.nav = QToolBar("Navigation")
        self.nav.setObjectName("top_nav")
        self.nav.setMovable(False)
        self.addToolBar(self.nav)
        group = QActionGroup(self)
        self.nav_actions: dict[str, QAction] = {}
        self.stack.addWidget(self.patients_page)
        views = (
            ("&Patients", "Patients", "patients"),
            ("&Treatments", "Treatments", "treatments"),
            ("Follow-&up", "Follow-up", "followup"),  # Alt+F is the File menu's
            ("&Ledger", "Ledger", "ledger"),
            ("&Settings", "Settings", "settings"),
        )
        for number, (text, name, attr) in enumerate(views, start=1):
            action = QAction(text, self)
            action.setObjectName(f"nav_{attr}")
            action.setCheckable(True)
            action.setShortcut(QKeySequence(f"Ctrl+{number}"))
            action.setToolTip(f"{name} (Ctrl+{number})")
            action.triggered.connect(lambda _checked=False, a=attr: self.show_view(getattr(self, a)))
            group.addAction(action)
            self.nav.addAction(action)
            self.nav_actions[name] = action
        self.nav_actions["Patients"].setChecked(True)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addWidget(self.header)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        user = ctx.user
        self.status_user = QLabel(f"{user.full_name} ({user.role.label})")
        self.status_user.setObjectName("status_user")
        self.status_office = QLabel(f"{office.name} - office ID {office.office_code}")
        self.status_office.setObjectName("status_office")
        self.status_db = QLabel(describe_url(ctx.database))
        self.status_db.setObjectName("status_database")
        bar = self.statusBar()
        # Permanent widgets sit on the right and stay visible while a passing message shows.
        for label in (self.status_user, self.status_office, self.status_db):
            label.setContentsMargins(8, 0, 8, 0)
            bar.addPermanentWidget(label)

        self.patients.patient_chosen.connect(self.choose_patient)
        # One read of the billing summary per action, however many of its areas it changed, made
        # on a worker: the window that acted is not kept waiting for the header.
        self.billing_runner = Background(self, what="The billing summary")
        ctx.changes.announced.connect(
            lambda areas: (
                self.refresh_billing(off_thread=True) if {"plans", "ledger", "patients"} & set(areas) else None
            )
        )
        ctx.changes.changed.connect(self._settings_changed)
        self.show_view(self.patients, refresh=False)  # the view has just read its lists
        self.idle_lock = IdleLock(self, ctx, office.idle_lock_minutes)
        self._ending = False
        self._build_menus()
        self.auto_backup = AutoBackup(self, ctx, start=start)
        ctx.changes.database_replaced.connect(self._database_replaced)
        # DATA-7: other workstations' saves reach the open views; a restore first lets go of the feed.
        self.live = LiveRefresh(ctx, self)
        ctx.before_restore = self.live.stop
        ctx.changes.remote.connect(self._remote)

    # --- the menu bar (SEC-1): File: Lock now, Switch user, Log out, Quit; Tools: Audit log; Help

    def _action(self, text: str, name: str, slot, shortcut: str | None = None) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def _build_menus(self) -> None:
        from dentaldesk.services.access.rights import Right

        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.setObjectName("menu_file")
        self.lock_action = self._action("&Lock now", "action_lock", self.lock_now, "Ctrl+L")
        self.switch_action = self._action("&Switch user...", "action_switch_user", self.switch_user)
        self.logout_action = self._action("Log &out", "action_logout", self.log_out)
        self.quit_action = self._action("&Quit", "action_quit", self.quit, "Ctrl+Q")
        for action in (self.lock_action, self.switch_action, self.logout_action):
            file_menu.addAction(action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        tools = bar.addMenu("&Tools")
        tools.setObjectName("menu_tools")
        self.audit_action = self._action("&Audit log...", "action_audit", self.open_audit, "Ctrl+Shift+A")
        may_audit = Right.READ_AUDIT.allows(self.ctx.user.role)
        self.audit_action.setEnabled(may_audit)
        self.audit_action.setStatusTip(
            "The audit log: who did what, when" if may_audit else "Only an Owner or Admin reads the audit log."
        )
        tools.addAction(self.audit_action)
        self.acceptance_action = self._action("Case a&cceptance report...", "action_acceptance", self.open_acceptance)
        self.acceptance_action.setStatusTip("Presented and accepted plans per provider and month (CASE-6)")
        tools.addAction(self.acceptance_action)
        help_menu = bar.addMenu("&Help")
        help_menu.setObjectName("menu_help")
        self.about_action = self._action("&About DentalDesk", "action_about", self.about)
        help_menu.addAction(self.about_action)
        self.file_menu, self.tools_menu, self.help_menu = file_menu, tools, help_menu

    def lock_now(self) -> None:
        """File > Lock now (Ctrl+L): the same lock as the idle lock, held in the services."""
        self.idle_lock.lock("lock now")

    def open_audit(self) -> None:
        from dentaldesk.ui.audit.window import AuditWindow

        self.audit_window = AuditWindow(self.ctx, self)
        self.audit_window.open()

    def open_acceptance(self) -> None:
        from dentaldesk.ui.plans.acceptance_window import AcceptanceWindow

        self.acceptance_window = AcceptanceWindow(self.ctx, self)
        self.acceptance_window.open()

    def about(self) -> None:
        from dentaldesk.db.migrate import current_revision

        revision = current_revision(self.ctx.engine) or "?"
        self.about_box = QMessageBox(self)
        self.about_box.setObjectName("about_box")
        self.about_box.setWindowTitle("About DentalDesk")
        self.about_box.setText(
            f"<b>DentalDesk {__version__}</b><br>Practice management for dental offices.<br><br>"
            f"Database: {describe_url(self.ctx.database)} (schema {revision})<br>"
            f"Office: {self.office.name} ({self.office.office_code})<br>"
            f"Logged in: {self.ctx.user.full_name} ({self.ctx.user.role.label}) on {self.ctx.user.workstation}"
        )
        self.about_box.setStandardButtons(QMessageBox.StandardButton.Ok)
        self.about_box.open()

    def _end_session(self, how: str) -> None:
        from dentaldesk.services.access.login import logout
        from dentaldesk.ui.kit.operations import run_op

        if how == "quit":
            self.auto_backup.at_close()  # DATA-6: the backup at close, before the session ends
        else:
            self.auto_backup.stop()
        run_op(self.ctx, self, lambda: logout(self.ctx.uow(), self.ctx.user, how=how))
        self._ending = True
        # The login window opens before this one closes, so the app stays up (unless quitting).
        self.session_ended.emit(how)
        self.close()

    def log_out(self) -> None:
        """File > Log out: the session ends (its services refuse from now on) and the login window returns."""
        self._end_session("logout")

    def switch_user(self) -> None:
        """File > Switch user: the session ends and the login window asks for the next user."""
        self._end_session("switch")

    def quit(self) -> None:
        """File > Quit (Ctrl+Q): log out and close DentalDesk."""
        self._end_session("quit")

    def closeEvent(self, event: QCloseEvent) -> None:
        # A closed main window never locks the workstation later, and its session ends.
        self.idle_lock.stop()
        self.live.stop()
        self.billing_runner.cancel()
        if self._replaced:
            self.auto_backup.stop()
        elif not self._ending:
            self.auto_backup.at_close()  # DATA-6: the backup at close, while the session still holds
        if not self._ending and self.ctx.actor is not None:
            from dentaldesk.services.access.login import logout

            # Closing must not fail because the database is gone meanwhile.
            actor = self.ctx.actor
            run_op(self.ctx, self, lambda: logout(self.ctx.uow(), actor, how="close"), refused=lambda _exc: None)
            self._ending = True
        super().closeEvent(event)

    def _database_replaced(self, message: str) -> None:
        """DATA-6: a backup was restored: this session's user and login are those of the old database,
        so every window closes and the person logs in again."""
        self._replaced = True
        self._ending = True  # the session was in the old database: nothing to log out of
        self.idle_lock.stop()
        self.auto_backup.stop()
        self.ctx.actor = None
        self.restore_message = message
        for window in QApplication.topLevelWidgets():
            if window is not self and window.isVisible() and window.parent() is None:
                window.close()
        self.session_ended.emit("restored")
        self.close()

    def _settings_changed(self, area: str) -> None:
        """General settings saved: the title, status bar and idle time follow at once."""
        if area != "settings":
            return
        self.office = _office_of(self.ctx)
        self.setWindowTitle(f"DentalDesk - {self.office.name}")
        self.status_office.setText(f"{self.office.name} - office ID {self.office.office_code}")
        self.idle_lock.set_minutes(self.office.idle_lock_minutes)

    # --- views, made when first shown

    def _view(self, name: str, make: Any) -> Any:
        view = self._views.get(name)
        if view is None:
            view = self._views[name] = make(self.ctx)
            self.stack.addWidget(view)
        return view

    @property
    def treatments(self) -> TreatmentsView:
        return self._view("treatments", TreatmentsView)

    @property
    def ledger(self) -> LedgerView:
        def make(ctx: AppContext) -> LedgerView:
            view = LedgerView(ctx)
            view.patient_id = self.patient.id if self.patient else None  # chosen before it was made
            return view

        return self._view("ledger", make)

    @property
    def followup(self) -> FollowUpView:
        """CASE-3: the plans waiting for the patient; Open plan opens the editor from Treatments."""

        def make(ctx: AppContext) -> FollowUpView:
            view = FollowUpView(ctx)
            view.open_plan_requested.connect(lambda plan_id: self.treatments.open_plan(plan_id))
            return view

        return self._view("followup", make)

    @property
    def settings(self) -> SettingsView:
        return self._view("settings", SettingsView)

    def show_view(self, view: QWidget, *, refresh: bool = True) -> None:
        # The view is filled for the chosen patient first, then shown: it is not refreshed twice.
        if isinstance(view, TreatmentsView):
            view.set_patient(self.patient.id if self.patient else None)
        elif isinstance(view, LedgerView):
            view.set_account(
                self.patient.account_id if self.patient else None,
                self.patient.account_number if self.patient else "",
            )
        elif isinstance(view, (SettingsView, FollowUpView)):
            view.refresh()
        self.stack.setCurrentWidget(self.patients_page if view is self.patients else view)
        for name, action in self.nav_actions.items():
            shown = self.patients if name == "Patients" else self._views.get(name.lower().replace("-", ""))
            action.setChecked(shown is view)
        if view is self.patients:
            if refresh:
                self.patients.run_search(keep_highlight=True)  # today's list may have grown meanwhile
            self.patients.search.setFocus()

    def choose_patient(self, patient_id: int) -> None:
        ok, header = run_op(self.ctx, self, lambda: patient_header(self.ctx.uow(), self.ctx.user, patient_id))
        if not ok or header is None:
            return
        self.patient = header
        self.patients.show_chosen(patient_id)  # one selection: the list highlights who the header shows
        self.header.show_patient(self.patient)
        self.refresh_billing()
        self.ctx.changes.patient_selected.emit(patient_id)
        self.statusBar().showMessage(f"{self.patient.full_name} chosen", 3000)

    def _remote(self, change: object) -> None:
        """The chosen patient saved on another workstation: the header shows them as they are now."""
        if self.patient is None or self.ctx.actor is None:
            return
        if change.touches("patient", self.patient.id) or change.touches("account"):
            patient_id = self.patient.id
            ok, header = run_op(
                self.ctx,
                self,
                lambda: patient_header(self.ctx.uow(), self.ctx.user, patient_id),
                refused=lambda _exc: None,
            )
            if not ok or header is None:
                return  # gone or no longer readable: the header keeps what it showed
            self.patient = header
            self.header.show_patient(self.patient)

    def refresh_billing(self, *, off_thread: bool = False) -> None:
        """TP-14: the header's billing summary follows plan and ledger changes; ``off_thread`` reads
        it on a worker (only the newest answer is shown; a refusal goes to the status bar)."""
        if self.patient is None:
            self.header.show_billing(None)
            return
        patient_id = self.patient.id
        if off_thread:
            ctx, actor = self.ctx, self.ctx.user
            self.billing_runner.start_soon(
                lambda: billing_summary_for_patient(ctx.uow(), actor, patient_id),
                lambda summary: (
                    self.header.show_billing(summary) if self.patient and self.patient.id == patient_id else None
                ),
                lambda error: self.statusBar().showMessage(error.message, 8000),
            )
            return
        ok, summary = run_op(
            self.ctx, self, lambda: billing_summary_for_patient(self.ctx.uow(), self.ctx.user, patient_id)
        )
        if ok:
            self.header.show_billing(summary)


def _office_of(ctx: AppContext) -> OfficeInfo:
    """The office the window is titled for; a refusal means no window, so it goes to the caller."""
    from dentaldesk.services.practice.office import office_info

    def refuse(exc: DentalDeskError) -> None:
        raise exc

    _, office = run_op(ctx, None, lambda: office_info(ctx.uow(), ctx.user), refused=refuse)
    assert office is not None  # run_op returns a result or has raised the refusal
    return office
