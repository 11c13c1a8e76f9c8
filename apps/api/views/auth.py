"""API tokens: log in for one, revoke one or all (django-rest-knox tokens).

Every login makes a new token, valid ``REST_KNOX["TOKEN_TTL"]``; a user keeps at most
``API_TOKENS_PER_USER`` (the oldest go first). Passwords are checked by ``authenticate``, so
the login lockout (django-axes, ``AXES_*`` settings) counts every wrong one here as on the
admin's form; a locked-out client gets 429 from the lockout middleware. Failures are
answered without raising, so the request's transaction (ATOMIC_REQUESTS) keeps the lockout's
count instead of rolling it back.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import authenticate, user_logged_in
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from knox.models import AuthToken
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import parsers
from ..renderers import ORJSONRenderer
from ..throttling import LoginThrottle

WRONG = "Unable to log in with provided credentials."


class LoginSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)


TOKEN = inline_serializer(
    "Token",
    {
        "token": serializers.CharField(help_text="Send as `Authorization: Token <token>`."),
        "expiry": serializers.DateTimeField(help_text="When the token stops working."),
    },
)
DETAIL = inline_serializer("Detail", {"detail": serializers.CharField()})


def _unauthorized(detail: str) -> Response:
    return Response({"detail": detail}, status=401, headers={"WWW-Authenticate": "Token"})


def _holds_nul(data) -> bool:
    values = [data.get(name) for name in ("username", "password")] if hasattr(data, "get") else []
    return any(isinstance(v, str) and "\x00" in v for v in values)


def _keep_newest(user) -> None:
    tokens = AuthToken.objects.filter(user=user).order_by("-created")
    stale = list(tokens.values_list("digest", flat=True)[settings.API_TOKENS_PER_USER :])
    if stale:
        AuthToken.objects.filter(digest__in=stale).delete()


class TokenView(APIView):
    """POST: exchange a username and password for a new API token (throttled per address;
    repeated failures lock the account and the address out: 429). A well-formed request with
    the wrong credentials is a 401, a malformed one a 400. DELETE: revoke the token sent."""

    throttle_classes = [LoginThrottle]
    renderer_classes = [ORJSONRenderer]
    parser_classes = [parsers.JSONParser]

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    def get_throttles(self):
        return super().get_throttles() if self.request.method == "POST" else []

    @extend_schema(
        request=LoginSerializer,
        responses={
            200: TOKEN,
            401: OpenApiResponse(DETAIL, "Wrong username or password."),
            429: OpenApiResponse(DETAIL, "Too many attempts, or locked out."),
        },
    )
    def post(self, request):
        if _holds_nul(request.data):  # no account has a NUL: wrong credentials, not bad input
            return _unauthorized(WRONG)
        login = LoginSerializer(data=request.data)
        login.is_valid(raise_exception=True)
        username, password = login.validated_data["username"], login.validated_data["password"]
        django_request = request._request  # the lockout marks and reads Django's request
        user = authenticate(django_request, username=username, password=password)
        if user is None or not user.is_active:
            return _unauthorized(WRONG)  # locked out: the lockout middleware answers 429
        user_logged_in.send(sender=type(user), request=django_request, user=user)
        instance, token = AuthToken.objects.create(user)
        _keep_newest(user)
        return Response({"token": token, "expiry": instance.expiry})

    @extend_schema(
        request=None,
        responses={204: None, 400: OpenApiResponse(DETAIL, "Not authenticated by a token.")},
    )
    def delete(self, request):
        if not isinstance(request.auth, AuthToken):
            return Response(
                {"detail": "Send the token to revoke as `Authorization: Token <token>`."},
                status=400,
            )
        request.auth.delete()
        return Response(status=204)


class TokensView(APIView):
    """DELETE: revoke every token of the user (logged in by token or session)."""

    permission_classes = [IsAuthenticated]
    renderer_classes = [ORJSONRenderer]

    @extend_schema(
        request=None,
        responses={200: inline_serializer("Revoked", {"revoked": serializers.IntegerField()})},
    )
    def delete(self, request):
        revoked, _ = AuthToken.objects.filter(user=request.user).delete()
        return Response({"revoked": revoked})
