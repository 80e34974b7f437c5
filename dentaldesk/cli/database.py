"""``dentaldesk db upgrade``: bring a database to the current schema (creating it when new)."""

from __future__ import annotations

import argparse

from dentaldesk.cli.common import add_database_options, needs_a_command, open_or_create_database
from dentaldesk.config import describe_url


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    group = commands.add_parser(
        "db",
        help="database maintenance: db upgrade",
        description="Database maintenance.",
    )
    sub = group.add_subparsers(title="commands", metavar="COMMAND", prog="dentaldesk db")
    needs_a_command(group, "upgrade")
    upgrade = sub.add_parser(
        "upgrade",
        help="bring the database to the current schema, creating it when there is none",
        description=(
            "Bring the database to this DentalDesk's schema (Alembic migrations), or create it when the "
            "file does not exist or is empty. A database of another program, a damaged file, or one "
            "made by a newer DentalDesk is refused and left as it was. The app does the same at start."
        ),
        epilog=(
            "examples:\n"
            "  dentaldesk db upgrade                                   the default database\n"
            "  dentaldesk db upgrade --url /srv/dental/practice.sqlite3\n"
            "  dentaldesk db upgrade --url postgresql://dentaldesk@server/dentaldesk --app-role dentaldesk_app"
        ),
    )
    add_database_options(upgrade)
    upgrade.add_argument(
        "--app-role",
        metavar="ROLE",
        help="PostgreSQL: create the workstations' role and grant it what the app needs (run as the "
        "tables' owner; see README, A shared office on PostgreSQL)",
    )
    upgrade.set_defaults(run=run_upgrade)


def run_upgrade(args: argparse.Namespace) -> int:
    opened, url = open_or_create_database(args)
    try:
        if opened.revision_before == opened.revision:
            print(f"{describe_url(url)} is up to date (schema {opened.revision}).")
        else:
            print(f"{describe_url(url)} upgraded from schema {opened.revision_before or 'empty'} to {opened.revision}.")
        if args.app_role:
            from dentaldesk.db.roles import set_up_app_role

            print(f"App role: {set_up_app_role(opened.engine, args.app_role)}.")
    finally:
        opened.engine.dispose()
    return 0
