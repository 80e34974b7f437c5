"""Who is acting: the logged-in user as every service sees it (SEC-*)."""

from __future__ import annotations

from dataclasses import dataclass

from dentaldesk.domain.errors import PermissionDenied
from dentaldesk.domain.terms import Role


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    username: str
    full_name: str
    role: Role
    office_id: int
    workstation: str
    provider_id: int | None = None
    # The login_session row of this login (SEC-1, SEC-3); the guard re-reads it at every action.
    session_id: int | None = None

    def require(self, roles: frozenset[Role], action: str) -> None:
        """Refuse the action unless the user's role is one of ``roles`` (TP-1, STYLE.md 4)."""
        if self.role not in roles:
            allowed = ", ".join(r.label for r in Role if r in roles)
            raise PermissionDenied(f"{self.role.label} users cannot {action}; ask someone who is {allowed}.")


def this_workstation() -> str:
    import socket

    return socket.gethostname() or "workstation"
