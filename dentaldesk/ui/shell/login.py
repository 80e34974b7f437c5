"""The login dialog (SEC-1): user and password; a refusal is shown in the dialog and audited.

It opens before the database has finished loading: the person can type at once, a busy bar shows
that the database is opening, and the Log in button becomes available when it is ready
(``set_context``). The password check (Argon2, meant to be slow) runs off the GUI thread with the
busy bar showing, so the window keeps painting and a second click does nothing; an answer for a
window that was closed meanwhile is dropped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from dentaldesk.domain.errors import DentalDeskError
from dentaldesk.ui.kit import palette
from dentaldesk.ui.kit.background import Background
from dentaldesk.ui.kit.context import AppContext
from dentaldesk.ui.kit.default_button import make_default

if TYPE_CHECKING:
    from collections.abc import Callable

    from dentaldesk.services.access.actor import Actor


class LoginDialog(QDialog):
    def __init__(
        self,
        ctx: AppContext | None,
        office_name: str,
        *,
        demo_hint: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.actor: Actor | None = None
        # What the next window needs, read on the checker's worker right after the password is
        # accepted (the start-up wiring sets it); its answer is ``prepared`` (None on a refusal).
        self.prepare: Callable[[AppContext, Actor], Any] | None = None
        self.prepared: Any = None
        self.setWindowTitle("DentalDesk - Log in")
        self.setModal(True)

        # Plain-text labels and plain buttons: rich text, Qt's enum namespace and QDialogButtonBox
        # each cost the first window tens of milliseconds of start-up (tests/benchmarks).
        self.title = QLabel()
        self.title.setObjectName("login_title")
        self.title.setStyleSheet("font-size: 16pt; font-weight: bold;")
        self.subtitle = QLabel()
        self.subtitle.setObjectName("login_subtitle")

        self.username = QLineEdit()
        self.username.setObjectName("username")
        self.username.setAccessibleName("User name")
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setAccessibleName("Password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = QLabel()
        self.error.setObjectName("login_error")
        self.error.setStyleSheet(f"color: {palette.ERROR};")
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        self.error.setAccessibleName("Login message")
        # Busy while the database opens and while the password is checked (never a frozen window).
        self.busy = QProgressBar()
        self.busy.setObjectName("login_busy")
        self.busy.setAccessibleName("Working")
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setMaximumHeight(8)
        self.checker = Background(self, what="The login")

        form = QFormLayout()
        form.addRow("&User name", self.username)
        form.addRow("&Password", self.password)

        self.login_button = QPushButton("&Log in")
        self.login_button.setObjectName("login_button")
        make_default(self.login_button)
        self.login_button.clicked.connect(self._try_login)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("cancel_button")
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.login_button)
        buttons.addWidget(self.cancel_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        if demo_hint:
            hint = QLabel(
                "Demo practice: log in as owner, admin, dentist or frontdesk; "
                "the passwords are in the README (demo-owner, demo-admin, demo-dentist, demo-front)."
            )
            hint.setObjectName("demo_hint")
            hint.setWordWrap(True)
            hint.setStyleSheet(f"color: {palette.MUTED};")
            layout.addWidget(hint)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.busy)
        layout.addLayout(buttons)
        self.setTabOrder(self.username, self.password)
        self.setTabOrder(self.password, self.login_button)
        self.username.setFocus()
        self.setMinimumWidth(360)
        self.set_context(ctx, office_name)

    def set_context(self, ctx: AppContext | None, office_name: str) -> None:
        """The database is ready (or not yet, when ``ctx`` is None)."""
        self.ctx = ctx
        waiting = ctx is None
        self.title.setText(office_name)
        self.subtitle.setText("Opening the database..." if waiting else "Log in to DentalDesk")
        self.busy.setVisible(waiting)
        self.login_button.setEnabled(not waiting)
        self.login_button.setToolTip("Waiting for the database to open" if waiting else "")

    @property
    def checking(self) -> bool:
        """The password is being checked (the answer is still to come)."""
        return self.checker.busy

    def _try_login(self) -> None:
        if self.ctx is None or self.checking:
            return
        from dentaldesk.services.access.actor import this_workstation
        from dentaldesk.services.access.login import login

        ctx = self.ctx
        self.error.setVisible(False)
        user, password = self.username.text(), self.password.text()
        workstation = this_workstation()
        self._show_checking(True)
        prepare = self.prepare

        def check() -> tuple[Actor, Any]:
            actor = login(ctx.uow(), user, password, workstation)
            if prepare is None:
                return actor, None
            try:
                return actor, prepare(ctx, actor)
            except DentalDeskError:  # the next window reads for itself and shows its refusal there
                return actor, None

        self.checker.start(check, self._logged_in, self._refused)

    def _show_checking(self, on: bool) -> None:
        self.busy.setVisible(on)
        self.subtitle.setText("Checking the password..." if on else "Log in to DentalDesk")
        for widget in (self.username, self.password):
            widget.setReadOnly(on)
        self.login_button.setEnabled(not on)

    def _logged_in(self, answer: tuple[Actor, Any]) -> None:
        self._show_checking(False)
        actor, self.prepared = answer
        self.actor = actor
        if self.ctx is not None:
            self.ctx.actor = actor
        self.accept()

    def _refused(self, error: DentalDeskError) -> None:
        from dentaldesk.ui.kit.operations import show_error  # loaded behind the login window meanwhile

        self._show_checking(False)
        show_error(self, error, fallback=self.error)
        self.password.clear()
        self.password.setFocus()

    def done(self, result: int) -> None:
        # Closed while a check runs: its answer is dropped (nobody is logged in by a closed window).
        self.checker.cancel()
        super().done(result)
