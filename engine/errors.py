"""The one base class of every error a user can cause; the web layer turns them into messages."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain refused the request. ``status`` is the HTTP status the web layer uses."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    """The record does not exist (or the actor may not know that it does)."""

    status = 404


class Forbidden(DomainError):
    """The actor may not do this."""

    status = 403


class InvalidInput(DomainError):
    """Input failed validation; ``fields`` maps field names to messages."""

    status = 422

    def __init__(self, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.fields = fields or {}


class ConcurrentChange(DomainError):
    """Someone else changed the record since it was read; nothing was saved."""

    status = 409
