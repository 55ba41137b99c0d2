"""Routes of the reports area: the report page, its CSV/XLSX files and the case-level export.

Reporting staff and supervisors only, guarded once in ``before_request``; the engine refuses a scope
the user may not see (403) and audits every view and export. No name, case code or date of birth is
ever part of a page, a file or a file name.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import login_required

from engine.clock import local_today
from engine.errors import InvalidInput
from engine.models.accounts import Role
from engine.reports.files import Sheet, Value, to_csv, to_xlsx
from engine.reports.period import Period, last_full_quarter, parse_quarter, parse_span, recent_quarters
from engine.reports.scope import Scope, ScopeChoice, home_scope, is_national, parse_scope, scope_choices
from engine.reports.service import CASE_FIELDS, NOT_RECORDED_FIELDS, build_report, case_level_export
from web.auth.principal import actor, require_roles
from web.db import get_session, settings, utcnow
from web.i18n import error_text
from web.reports.display import sheets, show_durations, show_table

bp = Blueprint("reports", __name__, url_prefix="/reports")
TYPES = {"csv": "text/csv; charset=utf-8",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}  # fmt: skip


@bp.before_request
@login_required
def _guard() -> None:
    require_roles(Role.REPORTING, Role.SUPERVISOR)


def _asked() -> tuple[Scope, Period]:
    """The scope and period in the query string, or the defaults (raises InvalidInput)."""
    args = request.args
    scope = parse_scope(args["scope"]) if args.get("scope") else home_scope(actor())
    if args.get("start") or args.get("end"):
        return scope, parse_span(args.get("start", ""), args.get("end", ""))
    if args.get("quarter"):
        return scope, parse_quarter(args["quarter"])
    return scope, last_full_quarter(local_today(utcnow()))


def _scope_name(choice: ScopeChoice | None) -> str:
    if choice is None or not choice.name:
        return str(_("Cambodia (all provinces)"))
    name = choice.name_km if str(get_locale()) == "km" and choice.name_km else choice.name
    return str(_("Province: %(name)s", name=name)) if choice.scope.kind == "province" else name


def _bad_request(exc: InvalidInput) -> ResponseReturnValue:
    flash(error_text(exc), "error")
    return redirect(url_for("reports.index"), 303)


def _file(body: bytes, fmt: str, stem: str) -> Response:
    response = Response(body, mimetype=TYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    return response


@bp.route("/")
def index() -> ResponseReturnValue:
    """The report for the chosen scope and period: tables and charts, small counts hidden."""
    me, db = actor(), get_session()
    try:
        scope, period = _asked()
    except InvalidInput as exc:
        return _bad_request(exc)
    report = build_report(session=db, actor=me, scope=scope, period=period, now=utcnow())
    choices = scope_choices(db, me)
    chosen = next((c for c in choices if c.scope == scope), None)
    return render_template(
        "reports/index.html", report=report, tables=[show_table(t) for t in report.tables],
        durations=show_durations(report.durations), choices=choices, scope=scope, scope_name=_scope_name(chosen),
        period=period, quarters=recent_quarters(local_today(utcnow())), national=is_national(me),
        scope_label=_scope_name, not_recorded=NOT_RECORDED_FIELDS,
    )  # fmt: skip


@bp.route("/export.<fmt>")
def export(fmt: str) -> ResponseReturnValue:
    """The same report as a CSV or XLSX file."""
    if fmt not in TYPES:
        abort(404)
    me, db = actor(), get_session()
    try:
        scope, period = _asked()
    except InvalidInput as exc:
        return _bad_request(exc)
    report = build_report(session=db, actor=me, scope=scope, period=period, now=utcnow(), purpose=f"export_{fmt}")
    chosen = next((c for c in scope_choices(db, me) if c.scope == scope), None)
    book = sheets(report, _scope_name(chosen))
    body = to_csv(book) if fmt == "csv" else to_xlsx(book)
    return _file(body, fmt, f"reintegra-report-{scope.token.replace(':', '-')}-{period.key}")


@bp.route("/cases.<fmt>")
def case_export(fmt: str) -> ResponseReturnValue:
    """The national secretariat's de-identified, k-anonymised case-level records of the period."""
    if fmt not in TYPES:
        abort(404)
    try:
        _scope, period = _asked()
    except InvalidInput as exc:
        return _bad_request(exc)
    release = case_level_export(session=get_session(), actor=actor(), period=period, now=utcnow(),
                                k=settings().report_k_anonymity)  # fmt: skip
    names = [name for name, _source in CASE_FIELDS]
    rows: list[list[Value]] = [list(names)]
    rows += [[r[n] for n in names] for r in release.records]
    levels = ", ".join(f"{name}+{steps}" for name, steps in release.levels.items() if steps) or "-"
    about: list[list[Value]] = [["k", release.k], ["period", period.key], ["records", len(release.records)],
                                ["withheld", release.withheld], ["generalised", levels]]  # fmt: skip
    about += [[name, source] for name, source in CASE_FIELDS]
    about.append(["not recorded", " ".join(NOT_RECORDED_FIELDS)])
    book: list[Sheet] = [("cases", rows), ("about", about)]
    body = to_csv(book) if fmt == "csv" else to_xlsx(book)
    return _file(body, fmt, f"reintegra-cases-{period.key}-k{release.k}")
