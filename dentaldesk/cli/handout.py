"""``dentaldesk handout PLAN_ID -o FILE.pdf``: a plan's patient handout as PDF, for batch printing."""

from __future__ import annotations

import argparse
from pathlib import Path

from dentaldesk.cli.common import add_database_options, add_login_options, logged_in, open_existing_database


def plan_number(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number <= 0:
        raise argparse.ArgumentTypeError(f"'{text}' is not a plan number: write a whole number such as 12")
    return number


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    handout = commands.add_parser(
        "handout",
        help="write a plan's patient handout as a PDF (batch printing)",
        description=(
            "Write the patient handout of one treatment plan as a PDF: the same document that Print and "
            "Send to patient make (a draft carries the DRAFT - estimate only watermark, TP-4). The file is "
            "written beside its name and then renamed, so a failure leaves nothing half-written. The "
            "handout is recorded in the plan's history and the audit log under your user (SEC-2)."
        ),
        epilog=(
            "examples:\n"
            "  dentaldesk handout 12 -o plan-12.pdf --user frontdesk          asks the password\n"
            "  DENTALDESK_PASSWORD=demo-front dentaldesk --demo handout 3 -o /tmp/plan-3.pdf --user frontdesk"
        ),
    )
    handout.add_argument("plan_id", type=plan_number, metavar="PLAN_ID", help="the plan's number")
    handout.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        metavar="FILE.pdf",
        help="where to write the PDF (its folder must exist)",
    )
    add_database_options(handout)
    add_login_options(
        handout, user_help="your DentalDesk user name: the handout is recorded under it (asked when not given)"
    )
    handout.set_defaults(run=run_handout)


def run_handout(args: argparse.Namespace) -> int:
    """The same handout as Print and Send, written atomically, and recorded under the user (SEC-2)."""
    from dentaldesk.printing.handout import write_handout_pdf
    from dentaldesk.services.plans.handout import HandoutDelivery, load_handout, record_handout
    from dentaldesk.services.uow import UnitOfWork

    engine = open_existing_database(args)
    try:
        with logged_in(engine, args, purpose="handout") as actor:
            handout = load_handout(UnitOfWork.for_engine(engine), actor, args.plan_id)
            path = write_handout_pdf(handout, args.output)
            record_handout(
                UnitOfWork.for_engine(engine),
                actor,
                args.plan_id,
                HandoutDelivery.SAVED_PDF,
                detail=str(path.resolve()),
            )
    finally:
        engine.dispose()
    draft = " (draft: printed with the DRAFT - estimate only watermark)" if handout.is_draft else ""
    print(f"Handout of plan {args.plan_id} ({handout.title}, {handout.patient.name}) written to {path}{draft}.")
    return 0
