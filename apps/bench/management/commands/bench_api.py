"""Benchmark the API on a large synthetic theater, served by gunicorn as in production.

    manage.py bench_api --places 100000 --changes 1000000

Builds (once, then cached) the synthetic dataset, starts one gunicorn worker, and prints for
each endpoint the median and p95 latency, the response size raw and gzipped, and the worker's
peak memory. It also times the lower bound: PostgreSQL alone building the same snapshot
GeoJSON in one statement (json_agg + ST_AsGeoJSON), and the naive approach, a plain
djangorestframework-gis GeoFeatureModelSerializer over the same query (only here, never in
the API), for comparison.
"""

from __future__ import annotations

import gc
import gzip
import http.client
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import override_settings

from apps.bench.synthetic import add_theater_arguments, synthetic_slug
from apps.territory.models import Place, Theater

DATES = [date(2014, 6, 1), date(2015, 6, 1), date(2016, 6, 1), date(2017, 11, 3), date(2019, 6, 1)]

# The lower bound: the same answer built by PostgreSQL alone, in the fastest single statement
# found (of correlated subqueries per place, DISTINCT ON over the (place, start) index, and
# this: the places sorted first, then for each the latest period begun by the day, kept if it
# has not ended, its controller joined and its challengers aggregated).
SQL_SNAPSHOT = """
SELECT json_build_object('type', 'FeatureCollection', 'date', %(day)s::date, 'features',
  coalesce(json_agg(json_build_object(
    'type', 'Feature', 'id', p.id,
    'geometry', ST_AsGeoJSON(p.location, 5)::json,
    'properties', json_build_object(
      'place_id', p.id, 'name', p.name, 'kind', p.kind, 'importance', p.importance,
      'status', coalesce(cp.status, 'unknown'),
      'controller', CASE WHEN g.id IS NULL THEN NULL ELSE
        json_build_object('id', g.id, 'slug', g.slug, 'name', g.name, 'color', g.color) END,
      'challengers', coalesce(ch.ids, '[]'::json),
      'since', cp.start, 'until', cp."end", 'change', cp.change_id)
  )), '[]'::json))::text
FROM (SELECT id, name, kind, importance, location FROM territory_place
      WHERE theater_id = %(theater)s ORDER BY lower(name)) p
LEFT JOIN LATERAL (
  SELECT * FROM territory_controlperiod c
  WHERE c.place_id = p.id AND c.start <= %(day)s ORDER BY c.start DESC LIMIT 1
) latest ON true
LEFT JOIN LATERAL (
  SELECT latest.* WHERE latest."end" IS NULL OR latest."end" > %(day)s
) cp ON true
LEFT JOIN territory_armedgroup g ON g.id = cp.controller_id
LEFT JOIN LATERAL (
  SELECT json_agg(pc.group_id) AS ids FROM territory_periodchallenger pc
  WHERE pc.period_id = cp.id
) ch ON true
"""


