"""What a locked-out login sees (django-axes calls ``lockout_response``; settings: AXES_*).

The API answers JSON, the admin's form a page: both 429 with ``Retry-After``, saying when to
try again and that staff can lift the lockout sooner (admin, "Access attempts").
"""

from __future__ import annotations

from axes.helpers import get_cool_off
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    cool_off = get_cool_off(request)
    minutes = max(1, round(cool_off.total_seconds() / 60)) if cool_off else None
    detail = (
        "Too many failed logins for this account or from this address. "
        + (f"Try again in {minutes} minutes" if minutes else "Ask an administrator")
        + ", or ask an administrator to lift the lockout."
    )
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": detail}, status=429)
    else:
        body = render_to_string("users/locked_out.html", {"detail": detail}, request=request)
        response = HttpResponse(body, status=429)
    if cool_off:
        response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response
