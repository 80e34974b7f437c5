"""The Patient Transactions dialog and the services refuse the same input with the same words: the
plan services for a plan item, post_transaction for a posted charge, all running the one item
check (TX-VAL-1, TP-6, CODE-3/4, ID-1/2/3, MONEY-2/3, TX-RTU-1)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtWidgets import QLineEdit, QVBoxLayout, QWidget
from sqlalchemy import select

from dentaldesk import clock
from dentaldesk.db.models import ProcedureCode, Provider
from dentaldesk.domain.errors import DentalDeskError
from dentaldesk.domain.item_check import FIELD_ORDER
from dentaldesk.services.ledger.transactions import post_transaction
from dentaldesk.services.plans import ItemInput, add_item, create_plan, item_form_facts, quote_fee
from dentaldesk.services.practice.codes import copy_master_codes, office_codes
from dentaldesk.ui.transactions import ProcedureSection

CODES = ["D0120", "D1110", "D2391", "D2740", "D6010"]
INACTIVE = "D1110"
ACTIVE = ("D0120", "D2391", "D2740", "D6010")
TYPABLE = "0123456789ABCKTmodblifx #,.-"


def _typed(examples: list[str]) -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(examples), st.text(alphabet=TYPABLE, max_size=6))


ITEMS = st.fixed_dictionaries(
    {
        "code": st.sampled_from([*CODES, "D9999"]),
        "tooth": _typed(["", "3", "14", "19", "33", "K", "#19", " 5 ", "0"]),
        "surfaces": _typed(["", "MO", "om", "OX", "MODBL", "MODBLI", "m o d"]),
        "provider": st.booleans(),
        "fee": _typed(["", "0", "150", "1,350.00", "-5", "12,34", "10.005", "100000", "$80.5"]),
        "rtu": _typed(["", "0", "30", "1.5", "-1"]),
    }
)
# A posted charge: a code of the office's active list (the dialog offers no other), a fee typed
# (the service takes an amount), RTU's as the number the dialog reads; mostly plausible values, so
# that charges are posted as well as refused.
CHARGES = st.fixed_dictionaries(
    {
        "code": st.sampled_from(ACTIVE),
        "tooth": st.one_of(st.sampled_from(["", "3", "14", "19", "K", "33"]), _typed([""])),
        "surfaces": st.one_of(st.sampled_from(["", "MO", "o", "OX"]), _typed([""])),
        "provider": st.sampled_from([True, True, True, False]),
        "fee": st.one_of(st.sampled_from(["0", "150", "1,350.00"]), _typed(["-5", "12,34", "10.005"])).filter(
            lambda text: bool(text.strip())
        ),
        "rtu": st.sampled_from(["", "0", "30", "45"]),
    }
)


class Office:
    """A small practice with a few master codes (one made inactive), a plan and its dialog's facts."""

    def __init__(self, practice) -> None:
        self.uow = practice.uow
        self.owner = practice.owner
        self.patient = practice.patient_ids[0]
        copy_master_codes(self.uow, self.owner, CODES)
        with self.uow:
            s = self.uow.session
            s.scalar(select(ProcedureCode).where(ProcedureCode.code == INACTIVE)).active = False
            self.provider = s.scalar(select(Provider.id))
            self.uow.commit()
        saved = create_plan(self.uow, self.owner, self.patient, "Agreement")
        self.plan_id, self.version = saved.plan_id, saved.version
        self.facts = item_form_facts(self.uow, self.owner, self.patient)
        self.codes = office_codes(self.uow, self.owner, include_inactive=True)

    def quote(self, code: str):
        return quote_fee(self.uow, self.owner, self.patient, code)

    def post(self, item: dict, rtu: int | None) -> DentalDeskError | None:
        code_id = next(c.id for c in self.codes if c.code == item["code"])
        try:
            post_transaction(
                self.uow,
                self.owner,
                patient_id=self.patient,
                procedure_code_id=code_id,
                fee=item["fee"],
                dos=clock.today(),
                tooth=item["tooth"],
                surfaces=item["surfaces"],
                production_provider_id=self.provider if item["provider"] else None,
                rtu=rtu,
            )
        except DentalDeskError as exc:
            return exc
        return None

    def add(self, entry: ItemInput) -> DentalDeskError | None:
        try:
            saved = add_item(self.uow, self.owner, self.plan_id, entry, expected_version=self.version)
        except DentalDeskError as exc:
            return exc
        self.version = saved.version
        return None


