"""De-identified reports for reporting staff and supervisors: counts only, small cells suppressed.

Owns the report period and scope (who may see which shelter, province or the nation), the facts read
from cases, workflow instances, work items and step records, small-cell protection, the k-anonymised
case-level export and the CSV/XLSX files. Must not import ``web`` or ``notifications``; never returns a
case code, name, date of birth or place below province.
"""