class Command(BaseCommand):
    help = "Benchmark the API endpoints on a synthetic theater (PostGIS)."

    def add_arguments(self, parser):
        add_theater_arguments(parser, places=100_000, changes=1_000_000, groups=12)
        parser.add_argument("--repeat", type=int, default=7)

    def handle(self, *args, places, changes, groups, seed, repeat, **options):
        if connection.vendor != "postgresql":
            raise CommandError("The benchmark runs on PostGIS (DATABASE_URL=postgis://...).")
        call_command(
            "generate_synthetic",
            places=places,
            changes=changes,
            groups=groups,
            seed=seed,
            stdout=self.stdout,
        )
        theater = Theater.objects.get(slug=synthetic_slug(places, changes, groups, seed))
        rng = random.Random(seed)
        place_ids = list(Place.objects.filter(theater=theater).values_list("pk", flat=True))
        connection.close()

        port, worker = self.start_server(cache=False)  # every answer built: first builds
        try:
            rows = []
            for day in DATES:
                rows.append(
                    self.measure(
                        f"control/ {day}",
                        port,
                        repeat,
                        lambda day=day: f"/api/v1/control/?date={day}&theater={theater.pk}",
                    )
                )
            rows.append(
                self.measure(
                    "timeline/ (whole theater)",
                    port,
                    max(3, repeat // 2),
                    lambda: f"/api/v1/timeline/?theater={theater.pk}",
                )
            )
            rows.append(
                self.measure(
                    "places/{id}/history/",
                    port,
                    50,
                    lambda: f"/api/v1/places/{rng.choice(place_ids)}/history/",
                )
            )
            rows.append(
                self.measure(
                    "control/diff/ (1 month)",
                    port,
                    repeat,
                    lambda: (
                        f"/api/v1/control/diff/?from=2017-10-01&to=2017-11-01&theater={theater.pk}"
                    ),
                )
            )
            peak_mb = self.peak_memory_mb(worker)
        finally:
            self.stop_server()
        with tempfile.TemporaryDirectory(prefix="bench-answers-") as kept:
            port, worker = self.start_server(cache=True, cache_dir=kept)
            try:
                kept_rows = self.measure_kept(theater, port, place_ids[0])
                kept_peak_mb = self.peak_memory_mb(worker)
            finally:
                self.stop_server()

        self.stdout.write(
            f"\n{'endpoint':<30}{'median ms':>10}{'p95 ms':>10}{'raw KB':>11}{'gzip KB':>10}"
        )
        for name, median, p95, raw, zipped in rows:
            self.stdout.write(
                f"{name:<30}{median:>10.1f}{p95:>10.1f}{raw / 1024:>11.1f}{zipped / 1024:>10.1f}"
            )
        self.stdout.write(f"server worker peak memory: {peak_mb:.0f} MB (target < 300 MiB)")

        self.stdout.write(
            f"\n{'kept answers (gzip over HTTP)':<41}"
            f"{'first ms':>10}{'median ms':>10}{'p95 ms':>10}"
        )
        for name, first, median, p95, target in kept_rows:
            self.stdout.write(
                f"{name:<41}{first:>10.1f}{median:>10.1f}{p95:>10.1f}   (target p95 < {target} ms)"
            )
        self.stdout.write(f"server worker peak memory, answers kept: {kept_peak_mb:.0f} MB")

        timeline = next(r for r in rows if r[0].startswith("timeline"))
        total_changes = changes
        self.stdout.write(
            f"timeline/: {timeline[4] / max(total_changes, 1):.2f} gzip bytes per change "
            "(target < 8)"
        )
        self.stdout.write(f"timeline/ median {timeline[1]:.0f} ms (target < 3000)")
        control_median = statistics.median(r[1] for r in rows if r[0].startswith("control/ 2"))
        sql_ms = self.sql_lower_bound(theater.pk, repeat)
        gc.collect()
        in_process_ms = self.view_in_process(theater, repeat=max(1, repeat // 3))
        gc.collect()
        naive_ms = self.naive_serializer(theater, repeat=max(1, repeat // 3))
        history = next(r for r in rows if r[0].startswith("places/"))
        self.stdout.write(
            f"control/ median {control_median:.0f} ms; PostgreSQL-only snapshot (one "
            f"statement) {sql_ms:.0f} ms -> ratio {control_median / sql_ms:.2f} (target <= 0.5)"
        )
        self.stdout.write(
            f"naive GeoFeatureModelSerializer (in process) {naive_ms:.0f} ms -> ours is "
            f"{naive_ms / control_median:.1f}x faster over HTTP, "
            f"{naive_ms / in_process_ms:.1f}x in process ({in_process_ms:.0f} ms) (target >= 10)"
        )
        self.stdout.write(f"history/ p95 {history[2]:.1f} ms (target < 10)")

    # --- server -----------------------------------------------------------------------------

    def start_server(self, *, cache: bool, cache_dir: str = ""):
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        sock.close()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "DEBUG": "false",
            "API_ANON_READ_RATE": "1000000/hour",
            "CONN_MAX_AGE": "600",
            "ANSWER_CACHE": "true" if cache else "false",
            "ANSWER_CACHE_DIR": cache_dir,
        }
        gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
        self.server = subprocess.Popen(
            [
                gunicorn,
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--timeout",
                "300",
                "--log-level",
                "warning",
            ],
            env=env,
        )
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=2).request("HEAD", "/")
                break
            except OSError:
                time.sleep(0.2)
        import psutil

        children = psutil.Process(self.server.pid).children()
        return port, children[0].pid if children else self.server.pid

    def stop_server(self):
        self.server.send_signal(signal.SIGTERM)
        self.server.wait(timeout=30)

    @staticmethod
    def peak_memory_mb(pid: int) -> float:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        return float("nan")

    def measure(self, name, port, repeat, make_path):
        def get(path, encoding):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
            started = time.perf_counter()
            conn.request("GET", path, headers={"Accept-Encoding": encoding})
            response = conn.getresponse()
            body = response.read()
            elapsed = (time.perf_counter() - started) * 1000
            if response.status != 200:
                raise CommandError(f"{path}: HTTP {response.status} {body[:200]!r}")
            return elapsed, body, response.getheader("Content-Encoding")

        get(make_path(), "identity")  # warm-up
        timings = []
        raw = 0
        for _ in range(repeat):
            elapsed, body, _ = get(make_path(), "identity")
            timings.append(elapsed)
            raw = len(body)
        _, zipped_body, encoding = get(make_path(), "gzip")
        zipped = len(zipped_body) if encoding == "gzip" else len(gzip.compress(zipped_body))
        timings.sort()
        p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
        self.stdout.write(f"  {name}: {statistics.median(timings):.1f} ms")
        return name, statistics.median(timings), p95, raw, zipped

    def measure_kept(self, theater, port: int, place_id: int) -> list:
        """Kept answers: the first request of each builds and keeps it, the next are sent as
        stored; a conditional request is answered 304; after a write the first read rebuilds
        and the next are kept again. Rows: name, first ms, median ms, p95 ms, target p95."""
        control = f"/api/v1/control/?date=2017-11-03&theater={theater.pk}"
        timeline = f"/api/v1/timeline/?theater={theater.pk}"

        def series(path: str, repeat: int, headers: dict | None = None, status: int = 200):
            timings = []
            for _ in range(repeat):
                elapsed, got, _ = self.fetch(port, path, headers or {"Accept-Encoding": "gzip"})
                if got != status:
                    raise CommandError(f"{path}: HTTP {got}, expected {status}")
                timings.append(elapsed)
            timings.sort()
            p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
            return statistics.median(timings), p95

        rows = []
        for name, path, target in [
            ("control/ 2017-11-03", control, 30),
            ("timeline/", timeline, 30),
        ]:
            first, _, etag = self.fetch(port, path, {"Accept-Encoding": "gzip"})
            rows.append((f"{name}, kept", first, *series(path, 30), target))
            if name.startswith("control"):
                revalidate = {"Accept-Encoding": "gzip", "If-None-Match": etag}
                rows.append(
                    ("control/ 304 (If-None-Match)", 0.0, *series(path, 100, revalidate, 304), 5)
                )
        self.write_once(place_id)
        for name, path in [
            ("control/ after a write", control),
            ("timeline/ after a write", timeline),
        ]:
            first, _, _ = self.fetch(port, path, {"Accept-Encoding": "gzip"})
            rows.append((name, first, *series(path, 30), 30))
        return rows

    @staticmethod
    def fetch(port: int, path: str, headers: dict) -> tuple[float, int, str]:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        started = time.perf_counter()
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
        elapsed = (time.perf_counter() - started) * 1000
        conn.close()
        return elapsed, response.status, response.getheader("ETag") or ""

    @staticmethod
    def write_once(place_id: int) -> None:
        """One edit through the services (a place's population, back and forth each run)."""
        from apps.territory import services

        place = Place.objects.get(pk=place_id)
        services.place_update(place=place, population=(place.population or 0) ^ 1)
        connection.close()

    # --- comparisons ------------------------------------------------------------------------

    @staticmethod
    def sql_lower_bound(theater_id: int, repeat: int) -> float:
        timings = []
        with connection.cursor() as cursor:
            for day in DATES:
                for _ in range(max(1, repeat // len(DATES) + 1)):
                    started = time.perf_counter()
                    cursor.execute(SQL_SNAPSHOT, {"day": day, "theater": theater_id})
                    cursor.fetchone()
                    timings.append((time.perf_counter() - started) * 1000)
        return statistics.median(timings)

    @staticmethod
    def view_in_process(theater, repeat: int) -> float:
        """Our control/ view called and rendered in this process, as the naive one is."""
        from rest_framework.test import APIRequestFactory

        from apps.api.views.control import ControlView

        view, factory = ControlView.as_view(throttle_classes=[]), APIRequestFactory()
        timings = []
        for day in DATES[:repeat]:
            started = time.perf_counter()
            with override_settings(ANSWER_CACHE=False):  # built, as over HTTP above
                response = view(
                    factory.get("/api/v1/control/", {"date": day, "theater": theater.pk})
                )
                for _ in response.streaming_content:  # type: ignore[attr-defined]  # streamed
                    pass
            timings.append((time.perf_counter() - started) * 1000)
        return statistics.median(timings)

    @staticmethod
    def naive_serializer(theater, repeat: int) -> float:
        from django.db.models import Prefetch
        from rest_framework import serializers
        from rest_framework.renderers import JSONRenderer
        from rest_framework_gis.serializers import GeoFeatureModelSerializer

        from apps.territory.models import ControlPeriod
        from apps.territory.selectors import periods_containing

        class NaiveControlSerializer(GeoFeatureModelSerializer):
            status = serializers.SerializerMethodField()
            controller = serializers.SerializerMethodField()
            since = serializers.SerializerMethodField()

            class Meta:
                model = Place
                geo_field = "location"
                fields = ["id", "name", "kind", "importance", "status", "controller", "since"]

            def _period(self, place):
                return place.current[0] if place.current else None

            def get_status(self, place):
                period = self._period(place)
                return period.status if period else "unknown"

            def get_controller(self, place):
                period = self._period(place)
                if period is None or period.controller is None:
                    return None
                g = period.controller
                return {"id": g.pk, "slug": g.slug, "name": g.name, "color": g.color}

            def get_since(self, place):
                period = self._period(place)
                return period.start if period else None

        timings = []
        for day in DATES[:repeat]:
            started = time.perf_counter()
            current = periods_containing(day, ControlPeriod.objects.select_related("controller"))
            queryset = Place.objects.filter(theater=theater).prefetch_related(
                Prefetch("periods", queryset=current, to_attr="current")
            )
            JSONRenderer().render(NaiveControlSerializer(queryset, many=True).data)
            timings.append((time.perf_counter() - started) * 1000)
        return statistics.median(timings)
