"""What every command shares: one-line errors and exit codes, the database options, opening the
database, and logging in from the command line.

A command never prints a traceback. It raises a typed error (``dentaldesk.domain.errors``, or
:class:`CommandLineError` for a command line that cannot work as written) and
:func:`error_line` turns whatever reached the top into one line on stderr and an exit code:

====  ==========================================================================
0     done
1     refused: a person can fix it, and the line says how (nothing was changed)
2     the command line is wrong: a missing or unknown argument, conflicting options
70    a fault in DentalDesk itself (set DENTALDESK_TRACEBACK=1 to see where)
130   interrupted (Ctrl+C); the action under way was rolled back
====  ==========================================================================
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, NoReturn

from dentaldesk.config import URL_EXAMPLES, DatabaseChoice, choose_database
from dentaldesk.domain.errors import DentalDeskError

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from dentaldesk.db.opening import Opened
    from dentaldesk.services.access.actor import Actor

EXIT_OK = 0
EXIT_REFUSED = 1
EXIT_USAGE = 2
EXIT_SOFTWARE = 70
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a reader that went away
TRACEBACK_ENV = "DENTALDESK_TRACEBACK"
PASSWORD_ENV = "DENTALDESK_PASSWORD"


class CommandLineError(DentalDeskError):
    """The command line cannot work as written (exit code 2); the message says what to write."""


def one_line(text: str) -> str:
    return " ".join(str(text).split())


def error_line(exc: BaseException) -> tuple[str | None, int]:
    """The one place a failed command becomes one line for stderr (None: say nothing) and an exit code."""
    if isinstance(exc, CommandLineError):
        return exc.message, EXIT_USAGE
    if isinstance(exc, DentalDeskError):
        return exc.message, EXIT_REFUSED
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted; the action under way was rolled back.", EXIT_INTERRUPTED
    if isinstance(exc, BrokenPipeError):
        return None, EXIT_BROKEN_PIPE  # `dentaldesk aging | head`: the reader has what it wanted
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{exc.strerror or exc}.", EXIT_REFUSED
    if type(exc).__module__.startswith("sqlalchemy") and type(exc).__name__ == "OperationalError":
        reason = getattr(exc, "orig", None) or exc
        return f"the database could not do this now ({reason}); nothing was changed. Try again.", EXIT_REFUSED
    return (
        f"unexpected error ({type(exc).__name__}: {exc}). This is a fault in DentalDesk, not in what you typed; "
        f"set {TRACEBACK_ENV}=1 to see where it happened.",
        EXIT_SOFTWARE,
    )


class HelpFormatter(argparse.HelpFormatter):
    """Wraps prose to the terminal, keeps example lines (indented ones, and headings ending in ':')."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        out: list[str] = []
        prose: list[str] = []

        def flush() -> None:
            if prose:
                out.append(textwrap.fill(" ".join(prose), width, initial_indent=indent, subsequent_indent=indent))
                prose.clear()

        for line in text.splitlines():
            if line.startswith(" ") or line.endswith(":") or not line.strip():
                flush()
                out.append(indent + line)
            else:
                prose.append(line.strip())
        flush()
        return "\n".join(out)


