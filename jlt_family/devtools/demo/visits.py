"""演示数据: home visits on top of the demo world, in every state, and classes at different coverage levels.

- 三年级(1)班 about 60% visited; demo-parent-1 has a proposal waiting for an answer, demo-parent-2 (a left-behind
  child) a scheduled home visit; demo-teacher-1, the 班主任, has two answers to give: a family's counter-proposal
  to move a scheduled visit (改期申请) and a family's own time for a proposal (家长另提时间).
- 三年级(2)班 about 25% with a cancelled and a declined visit and a proposal awaiting the family; 五年级(1)班 none
  yet; 七年级(3)班 about 90%; 大班(1)班 about 10%.
- Completed visits carry a record (notes, summary, a follow-up owned by the 班主任, every other one done); some
  have family feedback.
Times are relative to now (completed ones in the past, open ones in the coming days, 10:00–17:00 Shanghai); the
school year is the demo classes' own.
"""

import datetime as dt

import sqlalchemy as sa

from jlt_family.auth.models import User
from jlt_family.core.extensions import db
from jlt_family.core.timeutil import SHANGHAI, utcnow
from jlt_family.families.models import Guardian
from jlt_family.organizations.models import SchoolClass
from jlt_family.organizations.students import Student
from jlt_family.visits.models import (
    FollowUpAction,
    HomeVisit,
    Side,
    VisitAction,
    VisitEvent,
    VisitFeedback,
    VisitMode,
    VisitParticipant,
    VisitPurpose,
    VisitRecord,
    VisitState,
    VisitWindow,
)

# invite code of the class → share of its students with a completed visit
COVERAGE = {"YX3A1K7M": 0.6, "YX3B2Q4N": 0.25, "YX5A1R8T": 0.0, "SZ7C3W2P": 0.9, "YY0A1H5D": 0.1}
MODES = (VisitMode.HOME, VisitMode.HOME, VisitMode.SCHOOL, VisitMode.ONLINE, VisitMode.PHONE)
PURPOSES = tuple(VisitPurpose)
NOTES = (
    "孩子作息规律，家长重视阅读；祖辈照看较多，沟通了电子产品使用。",
    "父母工作忙，作业多由孩子独立完成；约定每周与班主任沟通一次。",
    "家庭氛围和睦，孩子性格内向，建议多参加集体活动。",
)
SUMMARIES = (
    "感谢配合！孩子在校表现积极，建议每天固定30分钟亲子阅读。",
    "孩子近期进步明显，请继续关注作业习惯，有问题随时联系。",
    "建议周末多带孩子参加户外活动，学校将提供更多展示机会。",
)


def _day_at(days, hour):
    """An aware datetime ``days`` from today (Shanghai) at ``hour``:00."""
    day = utcnow().astimezone(SHANGHAI).date() + dt.timedelta(days=days)
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


