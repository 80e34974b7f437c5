"""``dentaldesk`` with no command: the desktop app, after checking the machine can show it."""

from __future__ import annotations

import argparse

from dentaldesk.cli.common import chosen_database


def run_app(args: argparse.Namespace) -> int:
    from dentaldesk.config import StorageError
    from dentaldesk.system_check import gui_problem

    chosen_database(args)  # a URL that cannot be read is refused here, before any window
    problem = gui_problem()
    if problem:
        raise StorageError(problem)
    from dentaldesk.app import run_gui

    return run_gui(url=args.url, demo=args.demo)
