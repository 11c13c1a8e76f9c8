"""Logins that cannot be guessed at: client identity from the trusted proxies only, lockouts
per account and per address on both login paths, expiring and revocable tokens, and
throttles that a spoofed X-Forwarded-For does not escape."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from apps.api.throttling import AnonReadThrottle, UserThrottle
from apps.api.views.records import GroupViewSet
from apps.ops.clients import client_ip
from apps.users.models import User
from apps.users.roles import EDITORS, REVIEWERS

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"
TOKEN_URL = "/api/v1/auth/token/"


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()  # throttle histories live in the cache
    yield
    cache.clear()


@pytest.fixture
def staff(db):
    user = User.objects.create_user("staffer", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=EDITORS))
    return user


def spoofed(n: int) -> dict:
    return {"HTTP_X_FORWARDED_FOR": f"203.0.113.{n}"}


def token_login(client, password, n=0, username="staffer"):
    return client.post(
        TOKEN_URL, {"username": username, "password": password}, format="json", **spoofed(n)
    )


# --- who is asking --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "10.0.0.1"),  # no proxy trusted: the header is the client's claim
        (1, "203.0.113.9", "203.0.113.9"),  # nginx appended the address it saw
        (1, "198.51.100.1, 203.0.113.9", "203.0.113.9"),  # the left part is the client's own
        (2, "198.51.100.1, 203.0.113.9, 10.0.0.7", "203.0.113.9"),
        (2, "203.0.113.9", "10.0.0.1"),  # not through both proxies: the peer
        (1, "not-an-address", "10.0.0.1"),
        (1, "", "10.0.0.1"),
    ],
)
def test_the_client_address_comes_from_the_trusted_proxies_only(
    settings, proxies, forwarded, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def rate(monkeypatch, scope: str, value: str) -> None:
    """Throttle rates are read once, into the throttle class (DRF): set them there."""
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, scope, value)


def test_a_new_x_forwarded_for_per_request_does_not_escape_the_login_throttle(
    settings, monkeypatch, staff
):
    rate(monkeypatch, "login", "3/minute")
    settings.AXES_FAILURE_LIMIT = 100  # the throttle alone
    api = APIClient(HTTP_HOST="127.0.0.1")
    answers = [token_login(api, "wrong", n).status_code for n in range(3)]
    assert answers == [401, 401, 401]
    assert token_login(api, PASSWORD, 4).status_code == 429  # the right one too: throttled


def test_the_anonymous_read_throttle_counts_the_real_address(monkeypatch):
    rate(monkeypatch, "anon_read", "2/minute")
    monkeypatch.setattr(GroupViewSet, "throttle_classes", [AnonReadThrottle, UserThrottle])
    api = APIClient(HTTP_HOST="127.0.0.1")
    answers = [api.get("/api/v1/groups/", **spoofed(n)).status_code for n in range(3)]
    assert answers == [200, 200, 429]


def test_logged_in_users_are_throttled_too(monkeypatch, staff):
    rate(monkeypatch, "user", "3/minute")
    monkeypatch.setattr(GroupViewSet, "throttle_classes", [AnonReadThrottle, UserThrottle])
    api = APIClient(HTTP_HOST="127.0.0.1")
    api.force_authenticate(staff)
    answers = [api.get("/api/v1/groups/").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]


# --- lockouts -------------------------------------------------------------------------------
def test_the_token_endpoint_locks_an_account_out_whatever_the_headers_say(settings, staff):
    settings.AXES_FAILURE_LIMIT = 5
    api = APIClient(HTTP_HOST="127.0.0.1")
    guesses = [token_login(api, f"guess {n}", n).status_code for n in range(5)]
    assert guesses == [401, 401, 401, 401, 429]  # the fifth failure locks
    locked = token_login(api, PASSWORD, 99)
    assert locked.status_code == 429, locked.content
    assert "Too many failed logins" in locked.json()["detail"]
    assert int(locked["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()
    assert not AuthToken.objects.filter(user=staff).exists()
    # from another (real) address too: the account is locked, not only the address
    other = APIClient(HTTP_HOST="127.0.0.1", REMOTE_ADDR="192.0.2.50")
    assert token_login(other, PASSWORD).status_code == 429


def test_the_admin_login_locks_an_account_out_whatever_the_headers_say(settings, staff):
    settings.AXES_FAILURE_LIMIT = 5
    browser = Client(HTTP_HOST="127.0.0.1")
    for n in range(5):
        wrong = browser.post(
            "/admin/login/", {"username": "staffer", "password": f"g{n}"}, **spoofed(n)
        )
        if n < 4:
            assert wrong.status_code == 200 and b"Please enter the correct" in wrong.content
        else:  # the fifth failure locks
            assert wrong.status_code == 429
    right = browser.post(
        "/admin/login/", {"username": "staffer", "password": PASSWORD}, **spoofed(77)
    )
    assert right.status_code == 429 and b"Too many failed logins" in right.content
    assert "_auth_user_id" not in browser.session
    assert browser.get("/admin/").status_code == 302  # still logged out


def test_one_address_guessing_many_accounts_is_locked_out(settings, staff):
    settings.AXES_FAILURE_LIMIT = 5
    for n in range(5):
        User.objects.create_user(f"user{n}", password=PASSWORD)
    api = APIClient(HTTP_HOST="127.0.0.1")
    answers = [token_login(api, "guess", n, username=f"user{n}").status_code for n in range(5)]
    assert answers == [401, 401, 401, 401, 429]
    assert token_login(api, PASSWORD).status_code == 429  # staffer itself never failed
    elsewhere = APIClient(HTTP_HOST="127.0.0.1", REMOTE_ADDR="192.0.2.50")
    assert token_login(elsewhere, PASSWORD).status_code == 200  # the account is not locked


def test_a_successful_login_resets_the_count(settings, staff):
    settings.AXES_FAILURE_LIMIT = 3
    api = APIClient(HTTP_HOST="127.0.0.1")
    assert [token_login(api, "x").status_code for _ in range(2)] == [401, 401]
    assert token_login(api, PASSWORD).status_code == 200
    assert [token_login(api, "x").status_code for _ in range(2)] == [401, 401]
    assert token_login(api, PASSWORD).status_code == 200


def test_staff_see_and_lift_lockouts_in_the_admin(settings, staff):
    settings.AXES_FAILURE_LIMIT = 2
    api = APIClient(HTTP_HOST="127.0.0.1")
    for _ in range(2):
        token_login(api, "x")
    reviewer = User.objects.create_user("rev", password="rev password 1", is_staff=True)
    reviewer.groups.add(Group.objects.get(name=REVIEWERS))
    browser = Client(HTTP_HOST="127.0.0.1")
    browser.force_login(reviewer)
    listing = browser.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200 and b"staffer" in listing.content
    attempt = AccessAttempt.objects.get(username="staffer")
    browser.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "post": "yes", "_selected_action": [attempt.pk]},
    )
    assert token_login(api, PASSWORD).status_code == 200


# --- tokens ---------------------------------------------------------------------------------
def test_every_login_gives_a_new_expiring_token(settings, staff):
    api = APIClient(HTTP_HOST="127.0.0.1")
    first, second = token_login(api, PASSWORD).json(), token_login(api, PASSWORD).json()
    assert first["token"] != second["token"]
    assert first["expiry"] and AuthToken.objects.filter(user=staff).count() == 2
    stored = AuthToken.objects.filter(user=staff).values_list("digest", flat=True)
    assert first["token"] not in stored  # hashed at rest


def test_an_expired_token_is_refused(staff):
    api = APIClient(HTTP_HOST="127.0.0.1")
    token = token_login(api, PASSWORD).json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert (
        api.post("/api/v1/sources/", {"title": "t", "publisher": "p"}, format="json").status_code
        == 201
    )
    AuthToken.objects.filter(user=staff).update(expiry=timezone.now() - timedelta(seconds=1))
    assert api.get("/api/v1/imports/").status_code == 401


def test_tokens_are_revoked_one_or_all(staff):
    api = APIClient(HTTP_HOST="127.0.0.1")
    one, two = (token_login(api, PASSWORD).json()["token"] for _ in range(2))
    api.credentials(HTTP_AUTHORIZATION=f"Token {one}")
    assert api.delete(TOKEN_URL).status_code == 204
    assert api.get("/api/v1/imports/").status_code == 401
    api.credentials(HTTP_AUTHORIZATION=f"Token {two}")
    assert api.get("/api/v1/imports/").status_code == 200
    assert api.delete("/api/v1/auth/tokens/").json() == {"revoked": 1}
    assert api.get("/api/v1/imports/").status_code == 401


def test_a_user_keeps_only_the_newest_tokens(settings, staff):
    settings.API_TOKENS_PER_USER = 2
    api = APIClient(HTTP_HOST="127.0.0.1")
    tokens = [token_login(api, PASSWORD).json()["token"] for _ in range(3)]
    assert AuthToken.objects.filter(user=staff).count() == 2
    api.credentials(HTTP_AUTHORIZATION=f"Token {tokens[0]}")
    assert api.get("/api/v1/imports/").status_code == 401


def test_staff_see_and_revoke_tokens_in_the_admin(staff):
    token_login(APIClient(HTTP_HOST="127.0.0.1"), PASSWORD)
    admin = User.objects.create_superuser("root", password="root password 1")
    browser = Client(HTTP_HOST="127.0.0.1")
    browser.force_login(admin)
    listing = browser.get("/admin/knox/authtoken/")
    assert listing.status_code == 200 and b"staffer" in listing.content


def test_a_token_header_that_is_not_text_is_a_401():
    api = APIClient(HTTP_HOST="127.0.0.1")
    api.credentials(HTTP_AUTHORIZATION="Token \xff\xfe")
    assert api.get("/api/v1/imports/").status_code == 401
