from django.conf import settings
from rest_framework.permissions import SAFE_METHODS, BasePermission

from apps.users.roles import can_delete, is_editor


class ReadOrEditorWrite(BasePermission):
    """Reads are public (unless ``API_READS_REQUIRE_TOKEN``); writes need an editor, deletes
    a reviewer (see ``apps.users.roles``; publishing is checked where the change is saved).

    Unauthenticated writes get 401 (the token authenticator sends ``WWW-Authenticate``),
    authenticated users without the role 403.
    """

    message = "Only editors may change the record."

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return not settings.API_READS_REQUIRE_TOKEN or request.user.is_authenticated
        if not is_editor(request.user):
            return False
        if request.method == "DELETE":
            model = view.get_queryset().model if hasattr(view, "get_queryset") else None
            if model is not None and not can_delete(request.user, model._meta.model_name):
                self.message = "Only a reviewer may delete."
                return False
        return True
