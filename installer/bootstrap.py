"""Set up this checkout on this machine: the one script both README commands run.

    python3 installer/bootstrap.py            # what the app needs, then .venv/ with DentalDesk in it
    python3 installer/bootstrap.py --tests    # and what the test suite needs (.ci/run runs this)

1. Finds what the machine lacks, each by an exact check (the module can be imported, the library
   can be loaded, the command is on PATH, fontconfig knows a font): the Python venv module, the
   system libraries Qt takes on Linux and a font (dentaldesk/system_check.py lists them), and with
   --tests PostgreSQL, poppler-utils, binutils (PyInstaller's objdump) and, where the fresh-machine
   test can run (root on Debian/Ubuntu), debootstrap, Xvfb and xwininfo.
2. Installs all of it with one apt-get run on Debian/Ubuntu, as root or through sudo (asked once).
   Elsewhere it says exactly what to install and stops with exit code 1.
3. Creates .venv/ in the checkout, or rebuilds it when it is half-made (no python, no pip, made for
   a checkout that has moved), and installs DentalDesk into it (editable, with the test extras for
   --tests) only when what is installed differs from what pyproject.toml asks.
4. Checks, with the venv's PySide6, that Qt's xcb platform plugin loads and fonts are there.

Runs on the Python the machine has (3.11 or newer is required, and said so on older ones), with
the standard library only; prints what it does on lines starting with "==".
"""

import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

MIN_PYTHON = (3, 11)
ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".venv"
STAMP = VENV / "dentaldesk-install.json"
INSIDE_FRESH_MACHINE = "DENTALDESK_INSIDE_FRESH_MACHINE"  # set by the fresh-machine test's inner run
WINDOWS = sys.platform == "win32"
LINUX = sys.platform.startswith("linux")


class SetupFailed(Exception):
    """Something the person has to do; the message says what."""


def say(text):
    print(f"== {text}", flush=True)


