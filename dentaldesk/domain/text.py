"""Text a person typed: what may be stored, and how names compare (DATA-1, DOMAIN names).

One place decides both, so a service, a search key and a uniqueness check agree:

* :func:`text_problem` says why a text cannot be stored: a NUL (PostgreSQL refuses it, SQLite
  keeps it and cuts it short in other programs), another control character (a tab or line break
  is fine in notes), a lone surrogate (half a character, which no database encoding can hold);
* :func:`fold` is the Unicode-aware caseless form (NFKC, then ``str.casefold``, then NFKC again,
  the "NFKC_Casefold" of Unicode's caseless matching): "Éva", "ÉVA" and "éva" are one user name,
  "Straße" is "strasse", a full-width "Ｓｍｉｔｈ" is "smith";
* :func:`search_key` is the key a patient name is stored and searched under: folded, and without
  accents, so "Ève" is found by typing "eve" and a Greek or Cyrillic name keeps its letters.
"""

from __future__ import annotations

import unicodedata

# Tab, line feed and carriage return are text (notes, addresses); every other C0/C1 control is not.
_ALLOWED_CONTROLS = frozenset("\t\n\r")
KEY_LENGTH = 80  # a stored search key's column; folding may lengthen a name ("ß" is "ss")


def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be stored, in words for the person, or None when it can."""
    for ch in text:
        code = ord(ch)
        if code == 0:
            return "holds a NUL character (\\0), which cannot be stored"
        if 0xD800 <= code <= 0xDFFF:
            return "holds half a character (a broken surrogate), which cannot be stored"
        if (code < 0x20 or 0x7F <= code <= 0x9F) and ch not in _ALLOWED_CONTROLS:
            return f"holds an invisible control character (U+{code:04X}), which cannot be stored"
    return None


def fold(text: str) -> str:
    """The caseless form of ``text`` for comparing names (Unicode NFKC_Casefold, trimmed)."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold()).strip()


def search_key(text: str) -> str:
    """A name's stored search key: :func:`fold` without accents ("Éva" and "eva" both "eva")."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFKC", bare).strip()[:KEY_LENGTH]
