"""The administrator's blueprint: every page under ``/admin`` is for administrators only.

``views`` (scheduler status, failed deliveries), ``users`` and ``organisations`` add their routes to
``bp``; the package imports all three, so registering ``web.admin.bp`` registers every page.
"""

from __future__ import annotations

from flask import Blueprint
from flask_login import login_required

from engine.models.accounts import Role
from web.auth.principal import require_roles

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def _guard() -> None:
    require_roles(Role.ADMINISTRATOR)
