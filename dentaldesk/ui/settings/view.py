"""Settings: the practice's set-up as it stands, and the windows that change it.

Everyone sees the summary; the set-up windows are for Owner and Admin (SETUP_ROLES). For other
roles the buttons are disabled and a line says why (STYLE.md 4). The services refuse as well.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from dentaldesk.domain.terms import SETUP_ROLES
from dentaldesk.services.practice.office import office_info
from dentaldesk.ui.kit import palette
from dentaldesk.ui.kit.context import AppContext
from dentaldesk.ui.kit.operations import run_op
from dentaldesk.ui.settings.backups_window import BackupsWindow
from dentaldesk.ui.settings.codes_window import ProcedureCodesWindow
from dentaldesk.ui.settings.dental_plans_window import DentalPlansWindow
from dentaldesk.ui.settings.fee_schedules_window import FeeSchedulesWindow
from dentaldesk.ui.settings.forms import SetupWindow
from dentaldesk.ui.settings.general_window import GeneralSettingsWindow
from dentaldesk.ui.settings.providers_window import ProvidersWindow
from dentaldesk.ui.settings.users_window import UsersWindow

# (key, button caption, what the window is for, the window)
WINDOWS: tuple[tuple[str, str, str, Callable[[AppContext, QWidget], SetupWindow]], ...] = (
    (
        "general",
        "&General settings...",
        "Office, tax method and rate, tooth numbering, handouts, idle lock.",
        GeneralSettingsWindow,
    ),
    (
        "codes",
        "Procedure &codes...",
        "The office's code list beside the master list: copy, add, edit, import.",
        ProcedureCodesWindow,
    ),
    (
        "fees",
        "F&ee schedules...",
        "Fees per code in schedules 0 to 26; raise a schedule by a percentage.",
        FeeSchedulesWindow,
    ),
    (
        "plans",
        "&Dental plans...",
        "Carriers, coverage % per category, deductibles, maximums and bluebooks.",
        DentalPlansWindow,
    ),
    ("users", "&Users...", "Logins, roles, provider links and password resets.", UsersWindow),
    ("providers", "P&roviders...", "Dentists and hygienists, and their colour on the chart.", ProvidersWindow),
    (
        "backups",
        "&Backups...",
        "The last backup and its age, Back up now, and restoring a backup.",
        BackupsWindow,
    ),
)


class SettingsView(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.fields: dict[str, QLabel] = {}
        self.windows: dict[str, SetupWindow] = {}
        self.buttons: dict[str, QPushButton] = {}

        summary = QGroupBox("The practice as set up")
        form = QFormLayout(summary)
        for key, caption in (
            ("office", "Office"),
            ("address", "Address"),
            ("phone", "Phone"),
            ("tax", "Tax method"),
            ("numbering", "Tooth numbering"),
            ("paper", "Handout paper"),
            ("validity", "Estimates valid for"),
            ("lock", "Lock after idle"),
            ("codes", "Procedure codes"),
            ("people", "Providers / users"),
        ):
            label = QLabel()
            label.setObjectName(f"setting_{key}")
            label.setAccessibleName(caption)
            self.fields[key] = label
            form.addRow(caption, label)

        setup = QGroupBox("Set up the practice")
        grid = QGridLayout(setup)
        for row, (key, caption, purpose, _window) in enumerate(WINDOWS):
            b = QPushButton(caption)
            b.setObjectName(f"open_{key}")
            b.setAccessibleName(caption.replace("&", "").rstrip("."))
            b.setAccessibleDescription(purpose)
            b.setMinimumWidth(190)
            b.clicked.connect(lambda _checked=False, k=key: self.open_window(k))
            text = QLabel(purpose)
            text.setWordWrap(True)
            text.setStyleSheet(palette.MUTED_STYLE)
            grid.addWidget(b, row, 0)
            grid.addWidget(text, row, 1)
            self.buttons[key] = b
        grid.setColumnStretch(1, 1)
        self.why_disabled = QLabel()
        self.why_disabled.setObjectName("why_disabled")
        self.why_disabled.setWordWrap(True)
        self.why_disabled.setStyleSheet(f"color: {palette.CAUTION};")
        self.why_disabled.setAccessibleName("Why set-up is not available")
        grid.addWidget(self.why_disabled, len(WINDOWS), 0, 1, 2)

        columns = QHBoxLayout()
        columns.addWidget(summary, 1)
        columns.addWidget(setup, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(columns)
        layout.addStretch(1)
        ctx.changes.changed.connect(lambda area: self.refresh() if area == "settings" else None)

    def _allowed(self) -> bool:
        return self.ctx.actor is not None and self.ctx.actor.role in SETUP_ROLES

    def refresh(self) -> None:
        ok, info = run_op(self.ctx, self, lambda: office_info(self.ctx.uow(), self.ctx.user))
        if not ok or info is None:
            return
        rate = f" at {info.tax_rate.normalize():f} %" if info.tax_rate is not None else ""
        values = {
            "office": f"{info.name} (office ID {info.office_code})",
            "address": info.address.replace("\n", ", ") or "not set",
            "phone": info.phone or "not set",
            "tax": f"{info.tax_method.label}{rate}",
            "numbering": "FDI (ISO 3950)" if info.tooth_numbering.value == "fdi" else "Universal (1-32, A-T)",
            "paper": "A4" if info.paper_size.value == "a4" else "Letter",
            "validity": f"{info.estimate_valid_days} days",
            "lock": f"{info.idle_lock_minutes} minutes",
            "codes": f"{info.codes} active codes in the office list",
            "people": f"{info.providers} providers, {info.users} users",
        }
        for key, text in values.items():
            self.fields[key].setText(text)
        allowed = self._allowed()
        why = (
            ""
            if allowed
            else (
                f"Only an Owner or Admin can change the practice set-up; you are logged in as "
                f"{self.ctx.user.role.label}. Ask the practice owner or an admin."
            )
        )
        for b in self.buttons.values():
            b.setEnabled(allowed)
            b.setToolTip(why)
        self.why_disabled.setVisible(not allowed)
        self.why_disabled.setText(why)

    def open_window(self, key: str) -> SetupWindow | None:
        """Open (or bring forward) one set-up window; several can be open side by side."""
        if not self._allowed():
            return None
        window = self.windows.get(key)
        if window is None or not window.isVisible():
            if window is not None:
                window.deleteLater()  # a closed window is built again, so it shows the data as it is now
            factory = next(w for k, _c, _p, w in WINDOWS if k == key)
            window = factory(self.ctx, self)
            self.windows[key] = window
        window.show()
        window.raise_()
        window.activateWindow()
        return window
