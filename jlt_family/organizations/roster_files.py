"""花名册文件: an uploaded roster read into rows of cells (CSV or XLSX), within bounds a crafted file cannot escape.

CSV: UTF-8 with or without BOM, or GBK/GB18030 (what Excel in zh-CN writes); comma- or tab-separated.
XLSX: the first worksheet. Limits: ``MAX_FILE_BYTES`` and ``MAX_ROWS`` data rows. Before the workbook is parsed,
the archive's declared sizes (``MAX_XLSX_UNPACKED_BYTES`` in all, a bounded compression ratio) and the first
sheet's rows and cells (counted on the stream, stopping at the limit) are checked: a small crafted file cannot
cost a worker seconds of CPU (413 ``roster_xlsx_too_large``, 422 ``roster_too_many_rows`` or
``roster_too_many_cells``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import posixpath
import re
import warnings
import zipfile
import zlib
from typing import IO, Any

from jlt_family.core.errors import AppError, ValidationFailed

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
_MAX_PHYSICAL_ROWS = 50_000  # blank rows included: stops a workbook of a million formatted empty rows
_MAX_COLUMNS = 40
MAX_XLSX_UNPACKED_BYTES = 16 * 1024 * 1024  # the declared sizes of all the archive's entries together
_MAX_XLSX_ENTRIES = 500
_MAX_XLSX_RATIO = 100  # an entry over 1 MB unpacked may be at most this many times its packed size
_MAX_CELLS = (MAX_ROWS + 1) * 20  # cells of the first sheet (openpyxl's cost grows with them)
_SHEET_TAGS = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c|si)[\s>/]")
_DIMENSION = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?dimension\s+ref=\"[A-Z]+\d+:[A-Z]+(\d+)\"")
_TAG_TAIL = 32  # longer than any tag prefix _SHEET_TAGS matches: a match cut between two chunks is found whole


class RosterFileTooLargeError(AppError):
    status = 413
    code = "roster_file_too_large"
    message = f"文件过大，请不要超过 {MAX_FILE_BYTES // (1024 * 1024)} MB"


class RosterXlsxTooLargeError(AppError):
    status = 413
    code = "roster_xlsx_too_large"
    message = "Excel 文件解压后过大，请删除多余的工作表、格式或空行后重试"


def file_error(message: str, code: str = "roster_file_invalid") -> ValidationFailed:
    return ValidationFailed(message, code=code, errors={"file": [message]})


# Reading the file --------------------------------------------------------------------------------------------


def read_upload(stream: IO[bytes]) -> bytes:
    """The uploaded file's bytes, refusing more than ``MAX_FILE_BYTES``."""
    data = stream.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise RosterFileTooLargeError()
    if not data.strip():
        raise file_error("文件是空的", code="roster_empty")
    return data


def read_table(data: bytes) -> list[tuple[int, list[Any]]]:
    """The file's rows as ``(row_number, cells)``: XLSX by its zip signature, CSV otherwise."""
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise file_error("不支持旧版 .xls 文件，请另存为 .xlsx 或 CSV", code="roster_unsupported_format")
    return _read_csv(data)


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise file_error("无法识别文件编码，请使用 UTF-8 或 GBK 编码的 CSV", code="roster_bad_encoding")


def _read_csv(data: bytes) -> list[tuple[int, list[Any]]]:
    text = _decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:
        raise file_error("CSV 文件格式有误", code="roster_bad_csv") from None
    if len(rows) > _MAX_PHYSICAL_ROWS:
        raise too_many_rows()
    return [(number, row[:_MAX_COLUMNS]) for number, row in enumerate(rows, start=1)]


def _read_xlsx(data: bytes) -> list[tuple[int, list[Any]]]:
    # deferred: openpyxl is loaded only when a spreadsheet is read (a slow import)
    from openpyxl import load_workbook

    check_xlsx(data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # style and extension warnings of files from other programs
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError, SyntaxError) as exc:
        log.info("unreadable roster workbook: %r", exc)
        raise file_error("无法读取该 Excel 文件，请确认是 .xlsx 格式", code="roster_bad_xlsx") from None
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise file_error("Excel 文件中没有工作表", code="roster_bad_xlsx")
        rows = []
        for number, values in enumerate(sheet.iter_rows(max_col=_MAX_COLUMNS, values_only=True), start=1):
            if number > _MAX_PHYSICAL_ROWS:
                raise too_many_rows()
            rows.append((number, [_cell(value) for value in values]))
        return rows
    finally:
        workbook.close()


