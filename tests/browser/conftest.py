"""Browser-test harness: one live server on a throwaway PostGIS database, one system Chromium.

The tests here drive the real page over HTTP; they never touch pytest-django's test database.
The server runs ``manage.py runserver`` (``--insecure`` serves static files with DEBUG off) on
a throwaway database ``frontline_browser_<pid>``, created on the server named by DATABASE_URL
and loaded with the reference dataset plus one place with a hostile name. The pid suffix lets
two sessions run at once (one must not drop the other's database); databases left by dead
sessions are dropped at the next start, and KEEP_BROWSER_DB=1 keeps this one. Chromium is Debian's
(/usr/bin/chromium); no browser is ever downloaded, and every request to anywhere but
127.0.0.1 is aborted, so the tests need no internet.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from apps.bench import headless

DB_PREFIX = "frontline_browser"
DB_NAME = f"{DB_PREFIX}_{os.getpid()}"
DEFAULT_SERVER = "postgis://postgres@127.0.0.1:5432/frontline"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
DEFAULT_TIMEOUT_MS = 8_000

# The place with a hostile name, and the change that puts it on the map.
HOSTILE_NAME = "<img src=x onerror=alert(1)>"
HOSTILE_SLUG = "hostile"
SEED_HOSTILE = f"""
from datetime import date
from django.contrib.gis.geos import Point
from apps.territory import services
from apps.territory.models import ArmedGroup, Theater
theater = Theater.objects.get(slug="syria-iraq-2014-2019")
place = services.place_create(
    theater=theater, name={HOSTILE_NAME!r}, slug={HOSTILE_SLUG!r}, kind="town", country="SY",
    location=Point(39.5, 35.5, srid=4326), importance=3,
)
source = services.source_create(
    title="Browser-test source", url="https://example.org/browser-test", key="browser-test",
)
services.control_change_create(
    place=place, date=date(2015, 1, 1), status="controlled",
    controller=ArmedGroup.objects.get(slug="islamic-state"), sources=[source],
    summary="Browser-test change.", review_state="published",
)
print("seeded", place.pk)
"""
UNSEED_HOSTILE = f"""
from apps.territory import services
from apps.territory.models import Place, Source
place = Place.objects.get(slug={HOSTILE_SLUG!r})
for change in place.changes.all():
    services.control_change_delete(change=change)
