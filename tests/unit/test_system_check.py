"""What the desktop app needs from Linux, checked before Qt loads (dentaldesk/system_check.py).

The loader is a stand-in here: no test can take a library away from the machine it runs on. The
real loader is proven by the fresh-machine test (the window comes up there) and by
`python -m dentaldesk.system_check` in the set-up script.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from dentaldesk import system_check
from dentaldesk.system_check import FONT_PACKAGES, LIBRARIES, gui_problem

ROOT = Path(__file__).resolve().parents[2]
DESKTOP = {"DISPLAY": ":0"}

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the system check is for Linux")


def loader(*absent: str, fonts: int = 3):
    """A dynamic loader without ``absent`` (sonames or plugin file names), whose fontconfig knows ``fonts``."""

    def init():
        return 1

    def get_fonts(config, which):
        return SimpleNamespace(contents=SimpleNamespace(nfont=fonts))

    def destroy(config):
        return None

    fontconfig = SimpleNamespace(FcInitLoadConfigAndFonts=init, FcConfigGetFonts=get_fonts, FcConfigDestroy=destroy)

    def load(name: str):
        for soname in absent:
            if name == soname or Path(name).name == soname:
                raise OSError(f"{soname}: cannot open shared object file: No such file or directory")
        return fontconfig if name == "libfontconfig.so.1" else object()

    return load


def test_everything_present_is_no_problem() -> None:
    """A machine with every library and a font: the window can come up."""
    assert gui_problem(DESKTOP, load=loader(), plugin=None) is None


def test_missing_libraries_are_named_with_the_packages_to_install() -> None:
    """The issue's machine: libglib and the xcb libraries missing; one sentence names them and the apt command."""
    problem = gui_problem(DESKTOP, load=loader("libglib-2.0.so.0", "libxcb-cursor.so.0"), plugin=None)
    assert problem is not None and "\n" not in problem
    assert "lacks the system libraries libglib-2.0.so.0 and libxcb-cursor.so.0" in problem
    assert "libglib2.0-0 libxcb-cursor0" in problem


def test_a_library_the_list_does_not_know_is_named_by_the_plugin(tmp_path: Path) -> None:
    """Qt's xcb plugin is loaded as Qt would: a library missing from LIBRARIES is still named."""
    plugin = tmp_path / "libqxcb.so"
    plugin.write_bytes(b"")

    def load(name: str):
        if name == str(plugin):
            raise OSError("libxcb-newthing.so.2: cannot open shared object file: No such file or directory")
        return loader()(name)

    problem = gui_problem(DESKTOP, load=load, plugin=plugin)
    assert (
        problem is not None and "libxcb-newthing.so.2" in problem and "apt-file search libxcb-newthing.so.2" in problem
    )


def test_no_fonts_is_said_instead_of_empty_boxes() -> None:
    """Fontconfig without a font: every letter would be an empty box; the font package is named."""
    problem = gui_problem(DESKTOP, load=loader(fonts=0), plugin=None)
    assert problem is not None and "no fonts" in problem and "fontconfig-config fonts-dejavu-core" in problem


def test_no_display_is_said_first() -> None:
    """No X display and no Wayland: Qt would abort; the sentence says to start it from the desktop."""
    problem = gui_problem({}, load=loader(), plugin=None)
    assert problem is not None and "DISPLAY is not set" in problem


def test_offscreen_and_other_platforms_are_not_checked() -> None:
    """QT_QPA_PLATFORM=offscreen (the tests) is Qt's own platform: no xcb check."""
    assert gui_problem({"QT_QPA_PLATFORM": "offscreen"}, load=loader("libxcb.so.1"), plugin=None) is None


def test_the_real_machine_passes_the_check() -> None:
    """This machine (set up by installer/bootstrap.py) has what the window needs, the xcb plugin included."""
    assert gui_problem(DESKTOP) is None


def test_readme_lists_the_packages_the_bundle_needs() -> None:
    """The README's Installer section names every Debian package of LIBRARIES and the font, so a
    workstation getting the bundle knows what to install."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Installer", 1)[1].split("\n## ", 1)[0]
    command = re.search(r"apt-get install ([^\n`]+)", section)
    assert command, "the Installer section has no apt-get install line"
    listed = set(command.group(1).split())
    assert {lib.debian_package for lib in LIBRARIES} | set(FONT_PACKAGES) == listed


def test_the_check_needs_only_the_standard_library() -> None:
    """installer/bootstrap.py loads the module by path with the system Python, before .venv/ exists."""
    source = Path(system_check.__file__).read_text(encoding="utf-8")
    imported = set(re.findall(r"^(?:from|import) ([\w.]+)", source, re.MULTILINE))
    assert not {name for name in imported if name.split(".")[0] in ("dentaldesk", "PySide6", "sqlalchemy")}
