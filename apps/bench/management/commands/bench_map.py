"""Benchmark the map page in headless Chromium: first render and the cost of one frame.

    manage.py bench_map --places 10000 --changes 100000

Builds (once, then cached) the synthetic theater in this database, a theater of observed areas
(``apps.bench.area_theater``: a 769-day series, the public one with ``--areas-series``, and a
sparser second assessor), and the reference dataset in a sibling database
(``<name>_reference``), serves each with ``runserver --insecure``, opens the map in Debian's
Chromium and prints:

- first render: from navigation start to the first frame of places drawn (the timeline
  downloaded, decoded and replayed), median of cold loads (a fresh browser context each);
- frame time: for slider moves to random dates and for a drag across the whole range, the
  time to compute and draw the frame, i.e. everything the page does synchronously for a slider
  ``input`` event (replay, canvas, legend, cursors), and the same plus the canvas's
  rasterisation (forced by reading one pixel back of each canvas), median / p95 / max;
- for the areas theater, the same with the recent gains and two assessors side by side drawn,
  and the size of its area data (area-timeline/, gzipped).

The page itself records each frame's cost in ``window.frontline.frameTimes``.
"""

from __future__ import annotations

import gzip
import os
import random
import statistics
import tempfile
import urllib.request
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from apps.bench import area_theater, headless
from apps.bench.figures import summary
from apps.bench.synthetic import add_theater_arguments, synthetic_slug

VIEWPORT = {"width": 1280, "height": 800}
REFERENCE_SLUG = "syria-iraq-2014-2019"
FRAME_TARGET_MS = 16
FRAME_P95_TARGET_MS = 33
FIRST_RENDER_TARGET_MS = 1000
AREAS_FIRST_RENDER_TARGET_MS = 1500
AREAS_GZIP_TARGET_KB = 2048
AREAS_VIEW = {"z": "6", "lat": "48.3", "lng": "36.0"}  # the whole front in view
AREAS_EXTRAS = {"recent": "14", "vs": "daily,sparse"}

# Runs in the page: move the slider to each day like a user would (set value, fire `input`),
# then read one pixel of the places canvas, which makes the browser rasterise what was drawn.
# Waits for an animation frame between moves so each one starts from a painted page.
MOVE_SLIDER = """
async (days) => {
  const slider = document.querySelector("#slider");
  const pixels = [...document.querySelectorAll("canvas.places-layer, canvas.areas-layer")]
    .map((canvas) => canvas.getContext("2d"));
  const script = [], painted = [];
  for (const day of days) {
    await new Promise((resolve) => requestAnimationFrame(resolve));
    const before = window.frontline.frameTimes.length;
    const started = performance.now();
    slider.value = String(day);
    slider.dispatchEvent(new Event("input", { bubbles: true }));
    for (const pixel of pixels) pixel.getImageData(0, 0, 1, 1);
    painted.push(performance.now() - started);
    if (window.frontline.frameTimes.length !== before + 1) throw new Error("no frame for " + day);
    script.push(window.frontline.frameTimes.at(-1));
  }
  return { script, painted };
}
"""


