"""The menu's two counts, unread inbox messages and a supervisor's approvals waiting, each read at most once
a request. A queue page reads them in its own counts' statement (``QueuePage``) and hands them over here, so
the menu sends no statement of its own; any other page reads them when the menu asks."""

from __future__ import annotations

from collections.abc import Callable

from flask import g

from engine.workflow.queues import QueuePage


def remember(page: QueuePage) -> None:
    """Keep the counts read with ``page`` for this request's menu."""
    g.menu_inbox_unread = page.inbox_unread
    if page.approvals_waiting is not None:
        g.menu_approvals_waiting = page.approvals_waiting


def inbox_unread(read: Callable[[], int]) -> int:
    """The signed-in user's unread messages: as remembered this request, else ``read()`` (kept)."""
    if "menu_inbox_unread" not in g:
        g.menu_inbox_unread = read()
    return int(g.menu_inbox_unread)


def approvals_waiting(read: Callable[[], int]) -> int:
    """The supervisor's team's approvals waiting: as remembered this request, else ``read()`` (kept)."""
    if "menu_approvals_waiting" not in g:
        g.menu_approvals_waiting = read()
    return int(g.menu_approvals_waiting)
