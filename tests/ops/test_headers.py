"""Framing: no page may be framed, and the two headers that say so agree."""

import pytest
from django.conf import settings

PAGES = ["/", "/admin/login/", "/api/v1/groups/", "/api/docs/", "/api/v1/nowhere/", "/healthz"]


@pytest.mark.parametrize("url", PAGES)
def test_no_page_may_be_framed_and_both_headers_say_so(client, db, url):
    response = client.get(url)
    policy = dict(
        directive.strip().split(" ", 1)
        for directive in response["Content-Security-Policy"].split(";")
    )
    assert policy["frame-ancestors"] == "'none'", url
    assert response["X-Frame-Options"] == "DENY", url


def test_the_settings_keep_djangos_deny():
    assert settings.X_FRAME_OPTIONS == "DENY"
    assert "django.middleware.clickjacking.XFrameOptionsMiddleware" in settings.MIDDLEWARE
