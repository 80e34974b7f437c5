"""Patient search as you type: by name, patient ID or birth date)."""

from __future__ import annotations

import datetime as dt

from acting import staff

from dentaldesk.db.models import Office
from dentaldesk.domain.text import search_key
from dentaldesk.services.patients.search import patient_header, search_patients
from dentaldesk.services.uow import UnitOfWork


def names(rows) -> list[str]:
    return [r.display_name for r in rows]


def test_last_name_prefix_finds_every_match_case_insensitive(uow: UnitOfWork, practice) -> None:
    """'smi' finds Smiths by last name and Smitty by first name, whatever the case."""
    assert names(search_patients(uow, staff(uow), "SMI")) == ["Jones, Smitty", "Smith, Anna", "Smith, John"]


def test_first_and_last_name_together(uow: UnitOfWork, practice) -> None:
    """'john smi' and 'smith, jo' both find John Smith only."""
    assert names(search_patients(uow, staff(uow), "john smi")) == ["Smith, John"]
    assert names(search_patients(uow, staff(uow), "smith, jo")) == ["Smith, John"]


def test_patient_id_prefix(uow: UnitOfWork, practice) -> None:
    """Digits search the patient ID (chart number) by prefix."""
    assert [r.patient_number for r in search_patients(uow, staff(uow), "1003")] == ["1003"]
    assert len(search_patients(uow, staff(uow), "100")) == 5


def test_birth_date_in_either_form(uow: UnitOfWork, practice) -> None:
    """A birth date typed as YYYY-MM-DD or MM/DD/YYYY finds everyone born that day."""
    iso = search_patients(uow, staff(uow), "1980-04-02")
    us = search_patients(uow, staff(uow), "04/02/1980")
    assert names(iso) == names(us) == ["Brown, Peter", "Smith, Anna"]
    assert all(r.birth_date == dt.date(1980, 4, 2) for r in iso)


def test_accents_do_not_matter(uow: UnitOfWork, practice) -> None:
    """'ang' finds Ångström: names are searched by an ASCII key."""
    assert search_key("Ångström") == "angstrom"
    assert names(search_patients(uow, staff(uow), "ang")) == ["Ångström, Zoë"]


def test_nothing_typed_or_nothing_found(uow: UnitOfWork, practice) -> None:
    """An empty box searches nothing; a name nobody has finds nothing."""
    assert search_patients(uow, staff(uow), "  ") == []
    assert search_patients(uow, staff(uow), "zzz") == []


def test_other_offices_patients_are_not_found(uow: UnitOfWork, practice) -> None:
    """SEC-3: a search stays within the user's office: an Owner of another office finds none of these."""
    with uow:
        other = Office(office_code="OTHER", name="Other Dental")
        uow.session.add(other)
        uow.session.flush()
        other_id = other.id
        uow.commit()
    assert search_patients(uow, staff(uow, other_id), "smith") == []
    assert len(search_patients(uow, staff(uow), "smith")) == 2


def test_header_shows_id_account_icm_and_coverage(uow: UnitOfWork, practice) -> None:
    """The patient header: name, patient ID, account, ICM, coverage (none here)."""
    header = patient_header(uow, staff(uow), practice.patient_ids[0])
    assert header.full_name == "Anna Smith"
    assert header.patient_number == "1001"
    assert header.account_number == "A1"
    assert int(header.icm) == 0
    assert header.coverages == ()
    assert header.office_code == "TST01"
