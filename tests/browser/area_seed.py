"""Area layers for the browser tests, over the reference theater: two assessors of the Islamic
State's ground (boxes around the Euphrates valley that grow and shrink on known days) and a
contested layer, so the tests can find a pixel a layer gains, a disagreement and a hatch.

    manage.py shell -c "from tests.browser.area_seed import seed; seed()"
"""

from __future__ import annotations

from datetime import date

from django.contrib.gis.geos import MultiPolygon, Polygon

from apps.areas import services
from apps.territory.models import ArmedGroup, Theater

THEATER = "syria-iraq-2014-2019"
# (layer slug, name, assessor, status, [(day, (west, south, east, north))])
LAYERS = [
    (
        "is-held-a",
        "Islamic State (assessor A)",
        "Test assessor A",
        "controlled",
        [
            (date(2015, 1, 1), (38.0, 34.5, 41.0, 36.5)),
            (date(2016, 1, 1), (38.0, 34.5, 42.0, 36.5)),  # gains lon 41-42
            (date(2017, 6, 1), (38.5, 34.5, 41.5, 36.0)),
        ],
    ),
    (
        "is-held-b",
        "Islamic State (assessor B)",
        "Test assessor B",
        "controlled",
        [
            (date(2015, 1, 1), (38.2, 34.5, 41.2, 36.5)),
            (date(2016, 1, 1), (38.0, 34.5, 41.6, 36.5)),
        ],
    ),
    (
        "contested-a",
        "Contested (assessor A)",
        "Test assessor A",
        "contested",
        [(date(2016, 6, 1), (42.2, 35.0, 43.0, 36.2))],
    ),
]
# a point of ground assessor A gains on 2016-01-01 (lat, lon)
GAINED = (35.5, 41.5)


def seed() -> None:
    theater = Theater.objects.get(slug=THEATER)
    group = ArmedGroup.objects.get(slug="islamic-state")
    for slug, name, assessor, status, days in LAYERS:
        layer = services.layer_create(
            theater=theater, slug=slug, name=name, group=group, assessor=assessor, status=status
        )
        services.snapshots_add(
            layer=layer,
            snapshots=[
                services.DayGround(day, MultiPolygon(Polygon.from_bbox(box), srid=4326))
                for day, box in days
            ],
        )
    print("seeded", len(LAYERS), "area layers")
