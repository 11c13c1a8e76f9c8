from django.urls import reverse

from .models import Revision
from .recorder import acting


class ActorMiddleware:
    """Records writes made during a request as that request's user, via admin or API."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = None

    def __call__(self, request):
        if self.admin_prefix is None:
            self.admin_prefix = reverse("admin:index")
        via = Revision.Via.ADMIN if request.path.startswith(self.admin_prefix) else Revision.Via.API
        # Read the user when a revision is written: DRF authenticates tokens inside the view.
        with acting(via=via, user_getter=lambda: getattr(request, "user", None)):
            return self.get_response(request)
