"""The patient handout of a treatment plan, built with reportlab from the read model.

One layout serves printing, saving and sending (TP-17): the practice header, the patient, the plan,
the tooth chart, the items by visit with their estimate, visit subtotals and chair time, the plan
totals, the approval with the drawn signature (TP-15) or a line to sign, the date the estimate is
valid until and the office's note. A draft carries a "DRAFT - estimate only" watermark on every
page (TP-4). Money is printed only through ``format_money`` (MONEY-1).
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.platypus import (
    CondPageBreak,
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from dentaldesk.domain.money import format_money
from dentaldesk.domain.teeth import display_tooth
from dentaldesk.domain.terms import PaperSize, PlanStatus
from dentaldesk.domain.times import local_day, patient_moment
from dentaldesk.printing.chart import tooth_chart
from dentaldesk.printing.files import write_atomically
from dentaldesk.printing.fonts import Faces, handout_faces
from dentaldesk.printing.formats import format_date, format_minutes
from dentaldesk.printing.pages import WATERMARK, canvas_maker, page_decorator
from dentaldesk.services.plans.handout import HandoutApproval, HandoutItem, HandoutVisit, PlanHandout

__all__ = ["WATERMARK", "build_handout_pdf", "format_date", "format_minutes", "handout_file_name", "write_handout_pdf"]

MARGIN = 40.0
CELL_SIZE = 8.0
CELL_LEADING = 9.6
CELL_PADDING = 3.0
FRAME_PADDING = 6.0  # reportlab's frames pad their content; the page margin is where ink starts
INK = colors.HexColor("#101828")
MUTED = colors.HexColor("#667085")
RULE = colors.HexColor("#d0d5dd")
VISIT_BAND = colors.HexColor("#eef4ff")
SUBTOTAL_BAND = colors.HexColor("#f9fafb")

COLUMNS = ("Tooth", "Surfaces", "Code", "Procedure", "Provider", "Fee", "Est. insurance", "Your portion")


def page_size(paper: PaperSize) -> tuple[float, float]:
    size: tuple[float, float] = A4 if PaperSize(paper) is PaperSize.A4 else LETTER
    return size


def handout_file_name(handout: PlanHandout) -> str:
    """A file name the patient and the desk recognise: ``Treatment plan 12 - Anna Smith.pdf``."""
    name = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', " ", handout.patient.name).strip() or "patient"
    return f"Treatment plan {handout.plan_id} - {name}.pdf"


class _Styles:
    def __init__(self, faces: Faces) -> None:
        base = ParagraphStyle("base", fontName=faces.regular, fontSize=9, leading=11.5, textColor=INK)
        self.faces = faces
        self.body = base
        self.small = ParagraphStyle("small", base, fontSize=7.5, leading=9.5, textColor=MUTED)
        self.cell = ParagraphStyle("cell", base, fontSize=8, leading=9.6)
        self.cell_right = ParagraphStyle("cell_right", self.cell, alignment=TA_RIGHT)
        self.cell_note = ParagraphStyle(
            "cell_note", self.cell, fontSize=6.5, leading=7.8, textColor=MUTED, alignment=TA_RIGHT
        )
        self.head = ParagraphStyle("head", base, fontName=faces.bold, fontSize=7.5, leading=9, textColor=MUTED)
        self.head_right = ParagraphStyle("head_right", self.head, alignment=TA_RIGHT)
        self.practice = ParagraphStyle("practice", base, fontName=faces.bold, fontSize=15, leading=18)
        self.doc_title = ParagraphStyle(
            "doc_title", base, fontName=faces.bold, fontSize=13, leading=16, alignment=TA_RIGHT
        )
        self.right = ParagraphStyle("right", base, alignment=TA_RIGHT)
        self.h2 = ParagraphStyle(
            "h2", base, fontName=faces.bold, fontSize=10.5, leading=13, spaceBefore=8, spaceAfter=4
        )
        self.label = ParagraphStyle("label", base, fontSize=7.5, leading=9, textColor=MUTED)
        self.value = ParagraphStyle("value", base, fontName=faces.bold, fontSize=9.5, leading=12)
        self.hash = ParagraphStyle("hash", base, fontName=faces.mono, fontSize=6, leading=7.5, textColor=MUTED)


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def _money(value: Decimal) -> str:
    return format_money(value)


# --- sections


def _header(h: PlanHandout, st: _Styles, width: float) -> Table:
    office = h.office
    practice = [_p(office.name, st.practice)]
    if office.address:
        practice.append(_p(office.address, st.body))
    contact = " · ".join(x for x in (office.phone, office.email) if x)
    if contact:
        practice.append(_p(contact, st.body))
    right = [_p("Treatment plan", st.doc_title), _p(f"Prepared {format_date(h.prepared_on)}", st.right)]
    table = Table([[practice, right]], colWidths=[width * 0.62, width * 0.38])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, RULE),
                ("BOTTOMPADDING", (0, 0), (-1, 0), 8),
            ]
        )
    )
    return table


def _status_text(h: PlanHandout) -> str:
    text = h.status_label
    if h.status is PlanStatus.DRAFT:
        return "Draft (estimate only)"
    if h.status is PlanStatus.APPROVED and h.approved_on:
        text = f"{text} {format_date(h.approved_on)}"
    if h.status is PlanStatus.APPROVED:
        return text
    if h.closed_on:
        return f"{text} {format_date(h.closed_on)}"
    return text


def _facts(h: PlanHandout, st: _Styles, width: float) -> Table:
    p = h.patient

    def fact(label: str, value: str, more: str = "") -> list[Paragraph]:
        return [_p(label, st.label), _p(value, st.value)] + ([_p(more, st.small)] if more else [])

    done = sum(1 for i in h.items if i.completed)
    progress = f"{done} of {len(h.items)} items done" if done else ""

    cells = [
        fact("Patient", p.name),
        fact("Patient ID", p.patient_number),
        fact("Date of birth", format_date(p.birth_date)),
        fact("Plan", h.title),
        fact("Status", _status_text(h), progress),
        fact("Created", f"{format_date(h.created_on)} · plan {h.plan_id}"),
    ]
    rows = [cells[0:3], cells[3:6]]
    table = Table(rows, colWidths=[width * 0.40, width * 0.30, width * 0.30])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _column_widths(width: float) -> list[float]:
    fixed = [34, 44, 38, None, 78, 56, 62, 60]
    flexible = width - sum(w for w in fixed if w is not None)
    return [flexible if w is None else float(w) for w in fixed]


def _wrapped(text: str, font: str, width: float) -> str:
    # Plain lines are far cheaper for reportlab to lay out than a Paragraph (handout benchmark).
    return "\n".join(simpleSplit(text, font, CELL_SIZE, width))


def _item_row(item: HandoutItem, st: _Styles, widths: list[float]) -> list[object]:
    procedure: object = _wrapped(item.description, st.faces.regular, widths[3] - 2 * CELL_PADDING)
    if item.completed:
        done = f"Done {format_date(item.completed_on)}" if item.completed_on else "Done"
        procedure = Paragraph(escape(item.description) + f'<br/><font color="#067647"><i>{done}</i></font>', st.cell)
    elif item.mark:  # CASE-2 preauthorized, CASE-5 next benefit year
        procedure = Paragraph(
            escape(item.description) + f'<br/><font color="#175cd3"><i>{escape(item.mark)}</i></font>', st.cell
        )
    return [
        item.tooth,
        item.surfaces,
        item.code,
        procedure,
        _wrapped(item.provider, st.faces.regular, widths[4] - 2 * CELL_PADDING),
        _with_note(_money(item.fee), item.fee_note, st),  # MONEY-2: a discount beside the plan price
        _with_note(_money(item.insurance), item.note, st),  # INS-3: why insurance pays 0.00
        _money(item.patient),
    ]


def _with_note(figure: str, note: str, st: _Styles) -> object:
    """A money cell with a short muted line under it, or the plain figure."""
    if not note:
        return figure
    lines = "<br/>".join(escape(part) for part in note.split(", "))  # "schedule fee ..." / "discount ..."
    return [Paragraph(escape(figure), st.cell_right), Paragraph(lines, st.cell_note)]


def _items_table(h: PlanHandout, st: _Styles, width: float) -> Table:
    head = [_p(c, st.head_right if i >= 5 else st.head) for i, c in enumerate(COLUMNS)]
    widths = _column_widths(width)
    rows: list[Sequence[object]] = [head]
    style: list[tuple[object, ...]] = [
        ("FONT", (0, 1), (-1, -1), st.faces.regular, CELL_SIZE, CELL_LEADING),
        ("TEXTCOLOR", (0, 1), (-1, -1), INK),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ALIGN", (5, 0), (-1, -1), "RIGHT"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]
    for visit in h.visits:
        start = len(rows)
        rows.append([f"{visit.title} · about {format_minutes(visit.chair_minutes)} in the chair"] + [""] * 7)
        style += [
            ("SPAN", (0, start), (-1, start)),
            ("BACKGROUND", (0, start), (-1, start), VISIT_BAND),
            ("FONT", (0, start), (-1, start), st.faces.bold, 8.5),
            ("ALIGN", (0, start), (-1, start), "LEFT"),
            ("TOPPADDING", (0, start), (-1, start), 4),
            ("BOTTOMPADDING", (0, start), (-1, start), 4),
            # A visit's title never stands alone at the foot of a page.
            ("NOSPLIT", (0, start), (-1, min(start + 1, start + len(visit.items)))),
        ]
        for item in visit.items:
            rows.append(_item_row(item, st, widths))
            style.append(("LINEBELOW", (0, len(rows) - 1), (-1, len(rows) - 1), 0.25, RULE))
        rows.append(_subtotal_row(visit))
        end = len(rows) - 1
        style += [
            ("SPAN", (0, end), (4, end)),
            ("BACKGROUND", (0, end), (-1, end), SUBTOTAL_BAND),
            ("FONT", (0, end), (-1, end), st.faces.bold, 8),
            ("ALIGN", (0, end), (4, end), "RIGHT"),
            ("LINEABOVE", (0, end), (-1, end), 0.5, MUTED),
            ("NOSPLIT", (0, max(start + 1, end - 1)), (-1, end)),
        ]
    table = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle(style))
    return table


def _subtotal_row(visit: HandoutVisit) -> list[object]:
    label = f"{visit.title} subtotal · chair time {format_minutes(visit.chair_minutes)}"
    return [label, "", "", "", "", _money(visit.fee), _money(visit.insurance), _money(visit.patient)]


def _totals(h: PlanHandout, st: _Styles, width: float) -> KeepTogether:
    t = h.totals
    minutes = sum(v.chair_minutes for v in h.visits)
    visits = len(h.visits)
    rows: list[list[str]] = [["Plan total (fees)", _money(t.fee)]]
    if t.discount:
        rows.append(["Includes your discount off the office's fees", _money(t.discount)])
    left = ""
    if t.done_items:
        count = len(h.items)
        rows.append([f"Done so far ({t.done_items} of {count} items)", _money(t.done_fee)])
        rows.append(["Work still to do", _money(t.fee - t.done_fee)])
        left = ", still to do"
    if t.write_off:
        rows.append([f"Insurance plan discount{left}", "-" + _money(t.write_off)])
    rows.append([f"Estimated insurance{left}", _money(t.insurance)])
    rows.append([f"Estimated patient portion{left}", _money(t.patient)])
    last_money = len(rows) - 1
    rows.append([f"{visits} visit{'s' if visits != 1 else ''}, chair time", format_minutes(minutes)])
    table = Table(rows, colWidths=[210, 80], hAlign="RIGHT")
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), st.faces.regular, 9),
                ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                ("FONT", (0, last_money), (-1, last_money), st.faces.bold, 10.5),
                ("LINEABOVE", (0, last_money), (-1, last_money), 0.8, INK),
                ("TEXTCOLOR", (0, last_money + 1), (-1, -1), MUTED),
                ("FONT", (0, last_money + 1), (-1, -1), st.faces.regular, 8),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    notes = [
        _p(
            f"Estimate valid until {format_date(h.valid_until)}",
            ParagraphStyle("valid", st.body, fontName=st.faces.bold, alignment=TA_RIGHT, spaceBefore=4),
        )
    ]
    if not h.has_insurance:
        notes.append(
            _p(
                "No dental insurance is on file, so the whole fee is shown as your portion.",
                ParagraphStyle("noins", st.small, alignment=TA_RIGHT),
            )
        )
    return KeepTogether([Spacer(1, 6), table, *notes])


def _signature_image(png: bytes, st: _Styles) -> object:
    try:
        reader = ImageReader(io.BytesIO(png))
        w, h = reader.getSize()
    except Exception:
        return _p("(The stored signature image could not be read.)", st.small)
    scale = min(220 / w, 64 / h, 1.0) if w and h else 1.0
    image = Image(io.BytesIO(png), width=w * scale, height=h * scale)
    image.hAlign = "LEFT"
    return image


def _signature_lines(st: _Styles, width: float, lead: str) -> list[object]:
    rows = [["Patient signature", "", "Date", ""], ["Printed name", "", "", ""]]
    table = Table(rows, colWidths=[90, width * 0.5, 36, width - 126 - width * 0.5], rowHeights=[30, 26])
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), st.faces.regular, 8),
                ("TEXTCOLOR", (0, 0), (-1, -1), MUTED),
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("LINEBELOW", (1, 0), (1, 0), 0.8, INK),
                ("LINEBELOW", (3, 0), (3, 0), 0.8, INK),
                ("LINEBELOW", (1, 1), (1, 1), 0.8, INK),
                ("LEFTPADDING", (0, 0), (0, -1), 0),
            ]
        )
    )
    return [_p(lead, st.body), table]


def _approved_block(a: HandoutApproval, st: _Styles) -> list[object]:
    when = patient_moment(a.approved_at)
    recorded = f" Recorded by {a.recorded_by}." if a.recorded_by else ""
    parts: list[object] = [
        _p(
            f"Approved by {a.approver} on {when} ({a.method_label.lower()}), total {_money(a.total)}.{recorded}",
            st.body,
        )
    ]
    if a.signature_png:
        signed = Table([[_signature_image(a.signature_png, st)]], colWidths=[240], hAlign="LEFT")
        signed.setStyle(
            TableStyle(
                [
                    ("LINEBELOW", (0, 0), (-1, -1), 0.8, INK),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                ]
            )
        )
        parts += [Spacer(1, 4), signed, _p(f"Signature of {a.approver}", st.small)]
    else:
        parts.append(
            _p(
                "No drawn signature is stored for this approval; any signed paper copy is kept in the patient's file.",
                st.small,
            )
        )
    parts += [Spacer(1, 3), _p(f"Approval record {a.content_hash}", st.hash)]
    return parts


def _approval(h: PlanHandout, st: _Styles, width: float) -> KeepTogether:
    parts: list[object] = [_p("Approval", st.h2)]
    a = h.approval
    if a is not None and a.matches_current_plan:
        parts += _approved_block(a, st)
    elif h.status is PlanStatus.DRAFT and a is None:
        # TP-4: a draft is shown for discussion only and is not offered for approval.
        parts.append(
            _p(
                "This draft is an estimate for discussion and is not offered for approval yet. "
                "When the plan is final we will ask for your approval.",
                st.body,
            )
        )
    elif h.status is PlanStatus.CANCELLED:
        parts.append(
            _p(
                "This plan was cancelled"
                + (f" on {format_date(h.closed_on)}" if h.closed_on else "")
                + "; it is printed for your records only.",
                st.body,
            )
        )
    else:
        if a is not None:
            parts.append(
                _p(
                    f"{a.approver} approved an earlier version of this plan on {format_date(local_day(a.approved_at))} "
                    f"(total {_money(a.total)}). The plan has changed since, so that approval does not cover "
                    "the plan printed here.",
                    st.body,
                )
            )
            parts.append(_p(f"Earlier approval record {a.content_hash}", st.hash))
            parts.append(Spacer(1, 6))
        parts += _signature_lines(
            st, width, "I have read this treatment plan and its cost estimate, and I agree to it."
        )
    return KeepTogether(parts)


def _note(h: PlanHandout, st: _Styles, width: float) -> list[object]:
    if not h.office.handout_note.strip():
        return []
    box = Table([[_p(h.office.handout_note.strip(), st.small)]], colWidths=[width])
    box.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.5, RULE),
                ("BACKGROUND", (0, 0), (-1, -1), SUBTOTAL_BAND),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    return [Spacer(1, 10), box]


def _chart(h: PlanHandout, st: _Styles, width: float) -> list[object]:
    parts: list[object] = [
        _p("Your teeth", st.h2),
        tooth_chart(
            width, h.planned_teeth, h.completed_teeth, h.office.tooth_numbering, st.faces.regular, st.faces.bold
        ),
    ]
    baby = sorted(t for t in h.planned_teeth | h.completed_teeth if t.isalpha())
    if baby:
        shown = ", ".join(display_tooth(t, h.office.tooth_numbering) for t in baby)
        parts.append(_p(f"Also in this plan: baby teeth {shown}.", st.small))
    return parts


def _treatment(h: PlanHandout, st: _Styles, width: float) -> list[object]:
    """One option's items by visit and its totals."""
    items: object = (
        _items_table(h, st, width) if h.visits else _p("No treatment has been added to this plan yet.", st.body)
    )
    return [items, _totals(h, st, width)]


