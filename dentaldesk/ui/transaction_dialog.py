"""The Patient Transactions dialog; it lives in the :mod:`dentaldesk.ui.transactions` package.

Kept so ``from dentaldesk.ui.transaction_dialog import PatientTransactionDialog`` goes on working.
"""

from dentaldesk.ui.transactions import (
    DEFAULT_AGED,
    ChargeEntry,
    Mode,
    PatientTransactionDialog,
    ProcedureEntry,
    ProcedureSection,
    TransactionHeader,
)

__all__ = [
    "DEFAULT_AGED",
    "ChargeEntry",
    "Mode",
    "PatientTransactionDialog",
    "ProcedureEntry",
    "ProcedureSection",
    "TransactionHeader",
]
