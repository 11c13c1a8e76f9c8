"""Who is asking: the client's address, for throttles and login lockouts.

``X-Forwarded-For`` is written by whoever sends the request, so it is believed only as far as
the reverse proxies we run: ``TRUSTED_PROXY_COUNT`` of them (0 by default: the embedded
server and ``scripts/stack.sh`` face clients directly; the compose stack has one, nginx).
Each trusted proxy appends the address it saw, so the client is the entry that many places
from the right; anything to the left of it is the client's own claim and is ignored. With
no trusted proxy, the TCP peer (``REMOTE_ADDR``) is the client, whatever the headers say.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    """The address throttles and lockouts count by (never a value the client chose)."""
    request = getattr(request, "_request", request)  # a DRF Request wraps Django's
    meta = request.META
    peer = meta.get("REMOTE_ADDR") or ""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return peer
    hops = [hop.strip() for hop in meta.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [hop for hop in hops if hop]
    # The proxy nearest to us is the peer; it appended the address it saw as the last hop.
    if len(hops) < proxies:
        return peer  # not sent through all our proxies: the peer is the best we know
    candidate = hops[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return peer
