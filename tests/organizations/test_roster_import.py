import datetime as dt
import io

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from jlt_family.core.models import AuditLog
from jlt_family.organizations import roster_files
from jlt_family.organizations.models import SchoolClass
from jlt_family.organizations.students import Gender, Student

HEADER = ["学年", "年级", "班级", "学号", "姓名", "性别", "出生日期", "留守儿童", "流动儿童", "困境儿童", "残疾儿童"]
ROWS = [
    ["2026", "一年级", "一年级1班", "S2026001", "赵一", "男", "2019-03-05", "是", "否", "0", "0"],
    ["2026", "一年级", "一年级1班", "S2026002", "钱二", "女", "2019/4/6", "否", "1", "", ""],
    ["2026-2027", "初一", "初一2班", "S2026003", "孙三", "", "", "否", "否", "是", "否"],
]


def _csv(rows, header=HEADER, encoding="utf-8-sig"):
    lines = [",".join(header)] + [",".join(row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def _xlsx(rows, header=HEADER):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def upload(call, world):
    def _upload(data, user=None, filename="roster.csv", school=None, **form):
        fields = {"file": (io.BytesIO(data), filename), **form}
        school = school or world.school
        return call(
            "POST",
            f"/api/v1/schools/{school.id}/roster-import",
            user or world.school_admin,
            data=fields,
            content_type="multipart/form-data",
        )

    return _upload


def _students(db, school):
    return {s.student_no: s for s in db.session.scalars(sa.select(Student).where(Student.school_id == school.id))}


def _classes(db, school):
    return {c.name: c for c in db.session.scalars(sa.select(SchoolClass).where(SchoolClass.school_id == school.id))}


def test_csv_with_bom_creates_classes_and_students(upload, world, db):
    response = upload(_csv(ROWS))
    assert response.status_code == 200, response.json
    assert response.json == {
        "dry_run": False,
        "rows": 3,
        "classes_created": 2,
        "students_created": 3,
        "students_updated": 0,
        "students_unchanged": 0,
        "ignored_columns": [],
    }
    classes = _classes(db, world.school)
    assert classes["初一2班"].grade == 7 and classes["初一2班"].school_year == 2026
    assert len(classes["一年级1班"].invite_code) == 8
    students = _students(db, world.school)
    zhao = students["S2026001"]
    assert (zhao.name, zhao.gender, zhao.birth_date) == ("赵一", Gender.MALE, dt.date(2019, 3, 5))
    assert zhao.left_behind is True and zhao.migrant is False
    assert students["S2026002"].migrant is True and students["S2026002"].birth_date == dt.date(2019, 4, 6)
    assert students["S2026003"].in_difficulty is True and students["S2026003"].gender is None
    assert students["S2026003"].class_id == classes["初一2班"].id
    [log] = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "import_roster")).all()
    assert log.actor_user_id == world.school_admin.id and log.detail["students_created"] == 3


def test_gbk_csv_is_read(upload, world, db):
    response = upload(_csv(ROWS, encoding="gbk"))
    assert response.status_code == 200, response.json
    assert _students(db, world.school)["S2026002"].name == "钱二"


def test_xlsx_with_number_and_date_cells(upload, world, db):
    rows = [[2026, 3, "三年级9班", 2026101, "周四", "女", dt.datetime(2017, 9, 1), 1, 0, 0, 1]]
    response = upload(_xlsx(rows), filename="名单.xlsx")
    assert response.status_code == 200, response.json
    zhou = _students(db, world.school)["2026101"]
    assert zhou.birth_date == dt.date(2017, 9, 1) and zhou.disabled is True and zhou.left_behind is True
    assert _classes(db, world.school)["三年级9班"].grade == 3


def test_every_bad_row_is_listed_and_nothing_is_written(upload, world, db):
    rows = [
        ["2026", "一年级", "一年级1班", "S1", "", "男", "", "", "", "", ""],
        ["2026", "十三年级", "一年级1班", "S2", "甲", "男", "", "", "", "", ""],
        ["2026", "一年级", "一年级1班", "S1", "乙", "男", "", "", "", "", ""],
        ["2026", "一年级", "一年级1班", "S4", "丙", "男", "2019-02-30", "", "", "", ""],
        ["2026", "一年级", "一年级1班", "S5", "丁", "未知", "", "", "", "", ""],
        ["2026", "一年级", "一年级1班", "S6", "戊" * 41, "女", "", "", "", "", ""],
        ["2026", "一年级", "一年级1班", "S7", "己", "女", "", "也许", "", "", ""],
        ["2026-2028", "一年级", "一年级1班", "S 8", "庚", "女", "2099-01-01", "", "", "", ""],
        ["2026", "二年级", "一年级1班", "S9", "辛", "女", "", "", "", "", ""],
        ["2026", "一年级", "一年级1班", "S10", "壬", "女", "", "", "", "", ""],
    ]
    response = upload(_csv(rows))
    assert response.status_code == 422
    assert response.json["code"] == "roster_invalid"
    listed = {(e["row"], e["column"]) for e in response.json["errors"]["rows"]}
    assert listed == {
        (2, "姓名"),
        (3, "年级"),
        (4, "学号"),
        (5, "出生日期"),
        (6, "性别"),
        (7, "姓名"),
        (8, "留守儿童"),
        (9, "学年"),
        (9, "学号"),
        (9, "出生日期"),
        (10, "年级"),
    }
    reasons = {(e["row"], e["column"]): e["reason"] for e in response.json["errors"]["rows"]}
    assert reasons[(4, "学号")] == "学号与第 2 行重复"
    assert reasons[(6, "性别")] == "性别应为“男”或“女”"
    assert "过长" in reasons[(7, "姓名")]
    assert response.json["message"].startswith("有 9 行数据有误")
    assert _students(db, world.school).keys() == {world.child_a.student_no, world.child_b.student_no}
    assert "一年级1班" not in _classes(db, world.school)


