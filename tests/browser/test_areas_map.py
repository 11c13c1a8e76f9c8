"""The map's observed area layers, place names and uncertain places, in Chromium against the
live server (the test layers of area_seed.py in a theater of their own, AREAS; the places of
the reference dataset, THEATER).

The page's contract here: #area-layers (a row per layer, data-layer; .km2 with data-km2),
#recent, #front-line, #pair-a/#pair-b and #pair-summary (.disagreement with data-km2),
#compare-areas (a row per layer, data-gained/data-lost), the query string (hide=, recent=,
vs=, front=) and window.frontline's areas(), areaPixelAt(lat, lng) and labels().
"""

from __future__ import annotations

import math
from itertools import combinations

import pytest
from playwright.sync_api import expect

from .area_seed import GAINED, LAYERS
from .area_seed import THEATER as AREAS
from .conftest import HOSTILE_NAME, HOSTILE_SLUG, PHONE
from .test_map import (
    THEATER,
    jump_to,
    open_map,
    poll,
    query_of,
    reveal,
    settled_url,
)

pytestmark = pytest.mark.browser


def near(color: str, other: str, within: int = 3) -> bool:
    """Two #rrggbb colours alike (a translucent fill read back is rounded)."""
    pairs = zip(bytes.fromhex(color[1:]), bytes.fromhex(other[1:]), strict=True)
    return all(abs(a - b) <= within for a, b in pairs)


def group_color(api, slug: str) -> str:
    groups = api("/api/v1/groups/")
    groups = groups["results"] if isinstance(groups, dict) else groups
    return next(g["color"].lower() for g in groups if g["slug"] == slug)


def area_pixel(page, lat: float, lng: float) -> dict:
    return page.evaluate("([lat, lng]) => window.frontline.areaPixelAt(lat, lng)", [lat, lng])


def test_a_pixel_inside_ground_a_layer_gains_changes_colour(page, live_url, api):
    # only assessor A shown: B's ground covers part of the strip A gains
    open_map(page, live_url, theater=AREAS, date="2015-06-01", hide="is-held-b,contested-a")
    before = area_pixel(page, *GAINED)
    assert before is not None and before["alpha"] == 0, before  # nobody's ground yet
    jump_to(page, "2016-06-01")
    after = poll(
        page,
        f"() => window.frontline.areaPixelAt({GAINED[0]}, {GAINED[1]})",
        lambda p: p["alpha"] > 0,
    )
    assert after["alpha"] > 0 and near(after["color"], group_color(api, "islamic-state")), after
    # the front line drawn on top where the ground meets the rest of the land
    jump_to(page, "2015-06-01")
    assert (
        poll(
            page,
            f"() => window.frontline.areaPixelAt({GAINED[0]}, {GAINED[1]})",
            lambda p: p["alpha"] == 0,
        )["alpha"]
        == 0
    )


def test_the_layer_list_gives_the_km2_of_areas_on_the_day(page, live_url, api):
    open_map(page, live_url, theater=AREAS, date="2016-08-01")
    answer = api(f"/api/v1/areas/?theater={AREAS}&date=2016-08-01")
    expected = {
        f["properties"]["layer"]["slug"]: f["properties"]["area_km2"] for f in answer["features"]
    }
    assert set(expected) == {slug for slug, *_ in LAYERS}
    for slug, km2 in expected.items():
        row = page.locator(f'#area-layers li[data-layer="{slug}"]')
        assert float(row.locator(".km2").get_attribute("data-km2")) == km2
        expect(row.locator(".km2")).to_have_text(f"{km2:,.0f} km²")
    # before a layer's first version: a dash, and the net over 30 days says it is new
    jump_to(page, "2016-06-10")
    row = page.locator('#area-layers li[data-layer="contested-a"]')
    expect(row.locator(".net")).to_have_text("new in the last 30 days")
    jump_to(page, "2015-12-01")
    expect(row.locator(".km2")).to_have_text("—")
    # switched off: not drawn, and in the URL
    page.locator('#area-layers li[data-layer="is-held-a"] input').uncheck()
    assert "hide=is-held-a" in settled_url(page)
    assert page.evaluate("() => window.frontline.state().hiddenLayers") == ["is-held-a"]


