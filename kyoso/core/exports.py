"""Tables as downloads: CSV in UTF-8 with BOM (so Japanese Excel opens it) or XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from urllib.parse import quote

from django.http import Http404, HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def table_bytes(
    fmt: str, headers: Sequence[str], rows: Iterable[Sequence[object]], sheet_title: str = "data"
) -> bytes:
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(headers)
        writer.writerows(rows)
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")
    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title[:31]
    sheet.append(list(headers))
    widths = [len(str(h)) for h in headers]
    for row in rows:
        sheet.append(list(row))
        widths = [max(w, len(str(v or ""))) for w, v in zip(widths, row, strict=False)]
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, width in enumerate(widths, start=1):
        # Japanese characters are about two columns wide in Excel.
        sheet.column_dimensions[get_column_letter(index)].width = min(60, width * 2 + 2)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def table_download(
    fmt: str, filename: str, headers, rows, sheet_title: str = "data"
) -> HttpResponse:
    """``filename`` without extension; Japanese names survive through RFC 5987."""
    if fmt not in FORMATS:
        raise Http404
    response = HttpResponse(table_bytes(fmt, headers, rows, sheet_title), content_type=FORMATS[fmt])
    full = f"{filename}.{fmt}"
    response["Content-Disposition"] = (
        f"attachment; filename=\"export.{fmt}\"; filename*=UTF-8''{quote(full)}"
    )
    return response
