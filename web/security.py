"""Request and response hardening: no NUL characters in what a request sends, a strict Content-Security-Policy
and friends, and no caching of signed-in pages."""

from __future__ import annotations

from flask import Flask, Response, request
from flask_login import current_user
from werkzeug.exceptions import BadRequest


class UnstorableCharacter(BadRequest):
    """The request carries a NUL character: PostgreSQL stores none in a text column, and no person types one."""


def _refuse_nul() -> None:
    """Refuse, before any view reads it, a request with a NUL character in its path, query string or form."""
    texts = [str(v) for v in (request.view_args or {}).values()]
    texts += [text for pair in request.args.items(multi=True) for text in pair]
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        texts += [text for pair in request.form.items(multi=True) for text in pair]
        texts += [upload.filename or "" for _name, upload in request.files.items(multi=True)]
    if any("\x00" in text for text in texts):
        raise UnstorableCharacter()


CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def _harden(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    if current_user and current_user.is_authenticated:
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
    return response


def init_app(app: Flask) -> None:
    app.before_request(_refuse_nul)
    app.after_request(_harden)
