"""Exports of the catalogue: CSV with a BOM and XLSX, one row per unit × offering, the same filters, formula
injection neutralised, a Chinese file name (RFC 5987), and only for the bureau and alliance admins."""

import csv
import io
from urllib.parse import unquote

import openpyxl
import pytest

from jlt_family.catalogue.export import safe_cell
from jlt_family.core.extensions import db
from tests.catalogue.conftest import API, add_offering

HEADER = [
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
]


def export_url(region, **params):
    return f"{API}/regions/{region.id}/catalogue/export?" + "&".join(f"{k}={v}" for k, v in params.items())


def read_csv(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM, so Excel reads the Chinese right
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def read_xlsx(response):
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).active
    return [["" if value is None else value for value in row] for row in sheet.iter_rows(values_only=True)]


def test_csv_has_one_row_per_unit_and_offering(call, county):
    w = county.world
    response = call("GET", export_url(w.county, format="csv"), w.region_admin)
    assert response.content_type == "text/csv; charset=utf-8"
    rows = read_csv(response)
    assert rows[0] == HEADER
    units_offerings = [(row[1], row[10]) for row in rows[1:]]
    assert units_offerings == [
        ("停用少年宫", "舞蹈体验"),
        ("兴安博物馆", "红色研学_周末班"),
        ("兴安图书馆", "亲子阅读会"),
        ("兴安科技馆", "展厅参观"),
        ("兴安科技馆", "机器人讲座"),
    ]
    palace, museum, library, exhibition, lecture = (dict(zip(HEADER, row, strict=True)) for row in rows[1:])
    assert palace["状态"] == "已停用" and museum["状态"] == "开放"
    assert exhibition["联系电话"] == "0482-8266101"  # the bureau gets the full phone
    assert exhibition["绿色通道"] == "有" and exhibition["绿色通道适用教联体"] == w.alliance.name
    assert exhibition["适用对象"] == "三年级至六年级" and exhibition["每周开放"] == "周二、周三 09:30；周六 10:00"
    assert exhibition["最近可约场次"] and library["绿色通道"] == "无" and lecture["最近可约场次"] == ""
    assert exhibition["单位类型"] == "科技馆" and exhibition["旗县"] == w.county.name


def test_csv_and_xlsx_agree_and_keep_the_filters(call, county):
    w = county.world
    csv_rows = read_csv(call("GET", export_url(w.county, format="csv", free_only="true"), w.region_admin))
    xlsx = call("GET", export_url(w.county, format="xlsx", free_only="true"), w.region_admin)
    assert xlsx.content_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert read_xlsx(xlsx) == csv_rows
    assert [row[10] for row in csv_rows[1:]] == ["舞蹈体验", "亲子阅读会", "展厅参观"]


def test_a_unit_without_offerings_has_one_row(call, make, county):
    w = county.world
    make.resource_unit(region=w.county, name="兴安消防站", kind="fire_station")
    db.session.commit()
    rows = read_csv(call("GET", export_url(w.county), w.region_admin))  # csv is the default
    [row] = [row for row in rows if row[1] == "兴安消防站"]
    assert row[2] == "消防救援站" and row[10:18] == [""] * 8 and row[18]


def test_the_file_name_is_chinese_and_safe(call, county):
    w = county.world
    for fmt in ("csv", "xlsx"):
        disposition = call("GET", export_url(w.county, format=fmt), w.region_admin).headers["Content-Disposition"]
        assert disposition.startswith('attachment; filename="catalogue-')
        assert disposition.isascii()
        encoded = disposition.split("filename*=UTF-8''")[1]
        assert unquote(encoded).startswith(f"{w.county.name}资源清单-") and unquote(encoded).endswith(f".{fmt}")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_formula_injection_is_neutralised(call, make, county, fmt):
    w = county.world
    unit = make.resource_unit(
        region=w.county,
        name='=HYPERLINK("http://evil","点我")',
        contact_person="@SUM(A1)",
        address="+86 街道",
        opening_info="-1+2",
        description="\t=1+1",
    )
    add_offering(db, unit, "=cmd|' /C calc'!A0")
    db.session.commit()
    response = call("GET", export_url(w.county, format=fmt), w.region_admin)
    rows = read_csv(response) if fmt == "csv" else read_xlsx(response)
    [row] = [row for row in rows if "HYPERLINK" in row[1]]
    cells = dict(zip(HEADER, row, strict=True))
    assert cells["资源单位"] == '\'=HYPERLINK("http://evil","点我")'
    assert cells["联系人"] == "'@SUM(A1)" and cells["地址"] == "'+86 街道" and cells["开放信息"] == "'-1+2"
    assert cells["开放项目"] == "'=cmd|' /C calc'!A0" and cells["简介"] == "'\t=1+1"
    for value in row:
        assert not str(value).startswith(("=", "+", "-", "@"))


def test_safe_cell():
    assert [safe_cell(v) for v in ("=1", "+1", "-1", "@a", "\tx", "\rx", "a=1", "", 5)] == [
        "'=1",
        "'+1",
        "'-1",
        "'@a",
        "'\tx",
        "'\rx",
        "a=1",
        "",
        5,
    ]


def test_control_characters_do_not_break_xlsx(call, make, county):
    w = county.world
    make.resource_unit(region=w.county, name="控制符单位", description="第一行\x07响铃\x1b")
    db.session.commit()
    rows = read_xlsx(call("GET", export_url(w.county, format="xlsx"), w.region_admin))
    assert any(row[1] == "控制符单位" for row in rows)


def test_an_alliance_admin_exports_their_alliances_units(call, make, county):
    w = county.world
    rows = read_csv(call("GET", export_url(w.county), w.alliance_admin))
    assert sorted({row[1] for row in rows[1:]}) == ["停用少年宫", "兴安博物馆", "兴安科技馆"]


def test_readers_may_not_export_and_bad_formats_are_refused(call, county):
    w = county.world
    for user in (w.guardian_a, w.teacher_a, w.venue_staff, w.school_admin):
        response = call("GET", export_url(w.county), user)
        assert response.status_code == 403 and response.json["code"] == "permission_denied"
    assert call("GET", export_url(w.county), w.other_region_admin).status_code == 404
    response = call("GET", export_url(w.county, format="pdf"), w.region_admin)
    assert response.status_code == 422 and response.json["code"] == "unknown_export_format"
    response = call("GET", export_url(w.county, grade="x"), w.region_admin)
    assert response.status_code == 422 and response.json["code"] == "invalid_grade"


def test_an_export_beyond_its_bound_is_refused(call, county, monkeypatch):
    from jlt_family.catalogue import service

    monkeypatch.setattr(service, "EXPORT_MAX_UNITS", 2)
    response = call("GET", export_url(county.world.county), county.world.region_admin)
    assert response.status_code == 422 and response.json["code"] == "export_too_large"


def test_a_sheet_title_keeps_only_what_excel_allows():
    from jlt_family.catalogue.export import xlsx_bytes

    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_bytes([], "乌兰[浩特]:市/资源*清单?\\"))).active
    assert sheet.title == "乌兰浩特市资源清单"
    assert [list(row) for row in sheet.iter_rows(values_only=True)] == [HEADER]
