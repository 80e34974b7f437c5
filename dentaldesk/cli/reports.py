"""``dentaldesk report acceptance``: presented and accepted plans per provider and month (CASE-6)."""

from __future__ import annotations

import argparse
import sys

from dentaldesk.cli.aging import iso_date
from dentaldesk.cli.common import (
    add_database_options,
    add_login_options,
    logged_in,
    needs_a_command,
    open_existing_database,
)


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    group = commands.add_parser("report", help="practice reports: report acceptance", description="Practice reports.")
    sub = group.add_subparsers(title="commands", metavar="COMMAND", prog="dentaldesk report")
    needs_a_command(group, "acceptance")
    accepted = sub.add_parser(
        "acceptance",
        help="case acceptance: presented and accepted plans per provider and month (CASE-6)",
        description=(
            "Case acceptance for the office of the user who logs in: plans presented and accepted, by count "
            "and amount, per provider and month, with the totals; --csv for a spreadsheet. Reads only."
        ),
        epilog="examples:\n  dentaldesk report acceptance --from 2026-01-01 --to 2026-03-31 --user owner --csv > q1.csv",
    )
    accepted.add_argument(
        "--from", dest="start", type=iso_date, required=True, metavar="YYYY-MM-DD", help="the first day"
    )
    accepted.add_argument("--to", dest="end", type=iso_date, required=True, metavar="YYYY-MM-DD", help="the last day")
    accepted.add_argument("--csv", action="store_true", help="write CSV for a spreadsheet instead of a table")
    add_database_options(accepted)
    add_login_options(accepted)
    accepted.set_defaults(run=run_acceptance)


def run_acceptance(args: argparse.Namespace) -> int:
    """CASE-6: presented and accepted plans per provider and month, as a table or CSV."""
    import csv

    from dentaldesk.domain.acceptance import acceptance_table
    from dentaldesk.services.plans.acceptance import acceptance_report
    from dentaldesk.services.practice.office import office_info
    from dentaldesk.services.uow import UnitOfWork

    engine = open_existing_database(args)
    try:
        with logged_in(engine, args, purpose="report acceptance") as actor:
            office = office_info(UnitOfWork.for_engine(engine), actor)
            report = acceptance_report(UnitOfWork.for_engine(engine), actor, args.start, args.end)
    finally:
        engine.dispose()
    table = acceptance_table(report)
    if args.csv:
        csv.writer(sys.stdout, lineterminator="\n").writerows(table)
        return 0
    print(f"Case acceptance - {office.name} ({office.office_code}), {report.start} to {report.end}")
    if not report.rows:
        print("No plan was presented in this period.")
        return 0
    widths = [max(len(line[i]) for line in table) for i in range(len(table[0]))]
    for n, line in enumerate(table):
        if n == len(table) - 1:
            print("-" * (sum(widths) + 2 * (len(widths) - 1)))
        cells = [
            cell.ljust(width) if i < 2 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(line, widths, strict=True))
        ]
        print("  ".join(cells).rstrip())
    return 0
