"""Users: add, change role, link to a provider, deactivate, reset password (SEC-1).

The last active Owner cannot be demoted or deactivated; the service refuses and the message is
shown at the role or active box.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from dentaldesk.domain.errors import ValidationError
from dentaldesk.domain.terms import Role
from dentaldesk.services.practice.staff import (
    UserForm,
    UserRow,
    add_user,
    list_providers,
    list_users,
    reset_password,
    update_user,
)
from dentaldesk.ui.kit.conflicts import ConflictBar, reload_keeping_edits
from dentaldesk.ui.kit.context import AppContext
from dentaldesk.ui.kit.operations import run_op
from dentaldesk.ui.kit.table_model import Column, RowsModel
from dentaldesk.ui.kit.widgets import error_label, hint_label, make_default, make_table
from dentaldesk.ui.settings.forms import FieldForm, SetupWindow, button, enum_items, fit_columns, select_data

USER_COLUMNS: list[Column[UserRow]] = [
    Column("User name", lambda u: u.username),
    Column("Full name", lambda u: u.full_name),
    Column("Role", lambda u: u.role.label),
    Column("Provider", lambda u: u.provider_name),
    Column("Status", lambda u: "Active" if u.active else "Deactivated"),
]


def password_field(form: FieldForm, key: str, caption: str) -> QLineEdit:
    edit = form.line(key, caption)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


def _form_of(user: UserRow) -> UserForm:
    return UserForm(user.username, user.full_name, user.role, user.provider_id, user.active, "", user.version)


class UsersWindow(SetupWindow):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, "Users", parent)
        self.user_id: int | None = None
        self._loaded: UserForm | None = None
        self._version: int | None = None  # the chosen user's version as listed (DATA-4)
        self.reset_dialog: ResetPasswordDialog | None = None
        self.users: RowsModel[UserRow] = RowsModel(USER_COLUMNS, self)
        self.table = make_table("user_list")
        self.table.setModel(self.users)
        fit_columns(self.table, 1)
        self.new_button = button("&New user", "new_user")
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.table, 1)
        left_layout.addWidget(self.new_button)

        form = FieldForm()
        self.form = form
        self.heading = QLabel()
        self.heading.setObjectName("user_heading")
        form.addRow(self.heading)
        self.username = form.line("username", "&User name")
        self.full_name = form.line("full_name", "&Full name")
        self.role = form.combo(
            "role",
            "&Role",
            enum_items(Role),
            hint="Owner and Admin set up the practice; Dentists edit plans; Front desk registers patients.",
        )
        self.provider = form.combo(
            "provider",
            "&Provider",
            [("None (not clinical)", None)],
            hint="A dentist's or hygienist's login is linked to their provider.",
        )
        self.active = form.check("active", "Ac&tive (can log in)")
        self.active_error = error_label("active")
        form.addRow("", self.active_error)
        self.password = password_field(form, "password", "Pass&word (8+ characters)")
        self.confirm = password_field(form, "confirm", "R&epeat password")
        self.errors = dict(form.errors) | {"active": self.active_error}
        self.save_button = make_default(button("&Save", "save_user"))
        self.reset_button = button("Reset passw&ord...", "reset_password")
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.addLayout(form)
        right_layout.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.reset_button)
        row.addStretch(1)
        row.addWidget(self.save_button)
        right_layout.addLayout(row)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([560, 420])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(
            hint_label(
                "The last active Owner cannot be demoted or deactivated. "
                "Only an Owner can give or take away the Owner role."
            )
        )
        layout.addWidget(self.problem)
        self.conflict = ConflictBar(self.reload_keeping_edits, name="user_conflict")
        layout.addWidget(self.conflict)
        layout.addWidget(self.status)

        self.table.selectionModel().selectionChanged.connect(self._user_chosen)
        self.new_button.clicked.connect(self.new_user)
        self.save_button.clicked.connect(self.save)
        self.reset_button.clicked.connect(self.open_reset)
        self.resize(1000, 520)
        self.reload()
        if self.users.rowCount():
            self.table.selectRow(0)
        else:
            self.new_user()

    def reload(self) -> None:
        ok, loaded = run_op(
            self.ctx,
            self,
            lambda: (list_users(self.ctx.uow(), self.ctx.user), list_providers(self.ctx.uow(), self.ctx.user)),
            fallback=self.problem,
        )
        if not ok or loaded is None:
            self.setEnabled(False)
            return
        users, providers = loaded
        self.users.set_rows(users)
        chosen = self.provider.currentData()
        self.provider.clear()
        self.provider.addItem("None (not clinical)", None)
        for p in providers:
            self.provider.addItem(f"{p.name} ({p.kind_label})" + ("" if p.active else " - inactive"), p.id)
        select_data(self.provider, chosen)

    def select_user(self, user_id: int) -> None:
        for n, u in enumerate(self.users.rows):
            if u.id == user_id:
                self.table.selectRow(n)
                return

    def _user_chosen(self, *_args: object) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        user = self.users.row(rows[0].row())
        self.user_id = user.id
        self.form.clear_errors()
        self.active_error.setVisible(False)
        self.conflict.clear()
        self.heading.setText(f"<b>{user.full_name}</b> ({user.username})")
        self.username.setReadOnly(True)
        self.username.setToolTip("A user name stays as it is: the audit log names the user by it.")
        self._loaded = _form_of(user)
        self.show_form(self._loaded)
        self._show_password_fields(False)

    def show_form(self, form: UserForm) -> None:
        self._version = form.version
        self.username.setText(form.username)
        self.full_name.setText(form.full_name)
        select_data(self.role, form.role.value)
        select_data(self.provider, form.provider_id)
        self.active.setChecked(form.active)

    def reload_keeping_edits(self) -> None:
        """DATA-4: the user as the other workstation saved them, with this person's typing re-applied."""
        if self.user_id is None or self._loaded is None:
            return
        user_id = self.user_id

        def fetch() -> UserForm:
            rows = list_users(self.ctx.uow(), self.ctx.user)
            self.users.set_rows(rows)
            self.table.blockSignals(True)
            self.select_user(user_id)
            self.table.blockSignals(False)
            return _form_of(next(u for u in rows if u.id == user_id))

        fresh = reload_keeping_edits(self.conflict, self._loaded, self.user_form(), fetch, self.show_form)
        if fresh is not None:
            self._loaded = fresh

    def new_user(self) -> None:
        self.table.clearSelection()
        self.user_id = None
        self._version = None
        self.form.clear_errors()
        self.heading.setText("<b>New user</b>")
        self.username.clear()
        self.username.setReadOnly(False)
        self.full_name.clear()
        select_data(self.role, Role.FRONT_DESK.value)
        self.provider.setCurrentIndex(0)
        self.active.setChecked(True)
        self._show_password_fields(True)
        self.username.setFocus()

    def _show_password_fields(self, adding: bool) -> None:
        for edit in (self.password, self.confirm):
            edit.clear()
            self.form.setRowVisible(edit.parentWidget(), adding)
        self.active.setEnabled(not adding)
        self.reset_button.setEnabled(not adding)

    def user_form(self) -> UserForm:
        return UserForm(
            username=self.username.text(),
            full_name=self.full_name.text(),
            role=Role(self.role.currentData()),
            provider_id=self.provider.currentData(),
            active=self.active.isChecked(),
            password=self.password.text(),
            version=self._version,
        )

    def save(self) -> None:
        self.form.clear_errors()
        self.active_error.setVisible(False)
        self.say("")
        form, user_id = self.user_form(), self.user_id
        confirm = self.confirm.text()

        def action() -> int:
            if user_id is not None:
                update_user(self.ctx.uow(), self.ctx.user, user_id, form)
                return user_id
            if form.password != confirm:
                raise ValidationError("The two passwords differ.", "confirm")
            return add_user(self.ctx.uow(), self.ctx.user, form)

        ok, saved = run_op(
            self.ctx,
            self,
            action,
            changed="settings",
            field_labels=self.errors,
            fallback=self.problem,
            conflict=self.conflict,
        )
        if ok and saved is not None:
            self.reload()
            self.select_user(saved)
            self.say(f"{form.username.strip()} saved.")

    def open_reset(self) -> None:
        if self.user_id is None:
            return
        dialog = ResetPasswordDialog(self.ctx, self.user_id, self.username.text(), self)
        dialog.accepted.connect(
            lambda: self.say(f"Password of {dialog.username} reset. Tell them the new one in person.")
        )
        self.reset_dialog = dialog
        dialog.open()


class ResetPasswordDialog(QDialog):
    """Give a user a new password (stored as an Argon2 hash)."""

    def __init__(self, ctx: AppContext, user_id: int, username: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.user_id = user_id
        self.username = username
        self.setWindowTitle(f"Reset the password of {username}")
        self.setObjectName("reset_password_dialog")
        form = FieldForm()
        self.form = form
        self.password = password_field(form, "password", "&New password (8+ characters)")
        self.confirm = password_field(form, "confirm", "&Repeat new password")
        self.problem = error_label("reset_problem")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.reset_button = buttons.addButton("Re&set password", QDialogButtonBox.ButtonRole.AcceptRole)
        self.reset_button.setObjectName("confirm_reset")
        make_default(self.reset_button)
        buttons.accepted.connect(self.reset)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self.setMinimumWidth(420)

    def reset(self) -> None:
        self.form.clear_errors()
        password, confirm = self.password.text(), self.confirm.text()

        def action() -> None:
            if password != confirm:
                raise ValidationError("The two passwords differ.", "confirm")
            reset_password(self.ctx.uow(), self.ctx.user, self.user_id, password)

        ok, _ = run_op(self.ctx, self, action, field_labels=self.form.errors, fallback=self.problem)
        if ok:
            self.accept()
