"""A hypothesis fuzz of every guarded service (DATA-1, SEC-5): typed errors only, nothing half saved,
nothing changed without its audit row.

The services come from the guard's own registry (``guard.ACTIONS``, every ``@guarded`` function),
so a new service is fuzzed without touching this file. Each one's arguments are drawn from its
type hints: mostly plausible values (ids of records that exist, codes, teeth, amounts, dates),
mixed with what a careless caller or a damaged screen sends (ids that are negative, zero, huge
or of the wrong type; floats and NaN for money; text with NUL, control characters, lone
surrogates, 200,000 characters; None; values of another kind). Every call is made by the
practice's Owner, so the rights pass and the service itself is what is tested. After each call:

* an exception that is not one of DentalDesk's typed errors (domain/errors.py) is a failure;
* a refused call changed nothing: every table's row count and versions are as before;
* a call that changed any practice table wrote at least one audit row.

Paths are drawn inside the test's own folder (a backup folder, a code list, a restore file), and
the mail server is never reached (its connection is refused), so the fuzz touches nothing else.
The budget is ``DENTALDESK_FUZZ_EXAMPLES`` examples per service (CI: 5 on SQLite, about a
minute on this machine, and 2 on PostgreSQL; set it higher for a longer run); the figures go to the run's "reliability figures".
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import importlib
import inspect
import os
import pkgutil
import smtplib
import traceback
import types
import typing
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, Union

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from race_practice import figures
from sqlalchemy import Engine, text
from sqlalchemy import inspect as sa_inspect

import dentaldesk.services
from dentaldesk.domain.errors import DentalDeskError
from dentaldesk.services.access.guard import ACTIONS
from dentaldesk.services.uow import UnitOfWork

EXAMPLES = int(os.environ.get("DENTALDESK_FUZZ_EXAMPLES", "5"))
PG_EXAMPLES = max(1, EXAMPLES // 2)

# Tables a call may change without its own audit row: the audit log itself and its chain head,
# the change feed other workstations listen to (DATA-7), the login's own bookkeeping.
BOOKKEEPING = {"audit_event", "audit_chain", "change_log", "login_session", "login_throttle", "alembic_version"}


def _load_services() -> dict[str, Callable[..., Any]]:
    for module in pkgutil.walk_packages(dentaldesk.services.__path__, "dentaldesk.services."):
        importlib.import_module(module.name)
    found = {}
    for name in ACTIONS:
        module, fn = name.rsplit(".", 1)
        found[name] = getattr(importlib.import_module(f"dentaldesk.services.{module}"), fn)
    return found


SERVICES = _load_services()

# --------------------------------------------------------------------------- values from hints

BAD_TEXT = st.sampled_from(
    ["", "   ", "\x00", "Ann\x00a", "bell\x07", "esc\x1b[2J", "half \udcff", "\ud800", "x" * 200_000, "😀" * 50, "Ω≈ç√"]
)
PLAUSIBLE_TEXT = st.sampled_from(
    [
        "D0120",
        "D2740",
        "D2391",
        "14",
        "3",
        "MOD",
        "O",
        "12.50",
        "100",
        "-5",
        "1,000.00",
        "2026-05-12",
        "Smith",
        "Éva",
        "ok",
    ]
)
BAD_INT = st.sampled_from([-1, 0, -(2**63), 2**31, 2**63, 2**64, 10**30])
WRONG_KIND = st.sampled_from(
    [None, 1.5, float("nan"), "7", b"7", [], {}, True, Decimal("1"), dt.datetime(2026, 5, 12, 9)]
)


def _hashable(value: object) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _text() -> st.SearchStrategy[str]:
    return st.one_of(PLAUSIBLE_TEXT, BAD_TEXT, st.text(st.characters(codec=None), max_size=30))


def _int(name: str) -> st.SearchStrategy[Any]:
    if name.endswith("_id") or name == "id" or name.endswith("_ids"):
        return st.one_of(st.integers(1, 60), st.integers(1, 60), BAD_INT, WRONG_KIND)
    return st.one_of(st.integers(-3, 40), BAD_INT, WRONG_KIND)


def _pathish(sandbox: Path) -> st.SearchStrategy[Any]:
    inside = st.text(st.characters(codec="utf-8", categories=("L", "N")), min_size=1, max_size=8)
    return st.one_of(
        inside.map(lambda n: sandbox / n),
        st.just(sandbox / "codes.csv"),
        st.just(sandbox / "old.sqlite3"),
        st.just(sandbox),
        st.just(sandbox / "bad\x00name"),
        WRONG_KIND,
    )


def strategy(hint: Any, name: str, sandbox: Path) -> st.SearchStrategy[Any]:
    """Values for a parameter or form field of type ``hint`` named ``name``."""
    if any(word in name for word in ("folder", "path", "source")) or name == "to" and hint is not str:
        folders = _pathish(sandbox)
        return folders.map(lambda p: str(p) if isinstance(p, Path) and hint is str else p) if hint is str else folders
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (Union, types.UnionType):
        return st.one_of(*[strategy(a, name, sandbox) if a is not type(None) else st.none() for a in args])
    if origin is typing.Literal:
        return st.one_of(st.sampled_from(args), WRONG_KIND)
    if origin is tuple and args and args[-1] is not Ellipsis:
        return st.tuples(*[strategy(a, name, sandbox) for a in args])
    if origin in (list, tuple, set, frozenset, Sequence, Iterable, Collection):
        item = strategy(args[0] if args else Any, name, sandbox)
        return st.one_of(st.lists(item, max_size=3).map(tuple if origin is tuple else list), WRONG_KIND)
    if origin in (dict, Mapping):
        key_hint, item_hint = args if args else (Any, Any)
        keys = strategy(key_hint, name, sandbox).filter(_hashable)
        pairs = st.dictionaries(keys, strategy(item_hint, name, sandbox), max_size=3)
        return st.one_of(pairs, WRONG_KIND)
    if hint is bool:
        return st.one_of(st.booleans(), st.booleans(), WRONG_KIND)
    if hint is int:
        return _int(name)
    if hint is str:
        return _text()
    if hint is Decimal:
        return st.one_of(
            st.decimals(min_value=-1000, max_value=100000, places=2),
            st.sampled_from([Decimal("NaN"), Decimal("Infinity"), Decimal("1E+30"), Decimal("0.001")]),
            WRONG_KIND,
        )
    if hint is dt.date:
        return st.one_of(
            st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)), st.just(dt.date(2026, 5, 12)), WRONG_KIND
        )
    if hint is bytes:
        return st.one_of(st.binary(max_size=40), st.just(b"\x89PNG\r\n\x1a\n" + b"\x00" * 32), WRONG_KIND)
    if hint is Path:
        return _pathish(sandbox)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return st.one_of(st.sampled_from(list(hint)), st.sampled_from([m.value for m in hint]), WRONG_KIND)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return st.one_of(_form(hint, sandbox), _form(hint, sandbox), WRONG_KIND)
    if isinstance(hint, type) and hint.__module__.startswith("dentaldesk.db"):
        return st.none()  # a workstation's own handle (the presence check), not an input
    return st.one_of(st.none(), _text(), st.integers(-2, 40), st.dates(), WRONG_KIND)


def _form(kind: type, sandbox: Path) -> st.SearchStrategy[Any]:
    hints = typing.get_type_hints(kind)
    fields = {f.name: strategy(hints.get(f.name, Any), f.name, sandbox) for f in dataclasses.fields(kind) if f.init}

    @st.composite
    def build(draw: st.DrawFn) -> Any:
        values = {name: draw(s) for name, s in fields.items()}
        try:
            return kind(**values)
        except Exception:  # the form refuses to be built: use it unbuilt, as a damaged caller would
            made = object.__new__(kind)
            for name, value in values.items():
                object.__setattr__(made, name, value)
            return made

    return build()


def arguments(fn: Callable[..., Any], sandbox: Path) -> st.SearchStrategy[dict[str, Any]]:
    target = inspect.unwrap(fn)
    hints = typing.get_type_hints(target)
    params = [
        p
        for p in list(inspect.signature(target).parameters.values())[2:]
        if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]
    required = {p.name: strategy(hints.get(p.name, Any), p.name, sandbox) for p in params if p.default is p.empty}
    optional = {p.name: strategy(hints.get(p.name, Any), p.name, sandbox) for p in params if p.default is not p.empty}
    return st.fixed_dictionaries(required, optional=optional)


# --------------------------------------------------------------------------- what changed


def _fingerprint(engine: Engine, tables: list[tuple[str, bool]]) -> dict[str, tuple[int, int]]:
    """Each table's row count and sum of versions: a refused call leaves all of them as they were."""
    parts = []
    for table, versioned in tables:
        version = "coalesce(sum(version), 0)" if versioned else "0"
        parts.append(f"SELECT '{table}', count(*), {version} FROM {table}")
    with engine.connect() as conn:
        return {row[0]: (int(row[1]), int(row[2])) for row in conn.execute(text(" UNION ALL ".join(parts)))}


