"""Whole answers built once per data revision and request, kept compressed, served as bytes.

An interface hands :func:`answer` a *key* (what was asked: the endpoint, its parameters, the
representation), a :class:`Stamp` (the revision of the data the answer shows, read before
the data) and a function that builds the answer. Then:

1. ``If-None-Match`` naming the ETag of (key, stamp), or ``If-Modified-Since`` not older
   than the stamp, is answered 304 at once: nothing is built and the data is not read.
2. An answer stored under (key, stamp) is sent as stored: brotli where the client accepts
   it, else gzip, else decompressed.
3. Otherwise the answer is built; a 200 is compressed once, in the coding the client
   prefers (gzip for one that takes none), stored and sent. The other coding is made from it
   the first time a client asks for it, and stored beside it. A first build thus costs one
   compression, as the gzip middleware's did.

An answer its view marks not final (``Built.keep``) is sent as built, without the
revision's ETag, which would otherwise tell a client to keep it.

Invalidation is the stamp: a write moves the revision, so the next request asks for a key
that was never stored. Old entries expire (``ANSWER_CACHE_TTL_S``) or are evicted. A cache
that is away, full or broken is a miss (logged), never a failed request.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import brotli
from django.conf import settings
from django.core.cache import caches
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseNotModified,
    StreamingHttpResponse,
)
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date, parse_http_date_safe

logger = logging.getLogger(__name__)

CACHE_ALIAS = "answers"
KEPT_HEADERS = ("Content-Disposition",)
# gzip level 5, filtered (fewer short matches): timeline/'s digits take level 6 2.7 times as
# long as 5 for 0.5% less; control/ is 6% larger than at 6 (measured at 100,000 places).
GZIP_LEVEL = 5
GZIP_STRATEGY = zlib.Z_FILTERED
BROTLI_QUALITY = 4  # about gzip 6's speed and size; 5 is 8% smaller but 60% slower
CODINGS = ("br", "gzip")  # in order of preference


@dataclass(frozen=True)
class Stamp:
    """What an answer was built from: the revision ``tag`` and when it last moved."""

    tag: str
    changed_at: datetime | None


@dataclass(frozen=True)
class Stored:
    """An answer as kept: its media type, the headers worth keeping and its body in one or
    both content codings."""

    content_type: str
    headers: tuple[tuple[str, str], ...]
    bodies: dict[str, bytes]  # by coding: "gzip", "br"


@dataclass(frozen=True)
class Built:
    """An answer just built; ``keep`` false for one that is not final (derived data still
    being computed). With ``chunks``, the body is those bytes in order (compressed as they
    come, or streamed to a client as they come, so the whole body is never held
    uncompressed) and ``response`` carries only the status and headers."""

    response: HttpResponse
    keep: bool = True
    chunks: Iterable[bytes] | None = None

    def as_response(self) -> HttpResponseBase:
        if self.chunks is None:
            return self.response
        response = StreamingHttpResponse(self.chunks, content_type=self.response["Content-Type"])
        for name in KEPT_HEADERS:
            if self.response.has_header(name):
                response[name] = self.response[name]
        return response


def key_of(name: str, params: Iterable[tuple[str, str]], representation: str) -> str:
    """The request, independent of the order of its parameters (encoded again, so that no
    value can pass for several parameters)."""
    asked = urlencode(sorted(params))
    digest = hashlib.sha256(f"{name}\n{asked}\n{representation}".encode()).hexdigest()
    return f"{name}:{digest[:32]}"


def etag_of(key: str, stamp: Stamp) -> str:
    # weak: the same answer is sent in several content codings
    return 'W/"' + hashlib.sha256(f"{key}\n{stamp.tag}".encode()).hexdigest()[:27] + '"'


def answer(
    request: HttpRequest, *, key: str, stamp: Stamp, build: Callable[[], Built]
) -> HttpResponseBase:
    etag = etag_of(key, stamp)
    if _not_modified(request, etag, stamp):
        response: HttpResponseBase = HttpResponseNotModified()
        return _validators(response, etag, stamp)
    wanted = _preferred(request.headers.get("Accept-Encoding", ""))
    kept_as = f"{key}:{stamp.tag}"
    stored = _get(kept_as)
    if stored is None:
        built = build()
        if built.response.status_code != 200 or not built.keep:
            return built.as_response()
        if wanted is None and not settings.ANSWER_CACHE:  # nothing to compress for
            return _validators(built.as_response(), etag, stamp)
        stored = _stored(built, wanted or "gzip")
        _set(kept_as, stored)
    elif wanted and wanted not in stored.bodies:
        stored = _recoded(stored, wanted)
        _set(kept_as, stored)
    return _validators(_send(stored, wanted), etag, stamp)


def _not_modified(request: HttpRequest, etag: str, stamp: Stamp) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    asked = request.headers.get("If-None-Match")
    if asked is not None:  # it takes precedence over If-Modified-Since (RFC 9110 13.2.2)
        tags = [t.strip() for t in asked.split(",")]
        return "*" in tags or any(_weak(t) == _weak(etag) for t in tags)
    since = parse_http_date_safe(request.headers.get("If-Modified-Since") or "")
    return (
        since is not None
        and stamp.changed_at is not None
        and (int(stamp.changed_at.timestamp()) <= since)
    )


def _weak(tag: str) -> str:
    return tag.removeprefix("W/")


def _validators(response: HttpResponseBase, etag: str, stamp: Stamp) -> HttpResponseBase:
    response["ETag"] = etag
    if stamp.changed_at is not None:
        response["Last-Modified"] = http_date(stamp.changed_at.timestamp())
    # anyone may keep it, but must ask again (a 304 costs a millisecond) before reusing it
    response["Cache-Control"] = "public, no-cache"
    patch_vary_headers(response, ["Accept", "Accept-Encoding"])
    return response


def _encode(coding: str, body: bytes) -> bytes:
    if coding == "br":
        return bytes(brotli.compress(body, quality=BROTLI_QUALITY))
    deflate = _gzip_compressor()
    return bytes(deflate.compress(body) + deflate.flush())


def _gzip_compressor() -> Any:  # with a gzip header (31), no name or time: the same bytes
    return zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 31, 8, GZIP_STRATEGY)


def _decode(coding: str, data: bytes) -> bytes:
    return bytes(brotli.decompress(data)) if coding == "br" else gzip.decompress(data)


def _encode_chunks(coding: str, chunks: Iterable[bytes]) -> bytes:
    if coding == "br":
        compressor = brotli.Compressor(quality=BROTLI_QUALITY)
        parts = [compressor.process(chunk) for chunk in chunks]
        parts.append(compressor.finish())
    else:
        deflate = _gzip_compressor()
        parts = [deflate.compress(chunk) for chunk in chunks]
        parts.append(deflate.flush())
    return b"".join(parts)


def _stored(built: Built, coding: str) -> Stored:
    response = built.response
    kept = tuple((h, response[h]) for h in KEPT_HEADERS if response.has_header(h))
    body = (
        _encode(coding, response.content)
        if built.chunks is None
        else _encode_chunks(coding, built.chunks)
    )
    return Stored(content_type=response["Content-Type"], headers=kept, bodies={coding: body})


def _recoded(stored: Stored, coding: str) -> Stored:
    have, data = next(iter(stored.bodies.items()))
    body = _decode(have, data)
    return replace(stored, bodies={**stored.bodies, coding: _encode(coding, body)})


def _send(stored: Stored, coding: str | None) -> HttpResponse:
    if coding is not None:
        response = HttpResponse(stored.bodies[coding], content_type=stored.content_type)
        response["Content-Encoding"] = coding
    else:
        have, data = next(iter(stored.bodies.items()))
        response = HttpResponse(_decode(have, data), content_type=stored.content_type)
    for name, value in stored.headers:
        response[name] = value
    return response


def _preferred(header: str) -> str | None:
    """The coding to send: brotli, else gzip, if the client accepts it (``q=0`` refuses,
    ``*`` accepts whatever it does not name)."""
    accepted: set[str] = set()
    refused: set[str] = set()
    for part in header.split(","):
        coding, _, rest = part.strip().partition(";")
        coding, rest = coding.strip().lower(), rest.strip()
        try:
            quality = float(rest.removeprefix("q=")) if rest.startswith("q=") else 1.0
        except ValueError:
            quality = 1.0
        (refused if quality == 0 else accepted).add(coding)
    for coding in CODINGS:
        if coding not in refused and (coding in accepted or "*" in accepted):
            return coding
    return None


def _get(key: str) -> Stored | None:
    if not settings.ANSWER_CACHE:
        return None
    try:
        found = caches[CACHE_ALIAS].get(key)
    except Exception as error:  # Redis away, a full disk, a corrupt file: a miss
        logger.warning("answer cache read skipped: %s", error)
        return None
    return found if isinstance(found, Stored) else None


def _set(key: str, stored: Stored) -> None:
    if not settings.ANSWER_CACHE:
        return
    try:
        caches[CACHE_ALIAS].set(key, stored, timeout=settings.ANSWER_CACHE_TTL_S)
    except Exception as error:
        logger.warning("answer cache write skipped: %s", error)
