"""What a person hands the plan services: an item's fields as typed, a batch of editor changes.

Tooth and surfaces arrive as typed (in the office's numbering, ID-1/ID-2) and are checked by the
service against the code's flags (CODE-4); a fee may be a Decimal or typed text (MONEY-1/2).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Final

from dentaldesk.domain.item_check import TypedItem
from dentaldesk.domain.plan_items import TYPED_FIELDS, PlanItemRecord


class _ScheduleFee:
    """Marker: take the fee the fee resolver gives for the code (TX-FEE-1..4)."""

    _instance: _ScheduleFee | None = None

    def __new__(cls) -> _ScheduleFee:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "SCHEDULE_FEE"


SCHEDULE_FEE: Final = _ScheduleFee()

FeeInput = Decimal | str | None | _ScheduleFee


@dataclass(frozen=True)
class ItemInput(TypedItem):
    """One plan item as entered in the Patient Transactions dialog (TP-6, TX-1).

    ``fee``: SCHEDULE_FEE (default) takes the resolved fee; a Decimal or typed text is the
    person's fee (an override when it differs from the schedule fee, MONEY-2); None leaves the fee
    empty, which keeps the plan from approval (TP-5). ``rtu`` None takes the code's default
    (TX-RTU-1). ``collection_provider_id`` None means the production provider.
    ``taxable_override`` and ``insurable_override`` are the dialog's Taxable and Insurable for
    the charge the item posts; None takes the code's, office's and coverage's default when the
    item is completed (TX-TAX-1/2, TX-INS-1; see the package docstring).

    Its fields are the record's typed fields (``PlanItemRecord``, checked by a test), in the
    looser types a person types them in: the item check's (``TypedItem``: code, tooth, surfaces,
    providers) and the ones no check concerns; ``fee`` and ``rtu`` are narrowed here.
    """

    fee: FeeInput = SCHEDULE_FEE
    rtu: int | str | None = None
    visit: int | None = None
    notes: str = ""
    taxable_override: bool | None = field(default=None, metadata={"shown_at": "taxable"})
    insurable_override: bool | None = field(default=None, metadata={"shown_at": "insurable"})


def item_input(record: PlanItemRecord) -> ItemInput:
    """What a service is sent for a record (TP-6): its typed fields, with the tooth as a person
    types it, in the office's numbering (ID-1)."""
    values = {name: getattr(record, name) for name in TYPED_FIELDS}
    return ItemInput(**values | {"tooth": record.tooth_display})


@dataclass(frozen=True)
class NewItem:
    """An item added in the editor and not saved yet; ``key`` is the editor's own handle for it.
    ``option_id`` is the option it goes into (CASE-1); None is the plan's counted option."""

    key: int
    item: ItemInput
    option_id: int | None = None


@dataclass(frozen=True)
class New:
    """Refers to a :class:`NewItem` of the same batch by its key (for links between new items)."""

    key: int


ItemRef = int | New


@dataclass(frozen=True)
class ItemChange:
    """New values for a saved item (all fields; unchanged ones are left as they were)."""

    item_id: int
    item: ItemInput


@dataclass(frozen=True)
class PlanChanges:
    """Everything the editor's working copy changed since it was loaded, saved as one action.

    Applied in this order: removals, additions, changes, unlinks, links; links are checked against
    the plan as it stands after the earlier steps (TP-8).
    """

    removed: tuple[int, ...] = ()
    added: tuple[NewItem, ...] = ()
    changed: tuple[ItemChange, ...] = ()
    unlinked: tuple[tuple[int, int], ...] = ()
    linked: tuple[tuple[ItemRef, ItemRef], ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.removed or self.added or self.changed or self.unlinked or self.linked)


@dataclass(frozen=True)
class PlanSaved:
    """What an action changed: the plan's new version (DATA-2), any new item ids, and the option
    an option action concerned (CASE-1)."""

    plan_id: int
    version: int
    item_id: int | None = None
    new_item_ids: dict[int, int] = field(default_factory=dict)  # NewItem.key -> item id
    option_id: int | None = None
