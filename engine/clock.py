"""Cambodia's calendar: what "today" means for dates people type and for consents' validity.

Instants are UTC everywhere; a date typed in a form, a consent's "given on" and "expires on", are days
in Phnom Penh (UTC+7), so between midnight and 07:00 there the UTC date is still yesterday.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("Asia/Phnom_Penh")


def local_today(now: dt.datetime) -> dt.date:
    """Today in Phnom Penh at the instant ``now``."""
    return now.astimezone(LOCAL).date()
