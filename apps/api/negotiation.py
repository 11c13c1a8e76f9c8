from rest_framework.exceptions import NotFound
from rest_framework.negotiation import DefaultContentNegotiation


class StrictContentNegotiation(DefaultContentNegotiation):
    """``?format=`` must name a format this endpoint offers; an empty one is an error too."""

    def select_renderer(self, request, renderers, format_suffix=None):
        requested = request.query_params.get(self.settings.URL_FORMAT_OVERRIDE)
        if requested is not None and requested not in {r.format for r in renderers}:
            offered = ", ".join(r.format for r in renderers)
            raise NotFound(f"Unknown format {requested!r}; this endpoint offers: {offered}.")
        return super().select_renderer(request, renderers, format_suffix)
