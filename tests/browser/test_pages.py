"""Every page loads under the Content-Security-Policy with no console error (the new_page
fixture fails a test on any console error, CSP violations included)."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("path", "selector"),
    [
        ("/api/docs/", ".swagger-ui .information-container"),
        ("/table/?date=2017-11-04", "table"),
        ("/admin/login/", "#id_username"),
    ],
)
def test_page_renders_under_the_csp(new_page, live_url, path, selector):
    page = new_page()
    response = page.goto(f"{live_url}{path}")
    assert response.status == 200
    assert "script-src 'self' 'nonce-" in response.headers["content-security-policy"]
    expect(page.locator(selector).first).to_be_visible()


def test_the_map_page_declares_no_inline_script(new_page, live_url):
    page = new_page()
    page.goto(f"{live_url}/")
    page.evaluate("() => window.frontline.ready")
    inline = page.evaluate(
        "() => [...document.scripts].filter(s => !s.src && s.type !== 'application/json').length"
    )
    assert inline == 0
