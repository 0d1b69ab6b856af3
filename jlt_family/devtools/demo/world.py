"""The demo world's fixed data: its regions, schools, units, staff, classes, names and the demo accounts."""

from jlt_family.alliances.models import MemberKind
from jlt_family.organizations.models import (
    RegionLevel,
    ResourceUnitKind,
    SchoolKind,
    StaffRole,
)
from jlt_family.organizations.students import Gender

SEED = 20260901


SCHOOL_YEAR = 2026


BOUND_SHARE = 0.7  # share of the other students whose family already uses the mini-program


# The accounts a person trying the demo signs in as (openid → who it is).
DEMO_ACCOUNTS = {
    "demo-parent-1": "家长：母亲，两个孩子（一小三年级(1)班、一幼大一班）",
    "demo-parent-2": "家长：父亲，在外务工；孩子是留守儿童，已提交委托照护",
    "demo-parent-3": "新家长：绑定申请待班主任审核（三年级(1)班）",
    "demo-parent-4": "新家长：绑定申请待班主任审核（三年级(2)班）",
    "demo-teacher-1": "班主任：一小三年级(1)班",
    "demo-teacher-2": "科任教师（数学）：一小三年级(1)班、(2)班",
    "demo-school-admin": "学校管理员：乌兰浩特市第一小学",
    "demo-venue-staff": "场馆工作人员：兴安盟科技馆",
    "demo-alliance-admin": "教联体管理员：乌兰浩特市第一小学教联体",
    "demo-region-admin": "教育局管理员：乌兰浩特市",
}


REGIONS = (
    # key, 行政区划代码, name, level, parent key
    ("province", "150000", "内蒙古自治区", RegionLevel.PROVINCE, None),
    ("city", "152200", "兴安盟", RegionLevel.CITY, "province"),
    ("county", "152201", "乌兰浩特市", RegionLevel.COUNTY, "city"),
    ("other_county", "152221", "科尔沁右翼前旗", RegionLevel.COUNTY, "city"),
)


SCHOOLS = (
    # key, name, kind, region key, in the alliance, centre, address
    ("yixiao", "乌兰浩特市第一小学", SchoolKind.PRIMARY, "county", True, True, "乌兰浩特市和平街道兴安南大路16号"),
    ("sizhong", "乌兰浩特市第四中学", SchoolKind.JUNIOR, "county", True, True, "乌兰浩特市和平街道罕山路9号"),
    ("qixiao", "乌兰浩特市第七小学", SchoolKind.PRIMARY, "county", True, False, "乌兰浩特市都林街道都林路32号"),
    ("yiyou", "乌兰浩特市第一幼儿园", SchoolKind.KINDERGARTEN, "county", True, False, "乌兰浩特市兴安街道五一北路7号"),
    ("kyq", "科尔沁右翼前旗第一小学", SchoolKind.PRIMARY, "other_county", False, False, "科尔沁右翼前旗大坝沟镇"),
)


UNITS = (
    # key, name, kind, address, opening info, contact person, phone, duties, cooperation
    (
        "science",
        "兴安盟科技馆",
        ResourceUnitKind.SCIENCE_MUSEUM,
        "乌兰浩特市兴安盟行政中心东侧",
        "周二至周日 9:00–16:30 开放，周一闭馆；学生团体提前三天预约",
        "孙晓峰",
        "0482-8266101",
        "开设科普课堂，为学生团体预留参观名额（绿色通道）",
        "学校组织团体参观与家长带孩子预约参观，每学期联合举办一次科技节",
    ),
    (
        "museum",
        "兴安盟博物馆",
        ResourceUnitKind.MUSEUM,
        "乌兰浩特市成吉思汗公园南侧",
        "周二至周日 9:00–17:00，免费参观，需实名预约",
        "包玉兰",
        "0482-8266202",
        "提供红色文化与地方历史研学课程，培训小讲解员",
        "研学课程进校园，寒暑假开设亲子研学日",
    ),
    (
        "sports",
        "乌兰浩特市全民健身中心",
        ResourceUnitKind.SPORTS_VENUE,
        "乌兰浩特市五一南大街88号",
        "每日 8:00–21:00；周末上午为中小学生免费时段",
        "刘建军",
        "0482-8266303",
        "为学校体育教学和课后锻炼提供场地，周末向学生免费开放",
        "学校课后服务借用场地，家长周末预约亲子运动时段",
    ),
    (
        "library",
        "兴安盟图书馆",
        ResourceUnitKind.LIBRARY,
        "乌兰浩特市兴安北大路2号",
        "周二至周日 9:00–20:00，少儿阅览区周末开放",
        "赵淑芬",
        "0482-8266404",
        "开展亲子阅读活动，为学校送书进校园",
        "每月一次亲子阅读会，学校班级集体办理借阅证",
    ),
    (
        "fire",
        "乌兰浩特市消防救援大队和平路消防救援站",
        ResourceUnitKind.FIRE_STATION,
        "乌兰浩特市和平路118号",
        "每月第一个周六 9:00–11:00 开放日，学校团体可另约",
        "周志强",
        "0482-8266119",
        "开展消防安全检查及消防安全宣传教育，配合学校开展应急疏散演练",
        "每学期一次消防演练指导，开放日接待学生和家长",
    ),
)