def test_compare_two_dates_lists_what_areas_diff_measures(page, live_url, api):
    open_map(page, live_url, theater=AREAS, date="2016-08-01")
    reveal(page, "#compare-run")
    page.fill("#compare-a", "2015-06-01")
    page.fill("#compare-b", "2016-08-01")
    page.click("#compare-run")
    rows = page.locator("#compare-areas li")
    expect(rows).to_have_count(3)
    answer = api(f"/api/v1/areas/diff/?theater={AREAS}&from=2015-06-01&to=2016-08-01")
    for feature in answer["features"]:
        props = feature["properties"]
        row = page.locator(f'#compare-areas li[data-layer="{props["layer"]["slug"]}"]')
        assert float(row.get_attribute(f"data-{props['change']}")) == props["km2"]
        expect(row.locator(f".{props['change']}")).to_contain_text(
            f"{props['km2']:,.1f}".rstrip("0").rstrip(".")
        )
    # the ground is drawn on the map (a pane of its own), and cleared with the comparison
    assert page.evaluate("() => window.frontline.state().areaDiff") == 6  # 3 layers x 2
    page.fill("#compare-a", "")
    page.click("#compare-run")
    assert poll(page, "() => window.frontline.state().areaDiff", lambda n: n == 0) == 0


def test_two_assessors_side_by_side_with_the_disagreement_the_api_computes(page, live_url, api):
    open_map(page, live_url, theater=AREAS, date="2016-08-01")
    page.select_option("#pair-a", "is-held-a")
    # B offers only the other layers of the same group
    options = page.locator("#pair-b option").evaluate_all("os => os.map(o => o.value)")
    assert options == ["", "is-held-b", "contested-a"] or set(options) == {
        "",
        "is-held-b",
        "contested-a",
    }
    page.select_option("#pair-b", "is-held-b")
    strong = page.locator("#pair-summary .disagreement")
    expect(strong).not_to_have_attribute("data-km2", "")
    shown = float(strong.get_attribute("data-km2"))
    answer = api(
        f"/api/v1/areas/disagreement/?theater={AREAS}&date=2016-08-01&a=is-held-a&b=is-held-b"
    )
    assert shown == answer["disagreement_km2"] > 1000
    expect(page.locator("#pair-summary")).to_contain_text("version of 2016-01-01")
    assert query_of(settled_url(page))["vs"] == "is-held-a,is-held-b"
    # where only A reaches (lon 41.6-42), the disagreement is drawn over A's fill
    shaded = area_pixel(page, 35.5, 41.8)
    jump_to(page, "2015-06-01")  # neither reaches 41.8 then
    assert (
        poll(page, "() => window.frontline.areaPixelAt(35.5, 41.8)", lambda p: p["alpha"] == 0)[
            "alpha"
        ]
        == 0
    )
    assert shaded["alpha"] > 0


def test_recent_gains_are_tinted_and_in_the_url(page, live_url):
    open_map(page, live_url, theater=AREAS, date="2016-01-10", hide="is-held-b,contested-a")
    plain = area_pixel(page, *GAINED)
    page.select_option("#recent", "14")
    tinted = poll(
        page,
        f"() => window.frontline.areaPixelAt({GAINED[0]}, {GAINED[1]})",
        lambda p: p["alpha"] > plain["alpha"],
    )
    assert tinted["alpha"] > plain["alpha"], (plain, tinted)  # a stronger tint: gained 9 days ago
    assert query_of(settled_url(page))["recent"] == "14"
    jump_to(page, "2016-02-20")  # 50 days after the gain: an ordinary fill again
    assert (
        poll(
            page,
            f"() => window.frontline.areaPixelAt({GAINED[0]}, {GAINED[1]})",
            lambda p: p["alpha"] == plain["alpha"],
        )["alpha"]
        == plain["alpha"]
    )


def test_the_url_round_trip_of_the_area_fields(page, live_url):
    open_map(
        page,
        live_url,
        theater=AREAS,
        date="2016-08-01",
        recent="30",
        vs="is-held-b,is-held-a",
        hide="contested-a",
        front="0",
    )
    state = page.evaluate("() => window.frontline.state()")
    assert (state["recent"], state["pair"], state["hiddenLayers"], state["frontLine"]) == (
        30,
        ["is-held-b", "is-held-a"],
        ["contested-a"],
        False,
    )
    expect(page.locator("#recent")).to_have_value("30")
    expect(page.locator("#front-line")).not_to_be_checked()
    expect(page.locator('#area-layers li[data-layer="contested-a"] input')).not_to_be_checked()
    expect(page.locator("#pair-b")).to_have_value("is-held-a")
    query = query_of(settled_url(page))
    assert (query["recent"], query["vs"], query["hide"], query["front"]) == (
        "30",
        "is-held-b,is-held-a",
        "contested-a",
        "0",
    )
    # nonsense is dropped: an unknown layer, a pair of two groups' layers, a bad number
    open_map(page, live_url, theater=AREAS, recent="9", vs="is-held-a,nope", hide="nope")
    state = page.evaluate("() => window.frontline.state()")
    assert (state["recent"], state["pair"], state["hiddenLayers"]) == (0, None, [])


