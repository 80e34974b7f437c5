"""The audit log's hash chain (SEC-5): each row's hash covers its content and the row before.

Pure rules: how a row is hashed, and where a sequence of rows first stops matching. The database
layer stores ``seq``, ``prev_hash`` and ``row_hash`` beside each row; the chain head (the last
``seq`` and hash) is kept in a row of its own, so rows cut off the end are found too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

GENESIS = "0" * 64


@dataclass(frozen=True)
class ChainRow:
    """One audit row as the chain sees it."""

    id: int
    seq: int
    at: dt.datetime
    office_id: int | None
    user_id: int | None
    username: str
    workstation: str
    action: str
    entity: str
    entity_id: int | None
    before: str | None
    after: str | None
    prev_hash: str
    row_hash: str


def canonical_time(at: dt.datetime) -> str:
    """The instant in UTC to the microsecond, the same whichever database gave it back."""
    if at.tzinfo is not None:
        at = at.astimezone(dt.UTC).replace(tzinfo=None)
    return at.isoformat(timespec="microseconds")


def row_hash(
    *,
    seq: int,
    at: dt.datetime,
    office_id: int | None,
    user_id: int | None,
    username: str,
    workstation: str,
    action: str,
    entity: str,
    entity_id: int | None,
    before: str | None,
    after: str | None,
    prev_hash: str,
) -> str:
    """SHA-256 over the row's content and the previous row's hash, as hex (SEC-5)."""
    content = [
        seq,
        canonical_time(at),
        office_id,
        user_id,
        username,
        workstation,
        action,
        entity,
        entity_id,
        before,
        after,
        prev_hash,
    ]
    payload = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def hash_of(row: ChainRow) -> str:
    return row_hash(
        seq=row.seq,
        at=row.at,
        office_id=row.office_id,
        user_id=row.user_id,
        username=row.username,
        workstation=row.workstation,
        action=row.action,
        entity=row.entity,
        entity_id=row.entity_id,
        before=row.before,
        after=row.after,
        prev_hash=row.prev_hash,
    )


@dataclass(frozen=True)
class ChainCheck:
    """What ``audit verify`` found: the rows checked, and the first broken link if any."""

    rows: int
    broken_id: int | None = None
    broken_seq: int | None = None
    reason: str = ""

    @property
    def intact(self) -> bool:
        return not self.reason


def first_broken_link(rows: Iterable[ChainRow], head_seq: int, head_hash: str) -> ChainCheck:
    """Walk the rows in ``seq`` order; name the first one whose link or content does not match."""
    expected_prev, expected_seq, count = GENESIS, 1, 0
    for row in rows:
        count += 1
        if row.seq != expected_seq:
            missing = f"rows {expected_seq}-{row.seq - 1} are missing" if row.seq > expected_seq else "repeats"
            return ChainCheck(
                count, row.id, row.seq, f"the chain jumps from {expected_seq - 1} to {row.seq}: {missing}"
            )
        if row.prev_hash != expected_prev:
            return ChainCheck(count, row.id, row.seq, "its link to the row before does not match")
        if hash_of(row) != row.row_hash:
            return ChainCheck(count, row.id, row.seq, "its content was changed after it was written")
        expected_prev, expected_seq = row.row_hash, row.seq + 1
    if expected_seq - 1 != head_seq or expected_prev != (head_hash or GENESIS):
        return ChainCheck(
            count,
            None,
            expected_seq,
            f"the log ends at row {expected_seq - 1} but its head says {head_seq}: rows were cut off",
        )
    return ChainCheck(count)