def _fill(qtbot, section: ProcedureSection, office: Office, item: dict) -> None:
    """Type into the section as a person does: the code key by key, then the other fields."""
    section.code_edit.clear()
    section.code_edit.textEdited.emit("")
    qtbot.keyClicks(section.code_edit, item["code"])
    section.tooth.setCurrentText(item["tooth"])
    section.surfaces.setText(item["surfaces"])
    section.provider.setCurrentIndex(section.provider.findData(office.provider if item["provider"] else None))
    for edit, text in ((section.fee, item["fee"]), (section.rtu, item["rtu"])):
        assert isinstance(edit, QLineEdit)
        edit.setText(text)


def _section(qtbot, office: Office, *, posting: bool) -> tuple[ProcedureSection, QWidget]:
    section = ProcedureSection(office.facts, office.codes, office.quote, require_complete=posting)
    holder = QWidget()  # the fee and RTU's rows live where the Charges section would put them
    layout = QVBoxLayout(holder)
    for part in (section, section.fee_caption, section.fee_stack, section.rtu_caption, section.rtu_stack):
        layout.addWidget(part)
    qtbot.addWidget(holder)
    return section, holder  # the holder kept by the caller keeps the section alive


def _agree(section: ProcedureSection, refused: DentalDeskError | None, item: dict) -> None:
    """The service refuses exactly when the dialog shows a refusal, at the dialog's first refused
    field (in the check's field order) and with the words the dialog shows there."""
    shown = section.errors
    if not shown:
        assert refused is None, (item, refused.field if refused else None, str(refused))
        assert section.is_valid()
        return
    assert refused is not None, (item, shown)
    first = next(name for name in FIELD_ORDER if name in shown)
    assert (refused.field, refused.message) == (first, shown[first])
    assert section.messages[first].text() == shown[first]


def test_tx_val1_the_dialog_shows_at_its_field_exactly_what_the_plan_services_refuse(qtbot, fast_practice) -> None:
    """TX-VAL-1: for random typed plan items, the dialog's refusals are add_item's, word for word."""
    office = Office(fast_practice)
    section, _holder = _section(qtbot, office, posting=False)

    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(item=ITEMS)
    def agree(item: dict) -> None:
        _fill(qtbot, section, office, item)
        entry = ItemInput(
            code=item["code"],
            tooth=item["tooth"],
            surfaces=item["surfaces"],
            provider_id=office.provider if item["provider"] else None,
            fee=item["fee"],
            rtu=item["rtu"],
        )
        _agree(section, office.add(entry), item)

    agree()


def test_tx_val1_the_posting_dialog_shows_at_its_field_exactly_what_post_transaction_refuses(
    qtbot, fast_practice
) -> None:
    """TX-VAL-1/CODE-4: for random typed charges, the dialog (where nothing may wait) refuses what
    post_transaction refuses, word for word: a missing tooth, surfaces or provider included."""
    office = Office(fast_practice)
    section, _holder = _section(qtbot, office, posting=True)

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(item=CHARGES)
    def agree(item: dict) -> None:
        _fill(qtbot, section, office, item)
        for name in ("tooth", "surfaces", "provider", "fee"):
            section.touch(name)  # the person has been at every field: what is missing shows in red
        rtu = int(item["rtu"]) if item["rtu"] else None
        _agree(section, office.post(item, rtu), item)

    agree()
