from django.conf import settings
from rest_framework.permissions import SAFE_METHODS, BasePermission

from apps.users.roles import is_editor


class ReadOrEditorWrite(BasePermission):
    """Reads are public (unless ``API_READS_REQUIRE_TOKEN``); writes need an editor.

    Unauthenticated writes get 401 (the token authenticator sends ``WWW-Authenticate``),
    authenticated non-editors 403.
    """

    message = "Only editors may change the record."

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return not settings.API_READS_REQUIRE_TOKEN or request.user.is_authenticated
        return is_editor(request.user)