def test_place_names_never_overlap_and_more_fit_as_you_zoom_in(page, live_url):
    open_map(page, live_url, theater=THEATER, date="2017-11-04")
    counts = []
    for zoom in (6, 8):
        open_map(
            page, live_url, theater=THEATER, date="2017-11-04", z=str(zoom), lat="35.3", lng="40.5"
        )
        labels = poll(page, "() => window.frontline.labels()", lambda ls: len(ls) > 5)
        for a, b in combinations(labels, 2):
            apart = (
                a["x"] + a["w"] <= b["x"]
                or b["x"] + b["w"] <= a["x"]
                or a["y"] + a["h"] <= b["y"]
                or b["y"] + b["h"] <= a["y"]
            )
            assert apart, (a, b)
        counts.append(len(labels))
        # the most important places come first: Mosul, Raqqa or Deir ez-Zor labelled when in view
        texts = {label["text"] for label in labels}
        assert texts & {"Raqqa", "Deir ez-Zor", "Mosul"}, texts
    assert counts[1] > counts[0], counts
    # names are text: the hostile place's name shows as written, no element made of it
    open_map(page, live_url, theater=THEATER, date="2017-11-04", z="9", lat="35.5", lng="39.5")
    hostile = poll(
        page,
        "() => window.frontline.labels()",
        lambda labels: any(label["place"] == HOSTILE_SLUG for label in labels),
    )
    assert any(label["text"] == HOSTILE_NAME for label in hostile if label["place"] == HOSTILE_SLUG)
    assert page.locator(".place-label img").count() == 0


def test_hover_names_a_place(page, live_url, api):
    open_map(
        page, live_url, theater=THEATER, date="2017-11-04", z="8", lat="35.3359", lng="40.1408"
    )
    box = page.locator("#map").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(page.locator(".place-tip")).to_have_text("Deir ez-Zor")
    expect(page.locator(".place-tip")).to_be_visible()


def test_uncertain_places_are_drawn_differently(page, live_url, api):
    """A place whose state rests on a change dated only to the month is hollow (its centre
    white); one only claimed is faded (lighter than its group's colour)."""
    open_map(page, live_url, theater=THEATER, date="2019-06-01", z="7", lat="35.3", lng="40.5")
    states = page.evaluate(
        """() => { const out = {}; const r = window.frontline;
        for (const label of r.labels()) out[label.place] = r.placeState(label.place);
        return out; }"""
    )
    doubts = {slug: state["doubt"] for slug, state in states.items()}
    hollow = [slug for slug, d in doubts.items() if d & 1 and states[slug]["controller"]]
    sure = [slug for slug, d in doubts.items() if d == 0 and states[slug]["controller"]]
    assert sure, doubts
    for slug in sure:
        assert (
            page.evaluate("slug => window.frontline.pixelAt(slug)", slug)
            == states[slug]["color"].lower()
        )
    for slug in hollow:
        assert page.evaluate("slug => window.frontline.pixelAt(slug)", slug) == "#ffffff", slug
    faded = [slug for slug, d in doubts.items() if d == 2 and states[slug]["controller"]]
    for slug in faded:
        assert (
            page.evaluate("slug => window.frontline.pixelAt(slug)", slug)
            != states[slug]["color"].lower()
        ), slug
    assert hollow or faded, doubts
    # the panel says "as of" the change's day
    slug = (hollow or faded)[0]
    page.evaluate("slug => window.frontline.openPlace(slug)", slug)
    expect(page.locator("#panel-state")).to_contain_text("as of")


def test_the_phone_layout_keeps_the_map_and_folds_the_areas(new_page, live_url):
    phone = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    open_map(phone, live_url, theater=AREAS, date="2016-08-01")
    section = phone.locator("#areas-section")
    expect(section).to_be_attached()
    assert section.evaluate("d => d.open") is False  # folded, as every section on a phone
    width = phone.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width
    section.locator("summary").click()
    expect(phone.locator("#area-layers li")).to_have_count(3)
    map_box = phone.locator("#map").bounding_box()
    assert map_box["height"] > 300
    assert math.isclose(map_box["width"], PHONE["width"], abs_tol=2)
