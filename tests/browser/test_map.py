"""The map page at /, driven in Chromium against the live server (see conftest.py).

The page's contract: element ids (#current-date, #slider, #date-input, #play, #panel, ...),
the query string (?date=&theater=&z=&lat=&lng=&groups=&place=&palette=) and
``window.frontline``, a small debug API (ready, state(), placeState(slug), openPlace(slug),
setDate(iso), pixelAt(slug), frameTimes, timings).
Every test also fails if the page logged a console error, threw, opened a dialog or asked for
anything not on 127.0.0.1 (the `new_page` fixture).
"""

from __future__ import annotations

import os
import re
import time
from datetime import date, timedelta
from itertools import accumulate
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from playwright.sync_api import expect

from apps.bench.headless import ROOT
from apps.territory.palette import SAFE_PALETTE

from .conftest import HOSTILE_NAME, HOSTILE_SLUG, PHONE, add_demo_front, without_hostile_place

pytestmark = pytest.mark.browser

THEATER = "syria-iraq-2014-2019"
DEIR = "deir-ez-zor"
IS = "islamic-state"
SYRIA = "syrian-government"
WAIT_S = 8


# --- Helpers ---------------------------------------------------------------------------------


def open_map(page, live_url: str, **query) -> None:
    """Load / with the given query and wait until ``frontline.ready`` has resolved."""
    response = page.goto(f"{live_url}/?{urlencode(query)}" if query else f"{live_url}/")
    assert response is not None and response.status == 200, response and response.status
    page.wait_for_function("() => window.frontline && window.frontline.ready")
    page.evaluate("() => window.frontline.ready.then(() => true)")


def poll(page, expression: str, until, arg=None, timeout: float = WAIT_S):
    """Evaluate `expression` until `until(value)` holds or time runs out; return the last value
    (the caller asserts on it, so a failure shows what the page said)."""
    deadline = time.monotonic() + timeout
    while True:
        value = page.evaluate(expression, arg)
        if until(value) or time.monotonic() > deadline:
            return value
        page.wait_for_timeout(50)


def current_date(page) -> str:
    return page.evaluate("() => window.frontline.state().date")


def wait_for_date(page, day: str) -> str:
    return poll(page, "() => window.frontline.state().date", lambda d: d == day)


def wait_for_date_change(page, old: str) -> str:
    return poll(page, "() => window.frontline.state().date", lambda d: d != old)


def jump_to(page, day: str) -> None:
    page.fill("#date-input", day)
    page.press("#date-input", "Enter")
    assert wait_for_date(page, day) == day
    expect(page.locator("#current-date")).to_have_text(day)


def place_state(page, slug: str, controller: str | None = None) -> dict:
    """placeState(slug), once it names `controller` (drawing may lag the date by a frame)."""
    return poll(
        page,
        "slug => window.frontline.placeState(slug)",
        lambda s: s is not None and (controller is None or s.get("controller") == controller),
        arg=slug,
    )


def painted(page, slug: str, color: str) -> str | None:
    """The colour drawn at a place's centre on the places canvas, once it is `color`."""
    return poll(page, "slug => window.frontline.pixelAt(slug)", lambda c: c == color, arg=slug)


def blur(page) -> None:
    """Put focus back on the body, where the keyboard shortcuts listen."""
    page.evaluate("() => document.activeElement && document.activeElement.blur()")


def reveal(page, selector: str) -> None:
    """Open the collapsed <details> holding `selector`, as a reader would, if it is hidden."""
    target = page.locator(selector)
    if not target.is_visible():
        page.locator("details", has=target).locator("summary").first.click()
    expect(target).to_be_visible()


def settled_url(page, quiet_ms: int = 400, timeout: float = WAIT_S) -> str:
    """The page URL once it has stopped changing (map moves update it after animating)."""
    deadline = time.monotonic() + timeout
    url, since = page.url, time.monotonic()
    while time.monotonic() < deadline:
        page.wait_for_timeout(50)
        if page.url != url:
            url, since = page.url, time.monotonic()
        elif (time.monotonic() - since) * 1000 >= quiet_ms:
            break
    return url


