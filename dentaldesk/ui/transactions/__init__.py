"""The Patient Transactions window (seed 004) and its sections; see :mod:`.dialog`."""

from dentaldesk.ui.transactions.charges import DEFAULT_AGED, Mode
from dentaldesk.ui.transactions.dialog import ChargeEntry, PatientTransactionDialog, TransactionHeader
from dentaldesk.ui.transactions.procedure import ProcedureEntry, ProcedureSection

__all__ = [
    "DEFAULT_AGED",
    "ChargeEntry",
    "Mode",
    "PatientTransactionDialog",
    "ProcedureEntry",
    "ProcedureSection",
    "TransactionHeader",
]
