"""Every service's arguments checked against its signature before it touches the database.

The guard (:mod:`dentaldesk.services.access.guard`) builds one :class:`Arguments` per guarded
function from its type hints and runs it on each call, before the action's transaction begins, so
a refused call changes nothing (DATA-1). What it refuses comes back as a typed error a person can
read, never as a ``TypeError`` or a database error:

* an id (a parameter or field named ``id`` or ``*_id``) that is not a whole number from 1 to the
  largest id a database holds: :class:`NotFound` ("No such patient.");
* any other whole number that is not an ``int`` or lies beyond what a database column holds,
  a ``bool`` that is not ``True``/``False``, a date that is not a date, a value of the wrong kind:
  :class:`ValidationError` naming the field;
* text that is not ``str``, is longer than :data:`LONGEST_TEXT`, or holds a NUL, a control
  character or half a character (:func:`dentaldesk.domain.text.text_problem`);
* money that is a float (MONEY-1) or a Decimal that is not a number (NaN, infinity); typed money
  text is then read by the one parser (MONEY-3) in the service, as before.

Forms (dataclasses) are checked field by field, the same way, and so are the items of lists,
tuples and mappings; a refusal names the form's field, or the field a person sees it at when the
dataclass field says so (``field(metadata={"shown_at": "taxable"})``). A hint the checker does not know (``object``) is left to the service.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import functools
import inspect
import os
import types
import typing
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, Union

from dentaldesk.domain.errors import NotFound, ValidationError
from dentaldesk.domain.text import text_problem

LARGEST_ID = 2**63 - 1  # a BIGINT / SQLite INTEGER
LARGEST_NUMBER = 2**31 - 1  # a plain INTEGER column (versions, counts, fee schedule numbers)
LONGEST_TEXT = 100_000  # no field takes more; a longer text is refused before it is looked at

Check = Callable[[Any, str], Any]


def _what(name: str) -> str:
    return name.removesuffix("_id").replace("_", " ") or "record"


def _is_id(name: str) -> bool:
    return name == "id" or name.endswith("_id") or name.endswith("_ids")


def _wrong(name: str, kind: str) -> ValidationError:
    return ValidationError(f"The {_what(name)} must be {kind}. Nothing was changed.", name)


def check_text(value: str, name: str) -> str:
    if len(value) > LONGEST_TEXT:
        raise ValidationError(f"The {_what(name)} is far too long ({len(value):,} characters).", name)
    problem = text_problem(value)
    if problem is not None:
        raise ValidationError(f"The {_what(name)} {problem}. Nothing was changed.", name)
    return value


def _text(value: Any, name: str) -> Any:
    if not isinstance(value, str):
        raise _wrong(name, "text")
    return check_text(value, name)


def _integer(value: Any, name: str) -> Any:
    if _is_id(name):
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= LARGEST_ID:
            raise NotFound(f"No such {_what(name.removesuffix('s'))}.", name)
        return value
    if isinstance(value, bool) or not isinstance(value, int):
        raise _wrong(name, "a whole number")
    if not -LARGEST_NUMBER <= value <= LARGEST_NUMBER:
        raise ValidationError(f"The {_what(name)} is out of range. Nothing was changed.", name)
    return value


def _boolean(value: Any, name: str) -> Any:
    if not isinstance(value, bool):
        raise _wrong(name, "yes or no")
    return value


def _date(value: Any, name: str) -> Any:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise _wrong(name, "a date")
    return value


def _decimal(value: Any, name: str) -> Any:
    if isinstance(value, float):
        raise _wrong(name, "an exact amount, never a float (MONEY-1)")
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise _wrong(name, "an amount")
    if isinstance(value, Decimal) and not value.is_finite():
        raise ValidationError(f"The {_what(name)} is not an amount. Nothing was changed.", name)
    return value


def _path(value: Any, name: str) -> Any:
    if not isinstance(value, os.PathLike):  # a Path, as the signature says (text is not one)
        raise _wrong(name, "a file or folder")
    shown = os.fspath(value)
    check_text(shown if isinstance(shown, str) else shown.decode("utf-8", "replace"), name)
    return value


def _bytes(value: Any, name: str) -> Any:
    if not isinstance(value, (bytes, bytearray)):
        raise _wrong(name, "a picture")
    return value


def _instance(kind: type) -> Check:
    def check(value: Any, name: str) -> Any:
        if not isinstance(value, kind):
            raise _wrong(name, f"a {kind.__name__}")
        return value

    return check


def _enum(kind: type[enum.Enum]) -> Check:
    def check(value: Any, name: str) -> Any:
        if not isinstance(value, kind):
            raise _wrong(name, "one of the choices offered")
        return value

    return check


def _either(checks: list[Check], optional: bool) -> Check:
    def check(value: Any, name: str) -> Any:
        if value is None and optional:
            return value
        if value is None:
            raise _wrong(name, "filled in")
        first: Exception | None = None
        for one in checks:
            try:
                return one(value, name)
            except (ValidationError, NotFound) as exc:
                first = first or exc
        assert first is not None
        raise first

    return check


def _sequence(item: Check, kinds: tuple[type, ...]) -> Check:
    def check(value: Any, name: str) -> Any:
        if isinstance(value, (str, bytes)) or not isinstance(value, kinds):
            raise _wrong(name, "a list")
        for entry in typing.cast(Sequence[Any], value):
            item(entry, name)
        return value

    return check


def _record(items: list[Check]) -> Check:
    """A fixed-length tuple such as ``tuple[int, str, str]``."""

    def check(value: Any, name: str) -> Any:
        if not isinstance(value, (tuple, list)) or len(value) != len(items):
            raise _wrong(name, f"{len(items)} values")
        for one, entry in zip(items, value, strict=True):
            one(entry, name)
        return value

    return check


def _mapping(key: Check, item: Check) -> Check:
    def check(value: Any, name: str) -> Any:
        if not isinstance(value, Mapping):
            raise _wrong(name, "a table of values")
        for k, v in value.items():
            key(k, name)
            item(v, name)
        return value

    return check


def _form(kind: type) -> Check:
    fields = None

    def check(value: Any, name: str) -> Any:
        nonlocal fields
        if not isinstance(value, kind):
            raise _wrong(name, f"a {kind.__name__}")
        if fields is None:
            hints = typing.get_type_hints(kind)
            fields = [
                (f.name, f.metadata.get("shown_at", f.name), checker(hints.get(f.name, Any), f.name))
                for f in dataclasses.fields(kind)
            ]
        for field, shown_at, one in fields:
            try:
                one(getattr(value, field), field)
            except (ValidationError, NotFound) as exc:
                if exc.field == field:
                    exc.field = shown_at
                raise
        return value

    return check


def _choice(allowed: tuple[Any, ...]) -> Check:
    def check(value: Any, name: str) -> Any:
        if not any(value is a or (type(value) is type(a) and value == a) for a in allowed):
            raise _wrong(name, "one of the choices offered")
        return value

    return check


def _anything(value: Any, name: str) -> Any:
    return value


def checker(hint: Any, name: str = "") -> Check:
    """The check for a value of type ``hint`` (see the module doc)."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (Union, types.UnionType):
        options = [a for a in args if a is not type(None)]
        return _either([checker(a, name) for a in options], optional=len(options) < len(args))
    if origin is typing.Literal:
        return _choice(args)
    if origin is tuple and args and args[-1] is not Ellipsis:
        return _record([checker(a, name) for a in args])
    if origin in (list, tuple, set, frozenset, Sequence, Iterable, Collection):
        kinds: tuple[type, ...] = (list, tuple) if origin in (Sequence, tuple) else (origin,)
        if origin in (Iterable, Collection):  # a collection that can be read twice, never a generator
            kinds = (list, tuple, set, frozenset)
        return _sequence(checker(args[0] if args else Any, name), kinds)
    if origin in (dict, Mapping):
        key_hint, item_hint = args if args else (Any, Any)
        return _mapping(checker(key_hint, name), checker(item_hint, name))
    return _simple(hint)


def _simple(hint: Any) -> Check:
    if hint is bool:
        return _boolean
    if hint is int:
        return _integer
    if hint is str:
        return _text
    if hint is Decimal:
        return _decimal
    if hint is dt.date:
        return _date
    if hint is bytes:
        return _bytes
    if hint is Path:
        return _path
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return _enum(hint)
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return _form(hint)
    if isinstance(hint, type) and hint is not object:
        return _instance(hint)
    return _anything


class Arguments:
    """The checks of one service function's arguments (all but ``uow`` and ``actor``)."""

    def __init__(self, fn: Callable[..., Any]) -> None:
        self._fn = fn

    @functools.cached_property
    def checks(self) -> dict[str, Check]:
        """Built at the first call (the hints name classes defined after the decorator runs)."""
        hints = typing.get_type_hints(self._fn)
        params = list(inspect.signature(self._fn).parameters.values())[2:]
        names = [p.name for p in params if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
        return {name: checker(hints.get(name, Any), name) for name in names}

    def check(self, arguments: Mapping[str, Any]) -> None:
        """Refuse the call with a typed error when an argument is not what the signature says."""
        for name, one in self.checks.items():
            if name in arguments:
                one(arguments[name], name)
