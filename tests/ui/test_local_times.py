"""SEC-2 in the windows: the plan's approval panel and history show the workstation's local time,
the same instant read in America/Chicago and in Asia/Tokyo."""

from __future__ import annotations

import datetime as dt

import pytest
from acting import staff
from sqlalchemy import select

from dentaldesk import clock
from dentaldesk.db.models import Provider
from dentaldesk.domain.terms import ApprovalMethod
from dentaldesk.services.plans import ItemInput, add_item, approve, create_plan, load_plan
from dentaldesk.services.practice.codes import copy_master_codes
from dentaldesk.ui.plans.editor import PlanEditor

# 04:34 UTC on Dec 2: the evening of Dec 1 in Chicago, the afternoon of Dec 2 in Tokyo.
APPROVED_AT = dt.datetime(2026, 12, 2, 4, 34, tzinfo=dt.UTC)


@pytest.fixture
def approved_plan(fast_practice) -> int:
    """A one-item plan approved on paper at APPROVED_AT (the clock set to it)."""
    p = fast_practice
    copy_master_codes(p.uow, p.owner, ["D0120"])
    with p.uow:
        provider = p.uow.session.scalar(select(Provider.id))
    with clock.clock_at(APPROVED_AT - dt.timedelta(minutes=5)):
        saved = create_plan(p.uow, p.owner, p.patient_ids[0], "Checkup")
        add_item(p.uow, p.owner, saved.plan_id, ItemInput("D0120", "", provider_id=provider), expected_version=1)
    with clock.clock_at(APPROVED_AT):
        view = load_plan(p.uow, staff(p.uow), saved.plan_id)
        approve(
            p.uow,
            p.owner,
            saved.plan_id,
            expected_version=view.version,
            approver_name="Anna Smith",
            method=ApprovalMethod.ON_PAPER,
        )
    return saved.plan_id


@pytest.mark.parametrize(
    ("zone", "shown"),
    [("America/Chicago", "2026-12-01 22:34 CST"), ("Asia/Tokyo", "2026-12-02 13:34 JST")],
)
def test_sec2_approval_panel_and_history_show_local_time(
    qtbot, fast_practice, make_ctx, approved_plan, workstation_zone, shots, zone, shown
) -> None:
    """SEC-2: "Approved ... on" and the history lines are the workstation's local time, the
    approval with its zone; the day is the local one (Dec 1 in Chicago)."""
    workstation_zone(zone)
    editor = PlanEditor(make_ctx(fast_practice.engine, fast_practice.owner), approved_plan)
    qtbot.addWidget(editor)
    editor.show()
    qtbot.waitExposed(editor)
    summary = editor.panels.approval.summary.text()
    assert f"on {shown}" in summary
    history = [editor.panels.history.item(i).text() for i in range(editor.panels.history.count())]
    local = shown.rsplit(" ", 1)[0]
    assert any(line.startswith(local) for line in history), history
    assert not any(line.startswith("2026-12-02 04:34") for line in history)
    editor.grab().save(str(shots / f"plan_editor_{zone.replace('/', '_')}.png"))
