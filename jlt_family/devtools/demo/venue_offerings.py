"""The venue demo's fixed data: its accounts and the offerings of each unit, with their weekly rules."""

from jlt_family.venues.models import OfferingKind, PriceKind

VENUE_DEMO_ACCOUNTS = {
    "demo-venue-staff": "场馆工作人员：兴安盟科技馆（预约单、确认、核销）",
    "demo-venue-staff-2": "场馆工作人员：兴安盟博物馆",
    "demo-venue-staff-3": "场馆工作人员：科尔沁右翼前旗青少年活动中心（第二个教联体）",
}


# unit name, title, kind, (weekdays, "HH:MM"...), capacity, green, extra fields
OFFERINGS = (
    (
        "兴安盟科技馆",
        "展厅参观",
        OfferingKind.EXHIBITION,
        ((1, 2, 3, 4, 5, 6), ("09:30", "14:00")),
        60,
        20,
        {
            "duration_minutes": 120,
            "green_release_minutes": 24 * 60,
            "needs_confirmation": True,
            "description": "常设展厅：宇宙与航天、机器人、生命科学。",
        },
    ),
    (
        "兴安盟科技馆",
        "周六科普讲座",
        OfferingKind.LECTURE,
        ((5,), ("10:00",)),
        40,
        15,
        {"duration_minutes": 90, "min_grade": 3, "max_grade": 6, "description": "面向小学三至六年级的科普讲座。"},
    ),
    (
        "兴安盟博物馆",
        "红色文化研学",
        OfferingKind.STUDY_TOUR,
        ((5, 6), ("09:00",)),
        30,
        10,
        {
            "duration_minutes": 150,
            "price_kind": PriceKind.DISCOUNT,
            "price_cents": 3000,
            "student_price_cents": 1500,
            "description": "讲解员带领参观红色文化展区，学生半价，绿色通道免费。",
        },
    ),
    (
        "乌兰浩特市全民健身中心",
        "周末羽毛球场",
        OfferingKind.SPORTS,
        ((5, 6), ("08:00", "10:00")),
        16,
        8,
        {"duration_minutes": 120, "max_party": 4, "needs_confirmation": False, "green_release_minutes": 12 * 60},
    ),
    (
        "乌兰浩特市消防救援大队和平路消防救援站",
        "消防站开放日",
        OfferingKind.OPEN_DAY,
        ((5,), ("09:00",)),
        50,
        30,
        {"duration_minutes": 120, "description": "参观消防车、体验灭火器使用和应急疏散。"},
    ),
    (
        "科尔沁右翼前旗青少年活动中心",
        "少年宫科技社团体验",
        OfferingKind.LECTURE,
        ((5, 6), ("14:30",)),
        24,
        12,
        {"duration_minutes": 90, "min_grade": 1, "max_grade": 9},
    ),
)
