"""What the desktop app needs from the operating system, checked before Qt is loaded.

On Linux the PySide6 wheels (and the installer bundle) bring Qt itself but use the system's X11,
xcb, OpenGL, fontconfig and D-Bus libraries and the system's fonts. Without one of them Qt stops
with a traceback (``ImportError: libglib-2.0.so.0``), aborts ("could not load the Qt platform
plugin xcb") or draws every letter as an empty box. ``gui_problem()`` finds that first and says it
in one sentence a person can act on; ``installer/bootstrap.py`` reads ``LIBRARIES`` to install
the missing ones.

This module imports only the standard library, so the set-up script can load it with the system
Python before ``.venv/`` exists, and the app can run it before PySide6 is imported.

    python -m dentaldesk.system_check           # exit 0, or one line on stderr and exit 1
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import re
import shutil
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class SystemLibrary:
    soname: str
    debian_package: str


# Every library the Qt modules and plugins DentalDesk loads on xcb take from the system (found
# with `ldd` on QtCore/QtGui/QtWidgets/QtPdf/QtPrintSupport and the platforms/, xcbglintegrations/,
# imageformats/, iconengines/ and printsupport/ plugins on a minimal Debian 12), with the Debian
# and Ubuntu package that ships each. libcups lets the print dialog list the printers (TP-17).
LIBRARIES: tuple[SystemLibrary, ...] = tuple(
    SystemLibrary(soname, package)
    for soname, package in (
        ("libglib-2.0.so.0", "libglib2.0-0"),
        ("libgthread-2.0.so.0", "libglib2.0-0"),
        ("libdbus-1.so.3", "libdbus-1-3"),
        ("libfreetype.so.6", "libfreetype6"),
        ("libfontconfig.so.1", "libfontconfig1"),
        ("libGL.so.1", "libgl1"),
        ("libEGL.so.1", "libegl1"),
        ("libX11.so.6", "libx11-6"),
        ("libX11-xcb.so.1", "libx11-xcb1"),
        ("libxkbcommon.so.0", "libxkbcommon0"),
        ("libxkbcommon-x11.so.0", "libxkbcommon-x11-0"),
        ("libxcb.so.1", "libxcb1"),
        ("libxcb-cursor.so.0", "libxcb-cursor0"),
        ("libxcb-glx.so.0", "libxcb-glx0"),
        ("libxcb-icccm.so.4", "libxcb-icccm4"),
        ("libxcb-image.so.0", "libxcb-image0"),
        ("libxcb-keysyms.so.1", "libxcb-keysyms1"),
        ("libxcb-randr.so.0", "libxcb-randr0"),
        ("libxcb-render.so.0", "libxcb-render0"),
        ("libxcb-render-util.so.0", "libxcb-render-util0"),
        ("libxcb-shape.so.0", "libxcb-shape0"),
        ("libxcb-shm.so.0", "libxcb-shm0"),
        ("libxcb-sync.so.1", "libxcb-sync1"),
        ("libxcb-util.so.1", "libxcb-util1"),
        ("libxcb-xfixes.so.0", "libxcb-xfixes0"),
        ("libxcb-xkb.so.1", "libxcb-xkb1"),
        ("libbrotlicommon.so.1", "libbrotli1"),
        ("libbrotlidec.so.1", "libbrotli1"),
        ("libcups.so.2", "libcups2"),
    )
)
# fontconfig's settings (which a bundle's own libfontconfig reads from the system) and a font
FONT_PACKAGES = ("fontconfig-config", "fonts-dejavu-core")
FONTS_CONF = Path("/etc/fonts/fonts.conf")
# Where fontconfig looks when it is not installed yet (its default <dir> entries).
FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts")
FONT_SUFFIXES = (".ttf", ".otf", ".ttc", ".pfb", ".pfa", ".pcf", ".pcf.gz", ".otb", ".woff", ".woff2")
_SONAME_IN_ERROR = re.compile(r"(lib[\w.+-]+\.so[\w.]*): cannot open shared object file")

Loader = Callable[[str], object]


def _load(name: str) -> object:
    """The dynamic loader, as Qt uses it (tests put a stand-in here)."""
    return ctypes.CDLL(name)


def applies() -> bool:
    """Only Linux takes Qt's libraries from the system; the macOS and Windows wheels carry them."""
    return sys.platform.startswith("linux")


def _loads(name: str, load: Loader) -> bool:
    try:
        load(name)
    except OSError:
        return False
    return True


def missing_libraries(load: Loader | None = None) -> list[SystemLibrary]:
    """The LIBRARIES the dynamic loader cannot load here (it loads their own dependencies too)."""
    return [lib for lib in LIBRARIES if not _loads(lib.soname, load or _load)]


def xcb_plugin() -> Path | None:
    """Qt's xcb platform plugin inside the installed PySide6 (or the bundle), found without importing it."""
    try:
        spec = importlib.util.find_spec("PySide6")
    except (ImportError, ValueError):
        return None
    for folder in (spec.submodule_search_locations or []) if spec else []:
        plugin = Path(folder) / "Qt" / "plugins" / "platforms" / "libqxcb.so"
        if plugin.exists():
            return plugin
    return None


