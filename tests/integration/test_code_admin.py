"""The ADA Transaction Codes window's services: custom codes, edits, deactivation, import preview (CODE-*)."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from acting import staff
from sqlalchemy import func, select

from dentaldesk.db.models import AuditEvent, ProcedureCode
from dentaldesk.domain.errors import PermissionDenied, ValidationError
from dentaldesk.domain.terms import Category
from dentaldesk.services.access.login import login
from dentaldesk.services.practice import code_admin, settings
from dentaldesk.services.practice.codes import copy_master_codes, office_codes, search_codes
from dentaldesk.services.uow import UnitOfWork


@pytest.fixture
def practice(fast_practice):
    """The small practice of conftest, copied from a per-session template."""
    return fast_practice


@pytest.fixture
def uow(practice) -> UnitOfWork:
    return practice.uow


def custom_form(**changes: object) -> code_admin.CodeForm:
    base = code_admin.CodeForm(
        code="WHITEN1",
        name="Take-home whitening kit",
        description="Trays and gel to whiten at home",
        category=Category.ADJUNCTIVE,
        default_rtu="20",
        insurable=False,
        taxable=True,
        custom=True,
        usual_fee="250",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def code_count(uow: UnitOfWork) -> int:
    with uow:
        return uow.session.scalar(select(func.count(ProcedureCode.id))) or 0


def test_code1_custom_code_is_added_with_flags_and_fee_0(uow: UnitOfWork, practice) -> None:
    """CODE-1: a custom code keeps its category, RTU's and flags; its usual fee goes into Fee 0."""
    code_id = code_admin.add_code(uow, practice.owner, custom_form())
    [row] = office_codes(uow, staff(uow))
    assert (row.code, row.category, row.default_rtu, row.insurable, row.taxable) == (
        "WHITEN1",
        Category.ADJUNCTIVE,
        20,
        False,
        True,
    )
    assert settings.fee_grid(uow, practice.owner, [0])[0].fees == (Decimal("250.00"),)
    with uow:
        event = uow.session.scalar(select(AuditEvent).where(AuditEvent.entity == "procedure_code"))
        assert event.entity_id == code_id and json.loads(event.after or "{}")["fee_0"] == "250.00"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"custom": False}, "code", "does not look like a CDT code"),
        ({"code": " "}, "code", "Enter a code"),
        ({"usual_fee": "12.345"}, "usual_fee", "two decimals"),
        ({"usual_fee": "-1"}, "usual_fee", "negative"),
        ({"default_rtu": "ten"}, "rtu", "whole minutes"),
        ({"name": ""}, "name", "Enter the code's name"),
    ],
)
def test_code1_bad_code_input_is_refused_at_the_field(
    uow: UnitOfWork, practice, changes: dict[str, object], field: str, message: str
) -> None:
    """CODE-1 bad input: a non-CDT code without Custom, a bad fee or RTU's is refused; nothing saved."""
    with pytest.raises(ValidationError, match=message) as caught:
        code_admin.add_code(uow, practice.owner, custom_form(**changes))
    assert caught.value.field == field
    assert code_count(uow) == 0


def test_code1_duplicate_code_is_refused(uow: UnitOfWork, practice) -> None:
    """CODE-1: a code already in the office list cannot be added twice (case does not matter)."""
    copy_master_codes(uow, practice.owner, ["D2740"])
    with pytest.raises(ValidationError, match="already in the office list") as caught:
        code_admin.add_code(uow, practice.owner, custom_form(code="d2740", custom=False))
    assert caught.value.field == "code"
    assert code_count(uow) == 1