def query_of(url: str) -> dict[str, str]:
    return {key: values[-1] for key, values in parse_qs(urlsplit(url).query).items()}


@pytest.fixture(scope="module")
def group_colors(api) -> dict[str, str]:
    groups = api("/api/v1/groups/")
    groups = groups["results"] if isinstance(groups, dict) else groups
    return {g["slug"]: g["color"].lower() for g in groups}


@pytest.fixture(scope="module")
def timeline(api) -> dict:
    return api(f"/api/v1/timeline/?theater={THEATER}")


@pytest.fixture(scope="module")
def change_dates(timeline) -> list[str]:
    epoch = date.fromisoformat(timeline["epoch"])
    days = accumulate(timeline["changes"]["day_delta"])
    return sorted({(epoch + timedelta(days=day)).isoformat() for day in days})


@pytest.fixture(scope="module")
def deir_history(api, timeline) -> list[dict]:
    places = timeline["places"]
    pk = places["id"][places["name"].index("Deir ez-Zor")]
    return api(f"/api/v1/places/{pk}/history/")["periods"]


# --- The harness itself ----------------------------------------------------------------------


def test_live_server_serves_the_reference_data_and_the_hostile_place(live_url, api, timeline):
    assert timeline["theater"]["slug"] == THEATER
    assert HOSTILE_NAME in timeline["places"]["name"]
    assert timeline["changes"]["count"] > 100
    assert {IS, SYRIA} <= {g["slug"] for g in api("/api/v1/groups/")["results"]}


# --- The page --------------------------------------------------------------------------------


def test_page_loads_without_errors_and_becomes_ready(page, live_url):
    open_map(page, live_url)
    state = page.evaluate("() => window.frontline.state()")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", state["date"]), state
    assert state["theater"] == THEATER
    expect(page.locator("#current-date")).to_have_text(state["date"])
    for selector in ["#slider", "#date-input", "#play", "#speed", "#histogram", "#legend"]:
        expect(page.locator(selector)).to_be_visible()
    expect(page.locator("#slider")).to_have_attribute("type", "range")
    expect(page.locator("#date-input")).to_have_attribute("type", "date")
    expect(page.locator("#panel")).to_be_hidden()


