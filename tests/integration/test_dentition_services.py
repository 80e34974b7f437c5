"""ID-3 in the services: a code's dentition refuses a tooth of the other dentition wherever a tooth
is set (plan items, chart marks, posted procedures), and the code list carries it (master copy,
CSV import, the code editor)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dentaldesk import clock
from dentaldesk.db.models import ChartGraphic, LedgerTransaction, Office, PlanItem, ProcedureCode, Provider
from dentaldesk.domain.errors import ValidationError
from dentaldesk.domain.teeth import Dentition
from dentaldesk.domain.terms import GraphicStatus, ToothNumbering
from dentaldesk.services.chart.marks import chart_procedure
from dentaldesk.services.ledger.transactions import post_transaction
from dentaldesk.services.plans import ItemInput, add_item, create_plan, edit_item
from dentaldesk.services.practice import code_admin
from dentaldesk.services.practice.codes import copy_master_codes, import_codes, office_codes
from dentaldesk.services.uow import UnitOfWork

CODES = ["D6010", "D3240", "D1351", "D2930", "D2740"]


class Office3:
    """The small practice with an implant, a primary pulpal therapy, a sealant and two crowns copied."""

    def __init__(self, practice) -> None:
        self.uow: UnitOfWork = practice.uow
        self.owner = practice.owner
        self.office_id = practice.office_id
        self.patient = practice.patient_ids[2]
        copy_master_codes(self.uow, self.owner, CODES)
        with self.uow:
            self.provider = self.uow.session.scalar(select(Provider.id))
            self.code_ids = {c.code: c.id for c in self.uow.session.scalars(select(ProcedureCode))}
        saved = create_plan(self.uow, self.owner, self.patient, "Child's plan")
        self.plan_id, self.version = saved.plan_id, saved.version

    def add(self, code: str, tooth: str) -> int:
        entry = ItemInput(code=code, tooth=tooth, surfaces="", provider_id=self.provider)
        saved = add_item(self.uow, self.owner, self.plan_id, entry, expected_version=self.version)
        self.version = saved.version
        assert saved.item_id is not None
        return saved.item_id

    def post(self, code: str, tooth: str):  # type: ignore[no-untyped-def]
        """Post a completed procedure on the tooth today, as the Ledger's Post charge does."""
        return post_transaction(
            self.uow,
            self.owner,
            patient_id=self.patient,
            procedure_code_id=self.code_ids[code],
            fee="150.00",
            dos=clock.today(),
            tooth=tooth,
            production_provider_id=self.provider,
        )

    def fdi(self) -> None:
        with self.uow:
            self.uow.session.get(Office, self.office_id).tooth_numbering = ToothNumbering.FDI
            self.uow.commit()

    def count(self, model) -> int:  # type: ignore[no-untyped-def]
        with self.uow:
            return self.uow.session.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture
def office(fast_practice) -> Office3:
    return Office3(fast_practice)


def test_id3_copied_master_codes_carry_their_dentition(office: Office3) -> None:
    """ID-3: the master list sets the dentition; copying a code copies it."""
    rows = {r.code: r.dentition for r in office_codes(office.uow, office.owner)}
    assert rows == {
        "D6010": Dentition.PERMANENT,
        "D2740": Dentition.PERMANENT,
        "D3240": Dentition.PRIMARY,
        "D2930": Dentition.PRIMARY,
        "D1351": Dentition.BOTH,
    }


def test_id3_plan_item_primary_tooth_on_an_implant_is_refused_at_the_tooth(office: Office3) -> None:
    """ID-3: implant D6010 on primary tooth K is refused (field tooth); nothing is saved; #19 is fine."""
    with pytest.raises(ValidationError) as refused:
        office.add("D6010", "K")
    assert refused.value.field == "tooth"
    assert refused.value.message == (
        "D6010 (Implant placement surgery) is for permanent teeth (Universal 1-32); tooth K is a primary tooth."
    )
    assert office.count(PlanItem) == 0
    office.add("D6010", "19")
    assert office.count(PlanItem) == 1


def test_id3_plan_item_permanent_tooth_on_a_primary_code_is_refused(office: Office3) -> None:
    """ID-3: pulpal therapy of a primary back tooth (D3240) refuses permanent tooth 19, takes K."""
    with pytest.raises(ValidationError) as refused:
        office.add("D3240", "19")
    assert refused.value.field == "tooth"
    assert "is for primary teeth (Universal A-T); tooth 19 is a permanent tooth" in refused.value.message
    office.add("D3240", "K")


def test_id3_a_code_for_both_takes_either_tooth(office: Office3) -> None:
    """ID-3: a sealant (both) goes on permanent 19 and on primary K."""
    office.add("D1351", "19")
    office.add("D1351", "K")
    assert office.count(PlanItem) == 2


