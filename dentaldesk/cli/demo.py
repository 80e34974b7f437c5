"""``dentaldesk demo create``: the demo practice, or the large benchmark practice, in a new database."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable

from dentaldesk.cli.common import add_database_options, needs_a_command, open_or_create_database
from dentaldesk.config import describe_url

DEFAULT_SEED = 20261123


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    group = commands.add_parser("demo", help="the demo practice: demo create", description="The demo practice.")
    sub = group.add_subparsers(title="commands", metavar="COMMAND", prog="dentaldesk demo")
    needs_a_command(group, "create")
    create = sub.add_parser(
        "create",
        help="create the demo practice in an empty database",
        description=(
            "Create the demo practice (Maple Street Dental: 40 patients, plans, ledger, claims) in an empty "
            "or new database; by default the demo database that 'dentaldesk --demo' starts on. A database "
            "that already holds a practice is left as it is."
        ),
        epilog=(
            "examples:\n"
            "  dentaldesk demo create\n"
            "  dentaldesk demo create --size large --url /tmp/dd_large.sqlite3     the benchmark practice"
        ),
    )
    add_database_options(create, demo_help="the demo database (the default for this command)")
    create.add_argument(
        "--size",
        choices=("demo", "large"),
        default="demo",
        help="demo: the 40-patient practice to try the app on (the default); large: 100,000 patients and about "
        "1,000,000 ledger rows for the benchmarks (a few minutes)",
    )
    create.add_argument(
        "--seed",
        type=int,
        default=DEFAULT_SEED,
        metavar="N",
        help=f"random seed: the same seed makes the same practice (default {DEFAULT_SEED})",
    )
    create.set_defaults(run=run_create)


def _progress_printer() -> Callable[[str, int, int], None]:
    shown_stage, shown_at = "", 0.0

    def report(stage: str, done: int, total: int) -> None:
        nonlocal shown_stage, shown_at
        now = time.monotonic()
        if stage != shown_stage or now - shown_at > 2 or done == total:
            print(f"  {stage}: {done:,}/{total:,}", file=sys.stderr)
            shown_stage, shown_at = stage, now

    return report


def run_create(args: argparse.Namespace) -> int:
    from dentaldesk.demo import create_demo_practice

    opened, url = open_or_create_database(args, demo_by_default=True)
    try:
        summary = create_demo_practice(opened.engine, size=args.size, seed=args.seed, progress=_progress_printer())
    finally:
        opened.engine.dispose()
    print(
        f"Demo practice created in {describe_url(url)}: {summary.patients:,} patients, "
        f"{summary.plans:,} plans, {summary.ledger_rows:,} ledger rows in {summary.seconds:.1f} s."
    )
    return 0
