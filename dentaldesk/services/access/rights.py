"""Who may do what: the permission table (TP-1, SEC-3), one right per kind of action.

README.md "Who may do what" writes the same table out per service action; the permission table
test reads it there and checks every cell against the services themselves.
"""

from __future__ import annotations

from enum import Enum

from dentaldesk.domain.terms import Role

_EVERYONE = frozenset(Role)
_CLINICAL = frozenset({Role.OWNER, Role.ADMIN, Role.DENTIST})
_SETUP = frozenset({Role.OWNER, Role.ADMIN})


class Right(Enum):
    """A kind of action, the roles that hold it, and how a refusal names it."""

    # Patients and their records: every role works the front desk.
    READ_PATIENTS = ("see patients", _EVERYONE)
    EDIT_PATIENTS = ("add or edit patients", _EVERYONE)
    # Treatment plans (TP-1): clinicians build them; the desk presents, records approval, completes.
    READ_PLANS = ("see treatment plans", _EVERYONE)
    EDIT_PLANS = ("create, change or cancel treatment plans (TP-1)", _CLINICAL)
    PRESENT_PLANS = ("print plans, record approvals or complete items", _EVERYONE)
    # The chart is clinical (CHART-ROLE): the desk sees it, clinicians change it.
    READ_CHART = ("see the tooth chart", _EVERYONE)
    EDIT_CHART = ("change the tooth chart", _CLINICAL)
    # Money: anyone at the desk posts charges, payments, claims; adjustments change what is owed.
    READ_LEDGER = ("see ledgers, claims and aging", _EVERYONE)
    POST_MONEY = ("post charges, payments and claims", _EVERYONE)
    ADJUST = ("post adjustments", _SETUP)
    # Practice set-up: settings, codes, fee schedules, dental plans, providers, users.
    READ_CODES = ("see the procedure code list", _EVERYONE)
    READ_OFFICE = ("see the office's settings", _EVERYONE)
    SETUP = ("change the practice set-up", _SETUP)
    MANAGE_USERS = ("manage users", _SETUP)
    # Backups (DATA-6): by hand and restores for Owner and Admin; the daily automatic backup runs
    # for whoever is logged in.
    BACKUP = ("back up or restore the practice database", _SETUP)
    AUTO_BACKUP = ("take the daily automatic backup", _EVERYONE)
    # The audit log (SEC-5).
    READ_AUDIT = ("read the audit log", _SETUP)

    def __init__(self, phrase: str, roles: frozenset[Role]) -> None:
        self.phrase = phrase
        self.roles = roles

    @property
    def reads(self) -> bool:
        """A right to read: its actions open the transaction for reading only."""
        return self.name.startswith("READ_")

    def allows(self, role: Role) -> bool:
        return role in self.roles
