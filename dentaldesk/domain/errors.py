"""Errors a person can cause, with a message written for that person (STYLE.md convention 5)."""

from __future__ import annotations


class DentalDeskError(Exception):
    """Base of every error the UI shows to a person.

    ``field`` names the input the message concerns (``"fee"``, ``"tooth"`` ...) so a dialog can
    show it next to that field (TX-VAL-1); ``None`` means the whole action.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message


class ValidationError(DentalDeskError):
    """An input value is refused (bad tooth, negative fee, malformed date ...)."""


class RuleViolation(DentalDeskError):
    """An action breaks a practice rule (completing before prerequisites, a cyclic link ...)."""


class ConfirmationNeeded(RuleViolation):
    """The action is allowed once the person confirms it (a DOS far back, TX-DOS-2); the UI asks
    and calls again with the confirmation."""


class PermissionDenied(DentalDeskError):
    """The user's role does not allow the action (TP-1, SEC-*)."""


class NotFound(DentalDeskError):
    """A record the action refers to does not exist (or no longer exists)."""


class ConflictError(DentalDeskError):
    """Another workstation saved the same record first (DATA-2, DATA-4).

    ``saved_by`` and ``saved_at`` say who saved first and when, where that is known.
    """

    saved_by: str = ""
    saved_at: object = None


class DeliveryError(DentalDeskError):
    """A message could not be handed to the mail server (refused log in, no connection, refused
    address, CASE-4); nothing was sent. ``field`` is the button that tried."""
