"""Reports as files: CSV (UTF-8 with a byte-order mark, so spreadsheet programs read Khmer) and XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from openpyxl import Workbook

Value = str | int | float | None
Sheet = tuple[str, Sequence[Sequence[Value]]]


def to_csv(sheets: Sequence[Sheet]) -> bytes:
    """One CSV: each sheet's title on a line of its own, its rows, then an empty line."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for title, rows in sheets:
        writer.writerow([title])
        writer.writerows(["" if v is None else v for v in row] for row in rows)
        writer.writerow([])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(sheets: Sequence[Sheet]) -> bytes:
    """One workbook, a worksheet per sheet (titles cut to Excel's 31 characters, made unique)."""
    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for title, rows in sheets:
        name = "".join(ch for ch in title if ch not in "[]:*?/\\")[:28] or "Sheet"
        while name in used:
            name = name[:26] + f"_{len(used)}"
        used.add(name)
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
