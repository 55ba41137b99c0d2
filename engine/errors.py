"""The one base class of every error a user can cause; the web layer turns them into messages.

Messages are English message ids marked with :func:`N_`, so ``make extract-messages`` puts them in the
catalogues; the web layer shows ``gettext(error.message, **error.params)`` in the reader's language. A
value that varies goes into ``params`` (``%(name)s`` in the message), never into the message itself.
"""

from __future__ import annotations


def N_(message: str) -> str:  # noqa: N802 - the conventional name of gettext's no-op marker
    """Mark ``message`` for translation without translating it (the engine has no reader's language)."""
    return message


class DomainError(Exception):
    """A rule of the domain refused the request. ``status`` is the HTTP status the web layer uses."""

    status = 400

    def __init__(self, message: str, **params: str) -> None:
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params


class NotFound(DomainError):
    """The record does not exist (or the actor may not know that it does)."""

    status = 404


class Forbidden(DomainError):
    """The actor may not do this."""

    status = 403


class InvalidInput(DomainError):
    """Input failed validation; ``fields`` maps field names to messages."""

    status = 422

    def __init__(self, message: str, fields: dict[str, str] | None = None, **params: str) -> None:
        super().__init__(message, **params)
        self.fields = fields or {}


class ConcurrentChange(DomainError):
    """Someone else changed the record since it was read; nothing was saved."""

    status = 409
