"""The error log: ``errors.log`` in the data folder, where a defect's traceback goes (the app's
message box and the command line's one line both point at it)."""

from __future__ import annotations

import traceback
from pathlib import Path

from dentaldesk import clock
from dentaldesk.config import paths

ERROR_LOG = "errors.log"


def traceback_text(exc: BaseException) -> str:
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))


def append_traceback(exc: BaseException, *, make_folder: bool = True) -> Path | None:
    """Append the traceback of ``exc`` to the error log; the log's path, or None when it cannot be
    written (the log is a courtesy: a full disk must not hide the message). ``make_folder``: the
    data folder may be created for it (the app's); the command line writes only to one that exists."""
    try:
        folder = paths().data_dir
        if make_folder:
            folder.mkdir(parents=True, exist_ok=True)
        log = folder / ERROR_LOG
        with log.open("a", encoding="utf-8") as out:
            out.write(f"--- {clock.now_local().isoformat(timespec='seconds')}\n{traceback_text(exc)}")
        return log
    except Exception:
        return None