services.place_delete(place=place)
services.source_delete(source=Source.objects.get(key="browser-test"))
"""

# Staff accounts for the admin tests: (username, password, role).
ACCOUNTS = [
    ("ed", "ed-password-1", "Editors"),
    ("rev", "rev-password-1", "Reviewers"),
    ("rev2", "rev2-password-1", "Reviewers"),
]
SEED_ACCOUNTS = f"""
from django.contrib.auth.models import Group
from apps.users.models import User
for name, password, role in {ACCOUNTS!r}:
    user = User.objects.create_user(name, password=password, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
"""


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "browser: drives the map page in Chromium against a live server"
    )


def pytest_collection_modifyitems(session, config, items):
    """Run browser tests last.

    The sync Playwright API keeps an asyncio loop "running" on the main thread while the
    session-scoped browser is alive; Django would then refuse ORM calls of later
    in-process tests (SynchronousOnlyOperation). Nothing runs after the browser tests.
    """
    browser_dir = Path(__file__).parent
    items.sort(key=lambda item: Path(str(item.path)).is_relative_to(browser_dir))


# --- The live server -------------------------------------------------------------------------


def _database_urls() -> tuple[str, str]:
    """(DATABASE_URL for the throwaway database, libpq URL of the server's postgres db)."""
    base = os.environ.get("DATABASE_URL") or os.environ.get("TEST_DATABASE_URL") or DEFAULT_SERVER
    parts = urlsplit(base)
    if not parts.scheme.startswith("post"):
        pytest.fail(f"Browser tests need PostGIS; DATABASE_URL is {base!r}.")
    database_url = urlunsplit(parts._replace(path=f"/{DB_NAME}"))
    admin_url = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    return database_url, admin_url


def _psql(admin_url: str, *statements: str) -> str:
    psql = shutil.which("psql")
    if psql is None:
        pytest.fail("Browser tests need psql (postgresql-client) to create their database.")
    args = [psql, admin_url, "-qAtX", "-v", "ON_ERROR_STOP=1"]
    for statement in statements:
        args += ["-c", statement]
    env = {**os.environ, "PGOPTIONS": "--client-min-messages=warning"}
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=60)
    if done.returncode:
        pytest.fail(f"psql failed ({' '.join(statements)}):\n{done.stderr}")
    return done.stdout


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _drop_stale_databases(admin_url: str) -> None:
    """Drop frontline_browser_<pid> databases whose session is gone (killed runs)."""
    names = _psql(
        admin_url, f"SELECT datname FROM pg_database WHERE datname LIKE '{DB_PREFIX}\\_%'"
    ).split()
    for name in names:
        pid = name.rpartition("_")[2]
        if name != DB_NAME and pid.isdigit() and not _alive(int(pid)):
            _psql(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _manage(env: dict, *args: str) -> str:
    try:
        return headless.manage(env, *args)
    except headless.ServerError as error:
        pytest.fail(str(error))


LIVE: dict = {}  # the live server's environment, for fixtures that add to its database


@pytest.fixture(scope="session")
def live_url(tmp_path_factory) -> str:
    """Base URL (no trailing slash) of a server holding the reference data, a hostile place
    and test area layers (area_seed.py)."""
    database_url, admin_url = _database_urls()
    _drop_stale_databases(admin_url)
    _psql(
        admin_url,
        f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)",
        f"CREATE DATABASE {DB_NAME}",
    )
    env = LIVE["env"] = headless.server_env(database_url)
    _manage(env, "migrate", "--noinput", "-v0")
    _manage(env, "load_reference")
    _manage(env, "shell", "-c", SEED_HOSTILE)
    _manage(env, "shell", "-c", SEED_ACCOUNTS)
    _manage(env, "shell", "-c", "from tests.browser.area_seed import seed; seed()")
    log = tmp_path_factory.mktemp("live-server") / "runserver.log"
    try:
        with headless.live_server(database_url, log) as base:
            yield base
    except headless.ServerError as error:
        pytest.fail(str(error))
    finally:
        if not os.environ.get("KEEP_BROWSER_DB"):
            _psql(admin_url, f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


@contextmanager
def without_hostile_place() -> Iterator[None]:
    """The live server without the hostile-name place, which would show in the README
    screenshots as a label; put back afterwards for the tests that follow."""
    _manage(LIVE["env"], "shell", "-c", UNSEED_HOSTILE)
    try:
        yield
    finally:
        _manage(LIVE["env"], "shell", "-c", SEED_HOSTILE)


def add_demo_front() -> str:
    """Add the README screenshots' synthetic front (area_seed.demo) to the live server's
    database; its slug. Once a session (the screenshot test)."""
    _manage(LIVE["env"], "shell", "-c", "from tests.browser.area_seed import demo; demo()")
    return "demo-front"


@pytest.fixture(scope="session")
def api(live_url):
    """GET a JSON document from the live server: api("/api/v1/groups/")."""

    def get(path: str):
        with urllib.request.urlopen(f"{live_url}{path}", timeout=10) as response:
            return json.load(response)

    return get


# --- The browser -----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    try:
        with headless.chromium() as browser:
            yield browser
    except headless.ServerError as error:
        pytest.fail(str(error))


class PageProblems:
    """What a page reported that a correct page never does: console errors, uncaught
    exceptions, dialogs (alert/confirm/prompt: injected script) and off-host requests."""

    def __init__(self) -> None:
        self.console: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.blocked: list[str] = []

    def watch(self, page) -> None:
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("dialog", self._on_dialog)

    def _on_console(self, message) -> None:
        if message.type == "error":
            location = message.location or {}
            self.console.append(f"{message.text} ({location.get('url', '?')})")

    def _on_dialog(self, dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def report(self) -> str:
        lines = []
        for title, entries in [
            ("console errors", self.console),
            ("page errors", self.errors),
            ("dialogs", self.dialogs),
            ("blocked off-host requests", self.blocked),
        ]:
            if entries:
                lines.append(f"{title}:")
                lines += [f"  {entry}" for entry in entries]
        return "\n".join(lines)


@pytest.fixture
def new_page(browser):
    """Factory: new_page(viewport=..., **context_options) -> a page in a fresh context.

    Every page records console errors, page errors and dialogs, and aborts requests to any
    host but 127.0.0.1; the test fails at teardown if any page saw any of those."""
    opened: list[tuple[object, PageProblems]] = []

    def make(viewport: dict | None = None, **options):
        context = browser.new_context(viewport=viewport or DESKTOP, **options)
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        problems = PageProblems()

        def route(route):
            url = route.request.url
            if urlsplit(url).hostname == "127.0.0.1":
                route.continue_()
            else:
                problems.blocked.append(url)
                route.abort()

        context.route("**/*", route)
        page = context.new_page()
        problems.watch(page)
        opened.append((context, problems))
        return page

    yield make
    reports = []
    for context, problems in opened:
        context.close()
        if problems.report():
            reports.append(problems.report())
    if reports:
        pytest.fail("The page misbehaved:\n" + "\n".join(reports), pytrace=False)


@pytest.fixture
def page(new_page):
    """A 1280×800 page, watched as new_page describes."""
    return new_page()
