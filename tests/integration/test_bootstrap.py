"""installer/bootstrap.py, the set-up script of both README commands: exact checks, one apt-get run,
and a .venv/ that is made again when half-made. The whole script on a fresh machine is proven by
test_fresh_machine.py; these tests take its parts one by one on this machine."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def load_bootstrap():
    spec = importlib.util.spec_from_file_location("bootstrap_under_test", ROOT / "installer" / "bootstrap.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def bootstrap():
    return load_bootstrap()


@pytest.fixture
def checkout(bootstrap, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The script pointed at an empty folder standing in for a checkout."""
    monkeypatch.setattr(bootstrap, "ROOT", tmp_path)
    monkeypatch.setattr(bootstrap, "VENV", tmp_path / ".venv")
    monkeypatch.setattr(bootstrap, "STAMP", tmp_path / ".venv" / "dentaldesk-install.json")
    return tmp_path


def test_a_venv_without_pip_is_half_made(bootstrap, checkout: Path) -> None:
    """What `python3 -m venv .venv` leaves on a machine without python3-venv: no pip, so not usable."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(checkout / ".venv")], check=True)
    assert "No module named 'pip'" in bootstrap.venv_problem()


def test_a_half_made_venv_is_made_again(bootstrap, checkout: Path) -> None:
    """ensure_venv removes a half-made .venv/ and makes a working one (python and pip)."""
    (checkout / ".venv" / "bin").mkdir(parents=True)
    (checkout / ".venv" / "bin" / "python").write_text("not a python")
    assert bootstrap.venv_problem() == "it has no pyvenv.cfg"
    bootstrap.ensure_venv()
    assert bootstrap.venv_problem() is None
    assert subprocess.run([str(checkout / ".venv" / "bin" / "python"), "-m", "pip", "--version"]).returncode == 0


@pytest.mark.skipif(sys.platform == "win32", reason="a Windows venv starts its Python through .exe launchers")
def test_a_venv_of_a_moved_checkout_is_not_usable(bootstrap, checkout: Path) -> None:
    """A .venv/ copied from another folder: its scripts start the old folder's Python."""
    venv = checkout / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    # A stand-in pip package (the probe only imports it) and the pip script a venv made elsewhere holds.
    site = venv / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}" / "site-packages"
    (site / "pip").mkdir(parents=True)
    (site / "pip" / "__init__.py").write_text("", encoding="utf-8")
    (venv / "bin" / "pip").write_text("#!/home/someone/old-checkout/.venv/bin/python3\n", encoding="utf-8")
    assert bootstrap.venv_problem() == "it was made in another folder (/home/someone/old-checkout/.venv/bin/python3)"


def test_this_checkouts_venv_is_installed_exactly(bootstrap) -> None:
    """The suite's own .venv/ has everything pyproject.toml asks, with the test extras: nothing to do."""
    if Path(sys.prefix).resolve() != (ROOT / ".venv").resolve():
        pytest.skip("the suite is not running in this checkout's .venv/")
    assert bootstrap.venv_problem() is None
    assert bootstrap.install_problems(["test"]) == []


def test_what_the_install_lacks_is_found(bootstrap, checkout: Path) -> None:
    """No stamp, another pyproject.toml, missing extras: each is a reason to run pip."""
    (checkout / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    assert bootstrap.install_problems([]) == ["never installed by this script"]
    (checkout / ".venv").mkdir()
    bootstrap.STAMP.write_text(json.dumps({"pyproject": "an older one", "extras": ["test"]}))
    assert bootstrap.install_problems([]) == ["pyproject.toml changed since the last install"]
    bootstrap.STAMP.write_text(json.dumps({"pyproject": bootstrap.project_fingerprint(), "extras": []}))
    assert bootstrap.install_problems(["test"]) == ["the test extras are not installed"]


def test_missing_tools_are_found_by_exact_checks(bootstrap, monkeypatch: pytest.MonkeyPatch) -> None:
    """No pdftoppm, no objdump, no ensurepip: each is named with the Debian package that brings it."""
    check = bootstrap.load_system_check()
    monkeypatch.setattr(check, "missing_libraries", lambda: [])
    monkeypatch.setattr(check, "has_fonts", lambda: True)
    real_which = shutil.which
    monkeypatch.setattr(
        bootstrap.shutil, "which", lambda cmd: None if cmd in ("pdftoppm", "objdump") else real_which(cmd)
    )
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        bootstrap.importlib.util, "find_spec", lambda name: None if name == "ensurepip" else real_find_spec(name)
    )
    lacks = dict(bootstrap.missing(True, check))
    assert lacks["the command pdftoppm"] == "poppler-utils"
    assert lacks["the Python venv module (ensurepip)"].endswith("-venv")
    if sys.platform.startswith("linux"):
        assert lacks["the command objdump"] == "binutils"
    assert "the command pdftoppm" not in dict(bootstrap.missing(False, check))  # the demo needs no test tools


def test_a_user_with_sudo_is_asked_once(bootstrap, monkeypatch: pytest.MonkeyPatch) -> None:
    """Not root: one sudo run does the update and the install, so the password is asked once."""
    calls = []
    monkeypatch.setattr(bootstrap.os, "geteuid", lambda: 1000)
    monkeypatch.setattr(bootstrap, "LINUX", True)
    monkeypatch.setattr(
        bootstrap.shutil, "which", lambda cmd: f"/usr/bin/{cmd}" if cmd in ("apt-get", "sudo") else None
    )
    monkeypatch.setattr(
        bootstrap.subprocess, "run", lambda cmd, **kw: calls.append(cmd) or subprocess.CompletedProcess(cmd, 0)
    )
    bootstrap.install_system_packages([("libGL.so.1", "libgl1"), ("the command pdftoppm", "poppler-utils")])
    assert len(calls) == 1 and calls[0][:3] == ["sudo", "sh", "-c"]
    assert calls[0][3].startswith("apt-get update -qq && ") and calls[0][3].endswith(
        "install -y -qq --no-install-recommends libgl1 poppler-utils"
    )


def test_without_apt_it_says_what_to_install_and_stops(bootstrap, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another system: the exact list, and no attempt to install anything."""
    monkeypatch.setattr(bootstrap.shutil, "which", lambda cmd: None)
    with pytest.raises(bootstrap.SetupFailed) as refused:
        bootstrap.install_system_packages([("libxcb-cursor.so.0", "libxcb-cursor0")])
    assert "lacks libxcb-cursor.so.0" in str(refused.value) and "libxcb-cursor0" in str(refused.value)


def test_an_old_python_is_told_the_version_it_needs(bootstrap, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    """Python older than 3.11: one line that names the version, exit 1, nothing done."""
    monkeypatch.setattr(bootstrap.sys, "version_info", (3, 9, 2))
    assert bootstrap.main([]) == 1
    assert "needs Python 3.11 or newer" in capsys.readouterr().err
