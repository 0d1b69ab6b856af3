"""资源目录清单演示数据: the county resource catalogue of 乌兰浩特市 made realistic.

On top of the base demo's five units (and the venue demo's offerings at four of them) this adds the county's other
resource units: a 爱国主义教育基地, a 美术馆, a 少年宫, a 儿童活动中心, a hospital, a college, a 科普基地 and an
enterprise, each with weekly offerings; those that joined 乌兰浩特市第一小学教联体 keep green-channel places for its
pupils, the others do not. The library of the base demo gets its reading sessions, and a branch library closed
for renovation is inactive (only administrators see it). Slots are generated over the horizon, so each offering
shows its next open slot. Adds rows and flushes.
"""

import datetime as dt

import sqlalchemy as sa

from jlt_family.alliances.models import Alliance, AllianceMember, MemberKind
from jlt_family.core.extensions import db
from jlt_family.core.timeutil import utcnow
from jlt_family.organizations.models import Region, ResourceUnit, ResourceUnitKind
from jlt_family.venues import slots as slot_rules
from jlt_family.venues.models import Offering, OfferingKind, OpeningRule, PriceKind

COUNTY_CODE = "152201"  # 乌兰浩特市

# name, kind, address, opening info, description, contact person, phone, joins the alliance, active
UNITS = (
    (
        "内蒙古自治政府成立大会会址（五一会址）",
        ResourceUnitKind.PATRIOTIC_BASE,
        "乌兰浩特市五一北路 1 号",
        "周二至周日 9:00–16:30，周一闭馆；团体参观提前三天预约",
        "内蒙古自治政府成立旧址，全国爱国主义教育示范基地，设红色讲解员",
        "王海燕",
        "0482-8261947",
        True,
        True,
    ),
    (
        "兴安盟美术馆",
        ResourceUnitKind.ART_GALLERY,
        "乌兰浩特市兴安盟文化中心二楼",
        "周二至周日 9:30–17:00，节假日照常开放",
        "常设蒙古族传统美术展，周末开设少儿美术工作坊",
        "乌云",
        "0482-8262233",
        False,
        True,
    ),
    (
        "乌兰浩特市青少年宫",
        ResourceUnitKind.YOUTH_PALACE,
        "乌兰浩特市兴安南大路 66 号",
        "周末 8:30–17:00；寒暑假周一至周五 9:00–16:00",
        "书法、民族舞蹈、科技社团等公益课程",
        "白丽娜",
        "0482-8211234",
        True,
        True,
    ),
    (
        "乌兰浩特市儿童活动中心",
        ResourceUnitKind.CHILDREN_CENTRE,
        "乌兰浩特市罕山公园东门",
        "周三至周日 9:00–17:00",
        "面向学龄前儿童和低年级学生的亲子游戏与科学启蒙",
        "刘春艳",
        "0482-8213366",
        True,
        True,
    ),
    (
        "兴安盟人民医院",
        ResourceUnitKind.MEDICAL,
        "乌兰浩特市兴安北大路 10 号",
        "健康科普讲座每周六下午，地点门诊楼五楼报告厅",
        "儿童急救、近视防控、青春期健康科普",
        "陈医生",
        "0482-8226120",
        False,
        True,
    ),
    (
        "兴安职业技术学院",
        ResourceUnitKind.UNIVERSITY,
        "乌兰浩特市职教园区学府路 1 号",
        "研学基地周六开放，需学校组织团体预约",
        "农牧业实训基地、智能制造实训中心向中学生开放",
        "张建国",
        "0482-8335500",
        True,
        True,
    ),
    (
        "兴安盟气象科普基地",
        ResourceUnitKind.SCIENCE_BASE,
        "乌兰浩特市气象局观测场",
        "每月第二、四个周六 9:00–11:00 开放",
        "观测场、天气预报制作演示，世界气象日全天开放",
        "高志勇",
        "0482-8217700",
        False,
        True,
    ),
    (
        "乌兰浩特市现代农业科技示范园",
        ResourceUnitKind.ENTERPRISE,
        "乌兰浩特市义勒力特镇",
        "4 月至 10 月周末开放",
        "设施农业、稻田养蟹劳动教育实践基地",
        "于德江",
        "0482-8358800",
        False,
        True,
    ),
    (
        "乌兰浩特市少儿图书馆东城分馆",
        ResourceUnitKind.LIBRARY,
        "乌兰浩特市东城区胜利路 20 号",
        "馆舍改造，暂停开放，预计 2027 年春季恢复",
        "少儿借阅与亲子绘本馆",
        "赵淑芬",
        "0482-8266405",
        True,
        False,
    ),
)