def check_xlsx(data: bytes) -> None:
    """Refuse a workbook that would be costly to parse, from the archive's directory and a streaming count of
    the first sheet's rows and cells, before openpyxl reads any of it (``zipfile`` never unpacks more than an
    entry's declared size, so the declared sizes bound the work)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise file_error("无法读取该 Excel 文件，请确认是 .xlsx 格式", code="roster_bad_xlsx") from None
    with archive:
        entries = archive.infolist()
        if len(entries) > _MAX_XLSX_ENTRIES or sum(e.file_size for e in entries) > MAX_XLSX_UNPACKED_BYTES:
            raise RosterXlsxTooLargeError()
        for entry in entries:
            if entry.file_size > 1024 * 1024 and entry.file_size > _MAX_XLSX_RATIO * max(entry.compress_size, 1):
                raise RosterXlsxTooLargeError()
        names = {e.filename for e in entries}
        try:
            sheet = _first_sheet(archive, names)
            if sheet is not None:
                counts = _count_tags(archive, sheet, {"row": _MAX_PHYSICAL_ROWS, "c": _MAX_CELLS}, dimension=True)
                if counts["row"] > _MAX_PHYSICAL_ROWS:
                    raise too_many_rows()
                if counts["c"] > _MAX_CELLS:
                    raise _too_many_cells()
            strings = "xl/sharedStrings.xml"
            if strings in names and _count_tags(archive, strings, {"si": _MAX_CELLS})["si"] > _MAX_CELLS:
                raise _too_many_cells()
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError) as exc:
            log.info("unreadable roster workbook: %r", exc)  # a bad CRC, an encrypted or unknown-method entry
            raise file_error("无法读取该 Excel 文件，请确认是 .xlsx 格式", code="roster_bad_xlsx") from None


def _first_sheet(archive: zipfile.ZipFile, names: set[str]) -> str | None:
    """The archive path of the workbook's first worksheet (what openpyxl reads), or None when the workbook
    does not say (openpyxl then refuses the file)."""
    try:
        workbook = archive.read("xl/workbook.xml")
        rels = archive.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return None
    first = re.search(rb"<(?:\w+:)?sheet\s[^>]*?\b\w+:id=\"([^\"]+)\"", workbook)
    if first is None:
        return None
    for relationship in re.finditer(rb"<(?:\w+:)?Relationship\s([^>]*)>", rels):
        attributes = dict(re.findall(rb"(\w+)=\"([^\"]*)\"", relationship.group(1)))
        if attributes.get(b"Id") == first.group(1):
            target = attributes.get(b"Target", b"").decode("utf-8", "replace")
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
            return path if path in names else None
    return None


def _count_tags(archive: zipfile.ZipFile, name: str, limits: dict[str, int], dimension: bool = False) -> dict[str, int]:
    """How many of each tag of ``limits`` the entry holds, read in chunks, stopping once one is past its limit
    (then its count is limit + 1); with ``dimension``, a ``<dimension ref="A1:Z9">`` past the row limit counts
    as that many rows at once."""
    counts = dict.fromkeys(limits, 0)
    with archive.open(name) as stream:
        tail, first = b"", True
        while True:
            chunk = stream.read(1 << 16)
            buffer = tail + chunk
            if first and dimension:
                declared = _DIMENSION.search(buffer)
                if declared and int(declared.group(1)) > limits["row"]:
                    counts["row"] = int(declared.group(1))
                    return counts
                first = False
            whole = len(buffer) if not chunk else max(len(buffer) - _TAG_TAIL, 0)
            for match in _SHEET_TAGS.finditer(buffer, 0, len(buffer)):
                if match.start() >= whole:
                    break
                tag = match.group(1).decode()
                if tag in counts:
                    counts[tag] += 1
                    if counts[tag] > limits[tag]:
                        return counts
            if not chunk:
                return counts
            tail = buffer[whole:]


def _too_many_cells() -> ValidationFailed:
    message = f"表格内容过多（第一个工作表最多 {_MAX_CELLS} 个单元格），请删除多余的列或分批导入"
    return ValidationFailed(message, code="roster_too_many_cells", errors={"file": [message]})


def _cell(value: Any) -> str | dt.date:
    """An XLSX cell as text, or as a date for date cells."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def too_many_rows() -> ValidationFailed:
    return ValidationFailed(
        f"最多导入 {MAX_ROWS} 行学生，请分批导入",
        code="roster_too_many_rows",
        errors={"file": [f"最多导入 {MAX_ROWS} 行学生"]},
    )
