"""The preauthorization request a carrier is sent (CASE-2), built with reportlab.

One page per request in the usual shape of a predetermination: the practice, the request's number
and date, the patient, the subscriber and the carrier, then the items to be preauthorized (tooth,
surfaces, code, procedure, fee) with their total, and empty columns for the carrier's allowed fee,
deductible and payment, and a line for the carrier's signature and date. Money is printed only
through ``format_money`` (MONEY-1).
"""

from __future__ import annotations

import io
import re
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from dentaldesk.domain.money import format_money
from dentaldesk.printing.fonts import handout_faces
from dentaldesk.printing.formats import format_date
from dentaldesk.services.plans.preauth import PreauthRequest

MARGIN = 48.0
INK = colors.HexColor("#101828")
MUTED = colors.HexColor("#667085")
RULE = colors.HexColor("#d0d5dd")
BAND = colors.HexColor("#eef4ff")
COLUMNS = ("Tooth", "Surf.", "Code", "Procedure", "Fee", "Allowed", "Deductible", "Ins. pays")


def preauth_file_name(request: PreauthRequest) -> str:
    """``Preauthorization PA-000012 - Anna Smith.pdf``."""
    name = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', " ", request.patient_name).strip() or "patient"
    return f"Preauthorization {request.request.number} - {name}.pdf"


def build_preauth_pdf(request: PreauthRequest) -> bytes:
    """CASE-2: the printed request (see the module docstring)."""
    faces = handout_faces()
    base = ParagraphStyle("base", fontName=faces.regular, fontSize=9, leading=11.5, textColor=INK)
    bold = ParagraphStyle("bold", base, fontName=faces.bold)
    small = ParagraphStyle("small", base, fontSize=7.5, leading=9.5, textColor=MUTED)
    practice = ParagraphStyle("practice", base, fontName=faces.bold, fontSize=15, leading=18)
    title = ParagraphStyle("title", base, fontName=faces.bold, fontSize=13, leading=16, alignment=TA_RIGHT)
    right = ParagraphStyle("right", base, alignment=TA_RIGHT)
    head = ParagraphStyle("head", base, fontName=faces.bold, fontSize=7.5, leading=9, textColor=MUTED)
    head_right = ParagraphStyle("head_right", head, alignment=TA_RIGHT)
    cell = ParagraphStyle("cell", base, fontSize=8, leading=9.6)
    cell_right = ParagraphStyle("cell_right", cell, alignment=TA_RIGHT)
    h2 = ParagraphStyle("h2", base, fontName=faces.bold, fontSize=10.5, leading=13, spaceBefore=10, spaceAfter=4)

    def p(text: str, style: ParagraphStyle = base) -> Paragraph:
        return Paragraph(escape(text).replace("\n", "<br/>"), style)

    r = request.request
    width = LETTER[0] - 2 * MARGIN
    story: list[object] = []
    left = [p(request.office_name, practice)]
    if request.office_address:
        left.append(p(request.office_address))
    if request.office_phone:
        left.append(p(request.office_phone))
    top = Table(
        [
            [
                left,
                [
                    p("Preauthorization request", title),
                    p(f"No. {r.number}", right),
                    p(f"Dated {format_date(r.requested_on)}", right),
                    p(f"Benefit year {r.benefit_year}", right),
                ],
            ]
        ],
        colWidths=[width * 0.58, width * 0.42],
    )
    top.setStyle(
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
    story += [top, Spacer(1, 10)]

    facts = [
        [p("Carrier", small), p("Plan", small), p("Group no.", small)],
        [p(r.carrier, bold), p(r.plan_name, bold), p(r.group_number or "-", bold)],
        [p("Subscriber", small), p("Subscriber ID", small), p("Patient (birth date)", small)],
        [
            p(r.subscriber_name, bold),
            p(r.subscriber_id or "-", bold),
            p(f"{request.patient_name} ({format_date(request.birth_date)}), #{request.patient_number}", bold),
        ],
    ]
    block = Table(facts, colWidths=[width / 3] * 3)
    block.setStyle(
        TableStyle(
            [
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 1), (-1, 1), 6),
            ]
        )
    )
    story += [block, p("Treatment proposed", h2), p(f'Plan "{request.plan_title}"', small), Spacer(1, 4)]

    widths = [40, 36, 44, width - 40 - 36 - 44 - 4 * 62, 62, 62, 62, 62]
    rows: list[list[object]] = [
        [p(c, head_right if i >= 4 else head) for i, c in enumerate(COLUMNS)],
    ]
    for line in r.lines:
        rows.append(
            [
                p(line.tooth, cell),
                p(line.surfaces, cell),
                p(line.code, cell),
                p(line.description, cell),
                p(format_money(line.fee), cell_right),
                p(format_money(line.allowed), cell_right),
                p(format_money(line.deductible), cell_right),
                p(format_money(line.pays), cell_right),
            ]
        )
    rows.append(["", "", "", p("Total", bold), p(format_money(r.fee), ParagraphStyle("t", bold, alignment=TA_RIGHT))])
    rows[-1] += ["", "", ""]
    items = Table(rows, colWidths=widths, repeatRows=1)
    items.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), BAND),
                ("LINEBELOW", (0, 0), (-1, -2), 0.4, RULE),
                ("LINEABOVE", (0, -1), (-1, -1), 0.8, INK),
                ("BOX", (5, 1), (7, -2), 0.4, RULE),
            ]
        )
    )
    story += [items, Spacer(1, 14)]
    story.append(
        p(
            "Please state for each procedure the fee you allow, the deductible you apply and what you will "
            f"pay in benefit year {r.benefit_year}, and return this form to the practice quoting {r.number}.",
            base,
        )
    )
    story.append(Spacer(1, 28))
    sign = Table(
        [["", "", ""], [p("For the carrier: name and signature", small), "", p("Date", small)]],
        colWidths=[width * 0.6, width * 0.1, width * 0.3],
    )
    sign.setStyle(
        TableStyle(
            [
                ("LINEABOVE", (0, 1), (0, 1), 0.6, INK),
                ("LINEABOVE", (2, 1), (2, 1), 0.6, INK),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    story.append(sign)
    by = f" by {r.requested_by}" if r.requested_by else ""
    story += [Spacer(1, 18), p(f"Request {r.number} sent {format_date(r.requested_on)}{by}.", small)]

    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=LETTER,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=f"Preauthorization {r.number}",
        author=request.office_name,
    )
    doc.build(story)
    return out.getvalue()
