"""Factories that create data through the services, the same path users take."""

from datetime import date

import factory
from django.contrib.gis.geos import Point, Polygon

from apps.territory import services
from apps.territory.models import ArmedGroup, ControlChange, Place, Source, Theater


class ServiceFactory(factory.Factory):
    """Builds keyword arguments and hands them to a service function."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return SERVICES[model_class](**kwargs)

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        return model_class(**kwargs)


class TheaterFactory(ServiceFactory):
    class Meta:
        model = Theater

    name = factory.Sequence(lambda n: f"Theater {n}")
    slug = factory.Sequence(lambda n: f"theater-{n}")
    bounds = factory.LazyFunction(lambda: Polygon.from_bbox((35.0, 29.0, 49.0, 38.0)))
    start_date = date(2014, 1, 1)


class GroupFactory(ServiceFactory):
    class Meta:
        model = ArmedGroup

    name = factory.Sequence(lambda n: f"Group {n}")
    slug = factory.Sequence(lambda n: f"group-{n}")
    color = factory.Sequence(lambda n: f"#{(n * 2654435761) % 0xFFFFFF:06x}")


class PlaceFactory(ServiceFactory):
    class Meta:
        model = Place

    theater = factory.SubFactory(TheaterFactory)
    name = factory.Sequence(lambda n: f"Place {n}")
    slug = factory.Sequence(lambda n: f"place-{n}")
    kind = Place.Kind.TOWN
    location = factory.LazyFunction(lambda: Point(40.0, 35.0, srid=4326))
    country = "SY"


class SourceFactory(ServiceFactory):
    class Meta:
        model = Source

    title = factory.Sequence(lambda n: f"Report {n}")
    publisher = "Wire service"


class ChangeFactory(ServiceFactory):
    """A published change (with one source) unless told otherwise."""

    class Meta:
        model = ControlChange

    place = factory.SubFactory(PlaceFactory)
    date = date(2015, 1, 1)
    status = "controlled"
    controller = factory.SubFactory(GroupFactory)
    review_state = ControlChange.ReviewState.PUBLISHED
    sources = factory.LazyFunction(lambda: [SourceFactory()])


SERVICES = {
    Theater: services.theater_create,
    ArmedGroup: services.group_create,
    Place: services.place_create,
    Source: services.source_create,
    ControlChange: services.control_change_create,
}
