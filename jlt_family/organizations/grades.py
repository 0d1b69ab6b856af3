"""年级: grade numbers and their Chinese names.

1–12 for 一年级 … 高三 (7–9 are 初一 … 初三, also written 七年级 … 九年级); -3, -2, -1 for 幼儿园 小班, 中班, 大班.
"""

import re

_DIGITS = "一二三四五六七八九"
PRESCHOOL = {-3: "小班", -2: "中班", -1: "大班"}
SECONDARY = {7: "初一", 8: "初二", 9: "初三", 10: "高一", 11: "高二", 12: "高三"}
VALID_GRADES = frozenset(PRESCHOOL) | frozenset(range(1, 13))


def grade_label(grade: int) -> str:
    """The usual name of a grade: 3 → 三年级, 8 → 初二, -1 → 大班."""
    if grade in PRESCHOOL:
        return PRESCHOOL[grade]
    if grade in SECONDARY:
        return SECONDARY[grade]
    if 1 <= grade <= 6:
        return f"{_DIGITS[grade - 1]}年级"
    return str(grade)


_ALIASES = {label: grade for grade, label in (PRESCHOOL | SECONDARY).items()}
_ALIASES.update({f"{_DIGITS[n - 1]}年级": n for n in range(1, 10)})
_ALIASES.update({f"幼儿园{label}": grade for grade, label in PRESCHOOL.items()})
_ALIASES.update({f"{label}年级": grade for grade, label in SECONDARY.items()})  # 初一年级, 高三年级
_NUMERIC = re.compile(r"^(\d{1,2})\s*(年级)?$")


def parse_grade(value: str | None) -> int | None:
    """A grade from what a roster says (三年级, 初一, 高三, 小班, 3, 3年级); ``None`` if it is not a grade."""
    value = (value or "").strip().replace(" ", "")
    if value in _ALIASES:
        return _ALIASES[value]
    match = _NUMERIC.match(value)
    if match and int(match.group(1)) in VALID_GRADES:
        return int(match.group(1))
    return None