def test_offline_tiles_are_given_up_after_one_probe_and_the_console_stays_clean(browser, live_url):
    """Online tiles configured but unreachable: the one tile probed first fails, so no tile
    layer is added (no more requests, no more console errors), the attribution says so, and
    the next page of the visit asks for no tile at all. Its own context: the failure it expects
    would fail a `new_page` page."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    tiles, errors = [], []

    def with_tiles(route):  # the page as a server configured with online tiles would send it
        html = route.fetch().text()
        url = f'"tiles": {{"url": "{live_url}/offline-tiles/{{z}}/{{x}}/{{y}}.png"'
        assert '"tiles": {"url": ""' in html
        route.fulfill(body=html.replace('"tiles": {"url": ""', url, 1), content_type="text/html")

    def no_network(route):
        tiles.append(route.request.url)
        route.abort("internetdisconnected")

    context.route(re.compile(r".*/offline-tiles/.*"), no_network)
    context.route(re.compile(r"^https?://127\.0\.0\.1:\d+/(\?.*)?$"), with_tiles)
    try:
        page = context.new_page()
        page.on(
            "console", lambda m: m.type == "error" and errors.append((time.monotonic(), m.text))
        )
        open_map(page, live_url)
        note = page.locator(".leaflet-control-attribution")
        expect(note).to_contain_text("Online tiles unavailable", timeout=WAIT_S * 1000)
        page.wait_for_timeout(300)  # tiles in flight when the layer was dropped settle
        asked, logged = len(tiles), len(errors)
        assert asked == 1 and logged <= 1, (tiles, errors)  # one tile probed, then none
        for _ in range(3):  # zoom and pan: a tile layer still there would ask for new tiles
            page.locator(".leaflet-control-zoom-in").click()
            page.mouse.move(640, 400)
            page.mouse.down()
            page.mouse.move(400, 250, steps=5)
            page.mouse.up()
        page.wait_for_timeout(500)
        assert len(tiles) == asked, tiles[asked:]
        assert len(errors) == logged, errors[logged:]
        assert "OpenStreetMap" not in note.inner_text()
        page.reload()
        page.wait_for_function("() => window.frontline && window.frontline.ready")
        expect(note).to_contain_text("Online tiles unavailable")
        page.wait_for_timeout(300)
        assert len(tiles) == asked  # the visit remembers: not one tile asked again
    finally:
        context.close()


def test_a_date_in_the_query_string_is_shown(page, live_url):
    open_map(page, live_url, date="2016-03-15", theater=THEATER)
    assert current_date(page) == "2016-03-15"
    expect(page.locator("#current-date")).to_have_text("2016-03-15")
    expect(page.locator("#date-input")).to_have_value("2016-03-15")


def test_date_input_redraws_deir_ez_zor_in_the_new_controllers_colour(page, live_url, group_colors):
    open_map(page, live_url, theater=THEATER)

    jump_to(page, "2017-09-16")  # split, no side holding most of it (data/reference/README.md)
    before = poll(
        page,
        "slug => window.frontline.placeState(slug)",
        lambda s: s is not None and s.get("status") == "contested",
        arg=DEIR,
    )
    assert before["controller"] is None, before
    grey = before["color"].lower()
    assert grey not in (group_colors[IS], group_colors[SYRIA]), before

    # What the canvas shows, not only what the page believes: the pixel at Deir ez-Zor.
    assert painted(page, DEIR, grey) == grey

    jump_to(page, "2017-11-04")
    after = place_state(page, DEIR, controller=SYRIA)
    assert after["controller"] == SYRIA, after
    assert after["color"].lower() == group_colors[SYRIA], after
    assert after["status"] == "controlled", after
    assert painted(page, DEIR, group_colors[SYRIA]) == group_colors[SYRIA]


def test_play_advances_the_date_and_pressing_again_pauses(page, live_url):
    open_map(page, live_url, date="2015-01-01", theater=THEATER)
    play = page.locator("#play")
    expect(play).to_have_attribute("aria-pressed", "false")

    play.click()
    expect(play).to_have_attribute("aria-pressed", "true")
    later = poll(page, "() => window.frontline.state().date", lambda d: d > "2015-01-01")
    assert later > "2015-01-01", f"playing did not advance the date: {later}"
    frames = page.evaluate("() => window.frontline.frameTimes")
    assert isinstance(frames, list) and frames, frames
    assert all(isinstance(ms, (int, float)) for ms in frames), frames

    play.click()
    expect(play).to_have_attribute("aria-pressed", "false")
    page.wait_for_timeout(200)  # a frame already scheduled may still land
    paused = current_date(page)
    page.wait_for_timeout(600)
    assert current_date(page) == paused, "the date kept advancing after pause"


def test_space_toggles_play(page, live_url):
    open_map(page, live_url, date="2015-01-01", theater=THEATER)
    play = page.locator("#play")
    blur(page)
    page.keyboard.press("Space")
    expect(play).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("Space")
    expect(play).to_have_attribute("aria-pressed", "false")


def test_arrow_keys_step_to_the_next_and_previous_change(page, live_url, change_dates):
    start = "2017-11-03"  # Deir ez-Zor's last change, so "previous" from the next one is it
    assert start in change_dates
    expected_next = next(d for d in change_dates if d > start)
    open_map(page, live_url, date=start, theater=THEATER)

    blur(page)
    page.keyboard.press("ArrowRight")
    stepped = wait_for_date_change(page, start)
    assert stepped == expected_next, (stepped, expected_next)
    expect(page.locator("#current-date")).to_have_text(expected_next)

    blur(page)
    page.keyboard.press("ArrowLeft")
    back = wait_for_date_change(page, stepped)
    assert back == start


def test_prev_and_next_buttons_step_between_changes(page, live_url, change_dates):
    start = "2016-06-15"
    expected_next = next(d for d in change_dates if d > start)
    expected_prev = max(d for d in change_dates if d < expected_next)
    open_map(page, live_url, date=start, theater=THEATER)

    page.click("#next-change")
    assert wait_for_date_change(page, start) == expected_next
    page.click("#prev-change")
    assert wait_for_date_change(page, expected_next) == expected_prev


def test_url_round_trips_date_place_and_zoom(page, new_page, live_url):
    open_map(page, live_url, date="2017-11-04", theater=THEATER, z="7", lat="35.3", lng="40.1")
    page.evaluate("slug => window.frontline.openPlace(slug)", DEIR)
    expect(page.locator("#panel")).to_be_visible()
    poll(page, "() => location.search", lambda q: f"place={DEIR}" in q)
    first = query_of(settled_url(page))
    assert first.get("date") == "2017-11-04", first
    assert first.get("place") == DEIR, first
    assert "z" in first, first

    again = new_page()
    open_map(again, live_url, **first)
    expect(again.locator("#panel")).to_be_visible()
    expect(again.locator("#panel-name")).to_have_text("Deir ez-Zor")
    assert current_date(again) == "2017-11-04"
    assert again.evaluate("() => window.frontline.state().theater") == THEATER
    second = query_of(settled_url(again))
    for key in ["date", "place", "theater", "z"]:
        assert second.get(key) == first.get(key), (key, first, second)
    for key in ["lat", "lng"]:
        if key in first:
            assert abs(float(second[key]) - float(first[key])) < 1e-3, (key, first, second)


def test_place_panel_shows_history_bars_and_sources(page, live_url, deir_history):
    open_map(page, live_url, date="2017-11-04", theater=THEATER)
    expect(page.locator("#panel")).to_be_hidden()
    page.evaluate("slug => window.frontline.openPlace(slug)", DEIR)
    expect(page.locator("#panel")).to_be_visible()
    expect(page.locator("#panel-name")).to_have_text("Deir ez-Zor")

    bars = page.locator("#panel .history-strip .history-bar")
    expect(bars).to_have_count(len(deir_history))

    links = page.locator("#panel-sources a")
    expect(links.first).to_be_visible()
    hrefs = links.evaluate_all("links => links.map(a => a.href)")
    assert hrefs and all(re.match(r"https?://", href) for href in hrefs), hrefs

    # Clicking a bar jumps to the start of its period; together, the bars reach every start.
    reached = set()
    for i in range(len(deir_history)):
        before = current_date(page)
        page.locator("#panel .history-strip .history-bar").nth(i).click()
        reached.add(wait_for_date_change(page, before))
    assert reached == {p["start"] for p in deir_history}


def test_compare_lists_deir_ez_zor_as_gained_by_the_government(page, live_url):
    open_map(page, live_url, date="2017-11-04", theater=THEATER)
    reveal(page, "#compare-a")
    page.fill("#compare-a", "2017-09-16")
    page.fill("#compare-b", "2017-11-04")
    page.click("#compare-run")

    gained = page.locator(f'#compare-list li[data-place="{DEIR}"][data-change="gained"]')
    expect(gained).to_have_count(1)
    expect(gained).to_have_attribute("data-group", SYRIA)
    expect(gained).to_contain_text("Deir ez-Zor")
    changes = page.locator("#compare-list li").evaluate_all(
        "items => items.map(li => li.dataset.change)"
    )
    assert set(changes) <= {"gained", "lost"}, changes


def test_compare_agrees_with_control_diff_and_offers_it_as_a_download(
    page, api, live_url, timeline
):
    """The list is computed in the browser; the server's control/diff/ must say the same."""
    open_map(page, live_url, date="2017-11-04", theater=THEATER)
    reveal(page, "#compare-a")
    page.fill("#compare-a", "2017-12-31")  # A after B: the page puts them in order
    page.fill("#compare-b", "2017-01-01")
    page.click("#compare-run")
    expect(page.locator("#compare-a")).to_have_value("2017-01-01")
    expect(page.locator("#compare-b")).to_have_value("2017-12-31")

    listed = page.locator("#compare-list li").evaluate_all(
        "items => items.map(li => [li.dataset.place, li.dataset.change, li.dataset.group])"
    )
    href = page.locator("#compare-download").get_attribute("href")
    query = query_of(href)
    assert urlsplit(href).path == "/api/v1/control/diff/"
    assert (query["from"], query["to"], query["format"]) == ("2017-01-01", "2017-12-31", "geojson")
    diff = api(href)
    slugs = dict(zip(timeline["places"]["id"], timeline["places"]["slug"], strict=True))
    expected = set()
    for feature in diff["features"]:
        before, after = feature["properties"]["before"], feature["properties"]["after"]
        was = before["controller"]["slug"] if before["controller"] else None
        now = after["controller"]["slug"] if after["controller"] else None
        if was != now:
            slug = slugs[feature["id"]]
            expected |= {(slug, "gained", now)} if now else set()
            expected |= {(slug, "lost", was)} if was else set()
    assert expected, "the reference data has changes of hands in 2017"
    assert {tuple(row) for row in listed} == expected


