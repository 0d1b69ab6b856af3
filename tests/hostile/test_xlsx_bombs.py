"""Crafted XLSX files under the upload limit that would cost seconds of a worker's CPU to parse: refused from
the archive's directory and a streaming count of the first sheet, before openpyxl loads anything.

Each file is built here (small when packed, nothing committed); openpyxl's loader is replaced by one that
records being called, so a test proves the refusal came first instead of timing anything.
"""

import io
import zipfile

import openpyxl
import pytest
from openpyxl import Workbook

from jlt_family.organizations import roster_files

SHEET = "xl/worksheets/sheet1.xml"
HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{dimension}<sheetData>'
)
TAIL = "</sheetData></worksheet>"


def _workbook_with_sheet(rows, dimension=""):
    """A real workbook (openpyxl's own), its first sheet's XML replaced by ``rows`` (an iterable of strings)."""
    workbook = Workbook()
    workbook.active.append(["学年", "年级", "班级", "学号", "姓名"])
    original = io.BytesIO()
    workbook.save(original)
    packed = io.BytesIO()
    with zipfile.ZipFile(original) as source, zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            if entry.filename != SHEET:
                target.writestr(entry, source.read(entry))
        with target.open(SHEET, "w") as sheet:
            sheet.write(HEAD.format(dimension=dimension).encode())
            for row in rows:
                sheet.write(row.encode())
            sheet.write(TAIL.encode())
    data = packed.getvalue()
    assert len(data) < roster_files.MAX_FILE_BYTES  # under the upload limit: the old check let it through
    return data


def _row(number, cells=1):
    return (
        f'<row r="{number}">'
        + "".join(f'<c r="A{number}" t="n"><v>{number}{i}</v></c>' for i in range(cells))
        + "</row>"
    )


@pytest.fixture
def loads(monkeypatch):
    """The workbooks openpyxl was asked to load during the test (none, when the refusal comes first)."""
    calls = []
    real = openpyxl.load_workbook

    def recording(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(openpyxl, "load_workbook", recording)
    return calls


@pytest.fixture
def upload(call, world):
    def _upload(data):
        return call(
            "POST",
            f"/api/v1/schools/{world.school.id}/roster-import",
            world.school_admin,
            data={"file": (io.BytesIO(data), "名单.xlsx")},
            content_type="multipart/form-data",
        )

    return _upload


def _answer(response):
    return response.status_code, response.json["code"]


def test_a_sheet_declaring_far_more_than_it_packs_is_413(upload, loads):
    # 40 MB of cells (the same row again and again) pack into a few hundred kB
    data = _workbook_with_sheet(_row(1, cells=20) for _ in range(40 * 1024 * 1024 // 600))
    assert _answer(upload(data)) == (413, "roster_xlsx_too_large")
    assert loads == []


def test_more_rows_than_the_limit_are_counted_on_the_stream_and_refused(upload, loads):
    data = _workbook_with_sheet(_row(n) for n in range(1, 60_001))  # no <dimension>: the rows are counted
    response = upload(data)
    assert _answer(response) == (422, "roster_too_many_rows") and response.json["message"]
    assert loads == []


def test_a_dimension_past_the_row_limit_is_refused_at_once(upload, loads):
    data = _workbook_with_sheet((_row(n) for n in range(1, 4)), dimension='<dimension ref="A1:K900000"/>')
    assert _answer(upload(data)) == (422, "roster_too_many_rows")
    assert loads == []


def test_too_many_cells_are_refused_before_parsing(upload, loads):
    data = _workbook_with_sheet(_row(n, cells=30) for n in range(1, 6001))  # 180,000 cells in 6,000 rows
    assert _answer(upload(data)) == (422, "roster_too_many_cells")
    assert loads == []


def test_a_plain_workbook_is_still_loaded_and_imported(upload, loads, world):
    workbook = Workbook()
    workbook.active.append(["学年", "年级", "班级", "学号", "姓名"])
    workbook.active.append(["2026", "一年级", "一年级1班", "X2026001", "周一"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = upload(buffer.getvalue())
    assert response.status_code == 200, response.json
    assert response.json["students_created"] == 1 and len(loads) == 1
