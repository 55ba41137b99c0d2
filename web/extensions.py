"""Flask extensions, created once and bound to the app in ``create_app``."""

from __future__ import annotations

from flask_babel import gettext
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from engine.errors import N_

csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.session_protection = "strong"
login_manager.login_message = N_("Please sign in to see this page.")
login_manager.login_message_category = "info"
login_manager.localize_callback = gettext  # the message in the visitor's language, when it is flashed