OTHER_MEMBERS = (
    # kind, name, duties, cooperation, responsible person, phone
    (
        MemberKind.COMMUNITY,
        "和平街道兴安社区",
        "依托社区家长学校开展家庭教育指导，关爱留守儿童和困境儿童",
        "社区网格员与班主任联合家访，每月一次家长课堂",
        "陈秀梅",
        "0482-8213355",
    ),
    (
        MemberKind.DEPARTMENT,
        "乌兰浩特市民政局",
        "统筹留守儿童、困境儿童关爱保护，落实监护责任",
        "每学期与学校核对困境儿童名单，联合开展帮扶",
        "何振华",
        "0482-8227766",
    ),
)


STAFF = (
    # openid, name, phone
    ("demo-teacher-1", "王丽华", "13904821101"),
    ("demo-teacher-2", "张志刚", "13904821102"),
    ("demo-teacher-3", "刘晓燕", "13904821103"),
    ("demo-teacher-4", "包金花", "13904821104"),
    ("demo-teacher-5", "赵海涛", "13904821105"),
    ("demo-teacher-6", "孙婷婷", "13904821106"),
    ("demo-teacher-7", "李静", "13904821107"),
    ("demo-teacher-8", "杨宏伟", "13904821108"),
    ("demo-teacher-9", "韩雪梅", "13904821109"),
    ("demo-school-admin", "高建国", "13904821201"),
    ("demo-school-admin-2", "白玉珍", "13904821202"),
    ("demo-school-admin-3", "吴春霞", "13904821203"),
    ("demo-venue-staff", "孙晓峰", "13904821301"),
    ("demo-alliance-admin", "郭文斌", "13904821401"),
    ("demo-region-admin", "马志远", "13904821501"),
)


GRANTS = (
    # openid, role, scope kind, scope key
    ("demo-teacher-1", StaffRole.TEACHER, "school", "yixiao"),
    ("demo-teacher-2", StaffRole.TEACHER, "school", "yixiao"),
    ("demo-teacher-3", StaffRole.TEACHER, "school", "yixiao"),
    ("demo-teacher-4", StaffRole.TEACHER, "school", "yixiao"),
    ("demo-teacher-7", StaffRole.TEACHER, "school", "yixiao"),
    ("demo-teacher-8", StaffRole.TEACHER, "school", "yixiao"),
    ("demo-teacher-5", StaffRole.TEACHER, "school", "sizhong"),
    ("demo-teacher-9", StaffRole.TEACHER, "school", "sizhong"),
    ("demo-teacher-6", StaffRole.TEACHER, "school", "yiyou"),
    ("demo-school-admin", StaffRole.SCHOOL_ADMIN, "school", "yixiao"),
    ("demo-school-admin-2", StaffRole.SCHOOL_ADMIN, "school", "sizhong"),
    ("demo-school-admin-3", StaffRole.SCHOOL_ADMIN, "school", "yiyou"),
    ("demo-venue-staff", StaffRole.VENUE_STAFF, "unit", "science"),
    ("demo-alliance-admin", StaffRole.ALLIANCE_ADMIN, "alliance", "alliance"),
    ("demo-region-admin", StaffRole.REGION_ADMIN, "region", "county"),
)