def test_colour_blind_safe_palette_recolours_everything_and_is_shared(
    page, new_page, live_url, group_colors
):
    open_map(page, live_url, date="2017-11-04", theater=THEATER)
    reveal(page, "#safe-colors")
    page.check("#safe-colors")
    safe = place_state(page, DEIR)["color"]
    assert safe in SAFE_PALETTE and safe != group_colors[SYRIA], safe
    assert painted(page, DEIR, safe) == safe
    swatches = page.locator("#legend .swatch").evaluate_all(
        "items => items.map(s => getComputedStyle(s).backgroundColor)"
    )
    assert len(set(swatches)) == len(swatches) == len(group_colors)  # one distinct colour each

    url = settled_url(page)
    assert query_of(url).get("palette") == "safe"
    again = new_page()
    again.goto(url)
    again.evaluate("() => window.frontline.ready")
    expect(again.locator("#safe-colors")).to_be_checked()
    assert place_state(again, DEIR)["color"] == safe

    page.uncheck("#safe-colors")
    assert painted(page, DEIR, group_colors[SYRIA]) == group_colors[SYRIA]
    assert "palette" not in query_of(settled_url(page))


def test_frames_are_cheap_need_no_request_and_first_render_is_quick(page, live_url):
    """The timeline is fetched once (the preload is reused) and no frame asks the server
    anything. The timings are regression guards; `make bench` measures 10,000 places."""
    requested = []
    page.on("request", lambda request: requested.append(urlsplit(request.url).path))
    open_map(page, live_url, theater=THEATER)
    assert requested.count("/api/v1/timeline/") == 1, requested
    first = page.evaluate("() => window.frontline.timings.firstFrame")
    assert first < 2_000, f"first frame after {first:.0f} ms"

    page.wait_for_load_state("networkidle")
    requested.clear()
    page.evaluate(
        """() => { const s = document.querySelector('#slider');
        for (let day = +s.min; day <= +s.max; day += 7) {
          s.value = String(day); s.dispatchEvent(new Event('input')); } }"""
    )
    times = sorted(page.evaluate("() => window.frontline.frameTimes.slice(-200)"))
    assert len(times) == 200
    assert times[len(times) // 2] < 16, times
    page.wait_for_timeout(300)  # the URL is rewritten after moves; that is no request either
    assert requested == [], requested


def test_chart_shows_places_or_population_and_a_click_jumps_there(page, live_url):
    open_map(page, live_url, date="2017-11-04", theater=THEATER)
    chart = page.locator("#chart")
    reveal(page, "#chart-measure")
    expect(chart).to_have_attribute("aria-label", re.compile(r"^Places held per group, 2014-"))
    expect(chart.locator("canvas")).to_have_count(1)

    page.select_option("#chart-measure", "population")
    expect(chart).to_have_attribute("aria-label", re.compile(r"^Population held per group"))

    area = chart.locator(".u-over")
    box = area.bounding_box()
    area.hover(position={"x": box["width"] * 0.1, "y": box["height"] / 2})
    area.click(position={"x": box["width"] * 0.1, "y": box["height"] / 2})
    picked = wait_for_date_change(page, "2017-11-04")
    assert "2014-06" <= picked < "2015-06", picked  # about a tenth into 2014-2019


def test_hostile_place_name_is_text_in_search_results_and_panel(page, live_url):
    open_map(page, live_url, date="2015-06-01", theater=THEATER)
    page.fill("#search", "onerror")
    result = page.locator("#search-results li").filter(has_text=HOSTILE_NAME)
    expect(result).to_have_count(1)
    assert HOSTILE_NAME in result.text_content()
    expect(page.locator("#search-results img")).to_have_count(0)

    result.click()
    expect(page.locator("#panel")).to_be_visible()
    expect(page.locator("#panel-name")).to_have_text(HOSTILE_NAME)
    assert page.locator("#panel-name").text_content().strip() == HOSTILE_NAME
    expect(page.locator("#panel img")).to_have_count(0)
    assert page.evaluate("() => document.querySelectorAll('img[src=\"x\"]').length") == 0

    page.evaluate("slug => window.frontline.openPlace(slug)", HOSTILE_SLUG)
    expect(page.locator("#panel-name")).to_have_text(HOSTILE_NAME)
    assert page.evaluate("() => document.querySelectorAll('img[src=\"x\"]').length") == 0


def test_legend_counts_groups_and_toggles_a_filter(page, live_url, group_colors):
    open_map(page, live_url, date="2015-06-01", theater=THEATER)
    items = page.locator("#legend li[data-group]")
    expect(items.first).to_be_visible()
    slugs = items.evaluate_all("items => items.map(li => li.dataset.group)")
    assert len(slugs) == len(set(slugs)) and set(slugs) <= set(group_colors), slugs
    assert IS in slugs, slugs
    counts = items.locator(".count").all_text_contents()
    assert len(counts) == len(slugs), counts
    assert all(re.search(r"\d", c) for c in counts), counts

    before = query_of(settled_url(page)).get("groups")
    page.locator(f'#legend li[data-group="{IS}"]').click()
    filtered = query_of(settled_url(page)).get("groups")
    assert filtered != before, "clicking a legend entry did not change ?groups="
    page.locator(f'#legend li[data-group="{IS}"]').click()
    assert query_of(settled_url(page)).get("groups") == before


def test_phone_size_loads_with_the_slider_visible(new_page, live_url):
    phone = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    open_map(phone, live_url)
    expect(phone.locator("#slider")).to_be_visible()
    expect(phone.locator("#current-date")).to_be_visible()


@pytest.mark.skipif(os.environ.get("SCREENSHOTS") != "1", reason="set SCREENSHOTS=1 to save")
def test_save_screenshots(page, new_page, live_url):
    with without_hostile_place():
        _save_screenshots(page, new_page, live_url)


def _save_screenshots(page, new_page, live_url):
    out = Path(os.environ.get("SCREENSHOTS_DIR") or ROOT / "docs")
    open_map(page, live_url, date="2017-11-04", theater=THEATER)
    page.evaluate("slug => window.frontline.openPlace(slug)", DEIR)
    expect(page.locator("#panel")).to_be_visible()
    settled_url(page)
    page.screenshot(path=out / "screenshot-map.png")

    phone = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    open_map(phone, live_url, date="2017-11-04", theater=THEATER)
    settled_url(phone)
    phone.screenshot(path=out / "screenshot-map-phone.png")

    open_map(
        page,
        live_url,
        date="2016-06-01",
        theater=THEATER,
        zones="1",
        chart="area_km2",
        z="7",
        lat="35.3",
        lng="40.2",
    )
    page.evaluate("() => { document.querySelectorAll('#sidebar details')[1].open = false; }")
    poll(page, "() => window.frontline.zones()", lambda z: z["validFrom"])
    expect(page.locator("#chart-note")).to_contain_text("not an observation", timeout=30_000)
    settled_url(page)
    page.screenshot(path=out / "screenshot-zones.png")

    # observed areas, on the synthetic demonstration front (no real assessment is bundled);
    # added only now, so the reference screenshots' legend does not list its two sides
    demo_front = add_demo_front()
    view = {"theater": demo_front, "z": "8", "lat": "49.0", "lng": "36.5", "chart": "observed_km2"}
    fold = "() => { document.querySelectorAll('#sidebar details')[0].open = false; }"
    for name, extra in (
        ("screenshot-areas.png", {"date": "2024-10-25", "hide": "weekly"}),
        ("screenshot-recent.png", {"date": "2024-10-25", "hide": "weekly", "recent": "30"}),
        ("screenshot-assessors.png", {"date": "2024-10-25", "vs": "daily,weekly", "front": "0"}),
    ):
        open_map(page, live_url, **view, **extra)
        page.evaluate(fold)
        if "vs" in extra:
            expect(page.locator("#pair-summary .disagreement")).not_to_have_attribute(
                "data-km2", ""
            )
        settled_url(page)
        page.screenshot(path=out / name)


def test_derived_zones_are_fetched_when_the_day_settles_and_labelled_as_estimates(page, live_url):
    requested = []
    page.on("request", lambda r: requested.append(r.url) if "/api/v1/zones/" in r.url else None)
    open_map(page, live_url, date="2017-11-04", theater=THEATER)
    assert requested == []  # off by default
    reveal(page, "#zones-toggle")
    page.check("#zones-toggle")
    zones = poll(page, "() => window.frontline.zones()", lambda z: z["validFrom"])
    assert zones["validFrom"] <= "2017-11-04" < zones["validUntil"], zones
    assert zones["areas"][SYRIA] > 1000 and zones["areas"][IS] > 1000, zones
    expect(page.locator("#zones-note")).to_contain_text("Derived, not observed")
    expect(page.locator(f'#legend li[data-group="{SYRIA}"] .area')).to_contain_text("km²")
    assert page.locator(".leaflet-zones-pane canvas, .leaflet-zones-pane svg").count() == 1
    assert "zones=1" in settled_url(page)
    assert len(requested) == 1

    # A drag of 60 frames asks nothing while it lasts, then once for the day it settles on.
    made = page.evaluate(
        """() => { const s = document.querySelector('#slider');
        const before = window.frontline.zones().requests;
        for (let i = 0; i < 60; i++) {
          s.value = String(+s.min + 200 + i * 3); s.dispatchEvent(new Event('input')); }
        return window.frontline.zones().requests - before; }"""
    )
    assert made == 0
    day = current_date(page)
    settled = poll(page, "() => window.frontline.zones()", lambda z: z["validFrom"] <= day)
    assert settled["validFrom"] <= day < (settled["validUntil"] or "9"), settled
    assert settled["requests"] == 2 and len(requested) == 2, requested

    # Back to a day already fetched: drawn from memory, no request.
    jump_to(page, "2017-11-05")
    page.wait_for_timeout(400)
    assert len(requested) == 2 and page.evaluate("() => window.frontline.zones().requests") == 2

    page.uncheck("#zones-toggle")
    expect(page.locator("#zones-note")).to_be_hidden()
    assert page.evaluate("() => window.frontline.zones().areas") == {}


def test_chart_shows_the_derived_area_held(page, live_url):
    open_map(page, live_url, date="2017-11-04", theater=THEATER, chart="area_km2")
    chart = page.locator("#chart")
    reveal(page, "#chart-measure")
    expect(page.locator("#chart-measure")).to_have_value("area_km2")
    expect(chart).to_have_attribute("aria-label", re.compile(r"^Area \(km², derived estimate\)"))
    expect(page.locator("#chart-note")).to_contain_text("Derived estimate", timeout=30_000)
    page.select_option("#chart-measure", "places")
    expect(page.locator("#chart-note")).to_have_text("")
    assert "chart=" not in settled_url(page)
