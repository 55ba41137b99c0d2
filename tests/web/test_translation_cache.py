"""The request's catalogue is looked up once (web.i18n.translations) and still follows the locale."""

from __future__ import annotations

from flask import render_template_string, session
from flask_babel import force_locale, refresh

from web.i18n import translations

TEMPLATE = "{{ _('My work') }}|{{ ngettext('%(num)d step', '%(num)d steps', 2) }}"


def test_templates_translate_in_the_request_locale_and_follow_force_locale(app):
    with app.test_request_context("/", headers={"Accept-Language": "km"}):
        khmer = render_template_string(TEMPLATE)
        assert khmer.split("|")[0] != "My work"  # translated
        assert translations() is translations()  # found once per request and locale
        with force_locale("en"):
            assert render_template_string(TEMPLATE) == "My work|2 steps"
        assert render_template_string(TEMPLATE) == khmer  # back to the request's language


def test_refresh_drops_the_cached_catalogue(app):
    with app.test_request_context("/", headers={"Accept-Language": "km"}):
        assert render_template_string("{{ _('My work') }}") != "My work"
        session["lang"] = "en"  # the user chose English during the request
        assert render_template_string("{{ _('My work') }}") != "My work"  # the request keeps its language
        refresh()
        assert render_template_string("{{ _('My work') }}") == "My work"


LABELS = "{{ phase_label('reintegration') }}|{{ priority_label(1) }}|{{ priority_label(7) }}|{{ phase_label('odd') }}"


def test_labels_are_translated_once_per_request_and_still_follow_force_locale(app):
    with app.test_request_context("/", headers={"Accept-Language": "km"}):
        khmer = render_template_string(LABELS)
        phase, high, unknown, odd = khmer.split("|")
        assert phase != "Reintegration"  # translated
        assert high != "High"
        assert (unknown, odd) == ("7", "odd")  # an unknown code is shown as it is
        assert render_template_string(LABELS) == khmer  # the memo gives the same text again
        with force_locale("en"):
            assert render_template_string(LABELS) == "Reintegration|High|7|odd"
        assert render_template_string(LABELS) == khmer
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert render_template_string(LABELS) == "Reintegration|High|7|odd"  # a new request, its own language
