"""A Content-Security-Policy on every response, with a per-request nonce for the few inline
scripts third-party templates still carry (django-leaflet's map widget reads
``request.csp_nonce``). Our own pages need none: scripts and data come from 'self'.

Styles keep 'unsafe-inline' (admin templates and colour swatches use style attributes);
scripts never do. Images may come from the map tiles' host (``MAP_TILES_URL``).

No page is ever framed, not even by Frontline itself (the map embeds no frame, and the admin's
related-object pop-ups are windows): ``frame-ancestors 'none'``, which agrees with Django's
``X-Frame-Options: DENY`` (its default) for browsers that only read the older header.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from django.conf import settings


def tile_source() -> str:
    """The map tiles' origin for img-src ('' without online tiles); a ``{s}.`` subdomain
    template becomes a wildcard."""
    if not settings.MAP_TILES_URL:
        return ""
    parts = urlsplit(settings.MAP_TILES_URL)
    host = parts.netloc
    if host.startswith("{s}."):
        host = "*." + host[4:]
    return f"{parts.scheme or 'https'}://{host}"


def policy(nonce: str) -> str:
    tiles = tile_source()
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self' 'unsafe-inline'",
            f"img-src 'self' data:{' ' + tiles if tiles else ''}",
            "connect-src 'self'",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.csp_nonce = secrets.token_urlsafe(16)
        response = self.get_response(request)
        if settings.CONTENT_SECURITY_POLICY and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy(request.csp_nonce)
        return response
