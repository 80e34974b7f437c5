"""The layering of STYLE.md, checked by import-linter's contracts in pyproject.toml."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_hold() -> None:
    """Pure rules import neither Qt nor SQLAlchemy; nothing below the UI imports Qt (STYLE.md 1); the
    system check needs only the standard library."""
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 4 kept, 0 broken" in result.stdout


def test_no_float_money_in_the_package() -> None:
    """MONEY-1: no money-named value is typed or built as a float anywhere in dentaldesk/."""
    import re

    pattern = re.compile(
        r"(fee|price|amount|total|balance|tax|deductible|pays|portion)[a-z_]*\s*(:\s*float|=\s*float\()"
    )
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in (ROOT / "dentaldesk").rglob("*.py")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []


def _ruff(*args: str) -> subprocess.CompletedProcess[str]:
    ruff = Path(sys.executable).with_name("ruff")
    return subprocess.run([str(ruff), *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_ruff_finds_nothing() -> None:
    """STYLE.md: the lint rules configured in pyproject.toml hold over the package, tests and installer."""
    result = _ruff("check", "dentaldesk", "tests", "installer")
    assert result.returncode == 0, result.stdout + result.stderr


def test_code_is_formatted() -> None:
    """STYLE.md: every file is laid out by `ruff format` (120 columns), so diffs show changes only."""
    result = _ruff("format", "--check", "dentaldesk", "tests", "installer")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_finds_nothing_in_the_rules_and_services() -> None:
    """STYLE.md: domain/ and services/ (with the db/ modules they import) pass `mypy --strict` as configured
    in pyproject.toml; an ignore that remains names its error code and says why."""
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-incremental"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    unexplained = [
        f"{path.relative_to(ROOT)}:{n}"
        for folder in ("domain", "services", "db")
        for path in (ROOT / "dentaldesk" / folder).rglob("*.py")
        if "migrations" not in path.parts
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "type: ignore" in line and not re.search(r"type: ignore\[[a-z-, ]+\]  # \S", line)
    ]
    assert not unexplained, unexplained


def test_the_time_is_read_from_the_one_clock() -> None:
    """Fixed clock: the package reads today and now only through dentaldesk.clock, which tests set."""
    import re

    pattern = re.compile(r"\b(date\.today\(\)|datetime\.now\(|datetime\.utcnow\(|time\.time\(\))")
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in (ROOT / "dentaldesk").rglob("*.py")
        if path.name != "clock.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []


# Service functions that run before anyone is logged in, or that log in, lock and log out.
UNGUARDED = {
    "access.login.login",
    "access.login.unlock",
    "access.login.lock_session",
    "access.login.logout",
    "practice.office.practice_name",
    "practice.office.create_practice",
}


def test_sec3_every_service_taking_a_unit_of_work_goes_through_the_guard() -> None:
    """SEC-3: each public service function with a unit of work is guarded, except logging in itself."""
    import importlib
    import inspect
    import pkgutil

    import dentaldesk.services as services

    unguarded = []
    for info in pkgutil.walk_packages(services.__path__, "dentaldesk.services."):
        module = importlib.import_module(info.name)
        for name, fn in vars(module).items():
            if name.startswith("_") or not inspect.isfunction(fn) or fn.__module__ != info.name:
                continue
            params = list(inspect.signature(fn).parameters)
            qualified = f"{info.name.removeprefix('dentaldesk.services.')}.{name}"
            if params[:1] == ["uow"] and not hasattr(fn, "__guarded__") and qualified not in UNGUARDED:
                unguarded.append(qualified)
    assert unguarded == []
