from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.db.models import QuerySet
from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from apps.territory import params


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 1000

    def get_page_number(self, request, paginator):
        raw = request.query_params.getlist(self.page_query_param)
        if raw and (len(raw) > 1 or not params.ID.fullmatch(raw[0]) or int(raw[0]) < 1):
            raise ValidationError({"page": ["Give one page number (1, 2, …)."]})
        return super().get_page_number(request, paginator)

    def get_page_size(self, request):
        raw = request.query_params.getlist(self.page_size_query_param)
        if not raw:
            return self.page_size
        if (
            len(raw) > 1
            or not params.ID.fullmatch(raw[0])
            or not 1 <= int(raw[0]) <= self.max_page_size
        ):
            raise ValidationError(
                {"page_size": [f"Give one whole number from 1 to {self.max_page_size}."]}
            )
        return int(raw[0])


class GeoJSONPagination(PageNumberPagination):
    """Pages of Features: a FeatureCollection with ``count``, ``next`` and ``previous``."""

    def get_paginated_response(self, data):
        assert self.page is not None  # set by paginate_queryset
        return Response(
            {
                "type": "FeatureCollection",
                "count": self.page.paginator.count,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "features": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["type", "count", "features"],
            "properties": {
                "type": {"type": "string", "enum": ["FeatureCollection"]},
                "count": {"type": "integer"},
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "features": schema,
            },
        }


def keyset_page(
    request: Any,
    rows: QuerySet[Any],
    *,
    moment: str,
    since: datetime,
    after: int,
    size: int,
    since_param: str = "since",
    extra: dict[str, str] | None = None,
) -> tuple[list[Any], str | None]:
    """A page of a feed, oldest first: the ``rows`` whose ``moment`` field is at or after
    ``since``, in (moment, id) order, less those at ``since`` up to id ``after``; and the URL
    of the next page (None on the last), carrying the last row's moment and id, so pages never
    overlap or skip."""
    if after:
        rows = rows.exclude(**{moment: since, "pk__lte": after})
    found = list(rows.order_by(moment, "pk")[: size + 1])
    if len(found) <= size:
        return found, None
    found = found[:size]
    last = found[-1]
    query = {**(extra or {}), since_param: getattr(last, moment).isoformat(), "after": last.pk}
    return found, request.build_absolute_uri("?" + urlencode(query))
