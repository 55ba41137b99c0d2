"""The web UI: Flask app factory, one blueprint per area, templates and static files.

Depends on ``engine`` (and ``workflows`` through it). Routes are thin: parse, call one engine
service with the request's session, actor and ``now``, then flash and redirect or render.
Nothing below ``web`` reads Flask globals.
"""

from __future__ import annotations

import datetime as dt

from flask import Flask, g, session
from flask_login import current_user
from werkzeug.routing import IntegerConverter, Map

from engine.accounts.passwords import make_hasher
from engine.clock import Clock, system_clock, using_clock
from engine.config import ConfigError, Settings
from engine.crypto import install_keyring, load_keyring, load_secret_key
from engine.db import make_engine, make_session_factory
from engine.notices.rules import Rules
from engine.workflow.check import check_workflows
from engine.workflow.service import load_runtime
from web import dates, errors, i18n, labels, security
from web.extensions import csrf, login_manager
from web.paging import ROW_ID_MAX


class RowId(IntegerConverter):
    """``<int:...>`` in every route: a number no row can have (above ``ROW_ID_MAX``) is a 404 like any unknown
    id, never an overflow in the database driver."""

    def __init__(self, map: Map, fixed_digits: int = 0, min: int | None = None, max: int | None = None) -> None:
        super().__init__(map, fixed_digits, min, ROW_ID_MAX if max is None else max)


def create_app(settings: Settings | None = None, *, clock: Clock = system_clock) -> Flask:
    """Build the app for ``settings`` (read from the environment when not given); every request's
    ``now`` comes from ``clock``."""
    settings = settings or Settings.from_env()
    app = Flask(__name__, instance_path=str(settings.instance_path), instance_relative_config=True)
    app.config.update(
        SECRET_KEY=load_secret_key(settings),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.is_production,
        SESSION_COOKIE_NAME="reintegra_session",
        PERMANENT_SESSION_LIFETIME=dt.timedelta(minutes=settings.session_timeout_minutes),
        SESSION_REFRESH_EACH_REQUEST=True,
        REMEMBER_COOKIE_DURATION=dt.timedelta(seconds=0),
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the (idle-limited) session
        MAX_CONTENT_LENGTH=8 * 1024 * 1024,
    )
    install_keyring(load_keyring(settings))
    problems = check_workflows()
    if problems:  # a broken diagram or form must never reach a caseworker
        raise ConfigError("the workflow files are broken:\n" + "\n".join(problems))
    db_engine = make_engine(settings.database_url)
    app.extensions["reintegra"] = {
        "settings": settings,
        "clock": clock,
        "engine": db_engine,
        "session_factory": make_session_factory(db_engine),
        "hasher": make_hasher(settings.password_hash_profile),
        "runtime": load_runtime(Rules.from_settings(settings)),
    }

    app.url_map.converters["int"] = RowId
    csrf.init_app(app)
    login_manager.init_app(app)
    i18n.init_app(app)
    labels.init_app(app)
    dates.init_app(app)
    security.init_app(app)
    errors.init_app(app)

    from web.admin import bp as admin_bp
    from web.auth.views import bp as auth_bp
    from web.auth.views import short as auth_short_bp
    from web.cases.views import bp as cases_bp
    from web.health.views import bp as health_bp
    from web.home.views import bp as home_bp
    from web.inbox.views import bp as inbox_bp
    from web.privacy.views import bp as privacy_bp
    from web.reports.views import bp as reports_bp
    from web.review.views import bp as review_bp
    from web.team.views import bp as team_bp
    from web.training.views import bp as training_bp
    from web.transfers.views import bp as transfers_bp
    from web.work.views import bp as work_bp

    blueprints = (
        health_bp,
        auth_bp,
        auth_short_bp,
        home_bp,
        cases_bp,
        work_bp,
        team_bp,
        inbox_bp,
        admin_bp,
        review_bp,
        privacy_bp,
        transfers_bp,
        reports_bp,
        training_bp,
    )
    for blueprint in blueprints:
        app.register_blueprint(blueprint)

    from web import db

    db.init_app(app)

    @app.before_request
    def _clock_in_use() -> None:
        # The engine's policy reads "today" from the request's clock (engine.clock.current_now).
        g.clock_in_use = using_clock(clock)
        g.clock_in_use.__enter__()

    @app.teardown_request
    def _clock_done(_exc: BaseException | None) -> None:
        entered = g.pop("clock_in_use", None)
        if entered is not None:
            entered.__exit__(None, None, None)

    @app.before_request
    def _idle_timeout() -> None:
        # A permanent session expires PERMANENT_SESSION_LIFETIME after the last request (idle timeout).
        if current_user.is_authenticated:
            session.permanent = True

    return app
