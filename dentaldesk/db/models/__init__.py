"""Every table of DentalDesk, importable from one place (Alembic reads ``Base.metadata``)."""

from dentaldesk.db.models.base import Base
from dentaldesk.db.models.codes import (
    BluebookEntry,
    DentalPlan,
    FeeSchedule,
    FeeScheduleEntry,
    MasterCode,
    PlanCategory,
    ProcedureCode,
)
from dentaldesk.db.models.ledger import ChartGraphic, Claim, ClaimLine, LedgerTransaction
from dentaldesk.db.models.patients import Account, Coverage, Patient
from dentaldesk.db.models.plans import (
    ItemPrerequisite,
    PlanApproval,
    PlanContact,
    PlanEvent,
    PlanItem,
    PlanOption,
    PlanStatusChange,
    TreatmentPlan,
)
from dentaldesk.db.models.practice import (
    AuditChain,
    AuditEvent,
    ChangeLog,
    LoginSession,
    LoginThrottle,
    Office,
    Provider,
    User,
)
from dentaldesk.db.models.preauth import Preauthorization, PreauthorizationLine

# DATA-5: a row's id is never given again after the row is deleted (SQLite's AUTOINCREMENT keeps
# the highest id ever used in sqlite_sequence; PostgreSQL's sequences never go back).
for _table in Base.metadata.tables.values():
    _table.dialect_options["sqlite"]["autoincrement"] = True

from dentaldesk.db import changes as _changes  # noqa: E402,F401 - the change announcements (DATA-7)
from dentaldesk.db import versioning as _versioning  # noqa: E402,F401 - the version events

__all__ = [
    "Account",
    "AuditChain",
    "AuditEvent",
    "ChangeLog",
    "Base",
    "BluebookEntry",
    "ChartGraphic",
    "Claim",
    "ClaimLine",
    "Coverage",
    "DentalPlan",
    "FeeSchedule",
    "FeeScheduleEntry",
    "ItemPrerequisite",
    "LedgerTransaction",
    "LoginSession",
    "LoginThrottle",
    "MasterCode",
    "Office",
    "Patient",
    "PlanApproval",
    "PlanCategory",
    "PlanContact",
    "PlanEvent",
    "PlanItem",
    "PlanOption",
    "PlanStatusChange",
    "Preauthorization",
    "PreauthorizationLine",
    "ProcedureCode",
    "Provider",
    "TreatmentPlan",
    "User",
]