class Parser(argparse.ArgumentParser):
    """argparse that reports a wrong command line as one line (through :func:`error_line`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        raise CommandLineError(f"{message} (see '{self.prog} --help').")


def needs_a_command(parser: argparse.ArgumentParser, choices: str) -> None:
    """A command group (``db``, ``demo``, ``codes``) given without its command says which exist."""

    def run(_args: argparse.Namespace) -> int:
        raise CommandLineError(f"'{parser.prog}' needs a command: {choices} (see '{parser.prog} --help').")

    parser.set_defaults(run=run)


# -- which database ----------------------------------------------------------------------------

URL_HELP = (
    f"the database: {URL_EXAMPLES}. Default: the DENTALDESK_DATABASE_URL environment variable, "
    '"database_url" in settings.json, else dentaldesk.sqlite3 in the user data folder'
)
DEMO_HELP = "the demo practice's database (demo.sqlite3 in the user data folder), whatever the default is"


def add_database_options(
    parser: argparse.ArgumentParser, *, on_command: bool = True, demo_help: str = DEMO_HELP
) -> None:
    """--url and --demo, accepted before the command (``dentaldesk --demo aging``) and after it.

    On a command the options default to SUPPRESS, so that leaving them out there keeps what was
    given before the command."""
    group = parser.add_argument_group("database")
    default_url = argparse.SUPPRESS if on_command else None
    default_demo = argparse.SUPPRESS if on_command else False
    group.add_argument("--url", metavar="URL", default=default_url, help=URL_HELP)
    group.add_argument("--demo", action="store_true", default=default_demo, help=demo_help)


def chosen_database(args: argparse.Namespace, *, demo_by_default: bool = False) -> DatabaseChoice:
    """The database the options name (DATA-3); --url and --demo together are refused."""
    url, demo = getattr(args, "url", None), getattr(args, "demo", False)
    if url is not None and demo:
        raise CommandLineError("give either --url or --demo, not both.")
    return choose_database(url, demo=demo or (demo_by_default and url is None))


def open_existing_database(args: argparse.Namespace) -> Engine:
    """For a command that works on a practice: the database must exist at the current schema.

    Creates nothing and migrates nothing (see :func:`dentaldesk.db.opening.open_existing`)."""
    from dentaldesk.db.opening import open_existing

    return open_existing(chosen_database(args).url)


def open_or_create_database(args: argparse.Namespace, *, demo_by_default: bool = False) -> tuple[Opened, str]:
    """For ``db upgrade`` and ``demo create``: the database, created when missing, at the current schema."""
    from dentaldesk.db.opening import open_or_create

    choice = chosen_database(args, demo_by_default=demo_by_default)
    return open_or_create(choice.url, make_data_folder=choice.in_data_folder), choice.url


# -- acting as a user: every command that reads or changes the practice logs in (SEC-3) --------


def add_login_options(
    parser: argparse.ArgumentParser, *, user_help: str = "your DentalDesk user name (asked when not given)"
) -> None:
    group = parser.add_argument_group("login (SEC-6: the password never goes on the command line)")
    group.add_argument("--user", metavar="NAME", help=user_help)
    group.add_argument(
        "--password-env",
        metavar="VAR",
        default=PASSWORD_ENV,
        help=f"the environment variable that holds the password (default {PASSWORD_ENV}); "
        "without it the password is asked for on the terminal",
    )


def _terminal() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def _ask(prompt: str, *, secret: bool, why: str) -> str:
    if not _terminal():
        raise CommandLineError(why)
    try:
        answer = getpass.getpass(prompt) if secret else input(prompt)
    except EOFError:
        raise CommandLineError(f"nothing was typed at '{prompt.strip()}'; {why}") from None
    if not answer.strip():
        raise CommandLineError(f"nothing was typed at '{prompt.strip()}'; {why}")
    return answer


def credentials(args: argparse.Namespace, *, purpose: str) -> tuple[str, str]:
    """The user name and password to act as: --user (else asked on the terminal) and the password
    from the environment variable (else asked). Never from the command line (SEC-6)."""
    why = (
        f"{purpose} logs in as the app does: give your user name with --user NAME and the password in "
        f"the {args.password_env} environment variable (there is no terminal to ask on)."
    )
    user = args.user or _ask("User: ", secret=False, why=why)
    password = os.environ.get(args.password_env) or _ask(f"Password for {user.strip()}: ", secret=True, why=why)
    return user.strip(), password


@contextmanager
def logged_in(engine: Engine, args: argparse.Namespace, *, purpose: str) -> Iterator[Actor]:
    """Log in as the app does (SEC-1, SEC-3; wrong passwords count towards SEC-4's throttle), act,
    and log out again, whatever happens in between.

    The database is known to hold a practice before anyone is asked for a password."""
    from dentaldesk.domain.errors import NotFound
    from dentaldesk.services.access.actor import this_workstation
    from dentaldesk.services.access.login import login, logout
    from dentaldesk.services.practice.office import practice_name
    from dentaldesk.services.uow import UnitOfWork

    if practice_name(UnitOfWork.for_engine(engine)) is None:
        raise NotFound("This database holds no practice yet.")
    user, password = credentials(args, purpose=purpose)
    actor = login(UnitOfWork.for_engine(engine), user, password, f"{this_workstation()} (command line)")
    try:
        yield actor
    finally:
        logout(UnitOfWork.for_engine(engine), actor)
