"""Settings: the office's general settings and code list as they stand."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QVBoxLayout, QWidget

from dentaldesk.services.office import OfficeInfo, office_info
from dentaldesk.ui.context import AppContext


class SettingsView(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.fields: dict[str, QLabel] = {}
        box = QGroupBox("General settings")
        form = QFormLayout(box)
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
        layout = QVBoxLayout(self)
        layout.addWidget(box)
        layout.addStretch(1)
        ctx.changes.changed.connect(lambda area: self.refresh() if area == "settings" else None)

    def refresh(self) -> None:
        info: OfficeInfo = office_info(self.ctx.uow(), self.ctx.user.office_id)
        rate = f" at {info.tax_rate.normalize():f} %" if info.tax_rate is not None else ""
        values = {
            "office": f"{info.name} (office ID {info.office_code})",
            "address": info.address or "not set",
            "phone": info.phone or "not set",
            "tax": f"{info.tax_method.label}{rate}",
            "numbering": "FDI (ISO 3950)" if info.tooth_numbering.value == "fdi" else "Universal (1-32, A-T)",
            "paper": info.paper_size.value.upper() if info.paper_size.value == "a4" else "Letter",
            "validity": f"{info.estimate_valid_days} days",
            "lock": f"{info.idle_lock_minutes} minutes",
            "codes": f"{info.codes} active codes in the office list",
            "people": f"{info.providers} providers, {info.users} users",
        }
        for key, text in values.items():
            self.fields[key].setText(text)
