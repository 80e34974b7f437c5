"""The login dialog (SEC-1): user and password; a refusal is shown in the dialog and audited."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from dentaldesk.services.actor import Actor, this_workstation
from dentaldesk.services.users import login
from dentaldesk.ui.context import AppContext
from dentaldesk.ui.operations import run_op


class LoginDialog(QDialog):
    def __init__(
        self, ctx: AppContext, office_name: str, *, demo_hint: bool = False, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.actor: Actor | None = None
        self.setWindowTitle("DentalDesk - Log in")
        self.setModal(True)

        title = QLabel(f"<h2>{office_name}</h2>Log in to DentalDesk")
        title.setTextFormat(Qt.TextFormat.RichText)

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

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.login_button = self.buttons.addButton("&Log in", QDialogButtonBox.ButtonRole.AcceptRole)
        self.login_button.setObjectName("login_button")
        self.login_button.setDefault(True)
        self.buttons.accepted.connect(self._try_login)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
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
        layout.addWidget(self.buttons)
        self.setTabOrder(self.username, self.password)
        self.setTabOrder(self.password, self.login_button)
        self.username.setFocus()
        self.setMinimumWidth(360)

    def _try_login(self) -> None:
        self.error.setVisible(False)
        user, password = self.username.text(), self.password.text()
        ok, actor = run_op(
            self.ctx,
            self,
            lambda: login(self.ctx.uow(), user, password, this_workstation()),
            fallback=self.error,
        )
        if ok and actor is not None:
            self.actor = actor
            self.ctx.actor = actor
            self.accept()
        else:
            self.password.clear()
            self.password.setFocus()
