"""Land polygons for the zones' clip: every polygon kept, whatever make_valid returns."""

import json

from apps.zones import land


def test_polygons_inside_collections_are_kept(tmp_path):
    bowtie = [[[0, 0], [2, 2], [2, 0], [0, 2], [0, 0]]]  # self-crossing: two triangles
    square = [[[10, 10], [11, 10], [11, 11], [10, 11], [10, 10]]]
    collection = {
        "type": "GeometryCollection",
        "geometries": [
            {"type": "MultiPolygon", "coordinates": [bowtie, square]},
            {"type": "LineString", "coordinates": [[0, 0], [-1, -1]]},
        ],
    }
    path = tmp_path / "land.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [{"type": "Feature", "properties": {}, "geometry": collection}],
            }
        )
    )
    shapes = land.polygons(path)
    assert round(sum(shape.area for shape in shapes), 6) == 3.0  # 2 triangles of 1 + the square
    assert all(shape.geom_type == "Polygon" and shape.valid for shape in shapes)


def test_the_bundled_land_loads():
    shapes = land.polygons(land.BUNDLED)
    assert len(shapes) > 100 and all(shape.valid for shape in shapes)
