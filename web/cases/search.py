"""Find cases: the case list's filters (GET, no names in them) and the search box (POST, with CSRF).

A name typed into the search box never goes into a URL (query strings land in server and proxy logs and
in the browser history): the box posts, the answer is rendered directly (``no-store``, like every
signed-in page), and further pages of a name search post again. Filters alone are GET parameters, so a
filtered list can be bookmarked. The query is never logged or flashed.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from engine.cases.search import SearchPage, parse_filters, search_cases
from engine.cases.sections import survivor_names
from engine.errors import InvalidInput
from engine.models.accounts import Role
from engine.models.cases import CaseStatus
from engine.workflow.team_views import team_members
from web.auth.principal import actor
from web.db import get_session, utcnow
from web.i18n import error_text
from web.paging import is_number

PER_PAGE = 25
FILTER_FIELDS = ("phase", "status", "caseworker", "overdue")
STATUSES = tuple(CaseStatus)

# ``engine.cases.search.MESSAGES``, marked for translation (a test keeps the two in step).
ENGINE_MESSAGES = (
    _l("Nothing was searched. Please correct the marked fields."),
    _l("The search is too long: at most 200 characters and 8 words."),
    _l("Type a name (in Khmer or Latin script) or a case code."),
    _l("Choose a phase from the list."),
    _l("Choose a status from the list."),
    _l("Choose a caseworker of your team."),
    _l("The overdue filter is either on or off."),
    _l("There is no such page."),
    _l("Only case staff can search case files."),
)


def index() -> ResponseReturnValue:
    """The cases the user may see, newest first, filtered by phase, status, caseworker or overdue steps."""
    return _answer(request.args, query="")


def search() -> ResponseReturnValue:
    """Find cases by a case code or by name words (posted, never in the URL), with the list's filters."""
    query = request.form.get("q", "")
    if not query.strip():  # filters only: the bookmarkable list
        chosen: dict[str, str] = {name: request.form[name] for name in FILTER_FIELDS if request.form.get(name)}
        return redirect(url_for("cases.index", **chosen), 303)  # type: ignore[arg-type]  # filters only
    return _answer(request.form, query=query)


def _answer(values: Mapping[str, str], *, query: str) -> ResponseReturnValue:
    me, db = actor(), get_session()
    chosen = {name: values.get(name, "") for name in FILTER_FIELDS}
    errors: dict[str, str] = {}
    found = SearchPage([], 0, 1, PER_PAGE)
    try:
        filters = parse_filters(**chosen)
        found = search_cases(session=db, actor=me, now=utcnow(), query=query, filters=filters,
                             page=_page_number(values.get("page")), per_page=PER_PAGE)  # fmt: skip
    except InvalidInput as exc:
        errors = {name: _(text) for name, text in exc.fields.items()} or {"q": error_text(exc)}
    names = survivor_names(session=db, actor=me, case_ids=[c.id for c in found.cases]) if found.by_name else {}
    workers = team_members(session=db, actor=me, role=Role.CASEWORKER) if me.role is Role.SUPERVISOR else []
    link_args = {k: v for k, v in chosen.items() if v}
    page = render_template("cases/index.html", found=found, query=query, chosen=chosen, errors=errors, names=names,
                           workers=workers, statuses=STATUSES, link_args=link_args)  # fmt: skip
    return page, 422 if errors else 200


def _page_number(value: str | None) -> int:
    # 0 for anything but a plain page number: the service refuses it with a clear message.
    if value is None or value == "":
        return 1
    return int(value) if is_number(value) and len(value) < 7 else 0
