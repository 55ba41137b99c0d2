"""De-identified aggregates for reporting staff: counts only, small cells suppressed.

Must not import ``web`` or ``notifications``; never returns a case code, name or place below province.
"""