def _options_table(h: PlanHandout, st: _Styles, width: float) -> Table:
    """CASE-1: the options side by side, one column each, with their totals."""
    label_width = 96.0
    column = (width - label_width) / len(h.options)
    summaries = [o.summary for o in h.options]
    head = [""] + [_p(s.name, ParagraphStyle("opt", st.value, alignment=TA_RIGHT)) for s in summaries]
    treatment = [_p("Treatment", st.label)] + [
        _p("\n".join(s.items) or "No items yet", ParagraphStyle("optitems", st.cell, alignment=TA_RIGHT))
        for s in summaries
    ]
    rows: list[Sequence[object]] = [
        head,
        treatment,
        ["Visits"] + [str(s.visits) for s in summaries],
        ["Fees"] + [_money(s.fee) for s in summaries],
        ["Insurance plan discount"] + [("-" + _money(s.write_off)) if s.write_off else "-" for s in summaries],
        ["Estimated insurance"] + [_money(s.insurance) if s.estimated else "not estimated" for s in summaries],
        ["Estimated patient portion"] + [_money(s.patient) if s.estimated else "not estimated" for s in summaries],
        ["Chair time"] + [format_minutes(s.chair_minutes) for s in summaries],
    ]
    portion = 6
    table = Table(rows, colWidths=[label_width] + [column] * len(summaries), hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 2), (-1, -1), st.faces.regular, 9),
                ("TEXTCOLOR", (0, 2), (0, -1), MUTED),
                ("FONT", (0, 2), (0, -1), st.faces.regular, 8),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK),
                ("LINEBELOW", (0, 1), (-1, -2), 0.25, RULE),
                ("BACKGROUND", (0, 1), (-1, 1), SUBTOTAL_BAND),
                ("FONT", (0, portion), (-1, portion), st.faces.bold, 10),
                ("LINEABOVE", (0, portion), (-1, portion), 0.8, INK),
                ("LINEBEFORE", (1, 0), (-1, -1), 0.25, RULE),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _options(h: PlanHandout, st: _Styles, width: float) -> list[object]:
    """CASE-1: a plan presented with several options: them side by side, then each one's items."""
    count = len(h.options)
    parts: list[object] = [
        _p(f"Your {count} options", st.h2),
        _p(
            "Each option treats the same need in its own way and is estimated on its own; you choose one. "
            "The items of each option follow.",
            st.small,
        ),
        Spacer(1, 4),
        _options_table(h, st, width),
    ]
    for option in h.options:
        # An option's heading never stands alone at the foot of a page.
        parts += [
            CondPageBreak(140),
            _p(f"{option.summary.name}: planned treatment", st.h2),
            *_treatment(option.handout, st, width),
        ]
    return parts


