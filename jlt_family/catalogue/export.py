"""CSV and XLSX files of the catalogue: what Excel opens correctly, with no formula a cell could smuggle in.

CSV is UTF-8 with a byte-order mark (Excel reads Chinese right only then) and is streamed line by line; XLSX is
written by openpyxl in write-only mode. A cell starting with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage
return) is prefixed with an apostrophe, so a spreadsheet shows it as text instead of running it (CSV/formula
injection). The file name is Chinese, sent as RFC 5987 ``filename*`` with an ASCII fallback.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any
from urllib.parse import quote

from flask import Response, stream_with_context
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from jlt_family.catalogue.views import CatalogueEntry
from jlt_family.core.timeutil import SHANGHAI, utcnow
from jlt_family.organizations.models import RESOURCE_UNIT_KIND_LABELS, Region
from jlt_family.venues.models import OFFERING_KIND_LABELS

BOM = "\ufeff"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


EXPORT_HEADER = (
    "旗县",
    "资源单位",
    "单位类型",
    "状态",
    "地址",
    "开放信息",
    "简介",
    "联系人",
    "联系电话",
    "服务的教联体",
    "开放项目",
    "项目类型",
    "适用对象",
    "费用",
    "绿色通道",
    "绿色通道适用教联体",
    "每周开放",
    "最近可约场次",
    "最后更新",
)


def _shanghai(moment: dt.datetime | None) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if moment is not None else ""


def export_rows(entries: Iterable[CatalogueEntry]) -> Iterator[tuple[Any, ...]]:
    """One row per unit × listed offering (a unit without one gets a single row), in the catalogue's order."""
    for entry in entries:
        unit = entry.unit
        common = (
            unit.region.name,
            unit.name,
            RESOURCE_UNIT_KIND_LABELS[unit.kind],
            "开放" if unit.is_active else "已停用",
            unit.address,
            unit.opening_info,
            unit.description,
            unit.contact_person,
            unit.contact_phone,
            "、".join(a.name for a in entry.alliances),
        )
        updated = _shanghai(entry.updated_at)
        if not entry.offerings:
            yield (*common, "", "", "", "", "", "", "", "", updated)
            continue
        for shown in entry.offering_entries:
            yield (
                *common,
                shown.offering.title,
                OFFERING_KIND_LABELS[shown.offering.kind],
                shown.audience_label,
                shown.price_label,
                "有" if shown.green_channel else "无",
                "、".join(a.name for a in shown.green_alliances),
                shown.schedule_label,
                _shanghai(shown.next_slot.starts_at) if shown.next_slot else "",
                updated,
            )


def safe_cell(value: Any) -> Any:
    """A cell a spreadsheet shows as text: formula-like strings get a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _safe_rows(entries: Iterable[CatalogueEntry]) -> Iterator[tuple[Any, ...]]:
    yield EXPORT_HEADER
    for row in export_rows(entries):
        yield tuple(safe_cell(value) for value in row)


def csv_chunks(entries: Iterable[CatalogueEntry]) -> Iterator[str]:
    """The CSV file as a stream of text chunks (the BOM first, then one line at a time)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    yield BOM
    for row in _safe_rows(entries):
        writer.writerow(row)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def xlsx_bytes(entries: Iterable[CatalogueEntry], title: str) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=re.sub(r"[\[\]:*?/\\]", "", title)[:31] or "资源清单")
    for row in _safe_rows(entries):
        # Control characters a text field may hold are not allowed in XLSX: dropped rather than failing.
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def content_disposition(region: Region, extension: str, now: dt.datetime | None = None) -> str:
    """``attachment`` with an ASCII fallback and the Chinese name as RFC 5987 ``filename*``."""
    day = (now or utcnow()).astimezone(SHANGHAI).strftime("%Y%m%d")
    ascii_name = f"catalogue-{region.code}-{day}.{extension}"
    chinese_name = f"{region.name}资源清单-{day}.{extension}"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(chinese_name, safe='')}"


def file_response(entries: Sequence[CatalogueEntry], region: Region, extension: str) -> Response:
    """The export as a download: XLSX built at once, CSV streamed; never cached."""
    headers = {"Content-Disposition": content_disposition(region, extension), "Cache-Control": "private, no-store"}
    if extension == "xlsx":
        body = xlsx_bytes(entries, f"{region.name}资源清单")
        return Response(body, content_type=MEDIA_TYPES["xlsx"], headers=headers)
    return Response(stream_with_context(csv_chunks(entries)), content_type=MEDIA_TYPES["csv"], headers=headers)