def test_a_known_student_number_updates_and_moves_the_student(upload, world, make, db):
    unbound = make.student(world.class_b, name="旧名字", student_no="S2026001")
    make.db.session.commit()
    response = upload(_csv(ROWS))
    assert response.json["students_created"] == 2 and response.json["students_updated"] == 1
    db.session.expire_all()
    assert unbound.name == "赵一" and unbound.school_class.name == "一年级1班"
    again = upload(_csv(ROWS))
    assert again.json["classes_created"] == 0 and again.json["students_unchanged"] == 3


def test_a_bound_student_is_not_renamed_by_a_typo(upload, world, db):
    rows = [["2026", "三年级", world.class_a.name, world.child_a.student_no, "张大明", "男", "", "", "", "", ""]]
    response = upload(_csv(rows))
    assert response.status_code == 422
    [error] = response.json["errors"]["rows"]
    assert error["row"] == 2 and error["column"] == "姓名"
    db.session.expire_all()
    assert world.child_a.name == "张小明"


def test_same_name_keeps_a_bound_student_and_leaves_missing_flag_columns_alone(upload, world, db):
    rows = [["2026", "三年级", world.class_b.name, world.child_a.student_no, "张小明"]]
    response = upload(_csv(rows, header=["学年", "年级", "班级", "学号", "姓名"]))
    assert response.json["students_updated"] == 1
    db.session.expire_all()
    assert world.child_a.class_id == world.class_b.id and world.child_a.left_behind is True


def test_grade_must_agree_with_an_existing_class(upload, world):
    rows = [["2026", "五年级", world.class_a.name, "S999", "新同学", "男", "", "", "", "", ""]]
    response = upload(_csv(rows))
    assert response.status_code == 422
    assert "三年级" in response.json["errors"]["rows"][0]["reason"]


def test_dry_run_counts_without_writing(upload, world, db):
    response = upload(_csv(ROWS), dry_run="true")
    assert response.status_code == 200
    assert response.json["dry_run"] is True and response.json["students_created"] == 3
    assert response.json["classes_created"] == 2
    assert "S2026001" not in _students(db, world.school)
    assert "一年级1班" not in _classes(db, world.school)


def test_header_problems_are_file_errors(upload):
    response = upload(_csv([["2026", "一年级"]], header=["学年", "年级"]))
    assert response.status_code == 422 and response.json["code"] == "roster_bad_header"
    assert "班级、学号、姓名" in response.json["message"]
    extra = upload(_csv([r + ["x"] for r in ROWS], header=HEADER + ["备注"]))
    assert extra.json["ignored_columns"] == ["备注"]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "roster_empty"),
        (_csv([]), "roster_empty"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, "roster_unsupported_format"),
        (b"PK\x03\x04not really a workbook", "roster_bad_xlsx"),
        (b"\xff\xfe\xfa\xfb\x81", "roster_bad_encoding"),
    ],
)
def test_unreadable_files_are_refused(upload, data, code):
    response = upload(data)
    assert response.status_code == 422
    assert response.json["code"] == code


def test_size_and_row_limits(upload, monkeypatch):
    monkeypatch.setattr(roster_files, "MAX_FILE_BYTES", 200)
    assert upload(_csv(ROWS * 3)).json["code"] == "roster_file_too_large"
    assert upload(_csv(ROWS * 3)).status_code == 413
    monkeypatch.setattr(roster_files, "MAX_FILE_BYTES", 2 * 1024 * 1024)
    rows = [["2026", "一年级", "一年级1班", f"N{i}", "某某", "", "", "", "", "", ""] for i in range(5001)]
    response = upload(_csv(rows))
    assert response.status_code == 422 and response.json["code"] == "roster_too_many_rows"


def test_the_file_field_is_required(call, world):
    path = f"/api/v1/schools/{world.school.id}/roster-import"
    response = call("POST", path, world.school_admin, data={"dry_run": "true"}, content_type="multipart/form-data")
    assert response.status_code == 422
    response = call("POST", path, world.school_admin, data={"file": "not a file"}, content_type="multipart/form-data")
    assert response.status_code == 422


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("teacher_a", 403),
        ("alliance_admin", 403),
        ("region_admin", 403),
        ("guardian_a", 404),
        ("other_school_admin", 404),
        ("venue_staff", 404),
        ("other_region_admin", 404),
        ("stranger", 404),
    ],
)
def test_only_the_school_admin_imports(upload, world, db, who, status):
    assert upload(_csv(ROWS), user=getattr(world, who)).status_code == status
    assert "S2026001" not in _students(db, world.school)


def test_anonymous_import_is_refused(client, world):
    response = client.post(
        f"/api/v1/schools/{world.school.id}/roster-import",
        data={"file": (io.BytesIO(_csv(ROWS)), "r.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 401


def test_flag_changes_by_an_import_are_audited_per_child(upload, world, db):
    from jlt_family.core.models import AuditLog

    rows = [
        [
            "2026",
            "三年级",
            world.class_b.name,
            world.child_b.student_no,
            world.child_b.name,
            "",
            "",
            "是",
            "否",
            "是",
            "否",
        ]
    ]
    assert upload(_csv(rows)).json["students_updated"] == 1
    [entry] = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "update_student_flags")).all()
    assert (entry.subject_id, entry.actor_user_id) == (world.child_b.id, world.school_admin.id)
    assert entry.detail["old"]["left_behind"] is False and entry.detail["new"]["left_behind"] is True
    assert entry.detail["new"]["in_difficulty"] is True and entry.detail["source"] == "roster_import"
