"""The audit log (SEC-2): written inside the action's own transaction, so both land or neither."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy.orm import Session

from dentaldesk.db.models import AuditEvent
from dentaldesk.services.access.actor import Actor


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    return value


def snapshot(row: Any, *fields: str) -> dict[str, Any]:
    """The named fields of a row as JSON-safe values, for ``before``/``after``."""
    return {name: _plain(getattr(row, name)) for name in fields}


def record(
    session: Session,
    actor: Actor | None,
    action: str,
    entity: str,
    entity_id: int | None,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    username: str | None = None,
    workstation: str | None = None,
    office_id: int | None = None,
) -> None:
    session.add(
        AuditEvent(
            office_id=actor.office_id if actor else office_id,
            user_id=actor.user_id if actor else None,
            username=actor.username if actor else (username or ""),
            workstation=actor.workstation if actor else (workstation or ""),
            action=action,
            entity=entity,
            entity_id=entity_id,
            before=json.dumps({k: _plain(v) for k, v in before.items()}, sort_keys=True) if before else None,
            after=json.dumps({k: _plain(v) for k, v in after.items()}, sort_keys=True) if after else None,
        )
    )
