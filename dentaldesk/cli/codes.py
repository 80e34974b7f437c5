"""``dentaldesk codes import FILE.csv``: import a licensed procedure code list (CODE-1)."""

from __future__ import annotations

import argparse
from pathlib import Path

from dentaldesk.cli.common import (
    EXIT_REFUSED,
    add_database_options,
    add_login_options,
    logged_in,
    needs_a_command,
    open_existing_database,
)


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from dentaldesk.services.practice.code_file import COLUMNS

    group = commands.add_parser(
        "codes", help="the office's procedure codes: codes import FILE.csv", description="The office's procedure codes."
    )
    sub = group.add_subparsers(title="commands", metavar="COMMAND", prog="dentaldesk codes")
    needs_a_command(group, "import FILE.csv")
    imp = sub.add_parser(
        "import",
        help="import a licensed code list from a CSV file",
        description=(
            "Import a licensed procedure code list into the office's list, as an Owner or Admin. The first "
            f"line names the columns: {', '.join(COLUMNS)} (code, name and category are required; the flags "
            "are 1 or 0; a fee goes into Fee 0). New codes are added; a code already on file changes only "
            "in the columns the file fills, and an empty cell keeps what it has. A row with fewer or more "
            "cells than the header is refused, and so is every bad row, each named with its line and why; "
            "the good rows are imported. The file may be UTF-8, UTF-16 or Windows-1252 (Latin-1)."
        ),
        epilog=(
            "examples:\n"
            "  dentaldesk codes import cdt2026.csv --user owner            asks the password\n"
            "  DENTALDESK_PASSWORD=... dentaldesk codes import cdt2026.csv --user owner --url /srv/practice.sqlite3\n"
            "exit code 1 when any row was refused."
        ),
    )
    imp.add_argument("file", type=Path, metavar="FILE.csv", help="the code list, a CSV file with a header line")
    add_database_options(imp)
    add_login_options(imp, user_help="an Owner or Admin user name (asked for when not given)")
    imp.set_defaults(run=run_import)


def run_import(args: argparse.Namespace) -> int:
    from dentaldesk.services.practice.code_file import read_code_list
    from dentaldesk.services.practice.codes import import_codes
    from dentaldesk.services.uow import UnitOfWork

    code_list = read_code_list(args.file)  # a file that cannot be read is refused before anything else
    engine = open_existing_database(args)
    try:
        with logged_in(engine, args, purpose="codes import") as actor:
            report = import_codes(UnitOfWork.for_engine(engine), actor, code_list)
    finally:
        engine.dispose()
    if code_list.encoding != "UTF-8":
        print(f"Read {args.file} as {code_list.encoding} text.")
    if code_list.ignored_columns:
        print(f"Columns DentalDesk does not know were left out: {', '.join(code_list.ignored_columns)}.")
    for line, code, reason in report.refused:
        print(f"line {line}: {code or '(no code)'}: refused: {reason}")
    print(f"{report.added} codes added, {report.updated} updated, {len(report.refused)} refused.")
    return 0 if not report.refused else EXIT_REFUSED
