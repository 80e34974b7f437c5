"""The command line: ``dentaldesk`` starts the app; commands serve set-up and batch work.

    dentaldesk [--demo | --url URL]                start the desktop app
    dentaldesk db upgrade [--url URL]              bring a database to the current schema
    dentaldesk demo create [--url URL] [--size demo|large] [--seed N]
    dentaldesk codes import FILE.csv [--url URL | --demo] [--user NAME]
    dentaldesk handout PLAN_ID -o FILE.pdf [--url URL | --demo] [--user NAME]
    dentaldesk aging [--url URL | --demo] [--user NAME] [--as-of YYYY-MM-DD] [--csv] [--office ID]
    dentaldesk report acceptance --from DATE --to DATE [--csv] [--url URL | --demo] [--user NAME]
    dentaldesk audit verify [--url URL | --demo] [--user NAME]
    dentaldesk backup [--to DIR] [--url URL | --demo] [--user NAME]
    dentaldesk restore FILE [--url URL | --demo] [--user NAME] [--yes]

Every command that reads or changes the practice logs in as the app does: --user (or asked) and
the password from $DENTALDESK_PASSWORD (or asked); SEC-3.

Adding a command: a module here with ``register(commands)`` that adds its parser (with
``add_database_options`` and, when it acts as a user, ``add_login_options`` from
:mod:`dentaldesk.cli.common`) and sets ``run`` to a function of the parsed arguments returning
the exit code; list the module in ``COMMANDS``. The function opens the database with
``open_existing_database`` (creates nothing) or ``open_or_create_database``, and raises typed
errors: :func:`main` turns every one into one line on stderr and an exit code
(:func:`dentaldesk.cli.common.error_line`), so no command prints a traceback.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Sequence

from dentaldesk import __version__
from dentaldesk.cli import aging, audit, backups, codes, database, demo, handout, reports
from dentaldesk.cli.common import (
    EXIT_SOFTWARE,
    TRACEBACK_ENV,
    Parser,
    add_database_options,
    error_line,
    one_line,
)
from dentaldesk.cli.gui import run_app

COMMANDS = (database, demo, codes, handout, aging, reports, audit, backups)

EPILOG = """examples:
  dentaldesk --demo                                  start the app on the demo practice
  dentaldesk                                         start the app on the office's database
  dentaldesk --url /srv/dental/practice.sqlite3      ... on that SQLite file
  dentaldesk --url postgresql://dentaldesk@server/dentaldesk
                                                     ... on the office's shared PostgreSQL database
  dentaldesk --demo aging --user frontdesk           the demo practice's aging report
  dentaldesk handout --help                          the help of one command

Errors print one line on stderr: exit code 1 when something was refused (nothing was changed),
2 for a command line that cannot work as written."""


def build_parser() -> Parser:
    parser = Parser(
        prog="dentaldesk",
        usage="dentaldesk [-h] [--version] [--url URL | --demo] [COMMAND [ARGUMENTS ...]]",
        description="DentalDesk practice management. Without a command, it starts the desktop app.",
        epilog=EPILOG,
    )
    parser.add_argument("--version", action="version", version=f"DentalDesk {__version__}")
    add_database_options(
        parser, on_command=False, demo_help="the demo practice (Maple Street Dental), created on first use"
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", prog="dentaldesk", parser_class=Parser)
    for module in COMMANDS:
        module.register(commands)
    parser.set_defaults(run=run_app)
    return parser


def _silence_stdout() -> None:
    """The reader of stdout is gone: the interpreter's last flush must go nowhere, not fail again."""
    # stdout that is no file (captured) has nothing left to flush to a pipe
    with contextlib.suppress(OSError, ValueError, io.UnsupportedOperation):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        code: int = args.run(args)
        return code
    except SystemExit:
        raise  # --help and --version
    except BaseException as exc:
        if os.environ.get(TRACEBACK_ENV) and not isinstance(exc, KeyboardInterrupt):
            raise
        message, code = error_line(exc)
        if code == EXIT_SOFTWARE:
            from dentaldesk.error_log import append_traceback

            log = append_traceback(exc, make_folder=False)
            if log is not None:
                message = f"{message} The details are in {log}."
        if isinstance(exc, BrokenPipeError):
            _silence_stdout()
        if message:
            print(f"dentaldesk: {one_line(message)}", file=sys.stderr)
        return code
