"""Django-level 500 pages answer JSON under /api/ (a 404 there: apps.api.middleware)."""

from django.http import JsonResponse
from django.views import defaults


def server_error(request):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Server error."}, status=500)
    return defaults.server_error(request)