# unit, title, kind, weekdays, start times, minutes, capacity, green quota, grades, (price kind, cents, cents), text
OFFERINGS = (
    (
        "内蒙古自治政府成立大会会址（五一会址）",
        "红色讲解：自治政府成立的故事",
        OfferingKind.STUDY_TOUR,
        (1, 2, 3, 4, 5, 6),
        ("09:30", "14:30"),
        60,
        40,
        15,
        (1, 12),
        (PriceKind.FREE, 0, 0),
        "讲解员带领参观旧址，讲述内蒙古自治政府成立历史。",
    ),
    (
        "兴安盟美术馆",
        "少儿美术工作坊",
        OfferingKind.LECTURE,
        (5, 6),
        ("14:00",),
        90,
        20,
        0,
        (1, 6),
        (PriceKind.DISCOUNT, 4000, 2000),
        "在老师指导下临摹蒙古族图案，材料费学生半价。",
    ),
    (
        "兴安盟美术馆",
        "常设展览参观",
        OfferingKind.EXHIBITION,
        (1, 2, 3, 4, 5, 6),
        ("10:00",),
        60,
        60,
        0,
        (None, None),
        (PriceKind.FREE, 0, 0),
        "蒙古族传统美术常设展。",
    ),
    (
        "乌兰浩特市青少年宫",
        "周末书法社团体验",
        OfferingKind.LECTURE,
        (5, 6),
        ("09:00",),
        90,
        24,
        8,
        (3, 9),
        (PriceKind.FREE, 0, 0),
        "软笔书法入门，笔墨纸砚由青少年宫提供。",
    ),
    (
        "乌兰浩特市青少年宫",
        "民族舞蹈体验课",
        OfferingKind.LECTURE,
        (6,),
        ("14:30",),
        90,
        20,
        6,
        (1, 6),
        (PriceKind.FREE, 0, 0),
        "蒙古族舞蹈基本动作体验。",
    ),
    (
        "乌兰浩特市儿童活动中心",
        "亲子科学游戏",
        OfferingKind.OPEN_DAY,
        (2, 4, 5, 6),
        ("10:00", "15:00"),
        60,
        30,
        10,
        (-3, 2),
        (PriceKind.FREE, 0, 0),
        "家长陪同，幼儿园和一二年级小朋友动手做科学小实验。",
    ),
    (
        "兴安盟人民医院",
        "儿童急救知识讲座",
        OfferingKind.LECTURE,
        (5,),
        ("15:00",),
        90,
        80,
        0,
        (4, 9),
        (PriceKind.FREE, 0, 0),
        "海姆立克急救法、心肺复苏演示与练习。",
    ),
    (
        "兴安职业技术学院",
        "农牧业科技研学",
        OfferingKind.STUDY_TOUR,
        (5,),
        ("09:00",),
        180,
        50,
        20,
        (7, 12),
        (PriceKind.DISCOUNT, 4000, 2000),
        "参观实训基地，体验智慧牧场，学生优惠，绿色通道免费。",
    ),
    (
        "兴安盟气象科普基地",
        "气象观测站开放日",
        OfferingKind.OPEN_DAY,
        (5,),
        ("09:00",),
        120,
        40,
        0,
        (3, 9),
        (PriceKind.FREE, 0, 0),
        "参观观测场，了解天气预报如何制作。",
    ),
    (
        "乌兰浩特市现代农业科技示范园",
        "稻田劳动教育实践",
        OfferingKind.STUDY_TOUR,
        (5, 6),
        ("08:30",),
        180,
        40,
        0,
        (3, 9),
        (PriceKind.DISCOUNT, 5000, 3000),
        "插秧、稻田养蟹观察，午餐自理。",
    ),
    (
        "兴安盟图书馆",
        "周末亲子阅读会",
        OfferingKind.READING,
        (5, 6),
        ("10:00",),
        60,
        30,
        10,
        (-3, 6),
        (PriceKind.FREE, 0, 0),
        "少儿阅览区绘本共读，每期一个主题。",
    ),
    (
        "乌兰浩特市少儿图书馆东城分馆",
        "绘本故事会",
        OfferingKind.READING,
        (6,),
        ("10:00",),
        60,
        20,
        5,
        (-3, 3),
        (PriceKind.FREE, 0, 0),
        "改造期间暂停。",
    ),
)


def seed():
    """Add the catalogue demo on top of the base and venue demos (flushes, never commits)."""
    county = db.session.scalar(sa.select(Region).where(Region.code == COUNTY_CODE))
    alliance = db.session.scalar(sa.select(Alliance).where(Alliance.region_id == county.id).order_by(Alliance.id))
    units = {}
    for name, kind, address, opening, description, person, phone, joins, active in UNITS:
        unit = ResourceUnit(
            name=name,
            kind=kind,
            region=county,
            address=address,
            opening_info=opening,
            description=description,
            contact_person=person,
            contact_phone=phone,
            is_active=active,
        )
        db.session.add(unit)
        units[name] = unit
        if joins:
            db.session.add(
                AllianceMember(
                    alliance=alliance,
                    kind=MemberKind.RESOURCE_UNIT,
                    resource_unit=unit,
                    name=name,
                    duties="为教联体学生预留绿色通道名额，开展校外实践活动",
                    cooperation="学校团体预约与家长带孩子预约相结合",
                    responsible_person=person,
                    contact_phone=phone,
                )
            )
    db.session.flush()
    units.update(
        {
            u.name: u
            for u in db.session.scalars(
                sa.select(ResourceUnit).where(
                    ResourceUnit.region_id == county.id, ResourceUnit.name.not_in(list(units))
                )
            )
        }
    )
    offerings = []
    for unit_name, title, kind, weekdays, times, minutes, capacity, green, grades, price, text in OFFERINGS:
        price_kind, price_cents, student_cents = price
        offering = Offering(
            resource_unit=units[unit_name],
            title=title,
            kind=kind,
            description=text,
            duration_minutes=minutes,
            capacity=capacity,
            green_quota=green,
            min_grade=grades[0],
            max_grade=grades[1],
            price_kind=price_kind,
            price_cents=price_cents,
            student_price_cents=student_cents,
            booking_opens_days=21,
            rules=[OpeningRule(weekday=day, start_time=dt.time.fromisoformat(at)) for day in weekdays for at in times],
        )
        db.session.add(offering)
        offerings.append(offering)
    db.session.flush()
    now = utcnow()
    slots = sum(slot_rules.generate_slots(offering, now) for offering in offerings if offering.resource_unit.is_active)
    db.session.flush()
    return {"catalogue_units": len(UNITS), "catalogue_offerings": len(offerings), "catalogue_slots": slots}
