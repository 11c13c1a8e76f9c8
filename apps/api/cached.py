"""API views whose answers are kept per data revision (``apps.ops.answers``).

A subclass writes ``build(request)`` (a DRF ``Response``, as ``get`` would return, or
:class:`Streamed` bytes), a ``get`` that returns ``self.answer(request)`` (where its schema is
declared), and names the theater its answer depends on with ``theater_required``: a
required ``theater`` parameter (absent: the only theater, then in ``self.theater``) or an
optional one (absent: every theater). The revision is read first, then a conditional request
is answered, or the kept answer sent, or the answer built, kept and sent. Throttling,
authentication and content negotiation have run before (DRF's ``initial``), so a kept answer
is never a way around them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.http import HttpResponse, HttpResponseBase
from rest_framework.request import Request
from rest_framework.response import Response

from apps.ops import answers
from apps.territory import params, revisions
from apps.territory.models import Theater

from .large import LargeAnswerView, release


@dataclass(frozen=True)
class Streamed:
    """An answer as JSON bytes in pieces, in the negotiated media type (a 200)."""

    chunks: Iterable[bytes]


class CachedAnswerView(LargeAnswerView):
    theater_required = False
    cache_name = ""  # the endpoint's name in cache keys; the class name when empty
    theater: Theater | None = None  # the request's, once ``answer`` has parsed it

    def build(self, request: Request) -> Response | Streamed:
        raise NotImplementedError

    def keep(self, response: Response) -> bool:
        """Whether this 200 answer is final (not waiting on derived data)."""
        return True

    def answer(self, request: Request) -> HttpResponseBase:
        theater = params.parse_theater(request.query_params, required=self.theater_required)
        self.theater = theater
        stamp = (
            revisions.stamp_of(theater.pk)
            if theater is not None
            else revisions.stamp_of_every_theater()
        )
        key = answers.key_of(
            self.cache_name or type(self).__name__,
            [(name, v) for name, values in request.query_params.lists() for v in values],
            str(request.accepted_media_type),
        )
        return answers.answer(
            request._request, key=key, stamp=stamp, build=lambda: self._built(request)
        )

    def _built(self, request: Request) -> answers.Built:
        response = self.build(request)
        if isinstance(response, Streamed):
            carrier = HttpResponse(content_type=request.accepted_renderer.media_type)
            return answers.Built(response=carrier, chunks=response.chunks)
        keep = response.status_code == 200 and self.keep(response)
        response.accepted_renderer = request.accepted_renderer
        response.accepted_media_type = request.accepted_media_type
        # as DRF's finalize_response sets them (the stubs omit renderer_context)
        response.renderer_context = self.get_renderer_context()  # type: ignore[attr-defined]
        response.render()
        release(response)
        return answers.Built(response=response, keep=keep)
