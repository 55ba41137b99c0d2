"""HTML to PDF with WeasyPrint, which shapes Khmer correctly (ReportLab misplaces its marks).

Khmer text gets its line-break opportunities first (``engine.khmer``): Pango finds none in a Khmer run,
so without them a narrative ran off the page as one line and a long label overlapped its value.

The Khmer font is the self-hosted Noto Sans Khmer copied into static/vendor by the setup step; the
page never fetches anything from outside the app (WeasyPrint's fetcher only reads our static files).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from weasyprint import HTML
from weasyprint.urls import URLFetcher

from engine.khmer import break_opportunities

_TEXT = re.compile(r">([^<]+)<")  # the text between two tags (attributes and tag names are left alone)
STATIC = (Path(__file__).resolve().parents[1] / "static").resolve()


class _StaticOnly(URLFetcher):  # type: ignore[misc]  # WeasyPrint is untyped
    """Reads the app's static files from disk; nothing else (no network, no other file) is ever fetched."""

    def fetch(self, url: str, headers: Any = None) -> Any:
        marker = "/static/"
        if marker in url:
            path = (STATIC / url.split(marker, 1)[1].split("?", 1)[0]).resolve()
            if STATIC in path.parents and path.is_file():
                return super().fetch(path.as_uri(), headers)
        raise ValueError("only the app's own static files may be used in a printed record")


def breakable(html: str) -> str:
    """``html`` with break opportunities in the Khmer text between its tags (tags and attributes unchanged)."""
    return _TEXT.sub(lambda m: f">{break_opportunities(m.group(1))}<", html)


def render_pdf(html: str, *, base_url: str) -> bytes:
    """The PDF of ``html``, its Khmer text breakable between syllables."""
    document: bytes = HTML(string=breakable(html), base_url=base_url, url_fetcher=_StaticOnly()).write_pdf()
    return document
