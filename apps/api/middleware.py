from django.conf import settings
from django.http import JsonResponse


class RequestSizeLimitMiddleware:
    """Refuse API request bodies over ``API_MAX_BODY_BYTES`` with 413 before reading them, and
    query parameters holding NUL characters (no database column can store them) with 400."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            limit = settings.API_MAX_BODY_BYTES
            if request.path.startswith("/api/v1/imports/"):
                limit = settings.IMPORT_MAX_BYTES + 64 * 1024  # the file and its form fields
            if length > limit:
                return JsonResponse({"detail": f"Request body over {limit:,} bytes."}, status=413)
            for name, values in request.GET.lists():
                if "\x00" in name or any("\x00" in value for value in values):
                    return JsonResponse(
                        {name.replace("\x00", ""): ["NUL characters are not allowed."]},
                        status=400,
                    )
        return self.get_response(request)


class JsonNotFoundMiddleware:
    """A URL under /api/ that matches no route answers JSON, whatever ``DEBUG`` says (Django's
    debug 404 page ignores ``handler404``). API views answer their own 404s in JSON already.

    So does a 400 that Django answered itself with a page: a ``SuspiciousOperation`` outside an
    API view, e.g. a ``Host`` header not in ``ALLOWED_HOSTS`` (API views answer theirs in JSON
    through ``exceptions.exception_handler``)."""

    PAGES = {404: "Not found.", 400: "Bad request."}
    # headers that describe the page's body, not the response: the JSON body replacing it
    # must not inherit them (a gzipped debug page's Content-Encoding on plain JSON breaks
    # every client that decodes it)
    BODY_HEADERS = frozenset(
        ("content-type", "content-length", "content-encoding", "etag", "last-modified")
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        content_type = response.get("Content-Type", "")
        if (
            response.status_code in self.PAGES
            and request.path.startswith("/api/")
            and not content_type.startswith("application/json")
            # a 400 the API itself wrote (CSV errors for ?format=csv) keeps its details
            and (response.status_code == 404 or content_type.startswith("text/html"))
        ):
            status = response.status_code
            page = JsonResponse({"detail": self.PAGES[status]}, status=status)
            for header, value in response.items():  # X-Frame-Options, Vary, ...
                if header.lower() not in self.BODY_HEADERS:
                    page.setdefault(header, value)
            return page
        return response
