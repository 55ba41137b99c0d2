"""The templates' fast paths give exactly what the slow ones gave: ``_()`` (Jinja's new-style gettext
without formatting strings that have nothing to put in) and ``row_url`` (url_for built once per page)."""

from __future__ import annotations

from flask import Flask, render_template_string, url_for
from flask_babel import force_locale

from web.work.display import row_labels, row_url


def test_template_gettext_escapes_what_it_puts_in_and_keeps_plain_labels(app: Flask) -> None:
    with app.test_request_context("/"):
        assert render_template_string('{{ _("Case") }}') == "Case"
        assert render_template_string('{{ _("Open case %(code)s", code=c) }}', c="<b>&") == "Open case &lt;b&gt;&amp;"
        assert render_template_string('{{ _("Page %(page)d of %(pages)d", page=2, pages=9) }}') == "Page 2 of 9"
        assert render_template_string("{{ _('100%% sure') }}") == "100% sure"  # one format, as Jinja does
        assert render_template_string('{{ _("<b>%(x)s</b>", x=v) }}', v="<i>") == "<b>&lt;i&gt;</b>"
        with force_locale("km"):
            assert render_template_string('{{ _("Case") }}') == "ករណី"


def test_row_url_is_url_for_with_each_rows_values(app: Flask) -> None:
    with app.test_request_context("/"):
        for item_id in (1, 7, 987654321, 12345678901):
            assert row_url("work.task", item_id=item_id) == url_for("work.task", item_id=item_id)
            assert row_url("work.claim", item_id=item_id) == url_for("work.claim", item_id=item_id)
        for code in ("RG-7KQ3MX", "RG-000001"):
            assert row_url("cases.show", code=code) == url_for("cases.show", code=code)
        assert row_url("team.reassign_item", item_id=3) == url_for("team.reassign_item", item_id=3)


def test_row_url_keeps_a_fixed_query_and_puts_the_rows_value_in_the_path_only(app: Flask) -> None:
    with app.test_request_context("/"):
        for back in ("/team/queue?page=2", "/team/queue?page=987654321&phase=reintegration", "/team/queue"):
            for item_id in (4, 987654321):
                expected = url_for("team.reassign_item", item_id=item_id, next=back)
                assert row_url("team.reassign_item", {"next": back}, item_id=item_id) == expected
            assert row_url("team.reassign_case", {"next": back}, code="RG-7KQ3MX") == url_for(
                "team.reassign_case", code="RG-7KQ3MX", next=back)  # fmt: skip


def test_row_labels_are_the_catalogues_words_in_the_requests_language(app: Flask) -> None:
    with app.test_request_context("/"):
        assert row_labels()["case"] == "Case"
        assert row_labels()["give_back"] == "Give back"
        with force_locale("km"):
            assert row_labels()["case"] == "ករណី"
        assert row_labels()["case"] == "Case"  # kept per language, not the first one asked for