def test_code4_edit_changes_name_and_flags_and_surface_implies_tooth(uow: UnitOfWork, practice) -> None:
    """CODE-1/CODE-4: edit keeps the code; Requires surface brings Requires tooth with it."""
    copy_master_codes(uow, practice.owner, ["D1110"])
    [row] = office_codes(uow, staff(uow))
    form = code_admin.load_code(uow, practice.owner, row.id)
    code_admin.edit_code(
        uow,
        practice.owner,
        row.id,
        replace(
            form,
            code="D9999",
            name="Cleaning (adult)",
            requires_surface=True,
            requires_tooth=False,
            charts_graphic=True,
        ),
    )
    [edited] = office_codes(uow, staff(uow))
    assert (edited.code, edited.name, edited.requires_tooth, edited.requires_surface, edited.charts_graphic) == (
        "D1110",
        "Cleaning (adult)",
        True,
        True,
        True,
    )
    with uow:
        event = uow.session.scalar(select(AuditEvent).where(AuditEvent.action == "update"))
        assert json.loads(event.before or "{}")["requires_surface"] is False
        assert json.loads(event.after or "{}")["requires_surface"] is True


def test_code3_deactivated_code_leaves_the_pickers_but_stays_on_file(uow: UnitOfWork, practice) -> None:
    """CODE-3: a deactivated code is no longer offered (office_codes) but stays in the list and comes back."""
    copy_master_codes(uow, practice.owner, ["D0120", "D0150"])
    d0150 = next(r for r in office_codes(uow, staff(uow)) if r.code == "D0150")
    code_admin.set_code_active(uow, practice.owner, d0150.id, False)
    assert [r.code for r in office_codes(uow, staff(uow))] == ["D0120"]
    assert [r.code for r in office_codes(uow, staff(uow), include_inactive=True)] == ["D0120", "D0150"]
    assert [r.code for r in settings.fee_grid(uow, practice.owner, [0])] == ["D0120"]
    code_admin.set_code_active(uow, practice.owner, d0150.id, True)
    assert len(office_codes(uow, staff(uow))) == 2


def test_code3_copied_master_code_becomes_available_to_a_plan(demo_uow: UnitOfWork) -> None:
    """CODE-3 story: a code left out of the office list is copied from the master list and then found."""
    owner = login(demo_uow, "owner", "demo-owner", "ws")
    masters = {m.code: m for m in code_admin.master_list(demo_uow, owner)}
    assert masters["D4921"].in_office is False
    assert search_codes(office_codes(demo_uow, staff(demo_uow)), "D4921") == []
    assert copy_master_codes(demo_uow, owner, ["D4921"]) == ["D4921"]
    [found] = search_codes(office_codes(demo_uow, staff(demo_uow)), "D4921")
    assert found.name == masters["D4921"].name
    assert next(m for m in code_admin.master_list(demo_uow, owner) if m.code == "D4921").in_office


def test_code1_import_preview_lists_refused_rows_and_saves_nothing(uow: UnitOfWork, practice, tmp_path: Path) -> None:
    """CODE-1: the import preview says which codes are new, which update, and why rows are refused."""
    copy_master_codes(uow, practice.owner, ["D0120"])
    path = tmp_path / "codes.csv"
    path.write_text(
        "code,name,category,fee\n"
        "D0120,Periodic exam,diagnostic,55\n"
        "D0999,New exam,diagnostic,40\n"
        "X1,Not CDT,diagnostic,10\n"
        "D0998,Bad fee,diagnostic,1.234\n"
        "D0997,Bad category,cosmetics,10\n",
        encoding="utf-8",
    )
    preview = code_admin.preview_import(uow, practice.owner, path)
    assert (preview.new, preview.updated) == (("D0999",), ("D0120",))
    assert [(line, code) for line, code, _reason in preview.refused] == [(4, "X1"), (5, "D0998"), (6, "D0997")]
    assert "CDT" in preview.refused[0][2] and "two decimals" in preview.refused[1][2]
    assert code_count(uow) == 1


def test_setup_roles_front_desk_cannot_change_codes(uow: UnitOfWork, practice) -> None:
    """SETUP_ROLES: front desk cannot add or deactivate codes, nor open the master list."""
    with pytest.raises(PermissionDenied):
        code_admin.add_code(uow, practice.front_desk, custom_form())
    with pytest.raises(PermissionDenied):
        code_admin.master_list(uow, practice.front_desk)