def build_handout_pdf(handout: PlanHandout) -> bytes:
    """The handout as PDF bytes, on the office's paper (Letter or A4)."""
    faces = handout_faces()
    st = _Styles(faces)
    size = page_size(handout.office.paper_size)
    width = size[0] - 2 * MARGIN
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=size,
        leftMargin=MARGIN - FRAME_PADDING,
        rightMargin=MARGIN - FRAME_PADDING,
        topMargin=MARGIN - FRAME_PADDING,
        bottomMargin=MARGIN - FRAME_PADDING,
        title=f"Treatment plan: {handout.title}",
        author=handout.office.name,
        subject=f"Treatment plan {handout.plan_id} for {handout.patient.name}",
        creator="DentalDesk",
    )
    story: list[object] = [
        _header(handout, st, width),
        Spacer(1, 6),
        _facts(handout, st, width),
        *_chart(handout, st, width),
    ]
    if handout.options:
        story += _options(handout, st, width)
    else:
        story.append(_p("Planned treatment", st.h2))
        if handout.not_chosen:
            story.append(_p(f"You chose {handout.option_name}; not chosen: {', '.join(handout.not_chosen)}.", st.small))
        story += _treatment(handout, st, width)
    story += [_approval(handout, st, width), *_note(handout, st, width)]
    doc.build(story, canvasmaker=canvas_maker(page_decorator(handout, faces, MARGIN)))
    return out.getvalue()


def write_handout_pdf(handout: PlanHandout, path: Path) -> Path:
    """Build the handout and write it to ``path`` atomically (temporary file, then rename)."""
    return write_atomically(Path(path), build_handout_pdf(handout))
