"""Reading a procedure code list from a CSV file (CODE-1): its encoding, its columns, its rows.

Spreadsheet programs write CSV in UTF-8 (with or without a byte-order mark), in UTF-16 ("Unicode
text"), or in the Windows code page (Windows-1252, a superset of Latin-1 for every printable
character); each is recognised. A file in none of them is refused with the line of the first
byte that cannot be read and how to save it instead.

The header names the columns. A row must have exactly as many cells as the header: a short row
is refused, never read with its missing cells as blanks. Each row records which columns it
fills, so an update of a code already on file changes only those (an empty cell keeps what the
code has).
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from pathlib import Path

from dentaldesk.domain.codes import FLAG_NAMES, CodeDefinition, code_from_row
from dentaldesk.domain.errors import ValidationError

COLUMNS = ("code", "name", "category", "fee", "default_rtu", "description", *FLAG_NAMES, "dentition")
REQUIRED_COLUMNS = ("code", "name", "category")
_SAVE_AS = 'Save it from the spreadsheet as "CSV UTF-8" and import it again.'


@dataclass(frozen=True)
class CodeListRow:
    line: int
    definition: CodeDefinition
    given: frozenset[str]  # the columns whose cell is filled in this row


@dataclass(frozen=True)
class CodeList:
    path: Path
    encoding: str  # as a person knows it: "UTF-8", "UTF-16", "Windows-1252 (Latin-1)"
    columns: tuple[str, ...]
    ignored_columns: tuple[str, ...]  # columns DentalDesk does not know, left out
    rows: tuple[CodeListRow, ...]
    refused: tuple[tuple[int, str, str], ...]  # (line, code, reason)


def decode_code_file(data: bytes, path: Path) -> tuple[str, str]:
    """The file's text and the name of its encoding; a file in none of the known ones is refused."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            raise ValidationError(f"The file {path} is damaged UTF-16 text. {_SAVE_AS}", "file") from None
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise ValidationError(
            f"The file {path} is not a text file (a NUL byte on line {line}): it may be a spreadsheet "
            f"(.xlsx) or UTF-16 without a byte-order mark. {_SAVE_AS}",
            "file",
        )
    try:
        return data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252 (Latin-1)"
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ValidationError(
            f"The file {path} is neither UTF-8 nor Windows-1252 (Latin-1) text: byte 0x{data[exc.start]:02x} on "
            f"line {line} is not a character in either. {_SAVE_AS}",
            "file",
        ) from None


def read_code_list(path: Path) -> CodeList:
    """Parse a code list; the good rows, and each refused row with its line and reason."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ValidationError(f"The file {path} cannot be read: {exc.strerror}.", "file") from exc
    text, encoding = decode_code_file(data, path)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, [])
        columns = tuple(c.strip().lower() for c in header)
        _check_header(columns, path)
        rows: list[CodeListRow] = []
        refused: list[tuple[int, str, str]] = []
        seen: set[str] = set()
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue  # a blank line
            line = reader.line_num
            code = cells[0].strip().upper() if cells else ""
            if len(cells) != len(columns):
                refused.append((line, code, _wrong_length(len(cells), len(columns))))
                continue
            row = dict(zip(columns, cells, strict=True))
            try:
                definition = code_from_row(row)
            except ValidationError as exc:
                refused.append((line, row.get("code", "").strip(), exc.message))
                continue
            if definition.code in seen:
                refused.append((line, definition.code, "The code appears twice in the file."))
                continue
            seen.add(definition.code)
            given = frozenset(c for c in columns if c in COLUMNS and row[c].strip())
            rows.append(CodeListRow(line, definition, given))
    except csv.Error as exc:
        raise ValidationError(
            f"The file {path} is not a readable CSV file (line {reader.line_num}: {exc}).", "file"
        ) from None
    ignored = tuple(c for c in columns if c not in COLUMNS)
    return CodeList(Path(path), encoding, columns, ignored, tuple(rows), tuple(refused))


def _check_header(columns: tuple[str, ...], path: Path) -> None:
    expected = f"Expected columns: {', '.join(COLUMNS)}."
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise ValidationError(f"The file {path} has no {', '.join(missing)} column. {expected}", "file")
    twice = sorted({c for c in columns if c and columns.count(c) > 1})
    if twice:
        raise ValidationError(f"The file {path} has the column {', '.join(twice)} twice. {expected}", "file")


def _wrong_length(cells: int, columns: int) -> str:
    if cells < columns:
        return (
            f"The row has {cells} of the file's {columns} columns. Fill every column (leave a cell empty "
            "rather than out); a short row would blank what the missing cells hold."
        )
    return f"The row has {cells} cells but the file has {columns} columns (a comma too many, or a name not in quotes?)."
