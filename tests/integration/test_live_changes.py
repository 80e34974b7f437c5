"""Other workstations hear a committed change, and only a committed one (DATA-7)."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest
from race_practice import RacePractice, run_race
from sqlalchemy import Engine

from dentaldesk.db.changes import ChangeFeed
from dentaldesk.db.engine import make_engine
from dentaldesk.db.models import Patient
from dentaldesk.services.access.login import login
from dentaldesk.services.patients.records import edit_patient, load_patient
from dentaldesk.services.uow import UnitOfWork


def _wait(feed: ChangeFeed, seconds: float = 2.0):  # type: ignore[no-untyped-def]
    """Poll as the app does (every 0.25 s) until something arrives or ``seconds`` pass."""
    deadline = time.monotonic() + seconds
    found = []
    while not found and time.monotonic() < deadline:
        found = feed.poll(0.25)
        if not found:
            time.sleep(0.05)
    return found


def _edit_phone(engine: Engine, patient_id: int, phone: str) -> None:
    uow = UnitOfWork.for_engine(engine)
    actor = login(uow, "owner", "owner-pass-1", "other-ws")
    record = load_patient(uow, actor, patient_id)
    edit_patient(uow, actor, patient_id, replace(record.form, phone=phone), expected_versions=record.versions)


def _fail_after_changing(engine: Engine, patient_id: int) -> None:
    """An action that changed the patient and then failed: rolled back whole."""
    with pytest.raises(RuntimeError), UnitOfWork.for_engine(engine) as uow:
        uow.session.get(Patient, patient_id).phone = "never saved"
        uow.session.flush()
        raise RuntimeError("the action failed")


def _other_engine(engine: Engine) -> Engine:
    return make_engine(engine.url.render_as_string(hide_password=False))


def test_data7_a_workstation_hears_the_patient_another_one_saved_and_not_its_own(fast_practice) -> None:
    """SQLite, two engines on one file: B saves a patient; A's feed names the patient within 2 s; A's own
    save is not announced back to A; a refused action announces nothing."""
    here = fast_practice.engine
    there = _other_engine(here)
    feed = ChangeFeed(here)
    try:
        patient = fast_practice.patient_ids[1]
        _edit_phone(there, patient, "555-0111")
        heard = _wait(feed)
        assert heard and any(c.touches("patient", patient) for c in heard)
        _edit_phone(here, patient, "555-0112")  # this workstation's own save
        assert _wait(feed, 0.6) == []
        _fail_after_changing(there, patient)
        assert _wait(feed, 0.6) == []
    finally:
        feed.close()
        there.dispose()


def test_data7_two_processes_on_one_sqlite_file_see_each_others_changes(sqlite_race: RacePractice) -> None:
    """Another process on the same file edits the patient: this process's feed hears it."""
    feed = ChangeFeed(sqlite_race.engine)
    try:
        results = run_race(sqlite_race, "patient_counter", 1, workers=1)
        assert results[0][0]["ok"], results
        heard = _wait(feed)
        assert any(c.touches("patient", sqlite_race.ids.patient_id) for c in heard)
    finally:
        feed.close()


@pytest.mark.postgres
def test_data7_postgresql_notify_is_sent_in_the_changes_own_transaction(pg_engine_new: Engine) -> None:
    """Shared mode: the NOTIFY goes with the commit (LISTEN on another connection hears the patient), and a
    rolled-back transaction sends nothing."""
    from conftest import SmallPractice

    practice = SmallPractice(UnitOfWork.for_engine(pg_engine_new))
    there = _other_engine(pg_engine_new)
    feed = ChangeFeed(pg_engine_new)
    try:
        _wait(feed, 0.3)  # what the set-up itself announced, from this engine: skipped
        patient = practice.patient_ids[0]
        _fail_after_changing(there, patient)
        assert _wait(feed, 0.6) == []
        _edit_phone(there, patient, "555-0199")
        heard = _wait(feed)
        assert heard and any(c.touches("patient", patient) for c in heard)
    finally:
        feed.close()
        there.dispose()