def _tables(engine: Engine) -> list[tuple[str, bool]]:
    inspector = sa_inspect(engine)
    return [
        (t, any(c["name"] == "version" for c in inspector.get_columns(t)))
        for t in sorted(inspector.get_table_names())
        if t != "alembic_version"
    ]


class _NoMail(smtplib.SMTP):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise ConnectionRefusedError(111, "Connection refused (the fuzz reaches no mail server)")


@dataclasses.dataclass
class Tally:
    calls: int = 0
    ok: int = 0
    typed: int = 0
    untyped: list[str] = dataclasses.field(default_factory=list)
    partial: list[str] = dataclasses.field(default_factory=list)
    unaudited: list[str] = dataclasses.field(default_factory=list)


def fuzz(engine: Engine, owner: Any, sandbox: Path, examples: int, monkeypatch: pytest.MonkeyPatch) -> Tally:
    monkeypatch.setattr(smtplib, "SMTP", _NoMail)
    monkeypatch.setattr(smtplib, "SMTP_SSL", _NoMail)
    monkeypatch.chdir(sandbox)  # a relative path a service makes lands in the sandbox
    (sandbox / "codes.csv").write_text("code,name,category\nD9999,Fuzz,other\n", encoding="utf-8")
    (sandbox / "old.sqlite3").write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    tables = _tables(engine)
    tally = Tally()
    uow = UnitOfWork.for_engine(engine)

    for name, fn in sorted(SERVICES.items()):
        _fuzz_one(name, fn, engine, owner, sandbox, examples, tables, tally, uow)()
    return tally


