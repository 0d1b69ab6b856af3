import datetime as dt

import pytest
import sqlalchemy as sa

from jlt_family.core import ratelimit, scheduler
from jlt_family.core.errors import RateLimited
from jlt_family.core.masking import mask_name, mask_phone
from jlt_family.core.models import RateLimitCounter
from jlt_family.core.scheduler import registered_jobs


def test_utc_datetime_refuses_naive_values(make, db):
    user = make.user()
    user.last_login_at = dt.datetime(2026, 11, 22, 8, 0)
    with pytest.raises(sa.exc.StatementError):
        db.session.flush()


def test_utc_datetime_round_trips_as_aware_utc(make, db):
    user = make.user(last_login_at=dt.datetime(2026, 11, 22, 16, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    db.session.commit()
    db.session.expire_all()
    assert user.last_login_at == dt.datetime(2026, 11, 22, 8, 0, tzinfo=dt.UTC)
    assert user.last_login_at.tzinfo is dt.UTC


@pytest.mark.parametrize(
    ("name", "masked"), [("张三", "张*"), ("张小明", "张*明"), ("欧阳小明", "欧**明"), ("王", "*"), ("", "")]
)
def test_mask_name_keeps_first_and_last_character(name, masked):
    assert mask_name(name) == masked


def test_mask_phone_hides_the_middle_digits():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone(None) is None


def test_rate_limit_refuses_past_the_limit_with_retry_after(db):
    for _ in range(3):
        ratelimit.hit("unit-test", 3, 60)
    with pytest.raises(RateLimited) as caught:
        ratelimit.hit("unit-test", 3, 60)
    assert 1 <= int(caught.value.headers["Retry-After"]) <= 60
    assert db.session.scalar(sa.select(RateLimitCounter.hits).where(RateLimitCounter.bucket == "unit-test")) == 4


def test_rate_limit_counts_buckets_separately():
    ratelimit.hit("bucket-a", 1, 60)
    assert ratelimit.hit("bucket-b", 1, 60) == 1


def test_housekeeping_forgets_ended_sessions(make, db):
    from jlt_family.auth.models import UserSession
    from jlt_family.auth.tasks import housekeeping

    user = make.user()
    make.login(user)
    old = UserSession(id="0" * 32, user=user, expires_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    db.session.add(old)
    db.session.commit()
    housekeeping()
    db.session.commit()
    remaining = db.session.scalars(sa.select(UserSession)).all()
    assert [s.user_id for s in remaining] == [user.id]
    assert db.session.get(UserSession, "0" * 32) is None


def test_scheduler_registers_housekeeping():
    assert "housekeeping" in registered_jobs()


def test_the_factory_registers_every_job_once_by_its_id(app):
    assert list(registered_jobs(app)) == [
        "housekeeping",
        "courses_close_ended_sessions",
        "venues.generate_slots",
        "venues.expire_pending",
        "venues.release_green",
        "venues.mark_no_shows",
        "reminders_dispatch",
        "reminders_reap",
        "reminders_visit_digest",
    ]
    with pytest.raises(ValueError, match="housekeeping"):
        scheduler.register_jobs(app, [scheduler.Job("housekeeping", lambda: None, {"trigger": "interval"})])


def test_the_scheduler_adds_every_registered_job(app):
    built = scheduler.build_scheduler(app, blocking=False)
    assert {job.id for job in built.get_jobs()} == set(registered_jobs(app))


def test_grant_role_command_bootstraps_a_region_admin(app, make, db):
    from jlt_family.organizations.models import StaffMembership

    county = make.region()
    db.session.commit()
    result = app.test_cli_runner().invoke(
        args=["grant-role", "--openid", "boot-admin", "--role", "region_admin", "--scope-id", str(county.id)]
    )
    assert result.exit_code == 0, result.output
    membership = db.session.scalar(sa.select(StaffMembership))
    assert (membership.role.value, membership.region_id, membership.user.openid) == (
        "region_admin",
        county.id,
        "boot-admin",
    )


def test_lone_surrogates_in_json_are_refused_not_a_500(client):
    response = client.post("/api/v1/auth/dev-login", data='{"openid": "\\ud800x"}', content_type="application/json")
    assert response.status_code == 400
    assert response.json["code"] == "malformed_json"


def test_concurrent_first_hits_of_new_buckets_all_count(app):
    import threading

    barrier = threading.Barrier(8)
    results, errors = [], []

    def worker(i):
        with app.app_context():
            barrier.wait()
            try:
                results.append(ratelimit.hit(f"race-{i % 2}", 100, 60))
            except Exception as exc:  # noqa: BLE001 - the test reports any failure
                errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(results) == [1, 1, 2, 2, 3, 3, 4, 4]


@pytest.mark.parametrize(
    "value",
    ["0001-01-01T00:30:00+08:00", "9999-12-31T23:00:00-02:00", "1999-12-31T12:00:00Z", "2100-06-01T00:00:00+08:00"],
)
def test_times_out_of_range_are_a_validation_error(value):
    from marshmallow import ValidationError

    from jlt_family.core.schemas import ShanghaiDateTime

    with pytest.raises(ValidationError):
        ShanghaiDateTime().deserialize(value)
