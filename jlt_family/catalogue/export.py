"""CSV and XLSX files of the catalogue: what Excel opens correctly, with no formula a cell could smuggle in.

CSV is UTF-8 with a byte-order mark (Excel reads Chinese right only then) and is streamed line by line; XLSX is
written by openpyxl in write-only mode. A cell starting with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage
return) is prefixed with an apostrophe, so a spreadsheet shows it as text instead of running it (CSV/formula
injection). The file name is Chinese, sent as RFC 5987 ``filename*`` with an ASCII fallback.
"""

import csv
import io
import re
from urllib.parse import quote

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from jlt_family.catalogue.presenters import EXPORT_HEADER, export_rows
from jlt_family.core.timeutil import SHANGHAI, utcnow

BOM = "\ufeff"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def safe_cell(value):
    """A cell a spreadsheet shows as text: formula-like strings get a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _safe_rows(entries):
    yield EXPORT_HEADER
    for row in export_rows(entries):
        yield tuple(safe_cell(value) for value in row)


def csv_chunks(entries):
    """The CSV file as a stream of text chunks (the BOM first, then one line at a time)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    yield BOM
    for row in _safe_rows(entries):
        writer.writerow(row)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def xlsx_bytes(entries, title):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=re.sub(r"[\[\]:*?/\\]", "", title)[:31] or "资源清单")
    for row in _safe_rows(entries):
        # Control characters a text field may hold are not allowed in XLSX: dropped rather than failing.
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def content_disposition(region, extension, now=None):
    """``attachment`` with an ASCII fallback and the Chinese name as RFC 5987 ``filename*``."""
    day = (now or utcnow()).astimezone(SHANGHAI).strftime("%Y%m%d")
    ascii_name = f"catalogue-{region.code}-{day}.{extension}"
    chinese_name = f"{region.name}资源清单-{day}.{extension}"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(chinese_name, safe='')}"
