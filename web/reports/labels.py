"""Translated names of the report's tables, rows and columns (the engine speaks in codes)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from web.labels import PHASES, STATUSES

TITLES = {
    "admissions_by_age_and_sex": _l("Admissions by age band and sex"),
    "admissions_by_exploitation_and_sex": _l("Admissions by form of exploitation and sex"),
    "open_by_phase": _l("Open cases by phase at the end of the period"),
    "reintegrations_by_placement": _l("Reintegrations by placement"),
    "visits": _l("Follow-up visits due in the period"),
    "closures_by_reason": _l("Closures by reason"),
    "lost_contact": _l("Lost contact"),
    "readmissions": _l("Re-admissions"),
}
ROW_HEADS = {
    "admissions_by_age_and_sex": _l("Age band"),
    "admissions_by_exploitation_and_sex": _l("Form of exploitation"),
    "open_by_phase": _l("Phase"),
    "reintegrations_by_placement": _l("Placement"),
    "visits": _l("Phase"),
    "closures_by_reason": _l("Reason for closure"),
    "lost_contact": _l("Lost contact"),
    "readmissions": _l("Re-admissions"),
}
CODES: dict[str, LazyString] = {
    **PHASES,
    "open": STATUSES["open"],
    "lost_contact": STATUSES["lost_contact"],
    "count": _l("Cases"),
    "total": _l("Total"),
    "female": _l("Female"),
    "male": _l("Male"),
    "other": _l("Other"),
    "unknown": _l("Unknown"),
    "not_recorded": _l("Not recorded"),
    "0-11": _l("0–11 years"),
    "12-17": _l("12–17 years"),
    "18-24": _l("18–24 years"),
    "25-34": _l("25–34 years"),
    "35+": _l("35 years and over"),
    "labour": _l("Labour exploitation"),
    "sexual": _l("Sexual exploitation"),
    "forced_marriage": _l("Forced marriage"),
    "begging": _l("Forced begging"),
    "family_of_origin": _l("Family of origin"),
    "extended_family": _l("Extended family or kinship care"),
    "community": _l("Community placement (foster family or group home)"),
    "independent": _l("Independent or semi-independent living"),
    "stay_in_shelter": _l("Stays longer in the shelter"),
    "on_time": _l("Done on time"),
    "late": _l("Done late"),
    "missed": _l("Missed"),
    "overdue": _l("Overdue, not done"),
    "not_yet_due": _l("Not yet due"),
    "goals_met": _l("Goals met"),
    "survivor_chose_to_stop": _l("The survivor chose to stop"),
    "moved_or_cannot_be_found": _l("Moved or cannot be found"),
    "transferred": _l("Transferred"),
    "died": _l("Died"),
    "entered": _l("Moved onto the lost-contact path"),
    "found": _l("Found again: follow-up resumed"),
    "cannot_be_found": _l("Cannot be found: moved to closure"),
    "readmitted_from_follow_up": _l("Re-admitted to the shelter from follow-up"),
    "closed_case_reopened": _l("Closed case re-opened"),
}
# Other codes of the "other" kind in the closure reasons reuse "Other".


def code_label(code: str) -> str:
    """The translated name of a row or column code (the code itself if it has none)."""
    return str(CODES.get(code, code))
