"""The case history in the reader's language.

The engine writes each history line's summary in English, in a few fixed shapes ("Task 'X' reassigned
from A to B", "<step> (<decision>)", ...), and the step and event names are the diagrams' English names.
Here each shape is recognised and said again through the catalogue: step names through their form's
title or the diagrams' names (extracted by ``workflows/babel_bpmn.py``), decisions through their form's
choice labels. A summary of an unknown shape is shown as it was written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape, unescape

from flask_babel import gettext as _
from flask_babel import ngettext

from engine.cases.sections import HistoryLine
from web.labels import phase_label, section_label
from web.work.display import form_language, runtime, step_label

_DECISIONS = re.compile(r"((?: \([a-z0-9_]+\))+)$")  # " (approve)" or " (continue) (low)" after the step


def _decision(step: str, value: str) -> str:
    """The label of a decision's value as the step's form offers it (a code as it is when not found)."""
    lang = form_language()
    form = next((f for f in runtime().forms.values() if f.title.en == step), None)
    for field in form.fields if form else ():
        for choice in field.choices or ():
            if choice.value == value and field.name.endswith(("decision", "outcome")):
                return choice.label.get(lang)
    return value


def _step_completed(summary: str) -> str:
    found = _DECISIONS.search(summary)
    step = summary[: found.start()] if found else summary
    values = re.findall(r"\(([a-z0-9_]+)\)", found.group(1)) if found else []
    text = str(_("Step done: %(step)s", step=step_label(step)))
    if values:
        text += " — " + ", ".join(_decision(step, v) for v in values)
    return text


def _person(name: str) -> str:
    return _("unassigned") if name == "unassigned" else name


# (kind, pattern of the English summary the engine writes, how to say it); the first match wins.
_SHAPES: tuple[tuple[str, re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    ("reassigned", re.compile(r"Task '(?P<step>.*)' reassigned from (?P<old>.*) to (?P<new>.*)"),
     lambda m: _("Step “%(step)s” reassigned from %(old)s to %(new)s", step=step_label(m["step"]),
                 old=_person(m["old"]), new=m["new"])),
    ("reassigned", re.compile(r"Case reassigned from (?P<old>.*) to (?P<new>.*)"),
     lambda m: _("Case reassigned from %(old)s to %(new)s", old=_person(m["old"]), new=m["new"])),
    ("lost_contact", re.compile(r"No recorded contact for (?P<days>\d+) days"),
     lambda m: _("Contact lost") + ": " + ngettext("no recorded contact for %(num)d day",
                                                   "no recorded contact for %(num)d days", int(m["days"]))),
    ("returned", re.compile(r"Returned for changes: (?P<step>.*)"),
     lambda m: _("Returned for changes: %(step)s", step=step_label(m["step"]))),
    ("urgent", re.compile(r"Urgent: (?P<step>.*)"), lambda m: _("Urgent: %(step)s", step=step_label(m["step"]))),
    ("transferred", re.compile(r"Transferred to (?P<office>.*) for follow-up(?P<over> \(consent overridden\))?"),
     lambda m: (_("Transferred to %(office)s for follow-up (consent overridden)", office=m["office"]) if m["over"]
                else _("Transferred to %(office)s for follow-up", office=m["office"]))),
    ("timer", re.compile(r"(?P<name>.*)"), lambda m: _("Date reached") + ": " + step_label(m["name"])),
)  # fmt: skip
_FIXED = {
    "opened": lambda: _("Case opened at admission"),
    "closed": lambda: _("Case closed"),
    "reopened": lambda: _("Case re-opened"),
    "record_review": lambda: _("The survivor asked to review their record"),
    "transfer_declined": lambda: _("The DoSVY office declined the transfer"),
    "transfer_ended": lambda: _("Transfer ended: the consent it rested on was withdrawn"),
}


def describe(line: HistoryLine) -> str:
    """What happened, for the history list, in the reader's language."""
    if line.kind == "step_completed":
        return _step_completed(line.summary)
    if line.kind == "phase_changed" and line.phases:
        moved = {"from": phase_label(line.phases[0]), "to": phase_label(line.phases[1])}
        return str(_("Moved from %(from)s to %(to)s", **moved))
    if line.kind == "section_updated" and line.section:
        return str(_("Case file updated: %(section)s", section=section_label(line.section)))
    if line.kind in _FIXED:
        return str(_FIXED[line.kind]())
    for kind, pattern, say in _SHAPES:
        found = pattern.fullmatch(line.summary) if kind == line.kind else None
        if found:
            return say(found)
    return line.summary


_NAME = re.compile(r'(<bpmn:[A-Za-z]+\b[^>]*?\bname=")([^"]*)(")')


def diagram_in_language(xml: str) -> str:
    """The diagram's BPMN XML with its element names in the reader's language (English: unchanged)."""
    if form_language() == "en":
        return xml
    return _NAME.sub(lambda m: m[1] + escape(_(unescape(m[2])), quote=True) + m[3], xml)
