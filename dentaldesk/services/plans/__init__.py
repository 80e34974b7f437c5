"""Treatment plans, end to end (DOMAIN.md TP-1 .. TP-17): one function per user action.

* ``editing``: create_plan, add_item, edit_item, remove_item, link/unlink_prerequisite,
  move_item_to_visit, save_draft (the editor's working copy saved as one action).
* ``status``: approve (records the chosen option, CASE-1), record_approval, complete_item, cancel_plan.
* ``options``: add_option (empty or a copy), rename_option, remove_option, compare_options (CASE-1).
* ``reading``: load_plan, billing_summary_for_patient, quote_fee, item_form_facts.
* ``core``: the steps every action is made of (checks, history, audit, chart marks).

What a planned item keeps of the charge it will post (our choice; DOMAIN.md is silent): the
Patient Transactions dialog shows DOS, Taxable, Insurable and Aged for a plan item too, and a
plan item keeps two of them. **Taxable** (``taxable_override``): under Non-pro rata the person may
exempt or tax this one procedure (TX-TAX-2), and the choice goes with the item to the charge;
under Pro rata, or with no tax method or rate, posting ignores it (TX-TAX-1). **Insurable**
(``insurable_override``): the person may keep a covered procedure off insurance (the patient
pays it privately); it also takes the item out of the handout's and billing summary's insurance
estimate, and it can never make a code whose Insurable option is off insurable (TX-INS-1). None,
the default, means "as the code, office and coverage say on the day the item is completed", so a
later change of tax settings or coverage still applies. **DOS** is not kept: a plan item's date of
service is the day it is completed (TX-DOS-1). **Aged** is not kept: it is set at posting from
the account's ICM and that DOS (TX-AGE-2..4), and changed afterwards on the posted charge.
"""

from dentaldesk.domain.plan_items import PlanItemRecord
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
    "PlanItemRecord",
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