class Command(BaseCommand):
    help = "Measure the map page's first render and frame time in headless Chromium."

    def add_arguments(self, parser):
        add_theater_arguments(parser, places=10_000, changes=100_000, groups=8)
        parser.add_argument("--moves", type=int, default=200, help="Random slider moves.")
        parser.add_argument("--loads", type=int, default=5, help="Cold loads for first render.")
        parser.add_argument(
            "--skip-reference", action="store_true", help="Only the synthetic theaters."
        )
        parser.add_argument(
            "--areas-series",
            help="A folder, ZIP or .tar.xz of daily GeoJSON files for the areas theater "
            "(default: a synthetic series of the same size as the public one).",
        )

    def handle(self, *args, places, changes, groups, seed, moves, loads, **options):
        database_url = os.environ.get("DATABASE_URL", "")
        if not database_url.startswith("post"):
            raise CommandError("Run it on PostGIS: DATABASE_URL=postgis://... (make bench does).")
        call_command(
            "generate_synthetic",
            places=places,
            changes=changes,
            groups=groups,
            seed=seed,
            stdout=self.stdout,
        )
        areas = area_theater.ensure(options["areas_series"], self.stdout.write)
        series = "the public DeepStateMap series" if options["areas_series"] else "synthetic"
        theaters = [
            (
                f"synthetic {places:,} places / {changes:,} changes",
                database_url,
                synthetic_slug(places, changes, groups, seed),
                {},
            ),
            (f"observed areas: 769 days ({series}), 2 layers", database_url, areas, AREAS_VIEW),
        ]
        if not options["skip_reference"]:
            theaters.insert(
                0,
                ("reference dataset", self.reference_database(database_url), REFERENCE_SLUG, {}),
            )

        results = []
        area_kb = None
        with tempfile.TemporaryDirectory() as tmp, headless.chromium() as browser:
            for label, url, slug, view in theaters:
                self.stdout.write(f"Serving {label} ...")
                with headless.live_server(url, Path(tmp) / f"{slug}.log") as base:
                    first, frames = self.measure(browser, base, slug, moves, loads, seed, view)
                    if slug == areas:
                        area_kb = self.gzipped_kb(f"{base}/api/v1/area-timeline/?theater={slug}")
                        extra = {**view, **AREAS_EXTRAS}
                        _, more = self.measure(browser, base, slug, moves, 0, seed, extra)
                        frames |= {f"{name} [recent 14 d + pair]": t for name, t in more.items()}
                    results.append((label, slug, first, frames))

        self.stdout.write("\nThe map page in headless Chromium (1280×800, software rendering):")
        for label, slug, first, frames in results:
            target = AREAS_FIRST_RENDER_TARGET_MS if slug == areas else FIRST_RENDER_TARGET_MS
            self.stdout.write(f"  {label}")
            self.stdout.write(
                f"    first render: median {statistics.median(first):.0f} ms of {len(first)} "
                f"cold loads (min {min(first):.0f}, max {max(first):.0f}; target < {target} ms)"
            )
            for name, timings in frames.items():
                self.stdout.write(f"    {name:<58} {summary(timings)} ms")
            if slug == areas:
                self.stdout.write(
                    f"    area data (area-timeline/, gzipped): {area_kb:,.0f} KB "
                    f"(target < {AREAS_GZIP_TARGET_KB:,} KB)"
                )
        for label, _, _, frames in results[1:]:
            # while dragging, painted (the canvases rasterised): the frame a reader sees
            drags = [t for name, t in frames.items() if name.startswith("drag: + rasterise")]
            self.stdout.write(
                f"frame time ({label}): median "
                f"{max(statistics.median(t) for t in drags):.2f} ms, p95 "
                f"{max(sorted(t)[round(0.95 * (len(t) - 1))] for t in drags):.2f} ms while "
                f"dragging the slider, drawn and rasterised (targets < {FRAME_TARGET_MS} ms, "
                f"< {FRAME_P95_TARGET_MS} ms)"
            )

    def reference_database(self, database_url: str) -> str:
        """A sibling database holding the reference dataset (created and loaded once)."""
        parts = urlsplit(database_url)
        name = f"{parts.path.lstrip('/')}_reference"
        import psycopg

        admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{name}"')
        url = urlunsplit(parts._replace(path=f"/{name}"))
        env = headless.server_env(url)
        headless.manage(env, "migrate", "--noinput", "-v0")
        self.stdout.write(headless.manage(env, "load_reference", "--if-empty").strip())
        return url

    @staticmethod
    def gzipped_kb(url: str) -> float:
        request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(request, timeout=120) as response:
            body = response.read()
            if response.headers.get("Content-Encoding") != "gzip":
                body = gzip.compress(body)
        return len(body) / 1024

    def measure(self, browser, base, slug, moves, loads, seed, view):
        first = []
        address = f"{base}/?{urlencode({'theater': slug, **view})}"
        for _ in range(loads):
            context = browser.new_context(viewport=VIEWPORT)
            context.route("**/*", self.local_only)
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
            page.goto(address)
            page.wait_for_function("() => window.frontline && window.frontline.timings.firstFrame")
            # the first frame of places and, where there are area layers, of areas
            first.append(
                page.evaluate(
                    "() => { const t = window.frontline.timings;"
                    " return Math.max(t.firstFrame, t.areas || 0); }"
                )
            )
            if errors:
                raise CommandError(f"The page threw: {errors}")
            context.close()

        context = browser.new_context(viewport=VIEWPORT)
        context.route("**/*", self.local_only)
        page = context.new_page()
        page.goto(address)
        page.evaluate("() => window.frontline.ready")
        first_day, last_day = page.evaluate(
            "() => { const s = document.querySelector('#slider'); return [+s.min, +s.max]; }"
        )
        rng = random.Random(seed)
        jumps = [rng.randint(first_day, last_day) for _ in range(moves)]
        step = max(1, (last_day - first_day) // 300)
        drag = list(range(first_day, last_day + 1, step))
        page.evaluate(MOVE_SLIDER, jumps[:10])  # warm-up: let the JIT compile the hot paths
        random_moves = page.evaluate(MOVE_SLIDER, jumps)
        drag_moves = page.evaluate(MOVE_SLIDER, drag)
        context.close()
        frames = {
            "random jumps: compute + draw": random_moves["script"],
            "random jumps: + rasterise canvas": random_moves["painted"],
            f"drag ({len(drag)} moves of {step} days): compute + draw": drag_moves["script"],
            "drag: + rasterise canvas": drag_moves["painted"],
        }
        return first, frames

    @staticmethod
    def local_only(route):
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            route.abort()
