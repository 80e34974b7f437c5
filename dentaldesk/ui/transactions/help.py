"""What F1 says about each field of the Patient Transactions dialog and the plan editor's columns.

One short text per field: what it means and what it accepts, in the words of the help pages (seed
004 for the dialog, seed 000 for plans) and the rules they were built to (DOMAIN.md). F1 shows the
focused field's text beside it (:func:`dentaldesk.ui.kit.widgets.field_help`); the texts are the
fields' What's-this, set here by object name so every field of the dialog has one.
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from dentaldesk.domain.teeth import Dentition, numbering_hint
from dentaldesk.domain.terms import ToothNumbering

_NUMBERING_TEXT = {
    ToothNumbering.UNIVERSAL: "Universal numbering (1-32 permanent teeth, A-T primary teeth)",
    ToothNumbering.FDI: "FDI numbering (11-18, 21-28, 31-38, 41-48 permanent teeth; 51-55 ... 81-85 primary teeth)",
}

FEE_RANGE = "A plain amount such as 125 or 1,350.00, at most two decimals, from 0 to 99,999.99."

FIELD_HELP: dict[str, str] = {
    "office_id": "Office ID: the office this procedure is recorded in (read-only).",
    "patient_account_id": "Pat/Acct ID: the patient's ID and the account it is billed to (read-only).",
    "code_search": (
        "Code: the CDT procedure code. Type a code or its start (D27) or a word of its name (crown) and "
        "pick it from the list with Down and Enter. Only codes of the office's list can be used: add a "
        "missing one under Settings -> Procedure codes or copy it from the master list."
    ),
    "code_results": "Matching procedure codes: Up and Down move, Enter picks the code.",
    "surfaces": (
        "Surfaces: the surfaces of the tooth the procedure covers, from M, O, D, B, L, I and F (at most "
        "5, in any order; kept in the order MODBLIF). Only a code that takes surfaces (a filling) has them."
    ),
    "provider": "Production provider: the provider credited with the work, the one who does the procedure.",
    "collection_provider": (
        "Collection provider: the provider credited with the money. Usually the same as the production "
        "provider: leave it at Same as production."
    ),
    "notes": "Notes: free text kept with the procedure; Tab leaves the box.",
    "fee": (
        "Fee: what the procedure costs. It defaults to the patient's fee schedule amount for the code "
        "(the account's schedule); with a DMO/Capitation plan, to its bluebook cap fee; with no entry, to "
        "fee schedule 0. Type another amount to override it (a discount): the schedule fee stays beside "
        f"it. {FEE_RANGE}"
    ),
    "rtu": (
        "RTU's: real time units, the minutes of chair time the procedure takes (20 RTU's = 20 minutes). "
        "It defaults to the code's RTU's; a whole number, 0 or more."
    ),
    "taxable": (
        "Taxable: whether tax is charged on this procedure. It can be changed only when the office's tax "
        "method is Non-pro rata and a tax rate is set (General settings), and then defaults to the code's "
        "Taxable option. Under Pro rata every charge is taxed."
    ),
    "dos": (
        "DOS: the date of service, today by default. A completed procedure cannot be dated in the future "
        "or before the patient's birth date; a date more than 30 days back asks you to confirm it."
    ),
    "confirm_back_dating": "Tick to post the procedure with a date of service more than 30 days back.",
    "aged": (
        "Aged: the date from which the charge starts aging (0-30, 31-60, 61-90, over 90 days). A "
        "non-insurable charge, or an account on ICM 0, ages from today; an insurable charge on ICM 1 or "
        "ICM 2 is left blank so the insurance part stays current until insurance pays. Blank keeps the "
        "charge current until a date is chosen; a future date keeps it current until that date."
    ),
    "aged_blank": "Current (no aged date): the charge stays current until an aged date is chosen.",
    "insurable": (
        "Insurable: checked only when the patient's insurance covers the procedure: the code is "
        "insurable and a coverage pays for its category (above 0 %), or a DMO/Capitation plan."
    ),
    "claim": (
        "Claim #: the claim that includes the procedure. When posting against a claim, choose one of the "
        "account's open claims; a planned item goes on a claim once it is completed and filed."
    ),
    "why": "Why?: shows how the insurance estimate was worked out (deductible, coverage %, maximum).",
}

# The plan editor's item list: F1 on a cell explains its column.
COLUMN_HELP: dict[str, str] = {
    "Code": (
        "Plan items: one row per procedure, under its visit or its prerequisite; Code is the item's CDT "
        "code. Enter (or Ctrl+E) opens the item in the Patient Transactions window, Ins adds one, F2 "
        "changes the fee, Delete removes it, Ctrl+D makes it depend on another item. F1 on a cell "
        "explains its column."
    ),
    "Name": "Name: the procedure code's name.",
    "Surfaces": FIELD_HELP["surfaces"],
    "Provider": FIELD_HELP["provider"],
    "Fee": (
        "Fee: the item's price, pre-filled from the fee schedule; the plan price wins over the fee "
        "schedule for plan items. F2 types another one (a discount); the plan total follows as you type. "
        f"{FEE_RANGE}"
    ),
    "RTU's": FIELD_HELP["rtu"],
    "Visit": (
        "Visit: the visit (phase) the item is planned in, 1 to 99. Items are grouped and ordered by "
        "visit; Move to visit (Ctrl+M) changes it."
    ),
    "Status": (
        "Status: planned or completed. An item can be completed only on an approved plan and once its "
        "prerequisites are completed; completing the last one completes the plan."
    ),
}


def tooth_help(numbering: ToothNumbering, code: str = "", dentition: Dentition = Dentition.BOTH) -> str:
    """F1 on a tooth field: the numbering in force (ID-1) and, for a code of one dentition only,
    the teeth it takes (ID-3)."""
    numbering = ToothNumbering(numbering)
    text = (
        f"Tooth: the tooth the procedure is on, in the office's {_NUMBERING_TEXT[numbering]}. "
        "Leave it empty for a procedure on no single tooth."
    )
    if code and Dentition(dentition) is not Dentition.BOTH:
        text += f" {code} is for {Dentition(dentition).value} teeth only: {numbering_hint(numbering, dentition)}."
    return text


def column_help(column: str, numbering: ToothNumbering) -> str:
    """F1 on a cell of the plan editor's item list: what its column holds."""
    if column == "Tooth":
        return tooth_help(numbering)
    return COLUMN_HELP.get(column, "")


def set_field_help(window: QWidget) -> None:
    """Give each field of ``window`` named in :data:`FIELD_HELP` its text as its What's-this (F1)."""
    for child in window.findChildren(QWidget):
        text = FIELD_HELP.get(child.objectName())
        if text:
            child.setWhatsThis(text)
