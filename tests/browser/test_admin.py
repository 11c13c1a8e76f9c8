"""The editors' admin in Chromium, against the live server (see conftest.py): one story from a
new place to a restored version, as an editor and two reviewers live it."""

from __future__ import annotations

import json
import re
import urllib.request
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from .conftest import ACCOUNTS

pytestmark = pytest.mark.browser
PASSWORDS = {name: password for name, password, _ in ACCOUNTS}
PLACE = "Tall Browser"  # the place this story creates


def login(new_page, live_url: str, username: str):
    page = new_page()
    page.goto(f"{live_url}/admin/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORDS[username])
    page.click("input[type=submit]")
    expect(page.locator("#user-tools strong")).to_have_text(username)
    return page


def pick(page, field_id: str, text: str) -> None:
    """Choose `text` in an admin autocomplete (select2) field."""
    page.locator(f"#{field_id} + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(text)
    page.locator(".select2-results__option", has_text=text).first.click()


def api(live_url: str, path: str):
    with urllib.request.urlopen(f"{live_url}{path}", timeout=10) as response:
        return json.load(response)


def fill_change(page, *, day: str, group: str, source: str | None = None) -> None:
    pick(page, "id_place", PLACE)
    page.fill("#id_date", day)
    page.select_option("#id_status", "controlled")
    pick(page, "id_controller", group)
    if source:
        pick(page, "id_sources", source)


def errors(page) -> str:
    return " ".join(page.locator(".errorlist, .errornote").all_inner_texts())


@pytest.fixture(scope="module")
def story(browser, live_url):
    """Shared state of the story (the tests below run in order)."""
    return {}


def test_an_editor_creates_a_place_by_clicking_on_the_map(new_page, live_url, story):
    page = login(new_page, live_url, "ed")
    page.goto(f"{live_url}/admin/territory/place/add/")
    page.select_option("#id_theater", label="Syria and Iraq, 2014–2019")
    page.locator("#id_name").press_sequentially(PLACE)
    expect(page.locator("#id_slug")).to_have_value("tall-browser")  # prepopulated
    page.select_option("#id_kind", "village")
    page.fill("#id_country", "SY")
    page.fill("#id_aliases", "Tell Browser\nTal Browzer")
    # The map widget: the marker tool, then a click in the middle of the map.
    location = page.locator("#id_location-div-map")
    location.locator(".leaflet-draw-draw-marker").click()
    location.click(position={"x": 200, "y": 150})
    expect(page.locator("#id_location")).to_have_value(re.compile('"Point"'))
    page.click("input[name=_save]")
    expect(page.locator(".messagelist .success")).to_contain_text(PLACE)

    found = api(live_url, "/api/v1/places/?q=tal+browzer")["features"]
    assert [f["properties"]["name"] for f in found] == [PLACE]
    story["place_id"] = found[0]["id"]


def test_an_editor_adds_a_draft_change_with_a_source(new_page, live_url, story):
    page = login(new_page, live_url, "ed")
    page.goto(f"{live_url}/admin/territory/controlchange/add/")
    fill_change(
        page, day="2016-05-01", group="Syrian Democratic Forces", source="Syria says ISIS defeated"
    )
    page.fill("#id_summary", "Taken by the SDF in the spring offensive.")
    expect(page.locator("#state-context")).to_contain_text("unknown")  # no change yet
    page.click("input[name=_save]")
    expect(page.locator(".messagelist .success")).to_be_visible()
    page.goto(f"{live_url}/admin/territory/controlchange/?q={PLACE.replace(' ', '+')}")
    row = page.locator("#result_list tbody tr", has_text=PLACE)
    expect(row).to_contain_text("Draft")
    # A draft is not public.
    assert api(live_url, f"/api/v1/changes/?place={story['place_id']}")["results"] == []


def test_a_future_date_and_a_no_op_change_show_form_errors(new_page, live_url, story):
    page = login(new_page, live_url, "ed")
    page.goto(f"{live_url}/admin/territory/controlchange/add/")
    future = (date.today() + timedelta(days=10)).isoformat()
    fill_change(page, day=future, group="Islamic State")
    page.click("input[name=_save]")
    expect(page.locator(".field-date .errorlist")).to_contain_text("future")

    page.fill("#id_date", "2016-05-01")  # the draft's date
    page.click("input[name=_save]")
    expect(page.locator(".errornote")).to_be_visible()
    assert "already" in errors(page).lower(), errors(page)


def test_a_reviewer_publishes_and_control_reflects_it(new_page, live_url, story):
    page = login(new_page, live_url, "rev")
    page.goto(f"{live_url}/admin/territory/controlchange/?q={PLACE.replace(' ', '+')}")
    page.locator("#result_list tbody tr", has_text=PLACE).locator("input.action-select").check()
    page.select_option("select[name=action]", "publish")
    page.click("button[name=index]")
    expect(page.locator(".messagelist .success")).to_contain_text("Published 1")

    control = api(live_url, "/api/v1/control/?date=2016-06-01&bbox=35,28,45,38")
    mine = [f for f in control["features"] if f["id"] == story["place_id"]]
    assert mine and mine[0]["properties"]["controller"]["slug"] == "sdf", mine
    changes = api(live_url, f"/api/v1/changes/?place={story['place_id']}")["results"]
    story["change_id"] = changes[0]["id"]

    # A no-op now: the same holder a month later changes nothing.
    page.goto(f"{live_url}/admin/territory/controlchange/add/")
    fill_change(page, day="2016-06-01", group="Syrian Democratic Forces")
    page.click("input[name=_save]")
    expect(page.locator(".errornote")).to_be_visible()
    assert "nothing" in errors(page).lower(), errors(page)


def test_of_two_reviewers_saving_in_turn_the_second_is_refused(new_page, live_url, story):
    url = f"{live_url}/admin/territory/controlchange/{story['change_id']}/change/"
    first, second = login(new_page, live_url, "rev"), login(new_page, live_url, "rev2")
    first.goto(url)
    second.goto(url)  # both read the same version
    first.fill("#id_summary", "First reviewer: confirmed by two sources.")
    first.click("input[name=_save]")
    expect(first.locator(".messagelist .success")).to_be_visible()

    second.fill("#id_summary", "Second reviewer: a different account.")
    second.click("input[name=_save]")
    expect(second.locator(".errornote")).to_be_visible()
    message = errors(second)
    assert "someone else" in message and "nothing was overwritten" in message, message
    assert "First reviewer" in message  # what changed meanwhile
    change = api(live_url, f"/api/v1/changes/{story['change_id']}/")
    assert change["summary"] == "First reviewer: confirmed by two sources."


def test_the_history_lists_everything_and_a_restore_works(new_page, live_url, story):
    page = login(new_page, live_url, "rev")
    page.goto(f"{live_url}/admin/territory/controlchange/{story['change_id']}/history/")
    rows = page.locator("#revision-list tbody tr")
    expect(rows).to_have_count(3)  # created, published, changed (newest first)
    actions = rows.evaluate_all("trs => trs.map(tr => tr.dataset.action)")
    assert actions == ["changed", "published", "created"], actions
    expect(rows.nth(0)).to_contain_text("rev")
    expect(rows.nth(2)).to_contain_text("ed")

    rows.nth(1).locator("button.restore").click()  # back to as published, before the edit
    expect(page.locator(".messagelist .success")).to_contain_text("Restored")
    change = api(live_url, f"/api/v1/changes/{story['change_id']}/")
    assert change["summary"] == "Taken by the SDF in the spring offensive."
    expect(page.locator("#revision-list tbody tr").first).to_contain_text("restored")
