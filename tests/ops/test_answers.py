"""The pieces of kept answers that need no database: codings, keys, validators."""

from datetime import UTC, datetime

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from apps.ops import answers
from apps.ops.answers import Built, Stamp


@pytest.mark.parametrize(
    "header,coding",
    [
        ("", None),
        ("identity", None),
        ("gzip", "gzip"),
        ("gzip, deflate, br, zstd", "br"),
        ("br;q=0, gzip;q=0.5", "gzip"),
        ("*", "br"),
        ("*, br;q=0", "gzip"),
        ("gzip;q=0, *;q=0.1", "br"),
        ("GZIP;Q=1", "gzip"),
        ("gzip;q=nonsense", "gzip"),
    ],
)
def test_the_coding_sent_is_the_best_one_accepted(header, coding):
    assert answers._preferred(header) == coding


def test_keys_ignore_the_order_of_parameters_but_not_their_values():
    one = answers.key_of("control", [("date", "2017-11-03"), ("theater", "1")], "json")
    assert one == answers.key_of("control", [("theater", "1"), ("date", "2017-11-03")], "json")
    assert one != answers.key_of("control", [("theater", "1"), ("date", "2017-11-04")], "json")
    assert one != answers.key_of("control", [("date", "2017-11-03"), ("theater", "1")], "csv")
    assert one != answers.key_of("timeline", [("date", "2017-11-03"), ("theater", "1")], "json")
    smuggled = answers.key_of("control", [("date", "2017-11-03&theater=1")], "json")
    assert smuggled != one


def test_the_etag_names_the_revision():
    key = answers.key_of("control", [], "json")
    first, second = Stamp("1.ab.1", None), Stamp("1.ab.2", None)
    assert answers.etag_of(key, first) != answers.etag_of(key, second)
    assert answers.etag_of(key, first).startswith('W/"')


class Counter:
    def __init__(self, body=b'{"a": 1}' * 100):
        self.calls, self.body = 0, body

    def __call__(self):
        self.calls += 1
        return Built(HttpResponse(self.body, content_type="application/json"))


def test_a_matching_tag_in_a_list_or_a_star_is_not_modified(settings):
    stamp = Stamp("3.cd.7", datetime(2026, 1, 1, tzinfo=UTC))
    key = answers.key_of("x", [], "json")
    etag = answers.etag_of(key, stamp)
    build = Counter()
    for asked in [etag, f'"other", {etag.removeprefix("W/")}', "*"]:
        request = RequestFactory().get("/", HTTP_IF_NONE_MATCH=asked)
        response = answers.answer(request, key=key, stamp=stamp, build=build)
        assert response.status_code == 304 and response["ETag"] == etag
    assert build.calls == 0
    older = RequestFactory().get("/", HTTP_IF_MODIFIED_SINCE="Wed, 31 Dec 2025 00:00:00 GMT")
    assert answers.answer(older, key=key, stamp=stamp, build=build).status_code == 200
    assert build.calls == 1
    stale_tag = RequestFactory().get(
        "/", HTTP_IF_NONE_MATCH='W/"old"', HTTP_IF_MODIFIED_SINCE="Fri, 02 Jan 2026 00:00:00 GMT"
    )  # If-None-Match wins over If-Modified-Since
    assert answers.answer(stale_tag, key=key, stamp=stamp, build=build).status_code == 200


def test_an_answer_not_final_is_sent_as_built_and_not_kept():
    stamp, key = Stamp("1.x.1", None), answers.key_of("series", [], "json")
    calls = []

    def build():
        calls.append(1)
        return Built(HttpResponse(b"{}", content_type="application/json"), keep=False)

    for _ in range(2):
        response = answers.answer(RequestFactory().get("/"), key=key, stamp=stamp, build=build)
        assert response.status_code == 200 and not response.has_header("ETag")
    assert len(calls) == 2
