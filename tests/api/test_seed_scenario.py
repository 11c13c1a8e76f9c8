"""The 3 November 2017 scenario, entered entirely through the API with a token."""

from apps.territory.models import Theater


def post(client, url, data):
    response = client.post(url, data, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def test_3_november_2017_through_the_api(reviewer_api, api):
    theater = post(
        reviewer_api,
        "/api/v1/theaters/",
        {
            "slug": "syria-iraq",
            "name": "Syria and Iraq",
            "start_date": "2014-01-01",
            "end_date": "2019-12-31",
            "bbox": [35.5, 29.0, 48.8, 37.6],
        },
    )
    groups = {
        slug: post(reviewer_api, "/api/v1/groups/", {"slug": slug, "name": name, "color": color})
        for slug, name, color in [
            ("islamic-state", "Islamic State", "#1a1a1a"),
            ("syrian-government", "Syrian government forces", "#d62728"),
            ("iraqi-government", "Iraqi Security Forces", "#1f5fa8"),
            ("pmf", "Popular Mobilization Forces", "#56b4e9"),
        ]
    }
    places = {}
    for slug, name, kind, lon, lat in [
        ("deir-ez-zor", "Deir ez-Zor", "city", 40.1408, 35.3359),
        ("al-qaim", "al-Qaim", "town", 40.9895, 34.3925),
        ("al-qaim-border-crossing", "al-Qaim border crossing", "border_crossing", 40.97, 34.414),
        ("abu-kamal", "Abu Kamal", "city", 40.9185, 34.4523),
    ]:
        places[slug] = post(
            reviewer_api,
            "/api/v1/places/",
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {
                    "slug": slug,
                    "name": name,
                    "kind": kind,
                    "country": "SY",
                    "theater": theater["id"],
                },
            },
        )["id"]
    source = post(
        reviewer_api,
        "/api/v1/sources/",
        {
            "key": "houston-chronicle-2017-11-04",
            "publisher": "Houston Chronicle (AP)",
            "title": (
                "Islamic State, squeezed on 2 sides, loses Syrian city and Iraqi border crossing"
            ),
            "url": "http://www.pressreader.com/usa/houston-chronicle/20171104/281809989165488",
            "published": "2017-11-04",
        },
    )

    def change(place, day, controller, **extra):
        post(
            reviewer_api,
            "/api/v1/changes/",
            {
                "place": places[place],
                "date": day,
                "status": extra.pop("status", "controlled"),
                "controller": groups[controller]["id"],
                "sources": [source["id"]],
                "review_state": "published",
                **extra,
            },
        )

    change(
        "deir-ez-zor",
        "2014-07-14",
        "islamic-state",
        status="contested",
        challengers=[groups["syrian-government"]["id"]],
    )
    for place in ("al-qaim", "al-qaim-border-crossing", "abu-kamal"):
        change(place, "2014-06-21", "islamic-state")
    change("deir-ez-zor", "2017-11-03", "syrian-government")
    for place in ("al-qaim", "al-qaim-border-crossing"):
        change(place, "2017-11-03", "iraqi-government", supported_by=[groups["pmf"]["id"]])

    def controllers(day):
        response = api.get("/api/v1/control/", {"date": day, "theater": theater["slug"]})
        assert response.status_code == 200
        return {
            f["properties"]["name"]: (
                f["properties"]["status"],
                f["properties"]["controller"]["slug"],
            )
            for f in response.json()["features"]
        }

    assert controllers("2017-11-02") == {
        "Abu Kamal": ("controlled", "islamic-state"),
        "al-Qaim": ("controlled", "islamic-state"),
        "al-Qaim border crossing": ("controlled", "islamic-state"),
        "Deir ez-Zor": ("contested", "islamic-state"),
    }
    assert controllers("2017-11-04") == {
        "Abu Kamal": ("controlled", "islamic-state"),
        "al-Qaim": ("controlled", "iraqi-government"),
        "al-Qaim border crossing": ("controlled", "iraqi-government"),
        "Deir ez-Zor": ("controlled", "syrian-government"),
    }
    assert Theater.objects.count() == 1
