"""Writing a finished file so that nothing half-written is ever left behind (bad input)."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from dentaldesk.domain.errors import DentalDeskError


def _reason(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "you do not have permission to write there"
    if isinstance(exc, FileNotFoundError):
        return "the folder does not exist"
    if isinstance(exc, IsADirectoryError):
        return "that name is a folder"
    if exc.errno == errno.ENOSPC:
        return "the disk is full"
    if exc.errno == errno.EROFS:
        return "the disk is read-only"
    return exc.strerror or str(exc)


def write_atomically(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder, then rename.

    Either the whole file is there afterwards or the old one (if any) is untouched: a reader
    never sees half a PDF, and a failure leaves no temporary file behind. A folder that cannot
    be written raises a DentalDeskError naming the folder and why.
    """
    target = Path(path).expanduser()
    folder = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise DentalDeskError(f"{target} is a folder; choose a file name for the PDF.", "file")
    try:
        handle, temp_name = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".part")
    except OSError as exc:
        raise DentalDeskError(
            f"The file cannot be saved in {folder.resolve()}: {_reason(exc)}. Choose another folder.", "file"
        ) from exc
    temp = Path(temp_name)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        # mkstemp creates the file readable by its owner only; a saved handout is an ordinary file.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temp, 0o666 & ~umask)
        os.replace(temp, target)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise DentalDeskError(
            f"The file {target.name} cannot be saved in {folder.resolve()}: {_reason(exc)}. Nothing was written.",
            "file",
        ) from exc
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return target
