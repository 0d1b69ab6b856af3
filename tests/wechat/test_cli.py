"""``wechat-fake``: the fake WeChat server served from the command line until Ctrl-C."""

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import requests

SCRIPT = """
from config import TestingConfig
from jlt_family import create_app
from jlt_family.wechat import cli

app = create_app(TestingConfig)
cli.init_app(app)
with app.app_context():
    app.cli.main(["wechat-fake", "--port", "0"], standalone_mode=False)
"""


def test_wechat_fake_serves_until_interrupted(tmp_path):
    env = {**os.environ, "TEST_DATABASE_URL": f"sqlite:///{tmp_path}/cli.db"}
    # Ctrl-C as in a terminal: a background job of a non-interactive shell (CI runs the suites side by side)
    # inherits SIGINT ignored, and Python then installs no KeyboardInterrupt handler.
    process = subprocess.Popen(
        [sys.executable, "-c", SCRIPT],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        match = re.search(r"http://127\.0\.0\.1:\d+", process.stdout.readline())
        assert match, process.stderr.read()
        base_url = match.group(0)
        reply = requests.get(
            f"{base_url}/sns/jscode2session",
            timeout=5,
            params={
                "appid": "wx-fake-appid",
                "secret": "fake-secret",
                "js_code": "parent-1~1",
                "grant_type": "authorization_code",
            },
        )
        assert reply.json()["openid"].startswith("o")
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=30)  # a hang guard
    assert process.returncode == 0
