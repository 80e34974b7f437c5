"""Treatment plans, end to end (DOMAIN.md TP-1 .. TP-17): one function per user action.

* ``editing``: create_plan, add_item, edit_item, remove_item, link/unlink_prerequisite,
  move_item_to_visit, save_draft (the editor's working copy saved as one action).
* ``status``: approve, record_approval, complete_item, cancel_plan.
* ``reading``: load_plan, billing_summary_for_patient, quote_fee, item_form_facts.
* ``core``: the steps every action is made of (checks, history, audit, chart marks).
"""

from dentaldesk.services.plans.editing import (
    add_item,
    create_plan,
    edit_item,
    link_prerequisite,
    move_item_to_visit,
    remove_item,
    save_draft,
    unlink_prerequisite,
)
from dentaldesk.services.plans.inputs import (
    SCHEDULE_FEE,
    ItemChange,
    ItemInput,
    New,
    NewItem,
    PlanChanges,
    PlanSaved,
)
from dentaldesk.services.plans.reading import billing_summary_for_patient, item_form_facts, load_plan, quote_fee
from dentaldesk.services.plans.status import DESK_ROLES, approve, cancel_plan, complete_item, record_approval
from dentaldesk.services.plans.views import (
    ApprovalView,
    HistoryRow,
    ItemFormFacts,
    PatientBilling,
    PlanItemRow,
    PlanView,
    ProviderChoice,
)

__all__ = [
    "DESK_ROLES",
    "SCHEDULE_FEE",
    "ApprovalView",
    "HistoryRow",
    "ItemChange",
    "ItemFormFacts",
    "ItemInput",
    "New",
    "NewItem",
    "PatientBilling",
    "PlanChanges",
    "PlanItemRow",
    "PlanSaved",
    "PlanView",
    "ProviderChoice",
    "add_item",
    "approve",
    "billing_summary_for_patient",
    "cancel_plan",
    "complete_item",
    "create_plan",
    "edit_item",
    "item_form_facts",
    "link_prerequisite",
    "load_plan",
    "move_item_to_visit",
    "quote_fee",
    "record_approval",
    "remove_item",
    "save_draft",
    "unlink_prerequisite",
]
