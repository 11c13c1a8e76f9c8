import pytest

from apps.territory.palette import SAFE_PALETTE


@pytest.mark.django_db
def test_the_api_gives_a_colour_when_none_is_sent(editor_api):
    response = editor_api.post("/api/v1/groups/", {"slug": "delta", "name": "Delta"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["color"] in SAFE_PALETTE
    bad = editor_api.post(
        "/api/v1/groups/", {"slug": "eps", "name": "Eps", "color": "red"}, format="json"
    )
    assert bad.status_code == 400 and "color" in bad.json()
