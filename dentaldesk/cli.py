"""The command line: ``dentaldesk`` starts the app; subcommands serve set-up and batch work.

    dentaldesk [--demo] [--url URL]          start the desktop app
    dentaldesk db upgrade [--url URL]        bring a database to the current schema
    dentaldesk demo create [--url URL] [--size demo|large]
    dentaldesk codes import FILE.csv [--url URL] [--user NAME]
    dentaldesk handout PLAN_ID -o FILE.pdf [--url URL] [--user NAME]
    dentaldesk aging [--url URL] [--user NAME] [--as-of DATE] [--csv] [--office ID]
    dentaldesk report acceptance --from DATE --to DATE [--csv] [--url URL] [--user NAME]
    dentaldesk audit verify [--url URL] [--user NAME]
    dentaldesk backup [--to DIR] [--url URL] [--user NAME]
    dentaldesk restore FILE [--url URL] [--user NAME] [--yes]

Every command that reads or changes the practice logs in as the app does: --user (or asked) and
the password from $DENTALDESK_PASSWORD (or asked); SEC-3.

Errors a person can fix print one line on stderr and exit with a non-zero code; nothing is
overwritten.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from dentaldesk import __version__, clock
from dentaldesk.config import StorageError, database_url, describe_url

EXIT_FAILED = 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dentaldesk", description="DentalDesk practice management.")
    parser.add_argument("--version", action="version", version=f"DentalDesk {__version__}")
    parser.add_argument("--url", help="database URL (default: SQLite in the user data folder)")
    parser.add_argument("--demo", action="store_true", help="start on the demo practice (created on first use)")
    sub = parser.add_subparsers(dest="command")

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    up = db_sub.add_parser("upgrade", help="bring the database to the current schema")
    up.add_argument("--url", dest="sub_url", help="database URL")
    up.add_argument(
        "--app-role",
        metavar="ROLE",
        help="PostgreSQL: create and grant the workstations' role (run as the tables' owner; see README)",
    )

    demo = sub.add_parser("demo", help="the demo practice")
    demo_sub = demo.add_subparsers(dest="demo_command", required=True)
    create = demo_sub.add_parser("create", help="create the demo practice in an empty database")
    create.add_argument("--url", dest="sub_url", help="database URL (default: the demo database)")
    create.add_argument("--size", choices=("demo", "large"), default="demo")
    create.add_argument("--seed", type=int, default=20261123, help="random seed (same seed, same practice)")

    codes = sub.add_parser("codes", help="the office's procedure codes")
    codes_sub = codes.add_subparsers(dest="codes_command", required=True)
    imp = codes_sub.add_parser("import", help="import a licensed code list from CSV")
    imp.add_argument("file", type=Path)
    imp.add_argument("--url", dest="sub_url", help="database URL")
    imp.add_argument("--user", help="an Owner or Admin user name (asked if not given)")
    imp.add_argument(
        "--password-env",
        default="DENTALDESK_PASSWORD",
        help="environment variable holding the password (else it is asked for)",
    )

    handout = sub.add_parser("handout", help="write a plan's patient handout as PDF (batch printing)")
    handout.add_argument("plan_id", type=int, metavar="PLAN_ID")
    handout.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.pdf")
    handout.add_argument("--url", dest="sub_url", help="database URL")
    handout.add_argument(
        "--user", help="your DentalDesk user name: the handout is recorded under it (asked if not given)"
    )

    aging = sub.add_parser("aging", help="print the office aging report: accounts with a balance, bucket totals")
    aging.add_argument("--url", dest="sub_url", help="database URL")
    aging.add_argument("--as-of", dest="as_of", metavar="DATE", help="age as of this date, YYYY-MM-DD (default today)")
    aging.add_argument("--csv", action="store_true", help="write CSV (for a spreadsheet) instead of a table")
    aging.add_argument("--office", metavar="ID", help="office ID when the database holds several (default: the first)")
    report = sub.add_parser("report", help="practice reports")
    report_sub = report.add_subparsers(dest="report_command", required=True)
    accepted = report_sub.add_parser(
        "acceptance", help="case acceptance: presented and accepted plans per provider and month (CASE-6)"
    )
    accepted.add_argument("--from", dest="start", required=True, metavar="DATE", help="first day, YYYY-MM-DD")
    accepted.add_argument("--to", dest="end", required=True, metavar="DATE", help="last day, YYYY-MM-DD")
    accepted.add_argument("--csv", action="store_true", help="write CSV (for a spreadsheet) instead of a table")
    accepted.add_argument("--url", dest="sub_url", help="database URL")
    audit = sub.add_parser("audit", help="the audit log")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True)
    verify = audit_sub.add_parser("verify", help="check the audit log's hash chain; name the first broken link")
    verify.add_argument("--url", dest="sub_url", help="database URL")

    backup = sub.add_parser("backup", help="back up the practice database now (DATA-6)")
    backup.add_argument("--to", type=Path, metavar="DIR", help="folder for the backup (default: General settings')")
    backup.add_argument("--url", dest="sub_url", help="database URL")
    restore = sub.add_parser(
        "restore", help="restore a backup in place of the database (checked first; the old one is kept)"
    )
    restore.add_argument("file", type=Path, metavar="FILE")
    restore.add_argument("--url", dest="sub_url", help="database URL")
    restore.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    for command in (imp, handout, aging, accepted, verify, backup, restore):
        _login_options(command)
    return parser


def _login_options(command: argparse.ArgumentParser) -> None:
    """Every command that reads or changes the practice logs in as the app does (SEC-3)."""
    if not any(a.dest == "user" for a in command._actions):
        command.add_argument("--user", help="your DentalDesk user name (asked if not given)")
    if not any(a.dest == "password_env" for a in command._actions):
        command.add_argument(
            "--password-env",
            default="DENTALDESK_PASSWORD",
            help="environment variable holding the password (else it is asked for)",
        )


def _login(args: argparse.Namespace, engine: object):  # type: ignore[no-untyped-def]
    """Log in with --user (or asked) and the password from the environment (or asked), like the app.

    Wrong passwords count towards the user name's login throttle like the login window's (SEC-4).
    """
    from dentaldesk.domain.errors import NotFound, ValidationError
    from dentaldesk.services.access.actor import this_workstation
    from dentaldesk.services.access.login import login
    from dentaldesk.services.practice.office import practice_name
    from dentaldesk.services.uow import UnitOfWork

    if practice_name(UnitOfWork.for_engine(engine)) is None:
        raise NotFound("This database holds no practice yet.")
    asks = sys.stdin is not None and sys.stdin.isatty()
    user = args.user or (input("User: ") if asks else "")
    if not user.strip():
        raise ValidationError("Log in: give your user name with --user.", "user")
    password = os.environ.get(args.password_env) or (getpass.getpass("Password: ") if asks else "")
    if not password:
        raise ValidationError(f"Log in: put your password in ${args.password_env} or run from a terminal.", "password")
    return login(UnitOfWork.for_engine(engine), user, password, f"{this_workstation()} (command line)")


def _logout(engine: object, actor: object) -> None:
    from dentaldesk.services.access.login import logout
    from dentaldesk.services.uow import UnitOfWork

    logout(UnitOfWork.for_engine(engine), actor)  # type: ignore[arg-type]


def _open(url: str):  # type: ignore[no-untyped-def]
    from dentaldesk.db.engine import make_engine
    from dentaldesk.db.migrate import upgrade

    engine = make_engine(url)
    upgrade(engine)
    return engine


def _cmd_db_upgrade(args: argparse.Namespace) -> int:
    from dentaldesk.db.engine import make_engine
    from dentaldesk.db.migrate import upgrade

    url = database_url(args.sub_url or args.url)
    engine = make_engine(url)
    before, after = upgrade(engine)
    if before == after:
        print(f"{describe_url(url)} is up to date (schema {after}).")
    else:
        print(f"{describe_url(url)} upgraded from schema {before or 'empty'} to {after}.")
    if args.app_role:
        from dentaldesk.db.roles import set_up_app_role

        print(f"App role: {set_up_app_role(engine, args.app_role)}.")
    return 0


def _progress_printer() -> Callable[[str, int, int], None]:
    last = {"stage": "", "t": 0.0}

    def report(stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if stage != last["stage"] or now - float(last["t"]) > 2 or done == total:
            print(f"  {stage}: {done:,}/{total:,}", file=sys.stderr)
            last["stage"], last["t"] = stage, now

    return report


def _cmd_demo_create(args: argparse.Namespace) -> int:
    from dentaldesk.demo import create_demo_practice

    url = database_url(args.sub_url or args.url, demo=True)
    engine = _open(url)
    summary = create_demo_practice(engine, size=args.size, seed=args.seed, progress=_progress_printer())
    print(
        f"Demo practice created in {describe_url(url)}: {summary.patients:,} patients, "
        f"{summary.plans:,} plans, {summary.ledger_rows:,} ledger rows in {summary.seconds:.1f} s."
    )
    return 0


def _cmd_codes_import(args: argparse.Namespace) -> int:
    from dentaldesk.services.practice.codes import import_codes
    from dentaldesk.services.uow import UnitOfWork

    url = database_url(args.sub_url or args.url)
    engine = _open(url)
    actor = _login(args, engine)
    try:
        report = import_codes(UnitOfWork.for_engine(engine), actor, args.file)
    finally:
        _logout(engine, actor)
    for line, code, reason in report.refused:
        print(f"line {line}: {code or '(no code)'}: refused: {reason}")
    print(f"{report.added} codes added, {report.updated} updated, {len(report.refused)} refused.")
    return 0 if not report.refused else EXIT_FAILED


def _cmd_handout(args: argparse.Namespace) -> int:
    """The same handout as Print and Send, written atomically, and recorded under the user (SEC-2)."""
    from dentaldesk.printing.handout import write_handout_pdf
    from dentaldesk.services.plans.handout import HandoutDelivery, load_handout, record_handout
    from dentaldesk.services.uow import UnitOfWork

    url = database_url(args.sub_url or args.url)
    engine = _open(url)
    actor = _login(args, engine)
    try:
        handout = load_handout(UnitOfWork.for_engine(engine), actor, args.plan_id)
        path = write_handout_pdf(handout, args.output)
        record_handout(
            UnitOfWork.for_engine(engine), actor, args.plan_id, HandoutDelivery.SAVED_PDF, detail=str(path.resolve())
        )
    finally:
        _logout(engine, actor)
    draft = " (draft: printed with the DRAFT - estimate only watermark)" if handout.is_draft else ""
    print(f"Handout of plan {args.plan_id} ({handout.title}, {handout.patient.name}) written to {path}{draft}.")
    return 0


def _cmd_aging(args: argparse.Namespace) -> int:
    """The office aging report for the bookkeeper, in SQL (AGE-1..3)."""
    import csv
    import datetime as dt

    from dentaldesk.domain.errors import NotFound, ValidationError
    from dentaldesk.services.ledger.aging import aging_table, office_aging
    from dentaldesk.services.practice.office import office_info
    from dentaldesk.services.uow import UnitOfWork

    try:
        as_of = dt.date.fromisoformat(args.as_of) if args.as_of else clock.today()
    except ValueError:
        raise ValidationError(f"--as-of '{args.as_of}' is not a date; write it as YYYY-MM-DD.", "as_of") from None
    engine = _open(database_url(args.sub_url or args.url))
    actor = _login(args, engine)
    try:
        office = office_info(UnitOfWork.for_engine(engine), actor)
        if args.office and args.office.strip().upper() != office.office_code:
            raise NotFound(f"You work in office {office.office_code}; the report shows your own office only.")
        report = office_aging(UnitOfWork.for_engine(engine), actor, as_of)
    finally:
        _logout(engine, actor)
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


def _day_option(text: str, option: str) -> object:
    import datetime as dt

    from dentaldesk.domain.errors import ValidationError

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"{option} '{text}' is not a date; write it as YYYY-MM-DD.", option) from None


def _cmd_report_acceptance(args: argparse.Namespace) -> int:
    """CASE-6: presented and accepted plans per provider and month, as a table or CSV."""
    import csv

    from dentaldesk.domain.acceptance import acceptance_table
    from dentaldesk.services.plans.acceptance import acceptance_report
    from dentaldesk.services.practice.office import office_info
    from dentaldesk.services.uow import UnitOfWork

    start, end = _day_option(args.start, "--from"), _day_option(args.end, "--to")
    engine = _open(database_url(args.sub_url or args.url))
    actor = _login(args, engine)
    try:
        office = office_info(UnitOfWork.for_engine(engine), actor)
        report = acceptance_report(UnitOfWork.for_engine(engine), actor, start, end)  # type: ignore[arg-type]
    finally:
        _logout(engine, actor)
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


def _cmd_audit_verify(args: argparse.Namespace) -> int:
    """SEC-5: walk the audit chain as an Owner or Admin; exit 1 and name the first broken link."""
    from dentaldesk.services.access.audit_log import verify_audit
    from dentaldesk.services.uow import UnitOfWork

    url = database_url(args.sub_url or args.url)
    engine = _open(url)
    actor = _login(args, engine)
    try:
        check = verify_audit(UnitOfWork.for_engine(engine), actor)
    finally:
        _logout(engine, actor)
    if check.intact:
        print(f"The audit log of {describe_url(url)} is intact: {check.rows:,} rows, every link matches.")
        return 0
    where = f"row {check.broken_id} (number {check.broken_seq} in the chain)" if check.broken_id else "its end"
    print(f"The audit log is broken at {where}: {check.reason}.", file=sys.stderr)
    return EXIT_FAILED


def _cmd_backup(args: argparse.Namespace) -> int:
    """DATA-6: one consistent backup (SQLite online backup, or pg_dump), as an Owner or Admin."""
    from dentaldesk.services.practice.backups import back_up_now
    from dentaldesk.services.uow import UnitOfWork

    url = database_url(args.sub_url or args.url)
    engine = _open(url)
    actor = _login(args, engine)
    try:
        taken = back_up_now(UnitOfWork.for_engine(engine), actor, to=args.to)
    finally:
        _logout(engine, actor)
    print(f"Backed up {describe_url(url)} to {taken.path} ({taken.size_text()}).")
    return 0


def _cmd_restore(args: argparse.Namespace) -> int:
    """DATA-6: restore a backup: the file is checked first, the replaced database kept, and the
    restore refused while another workstation has the database open. On a database with no
    practice (first run, or the file was lost) no login is asked: there is nothing to protect."""
    from dentaldesk.db.engine import make_engine
    from dentaldesk.db.presence import Presence
    from dentaldesk.services.practice.backups import restore_backup, restore_into_empty
    from dentaldesk.services.practice.office import practice_name
    from dentaldesk.services.uow import UnitOfWork

    url = database_url(args.sub_url or args.url)
    engine = make_engine(url)
    presence = (
        Presence(Path(str(engine.url.database)), "dentaldesk restore") if engine.dialect.name == "sqlite" else None
    )
    try:
        empty = _has_no_practice(engine)
        if not args.yes:
            asks = sys.stdin is not None and sys.stdin.isatty()
            if not asks:
                print("dentaldesk: restoring replaces the database; add --yes to confirm.", file=sys.stderr)
                return EXIT_FAILED
            answer = input(f"Replace {describe_url(url)} with {args.file}? The current one is kept. [y/N] ")
            if answer.strip().lower() not in ("y", "yes"):
                print("Nothing was changed.")
                return EXIT_FAILED
        if empty:
            done = restore_into_empty(engine, args.file, presence=presence)
        else:
            actor = _login(args, engine)
            done = restore_backup(UnitOfWork.for_engine(engine), actor, args.file, presence=presence)
        kept = f" The database it replaced is kept as {done.kept_as}." if done.kept_as else ""
        upgraded = f" It was upgraded from schema {done.upgraded_from}." if done.upgraded_from else ""
        name = practice_name(UnitOfWork.for_engine(engine))
        print(f"Restored {done.restored_from} into {describe_url(url)} ({name}).{kept}{upgraded}")
        return 0
    finally:
        if presence is not None:
            presence.close()
        engine.dispose()


def _has_no_practice(engine: object) -> bool:
    from sqlalchemy import inspect

    from dentaldesk.db.migrate import upgrade
    from dentaldesk.services.practice.office import practice_name
    from dentaldesk.services.uow import UnitOfWork

    if "office" not in inspect(engine).get_table_names():  # type: ignore[arg-type]
        upgrade(engine)  # type: ignore[arg-type]
    return practice_name(UnitOfWork.for_engine(engine)) is None  # type: ignore[arg-type]


def _cmd_gui(args: argparse.Namespace) -> int:
    from dentaldesk.app import run_gui

    return run_gui(url=args.url, demo=args.demo)


def main(argv: Sequence[str] | None = None) -> int:
    from dentaldesk.domain.errors import DentalDeskError

    args = _parser().parse_args(argv)
    handlers: dict[str | None, Callable[[argparse.Namespace], int]] = {
        None: _cmd_gui,
        "db": _cmd_db_upgrade,
        "demo": _cmd_demo_create,
        "codes": _cmd_codes_import,
        "handout": _cmd_handout,
        "aging": _cmd_aging,
        "report": _cmd_report_acceptance,
        "audit": _cmd_audit_verify,
        "backup": _cmd_backup,
        "restore": _cmd_restore,
    }
    try:
        return handlers[args.command](args)
    except StorageError as exc:
        print(f"dentaldesk: {exc.message}", file=sys.stderr)
        return EXIT_FAILED
    except DentalDeskError as exc:
        print(f"dentaldesk: {exc.message}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("dentaldesk: interrupted; the last action was rolled back.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
