"""Request throttles. Clients are told apart by ``apps.ops.clients.client_ip`` (the trusted
proxies' view of X-Forwarded-For, never the client's own claim) or, logged in, by account."""

from rest_framework.permissions import SAFE_METHODS
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle

from apps.ops.clients import client_ip


class ClientAddress:
    def get_ident(self, request):
        return client_ip(request)


class AnonReadThrottle(ClientAddress, AnonRateThrottle):
    """Anonymous reads, per client address."""

    scope = "anon_read"

    def allow_request(self, request, view):
        if request.method not in SAFE_METHODS:
            return True
        return super().allow_request(request, view)


class UserThrottle(ClientAddress, UserRateThrottle):
    """Every request of a logged-in user, per account (generous: a script's bursts pass, a
    runaway loop or a stolen token's flood does not)."""

    scope = "user"

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return None  # anonymous requests: AnonReadThrottle
        return super().get_cache_key(request, view)


class LoginThrottle(ClientAddress, SimpleRateThrottle):
    """Token requests (password guesses), per client address."""

    scope = "login"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
