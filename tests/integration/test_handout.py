"""The printed plan handout: read model, PDF text, page breaks, atomic writes, history and CLI."""

from __future__ import annotations

import datetime as dt
import io
import os
from decimal import Decimal
from pathlib import Path

import pytest
from acting import staff
from handout_plans import IMPLANT_AND_CROWN, add_plan, build_template, copy_template, long_plan
from pypdf import PdfReader
from sqlalchemy import select

from dentaldesk.cli import main as cli_main
from dentaldesk.db.models import AuditEvent, Office, PlanEvent, PlanItem, ProcedureCode
from dentaldesk.domain.errors import DentalDeskError, NotFound, PermissionDenied
from dentaldesk.domain.money import format_money
from dentaldesk.domain.terms import ApprovalMethod, PaperSize, PlanStatus, ToothNumbering
from dentaldesk.printing.handout import WATERMARK, build_handout_pdf, format_minutes, write_handout_pdf
from dentaldesk.services.plans.handout import HandoutDelivery, load_handout, record_handout
from dentaldesk.services.uow import UnitOfWork

TODAY = dt.date(2026, 11, 23)


def pages_text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def flat(text: str) -> str:
    """Extracted text with line breaks as spaces (table cells wrap)."""
    return " ".join(text.split())


@pytest.fixture(scope="module")
def handout_template(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("handout") / "template.sqlite3"
    office, plans = build_template(path)
    return path, office, plans


@pytest.fixture
def practice_copy(handout_template, tmp_path: Path):
    copy = copy_template(handout_template, tmp_path)
    yield copy
    copy.engine.dispose()


@pytest.fixture
def uow(practice_copy) -> UnitOfWork:
    return practice_copy.uow


@pytest.fixture
def engine(practice_copy):
    return practice_copy.engine


@pytest.fixture
def office(practice_copy):
    return practice_copy.office


@pytest.fixture
def plans(practice_copy) -> dict[str, int]:
    return practice_copy.plans


def handout_text(uow: UnitOfWork, plan_id: int) -> tuple[list[str], str]:
    pages = pages_text(build_handout_pdf(load_handout(uow, staff(uow), plan_id, today=TODAY)))
    return pages, flat(" ".join(pages))


def test_tp4_draft_prints_watermark_on_every_page_and_approved_plans_none(uow, plans) -> None:
    """TP-4: a draft handout says "DRAFT - estimate only" on every page; approved ones never do."""
    pages, _ = handout_text(uow, plans["draft"])
    assert len(pages) >= 2
    assert all(WATERMARK in page for page in pages)
    for name in ("approved", "half"):
        pages, text = handout_text(uow, plans[name])
        assert "DRAFT" not in text


def test_handout_shows_practice_patient_plan_and_every_item_column(uow, office, plans) -> None:
    """Header, patient, plan, and per item tooth, surfaces, code, description, provider, money."""
    _, text = handout_text(uow, plans["approved"])
    for expected in (
        "Maple Street Dental",
        "1250 Maple Street, Suite 200",
        "Springfield, IL 62704",
        "(217) 555-0142",
        "Zoë Ångström",
        "Patient ID 1001",
        "Feb 29, 1984",
        "Implant and crown",
        "Approved Oct 7, 2026",
        "Oct 5, 2026",
        "Prepared Nov 23, 2026",
    ):
        assert expected in text, expected
    with uow:
        descriptions = {c: d for c, d in uow.session.execute(select(ProcedureCode.code, ProcedureCode.description))}
    handout = load_handout(uow, staff(uow), plans["approved"], today=TODAY)
    assert [i.code for i in handout.items] == [
        c for c, *_ in sorted(IMPLANT_AND_CROWN, key=lambda row: row[3] if row[3] is not None else 99)
    ]
    for item in handout.items:
        row = flat(f"{item.tooth} {item.surfaces} {item.code}")
        assert row in text, row
        assert flat(descriptions[item.code]) in text
        # INS-3: a 0.00 line says why under the figure ("0.00 maximum reached").
        cells = [
            format_money(item.fee),
            item.fee_note,
            format_money(item.insurance),
            item.note,
            format_money(item.patient),
        ]
        assert " ".join(c for c in cells if c) in text
    assert "Olivia Bennett, DDS" in text and "Hannah Lee, RDH" in text
    # Hand-worked INS-1/INS-2: two-surface filling 255.00, deductible 50 met here, 80 % of 205.00.
    assert "3 MO D2392" in text and "255.00 164.00 91.00" in text


def test_visits_have_subtotals_and_chair_time_and_plan_totals_add_up(uow, plans) -> None:
    """TP-16, TP-7, TP-14: each visit's subtotal and chair time (RTU's); fee, insurance, patient totals."""
    handout = load_handout(uow, staff(uow), plans["approved"], today=TODAY)
    _, text = handout_text(uow, plans["approved"])
    with uow:
        rtu = {c: r for c, r in uow.session.execute(select(ProcedureCode.code, ProcedureCode.default_rtu))}
    visit_one = sum(rtu[c] for c, _t, _s, visit, _p in IMPLANT_AND_CROWN if visit == 1)
    assert f"Visit 1 subtotal · chair time {format_minutes(visit_one)}" in text
    assert format_minutes(visit_one) == "1 h 50 min"
    for visit in handout.visits:
        line = (
            f"{visit.title} subtotal · chair time {format_minutes(visit.chair_minutes)} "
            f"{format_money(visit.fee)} {format_money(visit.insurance)} {format_money(visit.patient)}"
        )
        assert line in text
    assert "Visit not yet scheduled" in text  # the item without a visit comes last
    fees = sum((v.fee for v in handout.visits), Decimal(0))
    assert handout.totals.fee == fees == Decimal("8515.00")
    # The 1,500.00 annual maximum is used up by the plan (INS-3).
    assert "Plan total (fees) 8,515.00" in text
    assert "Estimated insurance 1,500.00" in text
    assert "Estimated patient portion 7,015.00" in text
    assert "Estimate valid until Feb 21, 2027" in text  # 90 days from Nov 23, 2026
    assert "Insurance payments are estimates, not guarantees" in text  # the office's note


def test_page_numbers_say_page_n_of_m(uow, plans) -> None:
    """Long plans carry page numbers "Page N of M" on every page."""
    pages, _ = handout_text(uow, plans["draft"])
    for n, page in enumerate(pages, start=1):
        assert f"Page {n} of {len(pages)}" in page


def test_tp15_approved_plan_prints_signature_and_content_hash(uow, plans, workstation_zone) -> None:
    """TP-15: the approval record, the drawn signature image and the content hash, no line to sign."""
    workstation_zone("UTC")
    handout = load_handout(uow, staff(uow), plans["approved"], today=TODAY)
    assert handout.approval is not None and handout.signature_covers_plan
    pdf = build_handout_pdf(handout)
    text = flat(" ".join(pages_text(pdf)))
    assert "Approved by Zoë Ångström on Oct 7, 2026 at 10:30 UTC (signed at the desk), total 8,515.00." in text
    assert "Recorded by Fran Front." in text
    assert f"Approval record {handout.approval.content_hash}" in text
    assert "Patient signature" not in text
    images = [image for page in PdfReader(io.BytesIO(pdf)).pages for image in page.images]
    assert len(images) == 1


def test_tp4_draft_gets_no_signature_line_and_says_it_is_not_for_approval(uow, plans) -> None:
    """TP-4: a draft is not offered for approval: no signature line, no signature, a plain sentence."""
    _, text = handout_text(uow, plans["draft"])
    assert "not offered for approval yet" in text
    assert "Patient signature" not in text and "Approval record" not in text


def test_tp12_repriced_plan_shows_a_line_to_sign_not_the_old_signature(uow, plans) -> None:
    """TP-12/TP-15: after a change the old signature no longer matches: a signature line, no image."""
    with uow:
        item = uow.session.scalars(
            select(PlanItem).where(PlanItem.plan_id == plans["approved"]).order_by(PlanItem.fee.desc())
        ).first()
        item.fee = item.fee + Decimal("10.00")
        uow.commit()
    handout = load_handout(uow, staff(uow), plans["approved"], today=TODAY)
    assert handout.approval is not None and not handout.signature_covers_plan
    pdf = build_handout_pdf(handout)
    text = flat(" ".join(pages_text(pdf)))
    assert "approved an earlier version of this plan on Oct 7, 2026" in text
    assert "Patient signature" in text and "Printed name" in text
    assert [image for page in PdfReader(io.BytesIO(pdf)).pages for image in page.images] == []


def test_half_completed_plan_marks_done_items_and_chart(uow, plans) -> None:
    """TP-11: done items carry their date, progress is shown; the chart separates done and planned teeth."""
    handout = load_handout(uow, staff(uow), plans["half"], today=TODAY)
    _, text = handout_text(uow, plans["half"])
    assert "6 of 12 items done" in text
    assert "Done Oct 8, 2026" in text and "Done Oct 28, 2026" in text
    assert "Done so far (6 of 12 items) 2,205.00" in text and "Work still to do 6,310.00" in text
    # TP-14: the estimate totals cover the work still to do, estimated on its own in plan order:
    # the deductible (50.00) falls on the buildup, 80 % of 235.00; the maximum runs out at D7210.
    assert "19 D2950" in text and "285.00 188.00 97.00" in text
    assert "Estimated insurance, still to do 1,500.00" in text
    assert "Estimated patient portion, still to do 4,810.00" in text
    assert handout.totals.insurance + handout.totals.patient == handout.totals.fee - handout.totals.done_fee
    assert handout.planned_teeth == {"19", "14"}  # 19's crown is still to do after its root canal
    assert handout.completed_teeth == {"3", "30", "19"}  # the chart shows 19 as planned: work is left
    assert "Your teeth" in text and "Planned work" in text and "Done in this plan" in text
    assert all(str(n) in text for n in range(1, 33))


def test_id1_fdi_office_prints_fdi_numbers_on_a4(uow, plans) -> None:
    """ID-1 and the paper setting: an FDI office prints tooth 19 as 36 and the chart in FDI, on A4."""
    with uow:
        office_row = uow.session.scalars(select(Office)).one()
        office_row.paper_size = PaperSize.A4
        office_row.tooth_numbering = ToothNumbering.FDI
        uow.commit()
    pdf = build_handout_pdf(load_handout(uow, staff(uow), plans["draft"], today=TODAY))
    reader = PdfReader(io.BytesIO(pdf))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    text = flat(" ".join(p.extract_text() for p in reader.pages))
    assert "36 D3330" in text and "16 MO D2392" in text
    assert all(f"{q}{t}" in text for q in (1, 2, 3, 4) for t in range(1, 9))


def test_eighty_item_plan_breaks_across_pages_with_repeated_headers(uow, office) -> None:
    """An 80-item plan spans several pages, each with the column headers and its page number."""
    plan_id = add_plan(uow, office, long_plan(80), title="Full mouth rehabilitation")
    handout = load_handout(uow, staff(uow), plan_id, today=TODAY)
    assert len(handout.items) == 80
    pages = pages_text(build_handout_pdf(handout))
    assert 4 <= len(pages) <= 6
    for n, page in enumerate(pages, start=1):
        assert f"Page {n} of {len(pages)}" in page
        totals_only = n == len(pages) and "Plan total (fees)" in page and " D" not in page.split("Plan total")[0]
        if not totals_only:  # the last page may hold only the totals and the signature
            assert "Tooth" in page and "Your portion" in page and "Procedure" in page
        if n > 1:
            assert "Zoë Ångström (patient ID 1001) · Full mouth rehabilitation" in page
    text = flat(" ".join(pages))
    assert text.count(" subtotal · chair time ") == 20
    assert "Plan total (fees) " + format_money(handout.totals.fee) in text


def test_handout_is_written_atomically_and_a_failed_write_leaves_nothing(uow, plans, tmp_path, monkeypatch) -> None:
    """Bad input: temp file then rename; a failure leaves the old file and no temporary file."""
    handout = load_handout(uow, staff(uow), plans["draft"], today=TODAY)
    target = tmp_path / "out" / "plan.pdf"
    target.parent.mkdir()
    write_handout_pdf(handout, target)
    first = target.read_bytes()
    assert first.startswith(b"%PDF") and os.listdir(target.parent) == ["plan.pdf"]

    def refuse(src, dst):  # the disk fills up at the last moment
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(DentalDeskError, match="the disk is full. Nothing was written"):
        write_handout_pdf(load_handout(uow, staff(uow), plans["approved"], today=TODAY), target)
    assert os.listdir(target.parent) == ["plan.pdf"]
    assert target.read_bytes() == first


def test_unwritable_folder_gives_a_clear_message(uow, plans, tmp_path) -> None:
    """Bad input: a folder that cannot be written is refused with a message naming it."""
    handout = load_handout(uow, staff(uow), plans["draft"], today=TODAY)
    with pytest.raises(DentalDeskError, match="cannot be saved in .*missing: the folder does not exist") as err:
        write_handout_pdf(handout, tmp_path / "missing" / "plan.pdf")
    assert err.value.field == "file"
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(DentalDeskError, match="cannot be saved"):
        write_handout_pdf(handout, blocker / "plan.pdf")


def test_tp1_sec2_front_desk_print_is_written_to_history_and_audit(uow, office, plans) -> None:
    """TP-1, SEC-2: front desk may print; the print lands in the plan's history and the audit log."""
    record_handout(uow, office.front_desk, plans["approved"], HandoutDelivery.PRINTED, detail="2 pages on Front")
    with uow:
        event = uow.session.scalars(select(PlanEvent).where(PlanEvent.plan_id == plans["approved"])).one()
        audit = uow.session.scalars(select(AuditEvent).where(AuditEvent.action == "handout_printed")).one()
        assert event.action == "handout_printed" and event.detail == "Handout printed: 2 pages on Front"
        assert event.user_id == office.front_desk.user_id
        assert (audit.username, audit.entity, audit.entity_id) == ("front", "treatment_plan", plans["approved"])
        assert '"how": "printed"' in audit.after and audit.workstation == "test-ws"


def test_record_handout_refuses_unknown_plan_and_anonymous_use(uow, office, plans) -> None:
    """SEC-2, SEC-3: a print is always tied to a logged-in person; a plan that does not exist is named."""
    with pytest.raises(NotFound, match="no longer exists"):
        record_handout(uow, office.owner, 999, HandoutDelivery.PRINTED)
    with pytest.raises(PermissionDenied, match="Log in first"):
        record_handout(uow, None, plans["draft"], HandoutDelivery.SAVED_PDF)


def test_cli_handout_writes_the_same_pdf_and_records_it(engine, uow, plans, tmp_path, capsys, monkeypatch) -> None:
    """`dentaldesk handout PLAN_ID -o FILE.pdf --url URL --user NAME` logs in, writes the handout, audited (SEC-3)."""
    monkeypatch.setenv("DENTALDESK_PASSWORD", "front-pass-1")
    out = tmp_path / "batch" / "plan.pdf"
    out.parent.mkdir()
    url = str(engine.url)
    assert cli_main(["handout", str(plans["draft"]), "-o", str(out), "--url", url, "--user", "front"]) == 0
    assert "DRAFT - estimate only watermark" in capsys.readouterr().out
    text = flat(" ".join(PdfReader(out).pages[i].extract_text() for i in range(len(PdfReader(out).pages))))
    assert "Implant and crown" in text and WATERMARK in text
    with uow:
        audit = uow.session.scalars(select(AuditEvent).where(AuditEvent.action == "handout_saved_pdf")).one()
        assert audit.entity_id == plans["draft"] and audit.username == "front" and audit.user_id is not None

    assert (
        cli_main(
            ["handout", str(plans["draft"]), "-o", str(tmp_path / "nope" / "x.pdf"), "--url", url, "--user", "front"]
        )
        == 1
    )
    assert "the folder does not exist" in capsys.readouterr().err
    assert cli_main(["handout", "4040", "-o", str(out), "--url", url, "--user", "front"]) == 1
    assert "treatment plan no longer exists" in capsys.readouterr().err


def test_ins6_uninsured_patient_pays_the_whole_fee_and_is_told_why(uow, plans) -> None:
    """INS-6 through the one estimate loader: no coverage, no insurance; the handout says so."""
    handout = load_handout(uow, staff(uow), plans["uninsured"], today=TODAY)
    assert not handout.has_insurance
    assert handout.totals.insurance == Decimal("0.00") and handout.totals.patient == handout.totals.fee
    _, text = handout_text(uow, plans["uninsured"])
    assert "No dental insurance is on file, so the whole fee is shown as your portion." in text
    assert "Peter Brown" in text and f"Estimated patient portion {format_money(handout.totals.fee)}" in text


@pytest.mark.parametrize(
    ("zone", "approved", "status"),
    [
        ("America/Chicago", "Dec 1, 2026 at 22:34 CST", "Approved Dec 1, 2026"),
        ("Asia/Tokyo", "Dec 2, 2026 at 13:34 JST", "Approved Dec 2, 2026"),
    ],
)
def test_sec2_handout_prints_the_approval_in_the_workstations_local_time(
    uow, office, workstation_zone, zone, approved, status
) -> None:
    """SEC-2: the approval stored at 04:34 UTC on Dec 2 prints as the workstation's local time
    with its zone, and the plan's dates are local days (Dec 1 in Chicago, Dec 2 in Tokyo)."""
    plan_id = add_plan(
        uow,
        office,
        IMPLANT_AND_CROWN[:2],
        status=PlanStatus.APPROVED,
        approve=ApprovalMethod.SIGNED_AT_DESK,
        created=dt.datetime(2026, 11, 30, 3, 34),  # approved two days and an hour later, in UTC
    )
    workstation_zone(zone)
    _pages, text = handout_text(uow, plan_id)
    assert f"Approved by Zoë Ångström on {approved} (signed at the desk)" in text
    assert status in text
    created = "Nov 29, 2026" if zone == "America/Chicago" else "Nov 30, 2026"
    assert f"Created {created}" in text


def test_money2_ins3_handout_shows_a_discount_and_says_why_insurance_pays_nothing(uow, plans, tmp_path) -> None:
    """MONEY-2: a lowered fee prints with the schedule fee it replaced and the discount, and the
    totals name the discount; INS-3: every 0.00 insurance line says why in a short phrase."""
    with uow:
        item = uow.session.scalars(
            select(PlanItem).where(PlanItem.plan_id == plans["approved"]).order_by(PlanItem.fee.desc())
        ).first()
        lowered = item.fee - Decimal("150.00")
        schedule = item.fee
        item.fee = lowered
        item.approved_fee = lowered
        uow.commit()
    handout = load_handout(uow, staff(uow), plans["approved"], today=TODAY)
    [discounted] = [i for i in handout.items if i.discount]
    assert discounted.fee_note == f"schedule fee {format_money(schedule)}, discount 150.00"
    assert handout.totals.discount == Decimal("150.00")
    zero = [i for i in handout.items if i.insurance == 0]
    assert zero and all(i.note for i in zero)
    assert {i.note for i in zero} <= {"maximum reached", "not covered by the plan", "deductible takes it"}
    pdf = build_handout_pdf(handout)
    text = flat(" ".join(pages_text(pdf)))
    assert f"schedule fee {format_money(schedule)} discount 150.00" in text
    assert "Includes your discount off the office's fees 150.00" in text
    assert text.count("maximum reached") >= sum(1 for i in zero if i.note == "maximum reached")
    shots = Path(os.environ.get("DENTALDESK_SHOTS") or tmp_path)
    (shots / "handout_discount_and_zero.pdf").write_bytes(pdf)
