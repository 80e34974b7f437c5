"""The layering of STYLE.md, checked by import-linter's contracts in pyproject.toml."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "dentaldesk"


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


def test_mypy_strict_finds_nothing_below_the_ui() -> None:
    """STYLE.md: everything below the UI (domain/, services/, db/, cli/, printing/, demo/ and the
    start-up modules) passes `mypy --strict` as configured in pyproject.toml; an ignore that remains
    there names its error code and says why. The UI, whose errors mypy does not report, has none:
    there an ignore would silence nothing."""
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-incremental"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    unexplained = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in (ROOT / "dentaldesk").rglob("*.py")
        if "migrations" not in path.parts
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "type: ignore" in line
        and (
            "ui" in path.relative_to(ROOT / "dentaldesk").parts
            or not re.search(r"type: ignore\[[a-z-, ]+\]  # \S", line)
        )
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


# The functions a window hands its database work to: run_op (ui/kit/operations.py) for every
# action and read, Background.start or start_soon (ui/kit/background.py) for work off the GUI
# thread; and two that run a read and show its refusal where it belongs: reload_keeping_edits
# (ui/kit/conflicts.py, on the conflict bar) and the Patient Transactions dialog's fee quote (as
# the fee's source line).
_RUNNERS = frozenset({"run_op", "start", "start_soon", "reload_keeping_edits", "PatientTransactionDialog"})


def _called_name(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def _bare_units_of_work(tree: ast.AST) -> list[int]:
    """Lines where a unit of work is opened (or its factory taken) outside the work handed to a runner.

    Work is handed when it is a lambda or function given to run_op or Background.start, or a
    function (nested, or a method named through ``self.``) every use of which is such an argument
    or a call made by handed work; a ``.uow()`` call or a ``.uow`` factory must sit in handed work."""
    parents: dict[ast.AST, ast.AST] = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[child] = node

    def enclosing(node: ast.AST) -> ast.AST | None:
        scope = parents.get(node)
        while scope is not None and not isinstance(scope, (ast.Lambda, ast.FunctionDef)):
            scope = parents.get(scope)
        return scope

    def runner_argument(node: ast.AST) -> bool:
        parent = parents.get(node)
        return isinstance(parent, ast.Call) and _called_name(parent) in _RUNNERS and node is not parent.func

    functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
    uses: dict[ast.FunctionDef, list[ast.AST]] = {}
    for function in functions:
        method = isinstance(parents.get(function), ast.ClassDef)
        uses[function] = [
            n
            for n in ast.walk(tree)
            if (method and isinstance(n, ast.Attribute) and n.attr == function.name)
            or (not method and isinstance(n, ast.Name) and n.id == function.name)
        ]
    handed: set[ast.AST] = {n for n in ast.walk(tree) if isinstance(n, ast.Lambda) and runner_argument(n)}

    def in_handed(node: ast.AST) -> bool:
        scope = enclosing(node)
        while scope is not None:
            if scope in handed:
                return True
            scope = enclosing(scope)
        return False

    grew = True
    while grew:
        grew = False
        for function, seen in uses.items():
            if function not in handed and seen and all(runner_argument(n) or in_handed(n) for n in seen):
                handed.add(function)
                grew = True

    return [
        node.lineno
        for node in ast.walk(tree)
        # ctx.uow() opens one; ctx.uow handed on as a factory opens them later, wherever it goes
        if isinstance(node, ast.Attribute) and node.attr == "uow" and not in_handed(node)
    ]


def test_every_read_and_write_of_the_ui_goes_through_run_op_or_a_background_runner() -> None:
    """STYLE.md 6: a window opens no unit of work itself; run_op shows every refusal at its field
    and announces what changed, Background runs long work off the GUI thread. A read opened
    bare would let a typed error reach Qt and skip the one place errors are shown."""
    found = []
    for path in sorted((PACKAGE / "ui").rglob("*.py")):
        found += [
            f"{path.relative_to(PACKAGE.parent)}:{line}" for line in _bare_units_of_work(ast.parse(path.read_text()))
        ]
    assert not found, "units of work opened outside run_op / Background.start:\n" + "\n".join(found)


def test_the_benchmarks_import_only_what_exists() -> None:
    """The benchmarks are not timed in the suite, but a name they import from dentaldesk (at the top
    or inside a function) must exist, so a move in the package cannot leave them broken unseen."""
    import importlib

    missing = []
    for path in sorted((ROOT / "tests" / "benchmarks").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("dentaldesk"):
                module = importlib.import_module(node.module)
                missing += [
                    f"{path.name}:{node.lineno} {node.module}.{alias.name}"
                    for alias in node.names
                    if not hasattr(module, alias.name) and not _is_submodule(node.module, alias.name)
                ]
    assert not missing, missing


def _is_submodule(package: str, name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(f"{package}.{name}") is not None


# --- one palette, one widget kit (STYLE.md 12)

UI = ROOT / "dentaldesk" / "ui"
KIT = UI / "kit"
_HEX = re.compile(r"#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3}(?:[0-9a-fA-F]{2})?)?\b")
_NAMED = re.compile(
    r"\b(?:color|background(?:-color)?|border(?:-[a-z]+)?)\s*:[^;{}]*?"
    r"\b(white|black|red|green|blue|gr[ae]y|yellow|orange|silver|navy|maroon|purple|teal)\b",
    re.IGNORECASE,
)
_KIT_HELPER = re.compile(r"(error|hint|message)_label$|date_edit$|^_?error$")


def literal_colours(source: str) -> list[tuple[int, str]]:
    """Each colour spelt in Python source: a hex or named colour in a string (a style sheet, a
    QColor's argument), a QColor of a colour name, a Qt.GlobalColor."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found += [(node.lineno, hit) for hit in _HEX.findall(node.value) + _NAMED.findall(node.value)]
        elif isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "QColor":
            first = node.args[0] if node.args else None
            if isinstance(first, ast.Constant) and isinstance(first.value, str) and not _HEX.search(first.value):
                found.append((node.lineno, f"QColor({first.value!r})"))
        elif isinstance(node, ast.Attribute) and getattr(node.value, "attr", "") == "GlobalColor":
            found.append((node.lineno, f"GlobalColor.{node.attr}"))
    return found


def test_the_scan_sees_each_way_of_spelling_a_colour() -> None:
    """The colour scan below finds a hex colour, a named colour in a style sheet, QColor("white") and
    Qt.GlobalColor, and passes an object-name selector ("#patient_header") and plain text."""
    source = (
        'a = "color: #b42318;"\nb = "background: white; padding: 2px"\nc = QColor("white")\n'
        'd = Qt.GlobalColor.red\ne = "#patient_header { border: 1px solid; }"\nf = "Tooth #19, a white filling"\n'
    )
    assert [line for line, _hit in literal_colours(source)] == [1, 2, 3, 4]


def test_every_colour_of_the_screens_comes_from_the_one_palette() -> None:
    """A colour is named by its role in ui/kit/palette.py and spelt nowhere else in ui/."""
    offenders = [
        f"{path.relative_to(ROOT)}:{line}: {hit}"
        for path in sorted(UI.rglob("*.py"))
        if path != KIT / "palette.py"
        for line, hit in literal_colours(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_message_lines_and_date_fields_are_made_only_by_the_widget_kit() -> None:
    """One error label, one hint label, one date field (TX-VAL-1): no window defines its own."""
    offenders = []
    for path in sorted(UI.rglob("*.py")):
        if path.is_relative_to(KIT):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and _KIT_HELPER.search(node.name):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: def {node.name}")
            elif isinstance(node, ast.ClassDef):
                bases = {getattr(b, "id", getattr(b, "attr", "")) for b in node.bases}
                if bases & {"QDateEdit", "DateEdit", "MessageLabel"}:
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: class {node.name}")
    assert offenders == []
