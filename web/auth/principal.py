"""The signed-in user as flask-login sees it, wrapping the account row loaded in this request."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import UserMixin, current_user

from engine.accounts.service import TWO_FACTOR_ROLES
from engine.models.accounts import Role, User
from web.db import get_session
from web.extensions import login_manager

F = TypeVar("F", bound=Callable[..., Any])


class Principal(UserMixin):  # type: ignore[misc]
    """flask-login's view of a user; ``account`` is the row the services receive as ``actor``."""

    def __init__(self, account: User) -> None:
        self.account = account

    def get_id(self) -> str:
        return str(self.account.id)

    @property
    def is_active(self) -> bool:
        return bool(self.account.active)

    @property
    def role(self) -> Role:
        return self.account.role

    @property
    def may_use_two_factor(self) -> bool:
        """Whether this role signs in with a second factor (so the menu links to its set-up)."""
        return self.account.role in TWO_FACTOR_ROLES


@login_manager.user_loader
def _load(user_id: str) -> Principal | None:
    try:
        account = get_session().get(User, int(user_id))
    except ValueError:
        return None
    if account is None or not account.active:
        return None
    return Principal(account)


def actor() -> User:
    """The signed-in account (call only behind ``login_required``)."""
    account: User = current_user.account
    return account


def require_roles(*roles: Role) -> None:
    """Abort with 403 unless the signed-in user has one of ``roles`` (use in ``before_request``)."""
    if not current_user.is_authenticated:
        abort(401)
    if current_user.role not in roles:
        abort(403)


def roles_required(*roles: Role) -> Callable[[F], F]:
    """Decorator form of :func:`require_roles` for single views."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            require_roles(*roles)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorate
