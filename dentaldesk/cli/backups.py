"""``dentaldesk backup`` and ``dentaldesk restore FILE``: the practice database's backups (DATA-6)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from dentaldesk.cli.common import (
    add_database_options,
    add_login_options,
    chosen_database,
    logged_in,
    open_existing_database,
)
from dentaldesk.config import describe_url
from dentaldesk.domain.errors import RuleViolation

if TYPE_CHECKING:
    from sqlalchemy import Engine


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    backup = commands.add_parser(
        "backup",
        help="back up the practice database now (DATA-6)",
        description=(
            "Take one consistent backup of the practice database now, as an Owner or Admin: SQLite's online "
            "backup (the write-ahead log included), or pg_dump in shared mode. It goes to the backup folder "
            "of General settings, or to --to, and the rotation keeps 7 daily, 4 weekly and 12 monthly ones."
        ),
        epilog="examples:\n  dentaldesk backup --user owner\n  dentaldesk backup --user owner --to /media/usb/dental",
    )
    backup.add_argument("--to", type=Path, metavar="DIR", help="the folder for the backup (default: General settings')")
    add_database_options(backup)
    add_login_options(backup, user_help="an Owner or Admin user name (asked when not given)")
    backup.set_defaults(run=run_backup)

    restore = commands.add_parser(
        "restore",
        help="restore a backup in place of the database (checked first; the old one is kept)",
        description=(
            "Put a backup in place of the practice database. The backup is checked first (a whole, intact "
            "DentalDesk database, not from a newer version), the database it replaces is kept beside it, "
            "and a restore is refused while another workstation has the database open. On a database "
            "with no practice (a lost file, the first start) no login is asked: there is nothing to protect."
        ),
        epilog=(
            "examples:\n"
            "  dentaldesk restore ~/dental-backups/practice-2026-03-31.sqlite3 --user owner\n"
            "  dentaldesk restore practice-2026-03-31.sqlite3 --url /srv/dental/practice.sqlite3 --yes"
        ),
    )
    restore.add_argument("file", type=Path, metavar="FILE", help="the backup file to restore")
    restore.add_argument("--yes", action="store_true", help="do not ask for confirmation (for scripts)")
    add_database_options(restore)
    add_login_options(restore, user_help="an Owner or Admin user name (asked when the database holds a practice)")
    restore.set_defaults(run=run_restore)


def run_backup(args: argparse.Namespace) -> int:
    """DATA-6: one consistent backup (SQLite online backup, or pg_dump), as an Owner or Admin."""
    from dentaldesk.services.practice.backups import back_up_now
    from dentaldesk.services.uow import UnitOfWork

    engine = open_existing_database(args)
    try:
        with logged_in(engine, args, purpose="backup") as actor:
            taken = back_up_now(UnitOfWork.for_engine(engine), actor, to=args.to)
    finally:
        engine.dispose()
    print(f"Backed up {describe_url(chosen_database(args).url)} to {taken.path} ({taken.size_text()}).")
    return 0


def _confirmed(args: argparse.Namespace, url: str) -> None:
    if args.yes:
        return
    if sys.stdin is None or not sys.stdin.isatty():
        raise RuleViolation("restoring replaces the database; add --yes to confirm (there is no terminal to ask on).")
    answer = input(f"Replace {describe_url(url)} with {args.file}? The current one is kept. [y/N] ")
    if answer.strip().lower() not in ("y", "yes"):
        raise RuleViolation("Nothing was changed: the restore was not confirmed.")


def run_restore(args: argparse.Namespace) -> int:
    """DATA-6: a restore may create the database (a lost one); another program's file is refused."""
    from dentaldesk.db.engine import SqliteFile, make_engine, probe_sqlite
    from dentaldesk.db.opening import sqlite_path
    from dentaldesk.db.presence import Presence
    from dentaldesk.services.practice.backups import restore_backup, restore_into_empty
    from dentaldesk.services.practice.office import practice_name
    from dentaldesk.services.uow import UnitOfWork

    url = chosen_database(args).url
    path = sqlite_path(url)
    if path is not None and probe_sqlite(path).kind is SqliteFile.FOREIGN:
        raise RuleViolation(
            f"The file {path} is an SQLite database of another program; a backup is restored only in place "
            "of a DentalDesk database. Nothing was changed."
        )
    _confirmed(args, url)
    engine = make_engine(url)
    presence = Presence(path, "dentaldesk restore") if path is not None else None
    try:
        if _has_no_practice(engine):
            done = restore_into_empty(engine, args.file, presence=presence)
        else:
            with logged_in(engine, args, purpose="restore") as actor:
                done = restore_backup(UnitOfWork.for_engine(engine), actor, args.file, presence=presence)
        kept = f" The database it replaced is kept as {done.kept_as}." if done.kept_as else ""
        upgraded = f" It was upgraded from schema {done.upgraded_from}." if done.upgraded_from else ""
        name = practice_name(UnitOfWork.for_engine(engine))
    finally:
        if presence is not None:
            presence.close()
        engine.dispose()
    print(f"Restored {done.restored_from} into {describe_url(url)} ({name}).{kept}{upgraded}")
    return 0


def _has_no_practice(engine: Engine) -> bool:
    from sqlalchemy import inspect

    from dentaldesk.db.migrate import upgrade
    from dentaldesk.services.practice.office import practice_name
    from dentaldesk.services.uow import UnitOfWork

    if "office" not in inspect(engine).get_table_names():
        upgrade(engine)
    return practice_name(UnitOfWork.for_engine(engine)) is None