def test_id3_under_fdi_the_refusal_names_the_fdi_tooth_and_range(office: Office3) -> None:
    """ID-3 with ID-1: an FDI office types 75 (Universal K) on an implant and 36 on D3240."""
    office.fdi()
    with pytest.raises(ValidationError) as refused:
        office.add("D6010", "75")
    assert "(FDI 11-48); tooth 75 is a primary tooth" in refused.value.message
    with pytest.raises(ValidationError) as refused:
        office.add("D3240", "36")
    assert "(FDI 51-85); tooth 36 is a permanent tooth" in refused.value.message
    office.add("D6010", "36")
    office.add("D3240", "75")


def test_id3_changing_an_items_code_checks_its_tooth_again(office: Office3) -> None:
    """ID-3: a sealant on K changed to an implant is refused; the item keeps its code."""
    item_id = office.add("D1351", "K")
    entry = ItemInput(code="D6010", tooth="K", surfaces="", provider_id=office.provider)
    with pytest.raises(ValidationError) as refused:
        edit_item(office.uow, office.owner, office.plan_id, item_id, entry, expected_version=office.version)
    assert refused.value.field == "tooth"
    with office.uow:
        assert office.uow.session.get(PlanItem, item_id).procedure_code_id == office.code_ids["D1351"]


def test_id3_a_chart_mark_and_a_posted_procedure_are_refused_the_same_way(office: Office3) -> None:
    """ID-3: charting D6010 on K and posting D2930 (steel crown, primary) on 3 are refused at the tooth."""
    with pytest.raises(ValidationError) as refused:
        chart_procedure(
            office.uow, office.owner, office.patient, office.code_ids["D6010"], "K", "", GraphicStatus.PLANNED
        )
    assert refused.value.field == "tooth" and "tooth K is a primary tooth" in refused.value.message
    assert office.count(ChartGraphic) == 0
    with pytest.raises(ValidationError) as refused:
        office.post("D2930", "3")
    assert refused.value.field == "tooth" and "tooth 3 is a permanent tooth" in refused.value.message
    assert office.count(LedgerTransaction) == 0
    posted = office.post("D2930", "K")
    assert posted is not None and office.count(LedgerTransaction) == 1


def test_id3_the_code_editor_sets_and_keeps_the_dentition(office: Office3) -> None:
    """ID-3: the code dialog's dentition is saved and loaded; a made-up value is refused at its field."""
    code_id = office.code_ids["D1351"]
    form = code_admin.load_code(office.uow, office.owner, code_id)
    assert form.dentition is Dentition.BOTH
    code_admin.edit_code(office.uow, office.owner, code_id, replace(form, dentition=Dentition.PRIMARY))
    form = code_admin.load_code(office.uow, office.owner, code_id)
    assert form.dentition is Dentition.PRIMARY
    with pytest.raises(ValidationError) as refused:
        code_admin.edit_code(office.uow, office.owner, code_id, replace(form, dentition="adult"))  # type: ignore[arg-type]
    assert refused.value.field == "dentition"
    with pytest.raises(ValidationError):
        office.add("D1351", "19")


def test_id3_csv_import_reads_validates_and_defaults_the_dentition(office: Office3, tmp_path: Path) -> None:
    """ID-3: an import's dentition column sets it; a bad value is refused with the row's line; a file
    without the column gives a new code the master list's dentition (both when it is not there) and
    leaves a code on file as it is."""
    path = tmp_path / "codes.csv"
    path.write_text(
        "code,name,category,dentition\n"
        "D1351,Sealant,preventive,primary\n"
        "D0998,Child exam,diagnostic,Primary\n"
        "D0997,Bad dentition,diagnostic,adult\n",
        encoding="utf-8",
    )
    report = import_codes(office.uow, office.owner, path)
    assert (report.added, report.updated) == (1, 1)
    [(line, code, reason)] = report.refused
    assert (line, code) == (4, "D0997") and "'adult' is not a dentition" in reason
    old = tmp_path / "old.csv"
    old.write_text(
        "code,name,category\nD6010,Implant body,implant\nD6013,Mini implant,implant\nD0996,Office code,diagnostic\n",
        encoding="utf-8",
    )
    import_codes(office.uow, office.owner, old)
    rows = {r.code: r.dentition for r in office_codes(office.uow, office.owner)}
    assert rows["D1351"] is Dentition.PRIMARY and rows["D0998"] is Dentition.PRIMARY
    assert rows["D6010"] is Dentition.PERMANENT  # on file: kept
    assert rows["D6013"] is Dentition.PERMANENT  # new, from the master list
    assert rows["D0996"] is Dentition.BOTH  # new, not in the master list
