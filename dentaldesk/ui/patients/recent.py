"""Recently opened patients, kept per user and database in this workstation's settings file.

The Patients page lists them when nothing is typed. They are the desk's own working memory (who
this person had open here), so they live with the workstation's settings rather than in the
practice's records; the list names patient ids of one database and one user, so another database
or another login never sees them. A settings file that cannot be written loses the list, never
the choice of patient.
"""

from __future__ import annotations

import contextlib
import hashlib

from dentaldesk.config import read_settings, write_setting
from dentaldesk.domain.errors import DentalDeskError

SETTING = "recent_patients"
KEEP = 10


def _key(database: str, user_id: int | None) -> str:
    digest = hashlib.sha256(database.encode("utf-8")).hexdigest()[:16]
    return f"{digest}:{user_id}"


def recent_patients(database: str, user_id: int | None) -> list[int]:
    """The patient ids this user opened last on this database, most recent first."""
    try:
        stored = read_settings().get(SETTING, {})
    except DentalDeskError:
        return []
    ids = stored.get(_key(database, user_id), []) if isinstance(stored, dict) else []
    return [i for i in ids if isinstance(i, int)][:KEEP]


def note_opened(database: str, user_id: int | None, patient_id: int) -> list[int]:
    """Put ``patient_id`` first in the user's recent list (at most KEEP); the new list."""
    ids = [patient_id] + [i for i in recent_patients(database, user_id) if i != patient_id]
    ids = ids[:KEEP]
    with contextlib.suppress(DentalDeskError):
        stored = read_settings().get(SETTING, {})
        stored = dict(stored) if isinstance(stored, dict) else {}
        stored[_key(database, user_id)] = ids
        write_setting(SETTING, stored)
    return ids
