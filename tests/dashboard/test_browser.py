"""The dashboard in a real browser (headless Chromium through Selenium), against the app served on 127.0.0.1.

A school admin gets an invite, chooses a login name and password in the browser, signs in with the form, opens
their school, sees the coverage chart drawn with the fixture's numbers, and downloads the CSV export; a region
admin of another county signs in and sees nothing of this county.
"""

import csv
import io
import time

import pytest

from tests.dashboard.browser import LiveServer, require_browser, start_chromium
from tests.dashboard.conftest import PASSWORD, create_account
from tests.reports import scenario

WAIT_SECONDS = 15


@pytest.fixture
def browser(tmp_path):
    require_browser()
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    driver = start_chromium(downloads, tmp_path / "profile")
    driver.downloads = downloads
    yield driver
    driver.quit()


@pytest.fixture
def live(app):
    with LiveServer(app) as server:
        yield server


def _wait(driver, condition):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, WAIT_SECONDS).until(condition)


def _fill(driver, **fields):
    from selenium.webdriver.common.by import By

    for name, value in fields.items():
        element = driver.find_element(By.ID, name)
        element.clear()
        element.send_keys(value)


def _submit(driver, button_id):
    from selenium.webdriver.common.by import By

    old = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.ID, button_id).click()
    _wait(driver, lambda d: old.id != d.find_element(By.TAG_NAME, "html").id)


def _sign_in(driver, live, login_name, password=PASSWORD):
    driver.get(f"{live.url}/dashboard/login")
    _fill(driver, login_name=login_name, password=password)
    _submit(driver, "login-submit")


def _wait_for_download(directory, suffix):
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        done = [p for p in directory.iterdir() if p.name.endswith(suffix)]  # not .crdownload: complete
        if done:
            return done[0]
        time.sleep(0.1)
    raise AssertionError(f"no {suffix} downloaded into {directory}: {list(directory.iterdir())}")


def test_invite_sign_in_open_a_school_see_the_chart_download_the_csv(browser, live, call, make):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    county = scenario.build(make)  # hand-counted: 评估一小, autumn 2025 (tests/reports/scenario.py)
    url = call("POST", "/api/v1/dashboard-invites", county.region_admin, json={"user_id": county.school_admin.id})
    browser.get(url.json["url"].replace("http://localhost", live.url))
    assert "开通管理驾驶舱" in browser.page_source
    _fill(browser, login_name="principal", password=PASSWORD, password_again=PASSWORD)
    _submit(browser, "invite-submit")
    assert browser.current_url.endswith("/dashboard/login")
    assert "登录名和密码已设置" in browser.page_source

    _sign_in(browser, live, "principal", password="Wrong-password-1")
    assert "登录名或密码错误" in browser.find_element(By.ID, "login-error").text
    _sign_in(browser, live, "principal")
    assert browser.current_url == f"{live.url}/dashboard/"
    browser.find_element(By.LINK_TEXT, county.school.name).click()
    _wait(browser, lambda d: d.current_url.startswith(f"{live.url}/dashboard/schools/{county.school.id}"))

    Select(browser.find_element(By.ID, "school_year")).select_by_value("2025")
    Select(browser.find_element(By.ID, "term")).select_by_value("autumn")
    _submit(browser, "period-submit")
    assert "school_year=2025" in browser.current_url
    assert "2025–2026学年秋季学期" in browser.find_element(By.TAG_NAME, "h1").text
    chart = browser.find_element(By.CSS_SELECTOR, "#coverage svg.chart")
    assert chart.is_displayed() and chart.size["width"] > 300  # drawn, not just in the markup
    bars = chart.find_elements(By.CSS_SELECTOR, "rect.bar")
    # 三年级1班: 2 of 3 visited; 三年级2班: 1 of 3
    assert [(b.get_attribute("data-label"), b.get_attribute("data-value")) for b in bars] == [
        ("三年级1班", "0.6667"),
        ("三年级2班", "0.3333"),
    ]
    heights = [b.size["height"] for b in bars]
    assert heights[0] > heights[1] > 0 and abs(heights[0] - 2 * heights[1]) <= 2

    browser.find_element(By.ID, "csv-link").click()
    downloaded = _wait_for_download(browser.downloads, ".csv")
    assert downloaded.name == f"evaluation-school-{county.school.id}-2025-autumn.csv"
    rows = list(csv.reader(io.StringIO(downloaded.read_text(encoding="utf-8-sig"))))
    assert rows[0] == ["周期", "截至", "类别", "对象", "指标", "数值", "要求", "是否达标"]
    assert rows[1][:4] == ["2025–2026学年秋季学期", "2026-01-31", "家访覆盖", "评估一小"]
    assert any(row[4].startswith("家庭教育指导") and row[5] == "2" for row in rows)


def test_another_county_sees_nothing_of_this_one(browser, live, world):
    from selenium.webdriver.common.by import By

    create_account(world.other_region_admin, login_name="other-bureau")
    _sign_in(browser, live, "other-bureau")
    overview = browser.find_element(By.TAG_NAME, "main").text
    assert world.other_county.name in overview
    for name in (world.county.name, world.alliance.name, world.school.name, world.other_school.name):
        assert name not in overview
    for path, code in (
        (f"/dashboard/regions/{world.county.id}", "region_not_found"),
        (f"/dashboard/schools/{world.school.id}", "school_not_found"),
        (f"/dashboard/classes/{world.class_a.id}", "class_not_found"),
    ):
        browser.get(live.url + path)
        assert browser.find_element(By.ID, "error-code").text == code
        assert world.school.name not in browser.page_source
