"""The plan editor's working copy: the plan as the person is editing it, before Save draft.

Undo with a database, the choice made here: every edit in the editor changes this in-memory
working copy (and is one QUndoCommand, so undo/redo never touch the database); Save draft sends
the difference between the working copy and the plan as last loaded to ``save_draft`` as ONE
service call, which applies it in one transaction or refuses it whole (DATA-1, DATA-2). The total
updates from the working copy as a fee is typed (TP-7).

Items are known by a *key* that lives as long as the editor: new items get one before they have a
database id, and a saved item keeps its key across saves and reloads, so undo steps recorded before
a save still name the right item after it (undoing "Add item" after a save removes the saved item
at the next save; redoing it brings the same item back).

This module imports no Qt: it is tested and benchmarked on its own.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from types import MappingProxyType
from typing import Any, TypeVar

from dentaldesk.domain.money import money
from dentaldesk.domain.plan_items import FIELD_WORDS, TYPED_FIELDS, PlanItemRecord, companions, record_values
from dentaldesk.domain.plans import (
    ItemFacts,
    approval_problems,
    blocked_by_reapproval,
    needs_reapproval,
    plan_order_key,
    plan_total,
    progress,
)
from dentaldesk.domain.terms import PlanStatus, ToothNumbering
from dentaldesk.services.plans import ItemChange, ItemInput, New, NewItem, PlanChanges, PlanView
from dentaldesk.services.plans.inputs import item_input

Derived = TypeVar("Derived")


def _same_fields(a: WorkingItem, b: WorkingItem) -> bool:
    return all(getattr(a, name) == getattr(b, name) for name in TYPED_FIELDS) and a.prerequisites == b.prerequisites


@dataclass(frozen=True, kw_only=True)
class WorkingItem(PlanItemRecord):
    """One item of the working copy: the plan item's record and the editor's ``key`` for it.

    A working item is known by its key, never by a database id (DATA-5: ``id`` stays 0 and
    ``WorkingPlan.ids`` says which saved row a key stands for); ``prerequisites`` are keys of other
    working items.
    """

    key: int
    prerequisites: frozenset[int] = frozenset()

    @classmethod
    def of(cls, record: PlanItemRecord, key: int, prerequisites: frozenset[int] = frozenset()) -> WorkingItem:
        return cls(**record_values(record) | {"id": 0, "prerequisites": prerequisites}, key=key)

    def facts(self) -> ItemFacts:
        return replace(super().facts(), id=self.key)

    def entry(self) -> ItemInput:
        """What the service is sent (TP-6)."""
        return item_input(self)


@dataclass
class WorkingPlan:
    """The editor's copy of one plan; ``view`` is the plan as last loaded (the save's baseline).

    Every item is known by its key, never by its database id (DATA-5): ``ids`` says which saved
    row a key stands for, only for the rows of the plan as loaded. A removed item's id is
    forgotten once the save that removed it is done, so if a database ever gave that id to
    another row, an undone removal still comes back as a new item and no other item is touched.

    What is read from the items (their facts for the TP-* rules, the plan order, the changes to
    save) is computed once per state of the working copy and kept until the next change: a
    redraw's many readers (tree, totals, chair time, approval and completion checks, the title's
    "unsaved") share one computation. So the items change only through the methods below
    (``items`` is a read-only view), each of which forgets what was computed.
    """

    view: PlanView
    _items: dict[int, WorkingItem] = field(default_factory=dict)
    ids: dict[int, int] = field(default_factory=dict)  # key -> database id of the row as loaded
    _keys: itertools.count = field(default_factory=lambda: itertools.count(1))
    _baseline: dict[int, WorkingItem] = field(default_factory=dict)  # key -> item as loaded
    _derived: dict[str, Any] = field(default_factory=dict)  # what was computed from the items as they stand

    @classmethod
    def load(cls, view: PlanView, previous: WorkingPlan | None = None) -> WorkingPlan:
        """A working copy of ``view``; with ``previous`` the saved items keep their keys."""
        plan = cls(view=view)
        known: dict[int, int] = {}
        if previous is not None:
            plan._keys = previous._keys
            known = {db_id: key for key, db_id in previous.ids.items()}
        key_of = {row.id: known.get(row.id) or next(plan._keys) for row in view.items}
        plan.ids = {key: db_id for db_id, key in key_of.items()}
        for row in view.items:
            links = frozenset(key_of[p] for p in row.prerequisites if p in key_of)
            item = WorkingItem.of(row, key_of[row.id], links)
            plan._items[item.key] = item
            plan._baseline[item.key] = item
        return plan

    def _put(self, item: WorkingItem) -> None:
        self._items[item.key] = item
        self._derived.clear()

    def _computed(self, name: str, compute: Callable[[], Derived]) -> Derived:
        """``compute()``, once per state of the items (every change forgets it)."""
        if name not in self._derived:
            self._derived[name] = compute()
        value: Derived = self._derived[name]
        return value

    def adopt_saved(self, sent: PlanChanges, new_item_ids: dict[int, int]) -> None:
        """After a save of ``sent``: the removed rows' ids are forgotten, the new items' ids learnt."""
        removed = set(sent.removed)
        self.ids = {key: db_id for key, db_id in self.ids.items() if db_id not in removed}
        self.ids.update(new_item_ids)
        self._derived.clear()

    # --- reading

    @property
    def items(self) -> Mapping[int, WorkingItem]:
        """The items by key, read-only: an edit goes through the editing methods below."""
        return MappingProxyType(self._items)

    @property
    def numbering(self) -> ToothNumbering:
        return self.view.numbering

    def new_key(self) -> int:
        return next(self._keys)

    def item(self, key: int) -> WorkingItem:
        return self._items[key]

    def label(self, key: int) -> str:
        return self._items[key].label

    def ordered(self) -> tuple[WorkingItem, ...]:
        """Items in plan order: visit, then sequence (TP-16)."""

        def compute() -> tuple[WorkingItem, ...]:
            return tuple(self._items[f.id] for f in sorted(self.facts(), key=plan_order_key))

        return self._computed("ordered", compute)

    def facts(self) -> tuple[ItemFacts, ...]:
        """Each item as the TP-* rules see it (``id`` is its key), computed once per state."""
        return self._computed("facts", lambda: tuple(item.facts() for item in self._items.values()))

    def total(self) -> Decimal:
        """TP-7: the sum of the item fees as they stand in the editor."""
        return plan_total(self.facts())

    def total_with_fee(self, key: int, fee: Decimal | None) -> Decimal:
        """TP-7: the total if ``key``'s fee were ``fee`` (while it is being typed)."""
        total = Decimal(0)
        for item in self._items.values():
            value = fee if item.key == key else item.fee
            if value is not None:
                total += value
        return money(total)

    def progress(self):
        return progress(self.facts())

    def approval_problems(self):
        return approval_problems(self.facts())

    @property
    def approved_total(self) -> Decimal | None:
        return self.view.approved_total if self.view.status is PlanStatus.APPROVED else None

    def needs_reapproval(self) -> bool:
        return needs_reapproval(self.facts(), self.approved_total)

    def blocked_keys(self) -> frozenset[int]:
        return blocked_by_reapproval(self.facts(), self.approved_total)

    def sequence_after(self) -> int:
        return max((i.sequence for i in self._items.values()), default=0) + 1

    def dependents(self, key: int) -> list[int]:
        return [k for k, item in self._items.items() if key in item.prerequisites]

    # --- editing (each returns what its undo needs; each forgets what was computed)

    def add(self, item: WorkingItem) -> None:
        self._put(item)

    def remove(self, key: int) -> tuple[WorkingItem, list[int]]:
        """Take an item out with its links; returns it and the items that depended on it."""
        item = self._items.pop(key)
        self._derived.clear()
        dependents = []
        for other in list(self._items.values()):
            if key in other.prerequisites:
                dependents.append(other.key)
                self._put(replace(other, prerequisites=other.prerequisites - {key}))
        return item, dependents

    def restore(self, item: WorkingItem, dependents: Iterable[int]) -> None:
        """Undo :meth:`remove`: the item and the links other items had to it."""
        self._put(item)
        for key in dependents:
            if key in self._items:
                other = self._items[key]
                self._put(replace(other, prerequisites=other.prerequisites | {item.key}))

    def replace_item(self, item: WorkingItem) -> None:
        self._put(item)

    def link(self, key: int, prerequisite: int) -> None:
        item = self._items[key]
        self._put(replace(item, prerequisites=item.prerequisites | {prerequisite}))

    def unlink(self, key: int, prerequisite: int) -> None:
        item = self._items[key]
        self._put(replace(item, prerequisites=item.prerequisites - {prerequisite}))

    # --- saving

    def _saved_id(self, key: int) -> int | None:
        return self.ids[key] if key in self._baseline else None

    def changes(self) -> PlanChanges:
        """The difference to the plan as loaded, in the shape ``save_draft`` takes."""
        return self._computed("changes", self._difference)

    def _difference(self) -> PlanChanges:
        removed = tuple(sorted(self.ids[key] for key in self._baseline if key not in self._items))
        added: list[NewItem] = []
        changed: list[ItemChange] = []
        for item in self.ordered():
            db_id = self._saved_id(item.key)
            if db_id is None:
                # CASE-1: an item added goes into the option this working copy is of.
                added.append(NewItem(item.key, item.entry(), self.view.option_id or None))
                continue
            before = self._baseline[item.key]
            if any(getattr(before, name) != getattr(item, name) for name in TYPED_FIELDS):
                changed.append(ItemChange(db_id, item.entry()))

        def ref(key: int) -> int | New:
            db_id = self._saved_id(key)
            return New(key) if db_id is None else db_id

        now = {(ref(item.key), ref(p)) for item in self._items.values() for p in item.prerequisites}
        was = {(self.ids[key], self.ids[p]) for key, item in self._baseline.items() for p in item.prerequisites}
        kept = {self.ids[key] for key in self._baseline if key in self._items}
        unlinked = tuple(sorted(pair for pair in was - now if pair[0] in kept and pair[1] in kept))
        linked = tuple(sorted(now - was, key=lambda pair: (str(pair[0]), str(pair[1]))))
        return PlanChanges(
            removed=removed, added=tuple(added), changed=tuple(changed), unlinked=unlinked, linked=linked
        )

    def rebase(self, fresh: PlanView) -> tuple[WorkingPlan, list[str]]:
        """The plan as another workstation saved it, with this editor's unsaved edits re-applied
        where they do not touch what that workstation changed (DATA-4).

        Field by field for a changed item; a removal stands if the other workstation did not change
        the item; added items and links come along. Returns the new working copy and, for the
        person, what could not be re-applied.
        """
        new = WorkingPlan.load(fresh, self)
        skipped: list[str] = []
        for key, base in self._baseline.items():
            mine = self.items.get(key)
            theirs = new.items.get(key) if key in new._baseline else None
            label = base.label
            if mine is None:
                if theirs is None:
                    continue  # removed on both workstations
                if _same_fields(theirs, base) and not theirs.is_completed:
                    new.remove(key)
                else:
                    skipped.append(f"removing {label} (the other workstation changed it)")
                continue
            changed = [name for name in TYPED_FIELDS if getattr(mine, name) != getattr(base, name)]
            added_links = mine.prerequisites - base.prerequisites
            dropped_links = base.prerequisites - mine.prerequisites
            if not (changed or added_links or dropped_links):
                continue
            if theirs is None:
                skipped.append(f"your changes to {label} (the other workstation removed it)")
                continue
            if theirs.is_completed:
                skipped.append(f"your changes to {label} (it was completed meanwhile)")
                continue
            updates = {}
            for name in changed:
                if getattr(theirs, name) == getattr(base, name):
                    updates[name] = getattr(mine, name)
                else:
                    skipped.append(f"the {FIELD_WORDS.get(name, name)} of {label}")
            # a code brings its own name, flags and schedule fee, a provider its name
            updates |= {name: getattr(mine, name) for name in companions(list(updates))}
            item = replace(theirs, **updates)
            links = (item.prerequisites | {p for p in added_links if p in new.items}) - dropped_links
            new.replace_item(replace(item, prerequisites=frozenset(links)))
        for key, mine in self.items.items():
            if key not in self._baseline:
                new.add(mine)
        for item in list(new.items.values()):  # links to items that are gone go with them
            kept = frozenset(p for p in item.prerequisites if p in new.items)
            if kept != item.prerequisites:
                new.replace_item(replace(item, prerequisites=kept))
        return new, skipped

    def is_dirty(self) -> bool:
        return not self.changes().is_empty
