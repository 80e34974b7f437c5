"""``dentaldesk audit verify``: check the audit log's hash chain and name the first broken link (SEC-5)."""

from __future__ import annotations

import argparse
import sys

from dentaldesk.cli.common import (
    EXIT_REFUSED,
    add_database_options,
    add_login_options,
    chosen_database,
    logged_in,
    needs_a_command,
    open_existing_database,
)
from dentaldesk.config import describe_url


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    group = commands.add_parser("audit", help="the audit log: audit verify", description="The audit log (SEC-5).")
    sub = group.add_subparsers(title="commands", metavar="COMMAND", prog="dentaldesk audit")
    needs_a_command(group, "verify")
    verify = sub.add_parser(
        "verify",
        help="check the audit log's hash chain; name the first broken link",
        description=(
            "Walk the audit log as an Owner or Admin: every row carries a hash chained to the row before "
            "(SEC-5), so a row changed, removed or slipped in breaks the chain there. Exit code 0 when every "
            "link matches, 1 with the first broken link named. Reads only."
        ),
        epilog="examples:\n  dentaldesk audit verify --user owner\n  dentaldesk --demo audit verify --user owner",
    )
    add_database_options(verify)
    add_login_options(verify, user_help="an Owner or Admin user name (asked when not given)")
    verify.set_defaults(run=run_verify)


def run_verify(args: argparse.Namespace) -> int:
    from dentaldesk.services.access.audit_log import verify_audit
    from dentaldesk.services.uow import UnitOfWork

    engine = open_existing_database(args)
    try:
        with logged_in(engine, args, purpose="audit verify") as actor:
            check = verify_audit(UnitOfWork.for_engine(engine), actor)
    finally:
        engine.dispose()
    if check.intact:
        print(
            f"The audit log of {describe_url(chosen_database(args).url)} is intact: {check.rows:,} rows, every link matches."
        )
        return 0
    where = f"row {check.broken_id} (number {check.broken_seq} in the chain)" if check.broken_id else "its end"
    print(f"The audit log is broken at {where}: {check.reason}.", file=sys.stderr)
    return EXIT_REFUSED
