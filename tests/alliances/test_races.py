"""Races on MariaDB and on the SQLite file: concurrent decisions, an edit racing a submission, alliances racing for one
school.

Each ends in one consistent state: one decision per alliance, no submitted alliance without a member unit, one
alliance per school, and nothing of a losing request left behind.
"""

from collections import Counter

import sqlalchemy as sa

from jlt_family.alliances.models import (
    Alliance,
    AllianceAction,
    AllianceEvent,
    AllianceMember,
    AllianceSchool,
    AllianceStatus,
    MemberKind,
)
from jlt_family.organizations.models import School, StaffRole
from tests.races import race

API = "/api/v1"
ROUNDS = 8


def _alliance(make, db, county, drafter, schools, status, members=1):
    """An alliance of ``schools`` (the first the centre school) with ``members`` community member units."""
    alliance = Alliance(
        name=f"竞争教联体{make.school().id}",
        region_id=county.id,
        status=status,
        description="简介",
        drafted_by_id=drafter.id,
    )
    alliance.proposed_schools = [AllianceSchool(school_id=s.id, is_centre=i == 0) for i, s in enumerate(schools)]
    alliance.members = [
        AllianceMember(
            kind=MemberKind.COMMUNITY,
            name=f"社区{i}",
            duties="职责",
            cooperation="方式",
            responsible_person="负责人",
            contact_phone="13900000000",
        )
        for i in range(members)
    ]
    db.session.add(alliance)
    db.session.flush()
    return alliance


def _drafter(make, world, schools):
    user = make.user()
    for school in schools:
        make.grant(user, StaffRole.SCHOOL_ADMIN, school)
    return user


def _decisions(db, alliance_id):
    return db.session.scalars(
        sa.select(AllianceEvent.action).where(
            AllianceEvent.alliance_id == alliance_id,
            AllianceEvent.action.in_([AllianceAction.APPROVED, AllianceAction.RETURNED]),
        )
    ).all()


def test_two_reviewers_deciding_at_once_leave_one_decision(app, make, world, db):
    city_admin = make.user()
    make.grant(city_admin, StaffRole.REGION_ADMIN, world.city)  # a region above the county reviews it too
    alliances = []
    for _ in range(ROUNDS):
        schools = [make.school(region=world.county), make.school(region=world.county)]
        alliances.append(
            _alliance(make, db, world.county, _drafter(make, world, schools[:1]), schools, AllianceStatus.SUBMITTED)
        )
    db.session.commit()
    county, city = make.login(world.region_admin), make.login(city_admin)
    calls = []
    for alliance in alliances:
        calls += [
            (county, "POST", f"{API}/alliances/{alliance.id}/approve", {"comment": "同意"}),
            (city, "POST", f"{API}/alliances/{alliance.id}/return", {"comment": "请补充"}),
        ]
    results = race(app, calls)

    for index, alliance in enumerate(alliances):
        approve, give_back = results[2 * index], results[2 * index + 1]
        assert sorted([approve, give_back]) == [(200, None), (409, "alliance_not_submitted")], (approve, give_back)
        fresh = db.session.get(Alliance, alliance.id)
        decisions = _decisions(db, alliance.id)
        assert len(decisions) == 1
        linked = set(
            db.session.scalars(
                sa.select(School.alliance_id)
                .join(AllianceSchool, AllianceSchool.school_id == School.id)
                .where(AllianceSchool.alliance_id == alliance.id)
            )
        )
        if approve == (200, None):
            assert (fresh.status, decisions[0], linked) == (
                AllianceStatus.APPROVED,
                AllianceAction.APPROVED,
                {alliance.id},
            )
        else:
            assert (fresh.status, decisions[0], linked) == (AllianceStatus.RETURNED, AllianceAction.RETURNED, {None})


def test_removing_the_last_member_unit_while_submitting_never_submits_an_empty_application(app, make, world, db):
    alliances, headers = [], []
    for _ in range(ROUNDS):
        school = make.school(region=world.county)
        drafter = _drafter(make, world, [school])
        alliances.append(_alliance(make, db, world.county, drafter, [school], AllianceStatus.DRAFT, members=1))
        headers.append(drafter)
    db.session.commit()
    calls = []
    for alliance, drafter in zip(alliances, headers, strict=True):
        token = make.login(drafter)
        member_id = alliance.members[0].id
        calls += [
            (token, "DELETE", f"{API}/alliances/{alliance.id}/members/{member_id}", None),
            (token, "POST", f"{API}/alliances/{alliance.id}/submit", None),
        ]
    results = race(app, calls)

    outcomes = Counter()
    for index, alliance in enumerate(alliances):
        removal, submission = results[2 * index], results[2 * index + 1]
        fresh = db.session.get(Alliance, alliance.id)
        members = db.session.scalar(
            sa.select(sa.func.count()).select_from(AllianceMember).where(AllianceMember.alliance_id == alliance.id)
        )
        if submission == (200, None):  # the submission went first: the removal found it submitted
            assert removal == (409, "alliance_not_editable")
            assert (fresh.status, members) == (AllianceStatus.SUBMITTED, 1)
        else:  # the removal went first: the submission saw the application without member units
            assert (removal, submission) == ((204, None), (422, "member_units_required"))
            assert (fresh.status, members) == (AllianceStatus.DRAFT, 0)
        outcomes[fresh.status] += 1
    assert sum(outcomes.values()) == ROUNDS


def test_alliances_racing_for_one_school_at_approval_leave_it_to_one(app, make, world, db):
    shared = make.school(region=world.county, name="被争抢的学校")
    alliances = []
    for _ in range(ROUNDS):
        centre = make.school(region=world.county)
        alliances.append(
            _alliance(
                make, db, world.county, _drafter(make, world, [centre]), [centre, shared], AllianceStatus.SUBMITTED
            )
        )
    db.session.commit()
    token = make.login(world.region_admin)
    results = race(app, [(token, "POST", f"{API}/alliances/{a.id}/approve", {}) for a in alliances])

    assert Counter(results) == {(200, None): 1, (409, "school_in_other_alliance"): ROUNDS - 1}
    winner = alliances[results.index((200, None))]
    assert db.session.get(School, shared.id).alliance_id == winner.id
    for alliance in alliances:
        fresh = db.session.get(Alliance, alliance.id)
        centre = db.session.get(School, alliance.proposed_schools[0].school_id)
        if alliance is winner:
            assert (fresh.status, centre.alliance_id, centre.is_alliance_centre) == (
                AllianceStatus.APPROVED,
                winner.id,
                True,
            )
        else:  # nothing of the refused approval stayed
            assert (fresh.status, centre.alliance_id, _decisions(db, alliance.id)) == (
                AllianceStatus.SUBMITTED,
                None,
                [],
            )
