"""Views whose answers hold 100,000 features or a million changes.

Two things keep them fast and small:

- Python's cyclic garbage collector is paused while the answer is built. Building 100,000
  GeoJSON Features allocates a few hundred thousand containers; with the collector on, its
  generational passes re-scan them again and again and take two thirds of the building time.
  The objects built hold no reference cycles, so nothing is lost.
- Once rendered to bytes, the response lets go of its data. DRF's Response refers to itself
  through its renderer context, a cycle that would keep hundreds of megabytes of dicts alive
  until the next full collection instead of freeing them as soon as the request ends.
- The view lets go of its response once it has returned it. A DRF view and its request refer
  to each other (the request's parser context names the view), so the view lives until a
  full collection, rare in a long-running worker; holding the response, it would keep each
  answer's body (40 MB for 100,000 Features) alive with it: a worker grew by one body per
  request, to 650 MB after eight.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from rest_framework.views import APIView

_lock = threading.Lock()
_depth = 0  # nesting across threads: the collector is process-wide


@contextmanager
def gc_paused() -> Iterator[None]:
    global _depth
    with _lock:
        _depth += 1
        if _depth == 1:
            gc.disable()
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                gc.enable()


def release(response) -> None:
    response.data = None
    context = getattr(response, "renderer_context", None)
    if context:
        context.pop("response", None)


class LargeAnswerView(APIView):
    def dispatch(self, request, *args, **kwargs):
        with gc_paused():  # the answer is built here; it is rendered to bytes afterwards
            response = super().dispatch(request, *args, **kwargs)
        self.response = None  # type: ignore[assignment]  # let go: see the module's docstring
        return response

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if hasattr(response, "add_post_render_callback"):
            response.add_post_render_callback(release)
        return response
