"""Headless Chromium for the browser tests: Debian's /usr/bin/chromium driven through /usr/bin/chromedriver.

The driver's path is given explicitly, so Selenium Manager never downloads a browser or a driver. Locally the
browser tests skip when Chromium is not installed; with REQUIRE_BROWSER set (CI) they fail instead.
"""

import os
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from jlt_family.core.extensions import db
from jlt_family.core.sqlite_transactions import READ_ONLY

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1280,1600",
    "--lang=zh-CN",
)


def require_browser():
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not os.access(path, os.X_OK)]
    if not missing:
        return
    message = (
        f"headless Chromium is not installed ({', '.join(missing)} missing: apt-get install chromium chromium-driver)"
    )
    if os.environ.get("REQUIRE_BROWSER"):
        pytest.fail(message)
    pytest.skip(message)


def start_chromium(download_dir: Path, profile_dir: Path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile_dir}")
    options.add_experimental_option(
        "prefs",
        {
            "download.default_directory": str(download_dir),
            "download.prompt_for_download": False,
            "download.directory_upgrade": True,
            "safebrowsing.enabled": False,
        },
    )
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(download_dir)})
    return driver


class LiveServer:
    """The app served by werkzeug on 127.0.0.1, an ephemeral port, in a thread.

    The test's own thread reads (and builds its fixtures) while the browser waits for pages: on SQLite its
    transactions begin DEFERRED, so that they do not hold the write lock the server's threads wait for.
    """

    def __init__(self, app):
        from werkzeug.serving import make_server

        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.test_thread = threading.current_thread()

    def _defer_the_test_threads_transactions(self, conn):
        if threading.current_thread() is self.test_thread:
            conn.execution_options(**READ_ONLY)

    def __enter__(self):
        with self.app.app_context():
            self.engine = db.engine
        sa.event.listen(self.engine, "engine_connect", self._defer_the_test_threads_transactions)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join(10)
        sa.event.remove(self.engine, "engine_connect", self._defer_the_test_threads_transactions)
