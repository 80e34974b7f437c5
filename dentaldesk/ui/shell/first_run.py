"""First start on an empty database: name the practice and create its owner."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from dentaldesk.domain.errors import ValidationError
from dentaldesk.services.access.actor import this_workstation
from dentaldesk.services.practice.office import create_practice
from dentaldesk.ui.kit import palette
from dentaldesk.ui.kit.context import AppContext
from dentaldesk.ui.kit.operations import run_op
from dentaldesk.ui.kit.widgets import make_default, step_in_ring


class FirstRunDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("DentalDesk - Set up your practice")
        intro = QLabel(
            "This database is new. Name the practice and create the owner's login; "
            "the starter list of procedure codes is added for you. If the practice's database was lost, "
            "Restore a backup brings it back instead."
        )
        intro.setWordWrap(True)
        self.inputs: dict[str, QLineEdit] = {}
        self.errors: dict[str, QLabel] = {}
        form = QFormLayout()
        for key, caption, secret in (
            ("office_name", "Practice &name", False),
            ("office_code", "&Office ID", False),
            ("full_name", "Owner's &full name", False),
            ("username", "Owner's &user name", False),
            ("password", "&Password (8+ characters)", True),
            ("confirm", "&Repeat password", True),
        ):
            edit = QLineEdit()
            edit.setObjectName(key)
            edit.setAccessibleName(caption.replace("&", ""))
            if secret:
                edit.setEchoMode(QLineEdit.EchoMode.Password)
            error = QLabel()
            error.setStyleSheet(f"color: {palette.ERROR};")
            error.setVisible(False)
            form.addRow(caption, edit)
            form.addRow("", error)
            self.inputs[key] = edit
            self.errors[key] = error
        self.errors["office_code"].setObjectName("office_code_error")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.create_button = buttons.addButton("&Create practice", QDialogButtonBox.ButtonRole.AcceptRole)
        make_default(self.create_button)
        # DATA-6: a practice whose database was lost comes back from a backup instead.
        self.restore_button = buttons.addButton("Restore a &backup...", QDialogButtonBox.ButtonRole.ActionRole)
        self.restore_button.setObjectName("restore_a_backup")
        self.restore_button.setAutoDefault(False)
        self.restore_button.clicked.connect(self.open_restore)
        self.backups: QWidget | None = None
        buttons.accepted.connect(self._create)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.setMinimumWidth(440)
        # Tab: the fields top to bottom, then Create, Restore and Cancel, and round again (the button
        # box re-orders its buttons' Tab order as it lays them out, so the ring is kept here).
        chain = [*self.inputs.values(), self.create_button, self.restore_button]
        chain.append(buttons.button(QDialogButtonBox.StandardButton.Cancel))
        self._chain = chain

    def focusNextPrevChild(self, next: bool) -> bool:
        return step_in_ring(self, self._chain, next) or super().focusNextPrevChild(next)

    def open_restore(self) -> QWidget:
        """The Backups window for a database with no practice: restore only, no login needed."""
        from dentaldesk.ui.settings.backups_window import BackupsWindow

        window = BackupsWindow(self.ctx, self, first_run=True)
        window.restored.connect(lambda _done: (window.close(), self.accept()))
        self.backups = window
        window.show()
        return window

    def _create(self) -> None:
        for label in self.errors.values():
            label.setVisible(False)
        v = {k: e.text() for k, e in self.inputs.items()}

        def action() -> int:
            if v["password"] != v["confirm"]:
                raise ValidationError("The two passwords differ.", "confirm")
            return create_practice(
                self.ctx.uow(),
                office_code=v["office_code"],
                office_name=v["office_name"],
                owner_username=v["username"],
                owner_full_name=v["full_name"],
                owner_password=v["password"],
                workstation=this_workstation(),
            )

        ok, _ = run_op(self.ctx, self, action, field_labels=self.errors)
        if ok:
            self.accept()
