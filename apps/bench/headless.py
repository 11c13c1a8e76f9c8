"""A live server and Debian's headless Chromium, shared by the browser tests and `make bench`.

The server is ``manage.py runserver --insecure`` (it serves static files with DEBUG off) on the
database named by a DATABASE_URL, with online tiles off so the page needs no internet.
Chromium is always /usr/bin/chromium with the flags below; Playwright never downloads one.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class ServerError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(database_url: str) -> dict:
    """The environment of a local server (and of manage.py commands) on `database_url`."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PYTEST_", "CELERY_")) and key != "DATABASE_URL"
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DATABASE_URL=database_url,
        DEBUG="false",
        ALLOWED_HOSTS="127.0.0.1",
        API_ANON_READ_RATE="1000000/hour",
        API_LOGIN_RATE="1000000/hour",
        MAP_TILES_URL="",  # no online tiles: the page must work offline
        PYTHONUNBUFFERED="1",
    )
    return env


def manage(env: dict, *args: str, timeout: int = 600) -> str:
    """Run ``manage.py <args>`` in a subprocess; ServerError with its output if it fails."""
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode:
        raise ServerError(f"manage.py {args[0]} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def _wait_until_up(url: str, server: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise ServerError(f"The server exited ({server.returncode}):\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    raise ServerError(f"The server did not answer {url} within {timeout}s:\n{log.read_text()}")


@contextmanager
def live_server(database_url: str, log: Path, timeout: float = 30):
    """Serve the app on a free port of 127.0.0.1; yields its base URL (no trailing slash)."""
    port = free_port()
    with log.open("w") as out:
        server = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "runserver",
                f"127.0.0.1:{port}",
                "--noreload",
                "--insecure",
            ],
            cwd=ROOT,
            env=server_env(database_url),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(f"{base}/api/v1/theaters/", server, log, timeout)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@contextmanager
def chromium():
    """A headless Chromium (Debian's) driven by Playwright's sync API."""
    if not os.access(CHROMIUM, os.X_OK):
        raise ServerError(
            f"{CHROMIUM} is missing: install Debian's chromium (`make test` does); "
            "no browser is ever downloaded."
        )
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()
