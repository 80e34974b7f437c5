"""Re-applying a person's edits onto what another workstation saved meanwhile (DATA-4).

A form is loaded (``base``), the person types (``mine``), another workstation saves first
(``theirs``). Reloading keeps the person's typing where it does not touch what the other
workstation changed: a field the person changed and the other did not takes the person's value;
a field only the other changed takes theirs; a field both changed to different values takes
theirs and is named, so the form can say which edits were not re-applied. Forms are frozen
dataclasses, nested ones (a patient's coverage) field by field.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, is_dataclass, replace
from typing import Any, Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Reapplied(Generic[T]):
    """The merged form, and the fields (dotted for nested forms) whose edit was not re-applied."""

    value: T
    not_reapplied: tuple[str, ...]


def reapply(base: T, mine: T, theirs: T) -> Reapplied[T]:
    """Three-way merge of one form: ``mine`` re-applied onto ``theirs`` where ``base`` says it may."""
    clashes: list[str] = []
    merged = _merge(base, mine, theirs, "", clashes)
    return Reapplied(merged, tuple(clashes))


def _merge(base: Any, mine: Any, theirs: Any, path: str, clashes: list[str]) -> Any:
    if is_dataclass(base) and not isinstance(base, type) and type(base) is type(mine) is type(theirs):
        values = {}
        for f in fields(base):
            values[f.name] = _merge(
                getattr(base, f.name), getattr(mine, f.name), getattr(theirs, f.name), f"{path}{f.name}.", clashes
            )
        return replace(theirs, **values)
    if mine == base:
        return theirs
    if theirs in (base, mine):
        return mine
    clashes.append(path.rstrip("."))
    return theirs
