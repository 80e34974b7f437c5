"""Every edit in the plan editor is one QUndoCommand named for what the person did (STYLE.md 7).

Commands change only the editor's working copy (see working_copy.py); ``on_change`` redraws the
editor afterwards. Names read as menu entries: "Undo Change fee of D2740 #14".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtGui import QUndoCommand

from dentaldesk.domain.plan_items import TYPED_FIELDS
from dentaldesk.ui.plans.working_copy import WorkingItem, WorkingPlan


class _PlanCommand(QUndoCommand):
    def __init__(self, plan: Callable[[], WorkingPlan], on_change: Callable[[], None], name: str) -> None:
        super().__init__(name)
        self._plan = plan  # the editor's current working copy (it is replaced on reload)
        self._on_change = on_change

    @property
    def plan(self) -> WorkingPlan:
        return self._plan()


class AddItemCommand(_PlanCommand):
    """ "+ Add item": redo puts the item in, undo takes it out again."""

    def __init__(self, plan, on_change, item: WorkingItem) -> None:
        super().__init__(plan, on_change, f"Add {item.label}")
        self.item = item

    def redo(self) -> None:
        self.plan.add(self.item)
        self._on_change()

    def undo(self) -> None:
        self.plan.remove(self.item.key)
        self._on_change()


class RemoveItemCommand(_PlanCommand):
    """Remove an item with its links; undo restores both."""

    def __init__(self, plan, on_change, key: int) -> None:
        super().__init__(plan, on_change, f"Remove {plan().label(key)}")
        self.key = key
        self.item: WorkingItem | None = None
        self.dependents: list[int] = []

    def redo(self) -> None:
        self.item, self.dependents = self.plan.remove(self.key)
        self._on_change()

    def undo(self) -> None:
        assert self.item is not None
        self.plan.restore(self.item, self.dependents)
        self._on_change()


def edit_name(before: WorkingItem, after: WorkingItem, label: str) -> str:
    """Name an edit by what changed: "Change fee of D2740 #14", "Change tooth of ...", "Edit ..."."""
    changed = [name for name in TYPED_FIELDS if getattr(before, name) != getattr(after, name)]
    words = {
        ("fee",): "Change fee of",
        ("tooth",): "Change tooth of",
        ("surfaces",): "Change surfaces of",
        ("tooth", "surfaces"): "Change tooth of",
        ("provider_id",): "Change provider of",
        ("rtu",): "Change RTU's of",
        ("notes",): "Change notes of",
        ("taxable_override",): "Change Taxable of",
        ("insurable_override",): "Change Insurable of",
    }
    return f"{words.get(tuple(changed), 'Edit')} {label}"


class EditItemCommand(_PlanCommand):
    """Change an item's fields (fee, tooth, provider ...); undo puts the old values back."""

    def __init__(self, plan, on_change, before: WorkingItem, after: WorkingItem) -> None:
        super().__init__(plan, on_change, edit_name(before, after, before.label))
        # Links are not part of an edit: keep whatever the item has at redo/undo time.
        self.before = before
        self.after = after

    def _put(self, values: WorkingItem) -> None:
        current = self.plan.item(values.key)
        self.plan.replace_item(replace(values, prerequisites=current.prerequisites))
        self._on_change()

    def redo(self) -> None:
        self._put(self.after)

    def undo(self) -> None:
        self._put(self.before)


class LinkCommand(_PlanCommand):
    """ "Depends on": the item waits for its prerequisite (TP-8)."""

    def __init__(self, plan, on_change, key: int, prerequisite: int) -> None:
        super().__init__(plan, on_change, f"Make {plan().label(key)} depend on {plan().label(prerequisite)}")
        self.key, self.prerequisite = key, prerequisite

    def redo(self) -> None:
        self.plan.link(self.key, self.prerequisite)
        self._on_change()

    def undo(self) -> None:
        self.plan.unlink(self.key, self.prerequisite)
        self._on_change()


class UnlinkCommand(_PlanCommand):
    def __init__(self, plan, on_change, key: int, prerequisite: int) -> None:
        super().__init__(plan, on_change, f"Remove dependency of {plan().label(key)} on {plan().label(prerequisite)}")
        self.key, self.prerequisite = key, prerequisite

    def redo(self) -> None:
        self.plan.unlink(self.key, self.prerequisite)
        self._on_change()

    def undo(self) -> None:
        self.plan.link(self.key, self.prerequisite)
        self._on_change()


class MoveToVisitCommand(_PlanCommand):
    """Put an item in another visit (TP-16)."""

    def __init__(self, plan, on_change, key: int, visit: int | None) -> None:
        where = f"visit {visit}" if visit is not None else "no visit"
        super().__init__(plan, on_change, f"Move {plan().label(key)} to {where}")
        self.key = key
        self.visit = visit
        self.old_visit = plan().item(key).visit

    def _put(self, visit: int | None) -> None:
        self.plan.replace_item(replace(self.plan.item(self.key), visit=visit))
        self._on_change()

    def redo(self) -> None:
        self._put(self.visit)

    def undo(self) -> None:
        self._put(self.old_visit)