def load_system_check():
    """dentaldesk/system_check.py, loaded by path: the package itself is not installed yet."""
    path = ROOT / "dentaldesk" / "system_check.py"
    spec = importlib.util.spec_from_file_location("dentaldesk_system_check", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look the module up while the class is made
    spec.loader.exec_module(module)
    return module


# -- what is missing -------------------------------------------------------------------------


def venv_package():
    """The Debian package that brings ensurepip (so `python3 -m venv` works) for this Python."""
    version = f"{sys.version_info[0]}.{sys.version_info[1]}"
    if os.path.realpath(sys.executable) == os.path.realpath("/usr/bin/python3"):
        return "python3-venv"
    return f"python{version}-venv"


def postgres_bin():
    """The folder of PostgreSQL's initdb and pg_ctl, or None (also used by .ci/run)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: p.parent.parent.name)
    candidates = [p.parent for p in found]
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(on_path).parent)
    pg_config = shutil.which("pg_config")
    if pg_config:
        done = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        if done.returncode == 0 and done.stdout.strip():
            candidates.append(Path(done.stdout.strip()))
    for folder in candidates:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    return None


def python_shared_library_missing():
    """PyInstaller bundles the Python shared library; Debian's python3 leaves it to libpython3.X.

    Returns (what is missing, Debian package) or None. Loading it is the exact check: the loader
    finds it where PyInstaller looks (the library path), or it is already loaded."""
    import ctypes
    import sysconfig

    soname = sysconfig.get_config_var("INSTSONAME") or ""
    if not sysconfig.get_config_var("Py_ENABLE_SHARED") or ".so" not in soname:
        return None
    try:
        ctypes.CDLL(soname)
    except OSError:
        return (
            f"the Python shared library {soname} (the installer build bundles it)",
            f"lib{soname.split('.so')[0][3:]}",
        )
    return None


def fresh_machine_test_runs_here():
    """The fresh-machine test needs root (chroot, mounts) and apt; its own inner run skips it."""
    return LINUX and os.geteuid() == 0 and shutil.which("apt-get") and not os.environ.get(INSIDE_FRESH_MACHINE)


def missing(tests, check):
    """[(what is missing, Debian package)] for this machine, each found by an exact check."""
    lacks = []
    if importlib.util.find_spec("ensurepip") is None:
        lacks.append(("the Python venv module (ensurepip)", venv_package()))
    if check.applies():
        lacks += [(lib.soname, lib.debian_package) for lib in check.missing_libraries()]
        if not check.has_fonts():
            lacks += [("fonts and fontconfig's settings", package) for package in check.FONT_PACKAGES]
    if tests:
        if postgres_bin() is None:
            lacks.append(("the PostgreSQL server (initdb, pg_ctl)", "postgresql"))
        commands = [("pdftoppm", "poppler-utils")]
        if LINUX:
            commands.append(("objdump", "binutils"))  # PyInstaller reads shared libraries with it
            shared = python_shared_library_missing()
            if shared:
                lacks.append(shared)
            if fresh_machine_test_runs_here():
                commands += [("debootstrap", "debootstrap"), ("Xvfb", "xvfb"), ("xwininfo", "x11-utils")]
        lacks += [(f"the command {cmd}", pkg) for cmd, pkg in commands if shutil.which(cmd) is None]
    return lacks


# -- installing system packages --------------------------------------------------------------


def install_system_packages(lacks):
    packages = list(dict.fromkeys(pkg for _what, pkg in lacks))
    listing = ", ".join(what for what, _pkg in lacks)
    if not shutil.which("apt-get") or not LINUX:
        where = "with Homebrew: brew install" if shutil.which("brew") else "(Debian/Ubuntu package names):"
        raise SetupFailed(
            f"This machine lacks {listing}. Install them {where} {' '.join(brew_names(packages))}, "
            "then run this command again."
            if shutil.which("brew")
            else f"This machine lacks {listing}. Install them with your package manager "
            f"{where} {' '.join(packages)}; then run this command again."
        )
    script = (
        "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "
        + " ".join(packages)
    )
    if os.geteuid() == 0:
        command = ["sh", "-c", script]
    elif shutil.which("sudo"):
        say("sudo asks for your password once, to install them")
        command = ["sudo", "sh", "-c", script]
    else:
        raise SetupFailed(f"This machine lacks {listing}. As root, run: {script}; then run this command again.")
    say(f"installing system packages: {' '.join(packages)}")
    if subprocess.run(command).returncode != 0:
        raise SetupFailed(f"apt-get could not install {' '.join(packages)} (see above); nothing else was changed.")


def brew_names(packages):
    """The Homebrew formulae for what a Mac lacks (only the test tools: Qt's wheels carry the rest)."""
    names = {"postgresql": "postgresql@16", "poppler-utils": "poppler"}
    return [names.get(p, p) for p in packages]


# -- the virtual environment -----------------------------------------------------------------


def venv_python():
    return VENV / ("Scripts/python.exe" if WINDOWS else "bin/python")


def venv_problem():
    """Why .venv/ cannot be used as it is (half-made, moved, broken), or None."""
    if not (VENV / "pyvenv.cfg").exists():
        return "it has no pyvenv.cfg"
    python = venv_python()
    if not python.exists():
        return f"it has no {python.relative_to(ROOT)}"
    probe = subprocess.run(
        [str(python), "-c", f"import sys, pip; print(sys.prefix); print(sys.version_info >= {MIN_PYTHON!r})"],
        capture_output=True,
        text=True,
    )
    if probe.returncode != 0:
        reason = (probe.stderr.strip().splitlines() or ["it does not start"])[-1]
        return f"its Python fails ({reason})"
    prefix, new_enough = probe.stdout.split()
    if Path(prefix).resolve() != VENV.resolve():
        return f"it was made for {prefix}"
    if new_enough != "True":
        return f"its Python is older than {'.'.join(map(str, MIN_PYTHON))}"
    pip_script = VENV / "bin" / "pip"
    if not WINDOWS and pip_script.exists():
        with open(pip_script, encoding="utf-8", errors="replace") as handle:
            shebang = handle.readline()
        if str(VENV) not in shebang and str(VENV.resolve()) not in shebang:
            return f"it was made in another folder ({shebang[2:].strip()})"  # a moved checkout
    return None


def ensure_venv():
    if VENV.exists() or VENV.is_symlink():
        problem = venv_problem()
        if problem is None:
            return
        say(f".venv/ is not usable ({problem}): making it again")
        if VENV.is_symlink() or VENV.is_file():
            VENV.unlink()
        else:
            shutil.rmtree(VENV)
    say("creating .venv/")
    made = subprocess.run([sys.executable, "-m", "venv", str(VENV)])
    if made.returncode != 0 or venv_problem() is not None:
        shutil.rmtree(VENV, ignore_errors=True)
        raise SetupFailed(f"'{sys.executable} -m venv .venv' failed (see above); .venv/ was removed again.")


_REQUIREMENTS_MET = r"""
import importlib.metadata as md, json, sys
from pip._vendor.packaging.requirements import Requirement
extras, root = sys.argv[1:-1], sys.argv[-1]
problems = []
try:
    import dentaldesk
    if not dentaldesk.__file__.startswith(root):
        problems.append("dentaldesk comes from " + dentaldesk.__file__)
    requires = md.requires("dentaldesk") or []
except Exception as exc:
    problems.append("dentaldesk is not installed (%s)" % exc)
    requires = []
for text in requires:
    req = Requirement(text)
    if req.marker and not any(req.marker.evaluate({"extra": e}) for e in extras + [""]):
        continue
    try:
        version = md.version(req.name)
    except md.PackageNotFoundError:
        problems.append(str(req) + " is missing")
        continue
    if not req.specifier.contains(version, prereleases=True):
        problems.append("%s is %s" % (req, version))
print(json.dumps(problems))
"""


def project_fingerprint():
    return hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()


def install_problems(extras):
    """What differs between .venv/ and what pyproject.toml asks (with these extras); [] if nothing."""
    try:
        stamp = json.loads(STAMP.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ["never installed by this script"]
    if stamp.get("pyproject") != project_fingerprint():
        return ["pyproject.toml changed since the last install"]
    if not set(extras) <= set(stamp.get("extras", [])):
        return [f"the {', '.join(extras)} extras are not installed"]
    probe = subprocess.run(
        [str(venv_python()), "-c", _REQUIREMENTS_MET, *extras, str(ROOT)], capture_output=True, text=True, cwd="/"
    )
    if probe.returncode != 0:
        return [f"checking the installed packages failed: {probe.stderr.strip()[-300:]}"]
    return json.loads(probe.stdout)


def ensure_installed(extras):
    problems = install_problems(extras)
    if not problems:
        say(f"DentalDesk{' with the ' + ', '.join(extras) + ' extras' if extras else ''} is installed in .venv/")
        return
    target = f"{ROOT}[{','.join(extras)}]" if extras else str(ROOT)
    say(f"installing DentalDesk into .venv/ ({problems[0]}); the first time this downloads Qt, about 400 MB")
    pip = [str(venv_python()), "-m", "pip", "install", "--quiet", "--progress-bar", "off", "-e", target]
    if subprocess.run(pip).returncode != 0:
        raise SetupFailed("pip could not install DentalDesk into .venv/ (see above).")
    STAMP.write_text(json.dumps({"pyproject": project_fingerprint(), "extras": sorted(extras)}), encoding="utf-8")
    left = install_problems(extras)
    if left:
        raise SetupFailed(f"After pip install, .venv/ still differs from pyproject.toml: {'; '.join(left)}.")


def verify_gui():
    """The venv's own PySide6 must load its xcb plugin here, and fontconfig must know a font."""
    done = subprocess.run([str(venv_python()), "-m", "dentaldesk.system_check", "--no-display"], cwd=ROOT)
    if done.returncode != 0:
        raise SetupFailed("The desktop app still lacks what the line above names; install it and run this again.")


def main(argv=None):
    args = sys.argv[1:] if argv is None else argv
    unknown = [a for a in args if a != "--tests"]
    if unknown:
        print(f"usage: python3 installer/bootstrap.py [--tests]  (not {' '.join(unknown)})", file=sys.stderr)
        return 2
    tests = "--tests" in args
    if sys.version_info < MIN_PYTHON:
        print(
            f"bootstrap: DentalDesk needs Python {'.'.join(map(str, MIN_PYTHON))} or newer; this is "
            f"{sys.version.split()[0]} ({sys.executable}). Install a newer python3 and run this again.",
            file=sys.stderr,
        )
        return 1
    try:
        check = load_system_check()
        lacks = missing(tests, check)
        if lacks:
            install_system_packages(lacks)
            still = missing(tests, check)
            if still:
                raise SetupFailed(f"Still missing after the install: {', '.join(w for w, _p in still)}.")
        else:
            say("the system has what DentalDesk needs" + (" and what its tests need" if tests else ""))
        ensure_venv()
        ensure_installed(["test"] if tests else [])
        if check.applies():
            verify_gui()
    except SetupFailed as exc:
        print(f"bootstrap: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bootstrap: interrupted; run it again to finish (a half-made .venv/ is made again).", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