def _fuzz_one(  # type: ignore[no-untyped-def]
    name: str, fn: Callable[..., Any], engine: Engine, owner, sandbox: Path, examples: int, tables, tally: Tally, uow
) -> Callable[[], None]:
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        phases=(Phase.explicit, Phase.generate),
        suppress_health_check=list(HealthCheck),
    )
    @given(arguments(fn, sandbox))
    def one(kwargs: dict[str, Any]) -> None:
        before = _fingerprint(engine, tables)
        tally.calls += 1
        shown = f"{name}({', '.join(f'{k}={v!r:.60}' for k, v in kwargs.items())})"
        try:
            fn(uow, owner, **kwargs)
        except DentalDeskError:
            tally.typed += 1
            if _fingerprint(engine, tables) != before:
                tally.partial.append(shown)
            return
        except Exception:
            tally.untyped.append(f"{shown}\n{traceback.format_exc(limit=-3)}")
            return
        tally.ok += 1
        after = _fingerprint(engine, tables)
        changed = {t for t in after if after[t] != before.get(t) and t not in BOOKKEEPING}
        if changed and after["audit_event"][0] == before["audit_event"][0]:
            tally.unaudited.append(f"{shown}: changed {', '.join(sorted(changed))}")

    return one


def _report(tally: Tally, database: str, examples: int) -> None:
    figures(
        f"service fuzz ({database})",
        services=len(SERVICES),
        examples_per_service=examples,
        calls=tally.calls,
        done=tally.ok,
        typed_refusals=tally.typed,
        untyped=len(tally.untyped),
        partial_writes=len(tally.partial),
        changes_without_audit=len(tally.unaudited),
    )
    assert tally.untyped == [], "\n\n".join(tally.untyped[:5])
    assert tally.partial == [], tally.partial[:10]
    assert tally.unaudited == [], tally.unaudited[:10]


def _owner(engine: Engine) -> Any:
    from reliability.scenario import OWNER

    from dentaldesk.services.access.login import login

    return login(UnitOfWork.for_engine(engine), OWNER[0], OWNER[1], "fuzz")


def test_data1_every_service_fuzzed_on_sqlite(sqlite_race, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """DATA-1, SEC-5: every guarded service, fuzzed on SQLite on the reliability practice (plans,
    claims, coverages): 0 untyped exceptions, 0 partial writes, 0 changes without an audit row."""
    sandbox = sqlite_race.folder / "sandbox"
    sandbox.mkdir()
    tally = fuzz(sqlite_race.engine, _owner(sqlite_race.engine), sandbox, EXAMPLES, monkeypatch)
    _report(tally, "sqlite", EXAMPLES)
    assert tally.calls >= len(SERVICES) * min(EXAMPLES, 2)


@pytest.mark.postgres
def test_data1_every_service_fuzzed_on_postgresql(pg_race, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """DATA-1, DATA-3: the same fuzz on PostgreSQL with a smaller budget (NUL and half characters
    are refused before PostgreSQL sees them)."""
    sandbox = pg_race.folder / "sandbox"
    sandbox.mkdir()
    tally = fuzz(pg_race.engine, _owner(pg_race.engine), sandbox, PG_EXAMPLES, monkeypatch)
    _report(tally, "postgresql", PG_EXAMPLES)
