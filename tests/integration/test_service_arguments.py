"""Every service checks its arguments into typed errors before it touches the database (DATA-1),
and names compare the Unicode way (one fold, dentaldesk.domain.text)."""

from __future__ import annotations

import datetime as dt
import gzip
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from dentaldesk.db.engine import make_engine
from dentaldesk.db.migrate import upgrade
from dentaldesk.db.models import AuditEvent, Patient, User
from dentaldesk.domain.errors import NotFound, ValidationError
from dentaldesk.domain.terms import Role
from dentaldesk.domain.text import fold, search_key, text_problem
from dentaldesk.services.ledger.posting import post_payment
from dentaldesk.services.patients.records import PatientForm, add_patient, load_patient
from dentaldesk.services.patients.search import search_patients
from dentaldesk.services.plans import create_plan, load_plan
from dentaldesk.services.practice.staff import UserForm, add_user


def _counts(engine) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return (
            conn.scalar(select(func.count()).select_from(Patient)) or 0,
            conn.scalar(select(func.count()).select_from(AuditEvent)) or 0,
        )


def test_text_rules_refuse_nul_controls_and_lone_surrogates() -> None:
    """DATA-1: what no database can store is named before anything is saved; tabs and line breaks are text."""
    assert text_problem("Smith\x00") is not None
    assert text_problem("Smith\x1b[31m") is not None
    assert text_problem("broken \udcff") is not None
    assert text_problem("line one\nline two\tand a tab\r\n") is None
    assert text_problem("Zoë Ångström 李") is None


def test_fold_is_unicode_caseless_and_search_keys_keep_non_latin_letters() -> None:
    """One fold for names: "Éva" = "éva" = "ÉVA"; "Straße" = "strasse"; a Greek name keeps its key."""
    assert fold("Éva") == fold("éva") == fold("ÉVA")
    assert fold("Straße") == fold("STRASSE")
    assert fold("Ｓｍｉｔｈ") == "smith"
    assert search_key("Ève") == "eve"
    assert search_key("Σοφία") == "σοφια"
    assert search_key("ß" * 60) == "s" * 80  # within the stored key's column


@pytest.mark.parametrize(
    "bad",
    [-1, 0, 2**63, 2**80, "12", 1.0, True, None, Decimal(3)],
    ids=["negative", "zero", "too-big", "huge", "text", "float", "bool", "none", "decimal"],
)
def test_a_bad_id_is_not_found_never_a_crash(fast_practice, bad) -> None:  # type: ignore[no-untyped-def]
    """Bad ids (negative, huge, wrong type) come back as NotFound, and nothing is written."""
    before = _counts(fast_practice.engine)
    with pytest.raises(NotFound):
        load_patient(fast_practice.uow, fast_practice.owner, bad)
    with pytest.raises(NotFound):
        load_plan(fast_practice.uow, fast_practice.owner, bad)
    with pytest.raises(NotFound):
        create_plan(fast_practice.uow, fast_practice.owner, bad, "A plan")
    assert _counts(fast_practice.engine) == before


@pytest.mark.parametrize(
    "name",
    ["Ann\x00a", "Ann\x07a", "Ann\udcffa", "A" * 200_000, 42, b"Anna", None],
    ids=["nul", "bell", "surrogate", "huge", "int", "bytes", "none"],
)
def test_a_bad_text_is_a_validation_error_at_its_field(fast_practice, name) -> None:  # type: ignore[no-untyped-def]
    """NUL, control characters, half characters, huge or non-text values: a ValidationError naming the field."""
    before = _counts(fast_practice.engine)
    form = PatientForm(first_name=name, last_name="Smith", birth_date="1990-01-01")
    with pytest.raises(ValidationError) as refused:
        add_patient(fast_practice.uow, fast_practice.owner, form)
    assert refused.value.field == "first_name"
    assert _counts(fast_practice.engine) == before


@pytest.mark.parametrize(
    "amount",
    [1.5, Decimal("NaN"), Decimal("Infinity"), "12\x00", True, [1]],
    ids=["float", "nan", "inf", "nul", "bool", "list"],
)
def test_money_of_the_wrong_kind_is_refused_typed(fast_practice, amount) -> None:  # type: ignore[no-untyped-def]
    """MONEY-1/MONEY-3: a float, NaN or infinity never reaches the ledger; the refusal is typed."""
    before = _counts(fast_practice.engine)
    with pytest.raises(ValidationError):
        post_payment(
            fast_practice.uow,
            fast_practice.owner,
            account_id=fast_practice.account_id,
            amount=amount,
            paid_on=dt.date(2026, 5, 12),
        )
    assert _counts(fast_practice.engine) == before