CLASSES = (
    # key, school key, grade, name, invite code, homeroom openid, (subject, teacher openid)..., size
    (
        "3-1",
        "yixiao",
        3,
        "三年级(1)班",
        "YX3A1K7M",
        "demo-teacher-1",
        (("数学", "demo-teacher-2"), ("英语", "demo-teacher-7")),
        40,
    ),
    (
        "3-2",
        "yixiao",
        3,
        "三年级(2)班",
        "YX3B2Q4N",
        "demo-teacher-3",
        (("数学", "demo-teacher-2"), ("英语", "demo-teacher-7")),
        40,
    ),
    (
        "5-1",
        "yixiao",
        5,
        "五年级(1)班",
        "YX5A1R8T",
        "demo-teacher-4",
        (("数学", "demo-teacher-8"), ("英语", "demo-teacher-7")),
        41,
    ),
    ("7-3", "sizhong", 7, "七年级(3)班", "SZ7C3W2P", "demo-teacher-5", (("数学", "demo-teacher-9"),), 42),
    ("k-1", "yiyou", -1, "大班(1)班", "YY0A1H5D", "demo-teacher-6", (), 30),
)


SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴"
    "夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段钱汤尹黎易常武乔贺赖龚文包鲍佟"
)


CHILD_GIVEN = {
    Gender.MALE: (
        "子轩",
        "浩宇",
        "宇轩",
        "浩然",
        "俊杰",
        "博文",
        "泽宇",
        "睿哲",
        "明辰",
        "嘉豪",
        "一鸣",
        "思远",
        "天佑",
        "皓轩",
        "锦程",
        "瑞霖",
        "梓豪",
        "子墨",
        "宇航",
        "晨阳",
        "铭泽",
        "昊然",
        "致远",
        "文博",
        "家乐",
        "明轩",
        "俊熙",
        "煜",
        "阳",
        "磊",
        "鑫",
        "凯",
    ),
    Gender.FEMALE: (
        "欣怡",
        "梓涵",
        "雨萱",
        "诗琪",
        "思彤",
        "佳怡",
        "若汐",
        "可馨",
        "紫萱",
        "梦瑶",
        "语嫣",
        "雅静",
        "心怡",
        "嘉欣",
        "芷若",
        "晓彤",
        "一诺",
        "雨桐",
        "依依",
        "静怡",
        "诗涵",
        "梓萱",
        "欣妍",
        "婉清",
        "悦",
        "萌",
        "琳",
        "妍",
    ),
}


MONGOLIAN_GIVEN = {
    Gender.MALE: ("巴特尔", "额尔敦", "那日苏", "阿拉坦", "苏和", "布和", "朝鲁", "乌力吉", "特木尔", "孟和"),
    Gender.FEMALE: ("其其格", "乌日娜", "苏日娜", "萨仁", "斯琴", "娜仁", "高娃", "塔娜", "乌兰", "托娅"),
}


MONGOLIAN_SURNAMES = "包白韩"


ADULT_GIVEN = {
    Gender.MALE: ("伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "建华", "志强", "海军", "永刚", "晓东", "国庆"),
    Gender.FEMALE: ("娜", "敏", "静", "丽", "艳", "婷", "霞", "芳", "秀英", "丽娟", "晓红", "春燕", "海燕", "玉兰"),
}


ELDER_GIVEN = {
    Gender.MALE: ("福贵", "宝山", "德明", "长林", "振国", "玉林", "占山"),
    Gender.FEMALE: ("桂兰", "秀兰", "淑珍", "玉梅", "凤英", "桂芝", "素芬"),
}


STREETS = (
    ("和平街道", ("兴安社区", "和平社区", "铁西社区")),
    ("兴安街道", ("团结社区", "五一社区")),
    ("都林街道", ("都林社区", "民主社区")),
    ("爱国街道", ("爱国社区", "新城社区")),
)


def _student_no(grade, class_key, seat):
    """学号: school year, grade (幼儿园 as 0), class and seat, e.g. 2026030101."""
    class_no = int(class_key.split("-")[1])
    return f"{SCHOOL_YEAR}{max(grade, 0):02d}{class_no:02d}{seat:02d}"
