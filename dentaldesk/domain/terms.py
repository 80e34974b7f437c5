"""The practice's vocabulary as enums (DOMAIN.md glossary).

Values are the strings stored in the database, so they never change once released.
"""

from __future__ import annotations

from enum import Enum, IntEnum


class Role(str, Enum):
    """Who a user is at the practice (TP-1, SEC-1)."""

    OWNER = "owner"
    ADMIN = "admin"
    DENTIST = "dentist"
    FRONT_DESK = "front_desk"

    @property
    def label(self) -> str:
        return {"owner": "Owner", "admin": "Admin", "dentist": "Dentist", "front_desk": "Front desk"}[self.value]


# TP-1: only these roles create or edit treatment plans.
PLAN_EDITOR_ROLES = frozenset({Role.OWNER, Role.ADMIN, Role.DENTIST})
# Practice setup (settings, codes, fee schedules, users) is for the owner and admins.
SETUP_ROLES = frozenset({Role.OWNER, Role.ADMIN})


class Icm(IntEnum):
    """The account's Insurance Calculation Method (glossary: ICM; TX-AGE-*)."""

    FULL_FEE_AT_SERVICE = 0
    AFTER_INSURANCE = 1
    PATIENT_PORTION_AT_SERVICE = 2

    @property
    def label(self) -> str:
        return {
            0: "ICM 0 - full fee due at service",
            1: "ICM 1 - due after insurance pays",
            2: "ICM 2 - patient portion due at service",
        }[int(self)]


class TaxMethod(str, Enum):
    """Office tax method (TX-TAX-1)."""

    NONE = "none"
    PRO_RATA = "pro_rata"
    NON_PRO_RATA = "non_pro_rata"

    @property
    def label(self) -> str:
        return {"none": "None", "pro_rata": "Pro rata", "non_pro_rata": "Non-pro rata"}[self.value]


class ToothNumbering(str, Enum):
    """ID-1: Universal (default) or FDI / ISO 3950."""

    UNIVERSAL = "universal"
    FDI = "fdi"


class PaperSize(str, Enum):
    LETTER = "letter"
    A4 = "a4"


class Category(str, Enum):
    """Procedure code categories (CODE-1); coverage % is set per category."""

    DIAGNOSTIC = "diagnostic"
    PREVENTIVE = "preventive"
    RESTORATIVE = "restorative"
    ENDODONTICS = "endodontics"
    PERIODONTICS = "periodontics"
    PROSTHODONTICS_REMOVABLE = "prosthodontics_removable"
    PROSTHODONTICS_FIXED = "prosthodontics_fixed"
    IMPLANT = "implant"
    ORAL_SURGERY = "oral_surgery"
    ORTHODONTICS = "orthodontics"
    ADJUNCTIVE = "adjunctive"

    @property
    def label(self) -> str:
        return {
            "diagnostic": "Diagnostic",
            "preventive": "Preventive",
            "restorative": "Restorative",
            "endodontics": "Endodontics",
            "periodontics": "Periodontics",
            "prosthodontics_removable": "Prosthodontics, removable",
            "prosthodontics_fixed": "Prosthodontics, fixed",
            "implant": "Implant",
            "oral_surgery": "Oral surgery",
            "orthodontics": "Orthodontics",
            "adjunctive": "Adjunctive",
        }[self.value]


class EstimationType(str, Enum):
    """How a dental plan's payment is estimated (INS-*)."""

    PERCENTAGE = "percentage"
    PPO = "ppo"
    FLAT_FEE = "flat_fee"
    DMO = "dmo"

    @property
    def label(self) -> str:
        return {"percentage": "Percentage", "ppo": "PPO", "flat_fee": "Flat fee", "dmo": "DMO/Capitation"}[self.value]


class CoverageRank(str, Enum):
    PRIMARY = "primary"
    SECONDARY = "secondary"


class PlanStatus(str, Enum):
    """TP-3: DRAFT -> APPROVED -> COMPLETED, or CANCELLED from DRAFT or APPROVED."""

    DRAFT = "draft"
    APPROVED = "approved"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class ItemStatus(str, Enum):
    PLANNED = "planned"
    COMPLETED = "completed"


class ApprovalMethod(str, Enum):
    """TP-15: how the patient approved."""

    SIGNED_AT_DESK = "signed_at_desk"
    ON_PAPER = "on_paper"
    BY_MAIL = "by_mail"
    DIGITAL = "digital"

    @property
    def label(self) -> str:
        return {
            "signed_at_desk": "Signed at the desk",
            "on_paper": "On paper",
            "by_mail": "By mail",
            "digital": "Digitally",
        }[self.value]


class TransactionKind(str, Enum):
    """Ledger rows: a charge raises the balance; payments, adjustments and write-offs (credits)
    lower it. A write-off row is the correction a completed claim posts against a charge (INS-8);
    the estimated write-off is posted on the charge's own row."""

    CHARGE = "charge"
    PAYMENT = "payment"
    INSURANCE_PAYMENT = "insurance_payment"
    ADJUSTMENT = "adjustment"
    WRITE_OFF = "write_off"


class ClaimStatus(str, Enum):
    OPEN = "open"
    COMPLETE = "complete"


class GraphicStatus(str, Enum):
    """What a chart mark shows (glossary: chart graphic)."""

    PLANNED = "planned"
    COMPLETED = "completed"
    EXISTING = "existing"