def test_wrong_arguments_and_dates_are_typed(fast_practice) -> None:  # type: ignore[no-untyped-def]
    """A missing or unknown argument, a date given as text: typed errors, not TypeError."""
    with pytest.raises(ValidationError):
        load_patient(fast_practice.uow, fast_practice.owner)  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        load_patient(fast_practice.uow, fast_practice.owner, 1, colour="red")  # type: ignore[call-arg]
    with pytest.raises(ValidationError) as refused:
        post_payment(
            fast_practice.uow,
            fast_practice.owner,
            account_id=fast_practice.account_id,
            amount="5.00",
            paid_on="2026-05-12",
        )
    assert refused.value.field == "paid_on"


def test_a_second_user_eva_is_refused_whatever_the_case(fast_practice) -> None:
    """A user name compares the Unicode way: "éva" after "Éva" is taken (not an IntegrityError on SQLite)."""
    form = UserForm(
        username="Éva", full_name="Éva Kovács", role=Role.FRONT_DESK, password="eva-pass-long-1", provider_id=None
    )
    add_user(fast_practice.uow, fast_practice.owner, form)
    for other in ("éva", "ÉVA"):
        with pytest.raises(ValidationError, match="taken"):
            add_user(fast_practice.uow, fast_practice.owner, UserForm(**{**form.__dict__, "username": other}))
    with fast_practice.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(User).where(User.full_name == "Éva Kovács")) == 1


def test_a_greek_patient_is_found_by_her_name(fast_practice) -> None:
    """Search keys fold the Unicode way: "σοφ" finds Σοφία Παπαδοπούλου, "eve" finds Ève."""
    for first, last in (("Σοφία", "Παπαδοπούλου"), ("Ève", "Dupré")):
        add_patient(
            fast_practice.uow,
            fast_practice.owner,
            PatientForm(first_name=first, last_name=last, birth_date="1990-01-01"),
        )
    assert [r.display_name for r in search_patients(fast_practice.uow, fast_practice.owner, "σοφ")] == [
        "Παπαδοπούλου, Σοφία"
    ]
    assert [r.display_name for r in search_patients(fast_practice.uow, fast_practice.owner, "ΠΑΠΑΔ")] == [
        "Παπαδοπούλου, Σοφία"
    ]
    assert [r.display_name for r in search_patients(fast_practice.uow, fast_practice.owner, "eve")] == ["Dupré, Ève"]


def test_migration_0014_rekeys_stored_patients(tmp_path: Path) -> None:
    """An older database's ASCII-only keys (a Greek name keyed "") are re-keyed by 0014, names kept."""
    fixture = sorted((Path(__file__).parents[1] / "fixtures" / "databases").glob("schema_*.sqlite3.gz"))[-1]
    path = tmp_path / "old.sqlite3"
    with gzip.open(fixture, "rb") as src, path.open("wb") as dst:
        shutil.copyfileobj(src, dst)
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        first = conn.scalar(text("SELECT min(id) FROM patient"))
        conn.execute(
            text(
                "UPDATE patient SET first_name = 'Σοφία', last_name = 'Øst', first_name_key = '', last_name_key = 'st'"
                " WHERE id = :id"
            ),
            {"id": first},
        )
        others = conn.execute(
            text("SELECT id, first_name_key, last_name_key FROM patient WHERE id <> :id"), {"id": first}
        ).all()
    engine.dispose()
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with engine.connect() as conn:
        row = conn.execute(
            text("SELECT first_name, last_name, first_name_key, last_name_key FROM patient WHERE id = :id"),
            {"id": first},
        ).one()
        after = conn.execute(
            text("SELECT id, first_name_key, last_name_key FROM patient WHERE id <> :id"), {"id": first}
        ).all()
    assert tuple(row) == ("Σοφία", "Øst", "σοφια", "øst")
    assert after == others  # the fixture's Latin names keep their keys
    engine.dispose()


def test_a_path_given_as_text_is_refused_typed(fast_practice, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """DATA-6 services take a Path: text, None or a number is a ValidationError (found by the service fuzz)."""
    from dentaldesk.services.practice.backups import back_up_now, check_restore

    for bad in (str(tmp_path), 7, b"/tmp"):
        with pytest.raises(ValidationError):
            back_up_now(fast_practice.uow, fast_practice.owner, to=bad)
        with pytest.raises(ValidationError):
            check_restore(fast_practice.uow, fast_practice.owner, bad)
    assert list(tmp_path.iterdir()) == [tmp_path / "small.sqlite3"] or "backups" not in {
        p.name for p in tmp_path.iterdir()
    }
