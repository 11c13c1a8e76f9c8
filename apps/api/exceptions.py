"""Every error is JSON naming the field and the problem; domain errors map to HTTP codes."""

import logging

from django.core.exceptions import (
    ObjectDoesNotExist,
    PermissionDenied,
    SuspiciousFileOperation,
    SuspiciousOperation,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from apps.territory import params
from apps.territory.services import InUseError, StaleVersionError

from .renderers import ORJSONRenderer
from .serializers import VersionRequired


def exception_handler(exc, context):
    # Errors are JSON whatever `format` or Accept asked for (CSV, GeoJSON).
    request = context.get("request")
    if request is not None:
        request.accepted_renderer = ORJSONRenderer()
        request.accepted_media_type = ORJSONRenderer.media_type
    if isinstance(exc, params.UnknownReference):  # a well-formed id or slug of nothing
        return Response(exc.message_dict, status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        return Response(detail, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, StaleVersionError | VersionRequired):
        return Response(
            {"version": [str(exc)], "current_version": exc.change.version},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, InUseError):
        return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, SuspiciousOperation):
        return suspicious_request(exc)
    if isinstance(exc, ObjectDoesNotExist):
        exc = Http404(str(exc))
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, list):
        response.data = {"detail": response.data}
    return response


def suspicious_request(exc: SuspiciousOperation) -> Response:
    """A 400 in JSON, logged to ``django.security.<kind>`` as Django logs the ones it answers
    itself (its own answer would be an HTML page). File operations keep their paths private."""
    set_rollback()  # nothing half-written (ATOMIC_REQUESTS)
    kind = type(exc).__name__
    logging.getLogger(f"django.security.{kind}").error(str(exc))
    detail = "Refused: a file path." if isinstance(exc, SuspiciousFileOperation) else str(exc)
    return Response({"detail": detail or "Bad request."}, status=status.HTTP_400_BAD_REQUEST)
