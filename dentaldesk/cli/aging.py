"""``dentaldesk aging``: the office aging report for the bookkeeper (AGE-1..AGE-4)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from dentaldesk.cli.common import add_database_options, add_login_options, logged_in, open_existing_database


def iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date; write it as YYYY-MM-DD, e.g. 2026-03-31") from None


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    aging = commands.add_parser(
        "aging",
        help="print the office aging report: accounts with a balance, bucket totals",
        description=(
            "Print the office aging report: one row per account with a balance (Current, 0-30, 31-60, 61-90, "
            "Over 90, Credit, Balance) and the totals, as of today or the given date, for the office of the "
            "user who logs in. Reads only: the practice's records are not changed."
        ),
        epilog=(
            "examples:\n"
            "  dentaldesk aging --user frontdesk\n"
            "  dentaldesk aging --user frontdesk --as-of 2026-03-31 --csv > aging-march.csv\n"
            "  DENTALDESK_PASSWORD=demo-front dentaldesk --demo aging --user frontdesk"
        ),
    )
    aging.add_argument(
        "--as-of", dest="as_of", type=iso_date, metavar="YYYY-MM-DD", help="age as of this date (default today)"
    )
    aging.add_argument("--csv", action="store_true", help="write CSV for a spreadsheet instead of a table")
    aging.add_argument(
        "--office",
        metavar="ID",
        help="the office ID (as on every transaction): the report is of your own office, and this makes sure of it",
    )
    add_database_options(aging)
    add_login_options(aging)
    aging.set_defaults(run=run_aging)


def run_aging(args: argparse.Namespace) -> int:
    import csv

    from dentaldesk import clock
    from dentaldesk.domain.errors import NotFound
    from dentaldesk.services.ledger.aging import aging_table, office_aging
    from dentaldesk.services.practice.office import office_info
    from dentaldesk.services.uow import UnitOfWork

    as_of = args.as_of or clock.today()
    engine = open_existing_database(args)
    try:
        with logged_in(engine, args, purpose="aging") as actor:
            office = office_info(UnitOfWork.for_engine(engine), actor)
            if args.office and args.office.strip().upper() != office.office_code:
                raise NotFound(f"You work in office {office.office_code}; the report shows your own office only.")
            report = office_aging(UnitOfWork.for_engine(engine), actor, as_of)
    finally:
        engine.dispose()
    table = aging_table(report, plain=args.csv)
    if args.csv:
        csv.writer(sys.stdout, lineterminator="\n").writerows(table)
        return 0
    print(f"Office aging report - {office.name} ({office.office_code}) as of {as_of.isoformat()}")
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
