"""The login dialog (SEC-1): user and password; a refusal is shown in the dialog and audited.

It opens before the database has finished loading: the person can type at once, and the Log in
button becomes available when the database is ready (``set_context``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from dentaldesk.ui.kit.context import AppContext
from dentaldesk.ui.kit.operations import run_op

if TYPE_CHECKING:
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
        self.error.setStyleSheet("color: #b42318;")
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        self.error.setAccessibleName("Login message")

        form = QFormLayout()
        form.addRow("&User name", self.username)
        form.addRow("&Password", self.password)

        self.login_button = QPushButton("&Log in")
        self.login_button.setObjectName("login_button")
        self.login_button.setDefault(True)
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
            hint.setStyleSheet("color: #475467;")
            layout.addWidget(hint)
        layout.addLayout(form)
        layout.addWidget(self.error)
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
        self.login_button.setEnabled(not waiting)
        self.login_button.setToolTip("Waiting for the database to open" if waiting else "")

    def _try_login(self) -> None:
        if self.ctx is None:
            return
        from dentaldesk.services.access.actor import this_workstation
        from dentaldesk.services.access.login import login

        ctx = self.ctx
        self.error.setVisible(False)
        user, password = self.username.text(), self.password.text()
        ok, actor = run_op(ctx, self, lambda: login(ctx.uow(), user, password, this_workstation()), fallback=self.error)
        if ok and actor is not None:
            self.actor = actor
            ctx.actor = actor
            self.accept()
        else:
            self.password.clear()
            self.password.setFocus()
