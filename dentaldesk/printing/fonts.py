"""Fonts for the handout: a TrueType face with wide coverage, embedded so every name prints.

The PDF's standard Helvetica covers Latin-1 only; a patient named Łukasz or Nguyễn would print
with gaps. DejaVu Sans (Linux; shipped with many systems) or Arial (Windows, macOS) is used when
found, else Bitstream Vera, which reportlab itself ships.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

import reportlab
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont


@dataclass(frozen=True)
class Faces:
    regular: str
    bold: str
    italic: str
    mono: str


def _candidates() -> list[tuple[Path, Path, Path]]:
    windows = Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"
    vera = Path(reportlab.__file__).parent / "fonts"
    return [
        (
            Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
            Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
            Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Oblique.ttf"),
        ),
        (
            Path("/usr/share/fonts/TTF/DejaVuSans.ttf"),
            Path("/usr/share/fonts/TTF/DejaVuSans-Bold.ttf"),
            Path("/usr/share/fonts/TTF/DejaVuSans-Oblique.ttf"),
        ),
        (windows / "arial.ttf", windows / "arialbd.ttf", windows / "ariali.ttf"),
        (
            Path("/Library/Fonts/Arial.ttf"),
            Path("/Library/Fonts/Arial Bold.ttf"),
            Path("/Library/Fonts/Arial Italic.ttf"),
        ),
        (vera / "Vera.ttf", vera / "VeraBd.ttf", vera / "VeraIt.ttf"),
    ]


@functools.cache
def handout_faces() -> Faces:
    """Register the handout's faces once per process and return their names."""
    for regular, bold, italic in _candidates():
        if regular.is_file() and bold.is_file() and italic.is_file():
            try:
                pdfmetrics.registerFont(TTFont("HandoutSans", str(regular)))
                pdfmetrics.registerFont(TTFont("HandoutSans-Bold", str(bold)))
                pdfmetrics.registerFont(TTFont("HandoutSans-Italic", str(italic)))
            except Exception:
                continue
            pdfmetrics.registerFontFamily(
                "HandoutSans",
                normal="HandoutSans",
                bold="HandoutSans-Bold",
                italic="HandoutSans-Italic",
                boldItalic="HandoutSans-Bold",
            )
            return Faces("HandoutSans", "HandoutSans-Bold", "HandoutSans-Italic", "Courier")
    return Faces("Helvetica", "Helvetica-Bold", "Helvetica-Oblique", "Courier")