class _VisitSeeder:
    def __init__(self):
        self.counts = dict.fromkeys(VisitState, 0)
        self.future_slot = 0

    def run(self):
        classes = db.session.scalars(
            sa.select(SchoolClass).where(SchoolClass.invite_code.in_(list(COVERAGE))).order_by(SchoolClass.id)
        ).all()
        for school_class in classes:
            self.seed_class(school_class)
        db.session.flush()
        return {f"home_visits_{state.value}": n for state, n in self.counts.items()}

    def seed_class(self, school_class):
        roster = db.session.scalars(
            sa.select(Student).where(Student.class_id == school_class.id).order_by(Student.student_no)
        ).all()
        if not roster or school_class.homeroom_teacher_id is None:
            return
        visited = round(len(roster) * COVERAGE[school_class.invite_code])
        # The demo families' seats (0, 1) stay open in 三年级(1)班: completed visits start after them.
        order = roster[2:] + roster[:2]
        for index, student in enumerate(order[:visited]):
            self.completed(school_class, student, index)
        if school_class.invite_code == "YX3A1K7M":
            self.proposed(school_class, roster[0])
            self.scheduled(school_class, roster[1])
            # Two more families, neither a demo account's (their screens are counted by other demos).
            others = [s for s in order[visited:-2] if s.family_id is not None]
            if len(others) >= 2:
                self.move_requested(school_class, others[0])
                self.suggested(school_class, others[1])
        if school_class.invite_code == "YX3B2Q4N":
            self.closed(school_class, order[visited], VisitState.CANCELLED, "家中临时有事，改约下学期")
            self.closed(school_class, order[visited + 1], VisitState.DECLINED, "近期外出务工，暂不方便")
            self.proposed(school_class, order[visited + 2])

    def _visit(self, school_class, student, state, mode, index, starts_at=None):
        teacher_id = school_class.homeroom_teacher_id
        visit = HomeVisit(
            student=student,
            school_id=school_class.school_id,
            class_id=school_class.id,
            school_year=school_class.school_year,
            mode=mode,
            purpose=PURPOSES[index % len(PURPOSES)],
            note_to_family="想和您聊聊孩子最近的学习和生活，请选择方便的时间。",
            state=state,
            awaiting=Side.FAMILY if state == VisitState.PROPOSED else None,
            proposed_by_id=teacher_id,
            participants=[VisitParticipant(user_id=teacher_id)],
        )
        if starts_at is not None:
            visit.starts_at, visit.ends_at = starts_at, starts_at + dt.timedelta(hours=1)
        db.session.add(visit)
        self.counts[state] += 1
        self._event(visit, teacher_id, Side.STAFF, VisitAction.PROPOSED, None, VisitState.PROPOSED)
        return visit

    def _event(self, visit, user_id, side, action, from_state, to_state, reason=""):
        visit.history.append(
            VisitEvent(
                actor_user_id=user_id, side=side, action=action, from_state=from_state, to_state=to_state, reason=reason
            )
        )

    def completed(self, school_class, student, index):
        starts_at = _day_at(-(index % 40) - 3, 10 + index % 7)
        visit = self._visit(school_class, student, VisitState.COMPLETED, MODES[index % len(MODES)], index, starts_at)
        guardian = self._guardian_user_id(student)
        if guardian is not None:
            self._event(visit, guardian, Side.FAMILY, VisitAction.ACCEPTED, VisitState.PROPOSED, VisitState.SCHEDULED)
        self._event(
            visit,
            school_class.homeroom_teacher_id,
            Side.STAFF,
            VisitAction.COMPLETED,
            VisitState.SCHEDULED,
            VisitState.COMPLETED,
        )
        visit.record = VisitRecord(
            visited_at=starts_at,
            mode=visit.mode,
            attendees="母亲" if index % 2 else "父亲、祖母",
            topics=["学习习惯", "亲子沟通"][: 1 + index % 2],
            notes=NOTES[index % len(NOTES)],
            family_summary=SUMMARIES[index % len(SUMMARIES)],
            recorded_by_id=school_class.homeroom_teacher_id,
            follow_ups=[
                FollowUpAction(
                    description="两周后电话回访",
                    due_on=(starts_at + dt.timedelta(days=14)).date(),
                    owner_id=school_class.homeroom_teacher_id,
                    done_at=starts_at + dt.timedelta(days=2) if index % 2 else None,
                    done_by_id=school_class.homeroom_teacher_id if index % 2 else None,
                )
            ],
        )
        if guardian is not None and index % 3 == 0:
            visit.feedback = VisitFeedback(user_id=guardian, rating=5 - index % 2, comment="老师很用心，谢谢！")

    def proposed(self, school_class, student):
        visit = self._visit(school_class, student, VisitState.PROPOSED, VisitMode.HOME, 0)
        for days in (4, 5):
            starts_at = _day_at(days, 16)
            visit.windows.append(VisitWindow(starts_at=starts_at, ends_at=starts_at + dt.timedelta(hours=1)))

    def scheduled(self, school_class, student):
        self.future_slot += 1
        starts_at = _day_at(2 + self.future_slot, 10)
        visit = self._visit(school_class, student, VisitState.SCHEDULED, VisitMode.HOME, 1, starts_at)
        visit.windows.append(VisitWindow(starts_at=starts_at, ends_at=visit.ends_at))
        guardian = self._guardian_user_id(student) or school_class.homeroom_teacher_id
        self._event(visit, guardian, Side.FAMILY, VisitAction.ACCEPTED, VisitState.PROPOSED, VisitState.SCHEDULED)

    def move_requested(self, school_class, student):
        """Scheduled, and the family asked to move it: awaiting the teacher's answer (the time stays meanwhile)."""
        self.future_slot += 1
        starts_at = _day_at(2 + self.future_slot, 10)
        visit = self._visit(school_class, student, VisitState.SCHEDULED, VisitMode.HOME, 3, starts_at)
        visit.windows.append(VisitWindow(starts_at=starts_at, ends_at=visit.ends_at))
        guardian = self._guardian_user_id(student)
        self._event(visit, guardian, Side.FAMILY, VisitAction.ACCEPTED, VisitState.PROPOSED, VisitState.SCHEDULED)
        asked = _day_at(3 + self.future_slot, 15)
        visit.move_starts_at, visit.move_ends_at = asked, asked + dt.timedelta(hours=1)
        visit.move_reason, visit.awaiting = "那天要加班，想改到第二天下午", Side.STAFF
        self._event(
            visit,
            guardian,
            Side.FAMILY,
            VisitAction.MOVE_REQUESTED,
            VisitState.SCHEDULED,
            VisitState.SCHEDULED,
            visit.move_reason,
        )

    def suggested(self, school_class, student):
        """Proposed, and the family answered with a time of their own: awaiting the teacher."""
        visit = self._visit(school_class, student, VisitState.PROPOSED, VisitMode.HOME, 4)
        starts_at = _day_at(6, 17)
        visit.windows.append(
            VisitWindow(starts_at=starts_at, ends_at=starts_at + dt.timedelta(hours=1), offered_by=Side.FAMILY)
        )
        visit.awaiting = Side.STAFF
        self._event(
            visit,
            self._guardian_user_id(student),
            Side.FAMILY,
            VisitAction.SUGGESTED,
            VisitState.PROPOSED,
            VisitState.PROPOSED,
            "白天上班，傍晚方便",
        )

    def closed(self, school_class, student, state, reason):
        visit = self._visit(school_class, student, state, VisitMode.SCHOOL, 2)
        if state == VisitState.CANCELLED:
            self._event(
                visit,
                school_class.homeroom_teacher_id,
                Side.STAFF,
                VisitAction.CANCELLED,
                VisitState.PROPOSED,
                state,
                reason,
            )
        else:
            guardian = self._guardian_user_id(student) or school_class.homeroom_teacher_id
            self._event(visit, guardian, Side.FAMILY, VisitAction.DECLINED, VisitState.PROPOSED, state, reason)

    def _guardian_user_id(self, student):
        if student.family_id is None:
            return None
        return db.session.scalar(
            sa.select(Guardian.user_id).where(Guardian.family_id == student.family_id).order_by(Guardian.id).limit(1)
        )


def seed():
    """Add the demo visits (flushes, never commits); returns counts per state."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0:
        return {}
    return _VisitSeeder().run()
