import pytest

from apps.territory import services
from apps.territory.palette import OKABE_ITO, SAFE_PALETTE, default_color


def test_default_color_is_the_first_unused_palette_colour():
    assert default_color([]) == OKABE_ITO[0]
    assert default_color([OKABE_ITO[0], "#123456"]) == OKABE_ITO[1]


def test_default_color_reuses_the_least_used_when_all_are_taken():
    used = SAFE_PALETTE + SAFE_PALETTE[:3]
    assert default_color(used) == SAFE_PALETTE[3]


def test_palette_colours_are_distinct_lowercase_hex():
    assert len(set(SAFE_PALETTE)) == len(SAFE_PALETTE)
    assert all(c == c.lower() and len(c) == 7 and c[0] == "#" for c in SAFE_PALETTE)


@pytest.mark.django_db
def test_a_group_created_without_colour_gets_an_unused_safe_one():
    first = services.group_create(name="Alpha", slug="alpha", color=OKABE_ITO[0])
    second = services.group_create(name="Beta", slug="beta")
    third = services.group_create(name="Gamma", slug="gamma", color="")
    assert first.color == OKABE_ITO[0]
    assert (second.color, third.color) == (OKABE_ITO[1], OKABE_ITO[2])
