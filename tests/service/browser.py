"""A real browser for the studio's tests: Debian's headless Chromium, driven by
Selenium through Debian's chromedriver, and the service it talks to.

Nothing is downloaded: Selenium Manager is kept offline and told where the
browser and its driver are. Missing pieces fail the test (CI installs them)."""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.processes import generate_command
from tests.services import ServerProcess, free_port

if TYPE_CHECKING:
    from selenium.webdriver.remote.webdriver import WebDriver

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
WINDOW = (1280, 1000)


def _missing() -> list[str]:
    """What the browser tests need and this machine lacks, as lines to show."""
    missing = []
    for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            missing.append(f"{path} (Debian package {package})")
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("Python package selenium (pip install -r requirements-dev.txt)")
    return missing


@contextmanager
def chrome() -> Iterator[WebDriver]:
    """A headless Chromium under Selenium; fails the test when one cannot start."""
    missing = _missing()
    if missing:
        pytest.fail(
            "the browser tests need " + ", ".join(missing) + " (.ci/run installs them)",
            pytrace=False,
        )
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must never download
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",  # Chromium refuses to run as root with its sandbox
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-extensions",
        "--no-first-run",
        f"--window-size={WINDOW[0]},{WINDOW[1]}",
    ):
        options.add_argument(argument)
    service = Service(executable_path=CHROMEDRIVER, log_output=os.devnull)
    try:
        driver = webdriver.Chrome(service=service, options=options)
    except Exception as error:  # selenium's errors carry the driver's message
        first = str(error).strip().splitlines()[0] if str(error).strip() else ""
        pytest.fail(
            f"Chromium did not start: {type(error).__name__}: {first}", pytrace=False
        )
    try:
        yield driver
    finally:
        driver.quit()


class Studio:
    """`python generate.py serve` on a free port of 127.0.0.1, for the browser."""

    def __init__(self, *options: str, token: str | None = None) -> None:
        self.port = free_port()
        self.token = token
        argv: list[object] = [
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            self.port,
            *options,
        ]
        if token is not None:
            argv += ["--token", token]
        self.server = ServerProcess(generate_command(*argv), self.port)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def get(self, path: str) -> Any:
        """GET path's JSON, with the token when there is one."""
        return self.call(path)

    def post(self, path: str, body: Any) -> Any:
        """POST body as JSON to path; the answer's JSON."""
        return self.call(path, json.dumps(body).encode())

    def call(self, path: str, data: bytes | None = None) -> Any:
        request = urllib.request.Request(self.url + path, data=data)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if self.token is not None:
            request.add_header("Authorization", f"Bearer {self.token}")
        with urllib.request.urlopen(request, timeout=5) as response:
            return json.loads(response.read())

    def start(self) -> Studio:
        try:
            self.server.start()
            deadline = time.monotonic() + 30
            while True:
                try:
                    if self.get("health").get("status") == "ok":
                        return self
                except (OSError, urllib.error.URLError, ValueError):
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("GET /health did not answer ok in 30 s")
                time.sleep(0.1)
        except RuntimeError as error:
            self.stop()
            pytest.fail(
                f"the service did not start: {error}\n{self.log()}", pytrace=False
            )

    def log(self) -> str:
        """The end of the server's output, for failure messages."""
        path = Path(self.server.log)
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def stop(self) -> None:
        self.server.stop()


@contextmanager
def studio(*options: str, token: str | None = None) -> Iterator[Studio]:
    """A running service; stopped when the block ends."""
    server = Studio(*options, token=token).start()
    try:
        yield server
    finally:
        server.stop()
