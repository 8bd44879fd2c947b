"""The real server (`python app.py`) on a free port against an index built under a tmp dir, and a
headless Chromium driving it. Tests here are marked `browser`; deselect them with -m "not browser"."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes.serving import wait_serving

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"      # git-ignored
ADMIN_TOKEN = "ui-admin-t0ken"           # the server's ZHICE_ADMIN_TOKEN: the UI shows its 管理文件 section
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
CHROME_FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=1280,1000")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: starts the real server and drives it with headless Chromium "
                                       "or gradio_client (deselect with -m \"not browser\")")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`python app.py --port P` with ZHICE_DATA_DIR in a fresh tmp dir: its first start builds the
    index of the real corpus there (a process of its own, so no index files are shared with the
    in-process fixtures of tests/conftest.py). The admin token is set and the corpus is a tmp copy
    (ZHICE_CORPUS_DIR), so documents uploaded through the UI never reach the repository's corpus."""
    data = tmp_path_factory.mktemp("ui-data")
    corpus = data / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    port = _free_port()
    env = {**os.environ, "ZHICE_DATA_DIR": str(data), "ZHICE_CORPUS_DIR": str(corpus), "ZHICE_ADMIN_TOKEN": ADMIN_TOKEN,
           "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False",
           "GRADIO_ANALYTICS_ENABLED": "False", "PYTHONUNBUFFERED": "1"}
    log_path = data / "server.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([sys.executable, "app.py", "--port", str(port)], cwd=ROOT, env=env,
                                stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_serving(proc, f"{url}/healthz", log_path, "app.py")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session")
def driver() -> Iterator[object]:
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        pytest.fail(f"{CHROMIUM} or {CHROMEDRIVER} is missing: run scripts/test.sh (it installs them), "
                    "or `apt-get install chromium chromium-driver`, or deselect with -m \"not browser\"")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="zc-chrome-")
    options = webdriver.ChromeOptions()
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.binary_location = CHROMIUM
    browser = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    browser.set_page_load_timeout(60)
    SCREENSHOTS.mkdir(exist_ok=True)
    try:
        yield browser
    finally:
        browser.quit()
        shutil.rmtree(profile, ignore_errors=True)