def plugin_load_error(plugin: Path | None, load: Loader | None = None) -> tuple[list[str], str]:
    """Load the xcb plugin as Qt will: (the sonames the loader names, its message); ([], "") when it loads."""
    if plugin is None:
        return [], ""
    try:
        (load or _load)(str(plugin))
    except OSError as exc:
        return _SONAME_IN_ERROR.findall(str(exc)), str(exc)
    return [], ""


class _FcFontSet(ctypes.Structure):
    _fields_ = [("nfont", ctypes.c_int), ("sfont", ctypes.c_int), ("fonts", ctypes.c_void_p)]


def fontconfig_font_count(load: Loader | None = None) -> int | None:
    """How many fonts fontconfig (what Qt asks on Linux) knows; None when fontconfig is missing."""
    try:
        fc: Any = (load or _load)("libfontconfig.so.1")
    except OSError:
        return None
    fc.FcInitLoadConfigAndFonts.restype = ctypes.c_void_p
    fc.FcConfigGetFonts.restype = ctypes.POINTER(_FcFontSet)
    fc.FcConfigGetFonts.argtypes = [ctypes.c_void_p, ctypes.c_int]
    fc.FcConfigDestroy.argtypes = [ctypes.c_void_p]
    config = fc.FcInitLoadConfigAndFonts()
    if not config:
        return 0
    try:
        fonts = fc.FcConfigGetFonts(config, 0)  # FcSetSystem
        return fonts.contents.nfont if fonts else 0
    finally:
        fc.FcConfigDestroy(config)


def font_files_present(dirs: Iterable[str] = FONT_DIRS) -> bool:
    """Any font file where fontconfig would look (used while fontconfig itself is missing)."""
    for folder in dirs:
        for _root, _dirs, files in os.walk(os.path.expanduser(folder)):
            if any(name.lower().endswith(FONT_SUFFIXES) for name in files):
                return True
    return False


def has_fonts(load: Loader | None = None) -> bool:
    """fontconfig's settings are there and it knows a font (else Qt draws letters as empty boxes)."""
    if not os.environ.get("FONTCONFIG_FILE") and not FONTS_CONF.exists():
        return False
    count = fontconfig_font_count(load)
    return font_files_present() if count is None else count > 0


def install_hint(packages: Iterable[str]) -> str:
    names = " ".join(dict.fromkeys(packages))
    if shutil.which("apt-get"):
        return f"install them with: sudo apt-get install {names}"
    return f"install them with your system's package manager (on Debian or Ubuntu they are: {names})"


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def gui_problem(
    env: Mapping[str, str] = os.environ,
    *,
    load: Loader | None = None,
    plugin: Path | None = None,
    need_display: bool = True,
) -> str | None:
    """Why the window cannot come up on this machine, in one sentence; None when it can."""
    if not applies():
        return None
    platform = env.get("QT_QPA_PLATFORM", "")
    if platform and not platform.startswith("xcb"):
        return None  # offscreen (tests), wayland, vnc ...: Qt's own platform, not checked here
    if need_display and not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        return (
            "DentalDesk needs a desktop session to show its window, and there is none here "
            "(DISPLAY is not set). Start it from the desktop, or over ssh with 'ssh -X'."
        )
    absent = missing_libraries(load)
    names = [lib.soname for lib in absent]
    packages = [lib.debian_package for lib in absent]
    known = {lib.soname: lib.debian_package for lib in LIBRARIES}
    named, loader_error = plugin_load_error(plugin if plugin is not None else xcb_plugin(), load)
    for soname in named:
        if soname not in names:
            names.append(soname)
            if soname in known:
                packages.append(known[soname])
    if loader_error and not names:
        # The loader names no library (a bundle's loader says less): say what it said.
        return f"DentalDesk cannot show its window: Qt's xcb platform plugin does not load here ({loader_error})."
    if names:
        unknown = [n for n in names if n not in known]
        hint = install_hint(packages) if packages else ""
        if unknown:
            extra = f"find the package that ships {_and(unknown)} (apt-file search {unknown[0]})"
            hint = f"{hint}; {extra}" if hint else extra
        return (
            f"DentalDesk cannot show its window: this machine lacks the system "
            f"{'library' if len(names) == 1 else 'libraries'} {_and(names)}; {hint}."
        )
    if not has_fonts(load):
        return (
            "DentalDesk cannot show its window: this machine has no fonts (or no fontconfig settings, "
            f"{FONTS_CONF}), so every letter would be an empty box; {install_hint(FONT_PACKAGES)}."
        )
    return None


def main(argv: list[str] | None = None) -> int:
    """``python -m dentaldesk.system_check [--no-display]``: what the set-up script verifies."""
    args = sys.argv[1:] if argv is None else argv
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}  # the xcb window, always
    problem = gui_problem(env, need_display="--no-display" not in args)
    if problem:
        print(f"dentaldesk: {problem}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
