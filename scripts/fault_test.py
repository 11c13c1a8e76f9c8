#!/usr/bin/env python3
"""Fault test of the production stack (scripts/stack.sh): Redis, then PostgreSQL, stopped in
turn under a steady stream of API reads and writes. Usage: `make fault-test`, i.e.
`scripts/fault-test.sh [PY]`, or `.venv/bin/python scripts/fault_test.py`.

It starts its own PostgreSQL cluster (initdb; port FAULT_PG_PORT=5439) and Redis
(FAULT_REDIS_PORT=6389) under var/fault/, never the machine's shared ones, and the stack on
them (gunicorn on FAULT_WEB_PORT=8011, a Celery worker, beat; pids and logs in
var/fault/stack/). Every process it starts is stopped on exit, failure or interruption.

scripts/fault-test.sh runs it with a trap that stops them even if this process is killed.

Phases: baseline → Redis stopped → Redis back (settle) → PostgreSQL stopped (`pg_ctl stop -m
fast`) → PostgreSQL back (settle) → every database connection of the app killed (stale
persistent connections) → tail (the load goes on until the import below is done).

Load: FAULT_READ_RATE reads/s (anonymous, so the throttle goes through the Redis cache) over
control/, places/, changes/, sources/, timeline/, theaters/; FAULT_WRITE_RATE writes/s with a
reviewer's token: two in three create a Source with a unique key, one in three publishes the
first change of a place made for it (so the write rebuilds periods and queues a zones task
on commit, through Redis). A write answered 5xx or not at all is retried (3 attempts) with
the same key, so a retry of a write that did commit is refused as a duplicate instead of
being stored twice. One import is uploaded while Redis is down: it must succeed once Redis is
back (beat's ingest.requeue_pending_imports, every TASK_REQUEUE_AFTER_S=10 s here).

Fails (exit 1) when: reads do not give FAULT_RECOVERY_READS (5) successes in a row within
FAULT_RECOVERY_LIMIT_S (10) of a service answering again (redis PING, pg_isready), or fail
again after that; any read or write fails before PostgreSQL is stopped (baseline, Redis
down, Redis back);
anything answers 500 while both services are up (requests sent and answered within baseline,
or after the service answered again); a request sent after the app's database connections
were killed fails; an acknowledged write is missing, a write is stored twice, or a place's
periods do not match its changes; the import does not succeed within FAULT_IMPORT_WAIT_S
(150 s; 0: no import). A 503 while PostgreSQL is down is expected (apps/ops/middleware.py).
"""

from __future__ import annotations

import glob
import itertools
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import psycopg
import requests

ROOT = Path(__file__).resolve().parent.parent
PY = os.environ.get("PY", str(ROOT / ".venv" / "bin" / "python"))


def env_num(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


DIR = Path(os.environ.get("FAULT_DIR", ROOT / "var" / "fault")).resolve()
PG_PORT = int(env_num("FAULT_PG_PORT", 5439))
REDIS_PORT = int(env_num("FAULT_REDIS_PORT", 6389))
WEB_PORT = int(env_num("FAULT_WEB_PORT", 8011))
BASELINE_S = env_num("FAULT_BASELINE_S", 10)
OUTAGE_S = env_num("FAULT_OUTAGE_S", 15)
SETTLE_S = env_num("FAULT_SETTLE_S", 15)
READ_RATE = env_num("FAULT_READ_RATE", 5)
WRITE_RATE = env_num("FAULT_WRITE_RATE", 1.5)
RECOVERY_LIMIT_S = env_num("FAULT_RECOVERY_LIMIT_S", 10)
RECOVERY_READS = int(env_num("FAULT_RECOVERY_READS", 5))
IMPORT_WAIT_S = env_num("FAULT_IMPORT_WAIT_S", 150)
KEEP = os.environ.get("FAULT_KEEP") == "1"  # keep the database cluster afterwards

DB_NAME = "frontline_fault"
DATABASE_URL = f"postgis://postgres@127.0.0.1:{PG_PORT}/{DB_NAME}"
BASE = f"http://127.0.0.1:{WEB_PORT}"
THEATER = "syria-iraq-2014-2019"
CHANGE_DATE = "2018-06-01"
PLACES = 200  # places made for the change writes (one change each)
READS = [  # {id}: the theater's id (places/ and changes/ filter by id; control/ takes either)
    f"/api/v1/control/?theater={THEATER}&date=2017-11-04",
    "/api/v1/places/?theater={id}",
    "/api/v1/changes/?theater={id}",
    "/api/v1/sources/",
    f"/api/v1/timeline/?theater={THEATER}",
    "/api/v1/theaters/",
]
TIMEOUT = (2, 10)  # connect, read
RUN = uuid.uuid4().hex[:8]
AS_ROOT = os.geteuid() == 0
STARTED = time.monotonic()


def log(message: str) -> None:
    print(f"[fault {time.monotonic() - STARTED:6.1f}s] {message}", flush=True)


# --- The private services ---------------------------------------------------------------


def pg_bin(name: str) -> str:
    if os.environ.get("FAULT_PG_BIN"):
        return str(Path(os.environ["FAULT_PG_BIN"]) / name)
    found = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda path: int(Path(path).parts[-3]) if Path(path).parts[-3].isdigit() else 0,
    )
    if found:
        return found[-1]
    if shutil.which(name):
        return shutil.which(name)
    sys.exit(f"fault test: PostgreSQL's {name} not found (set FAULT_PG_BIN)")


def as_postgres(command: list[str]) -> list[str]:
    """initdb and postgres refuse to run as root: then they run as the postgres user."""
    return ["runuser", "-u", "postgres", "--", *command] if AS_ROOT else command


def pg_home() -> Path:
    """var/fault/pg, unless we are root and the postgres user cannot reach it (a checkout in
    a private home directory): then a fixed directory under /tmp, so leftovers are found."""
    if AS_ROOT:
        reach = subprocess.run(as_postgres(["test", "-x", str(DIR)]), timeout=10)
        if reach.returncode:
            return Path(f"/tmp/frontline-fault-pg-{PG_PORT}")
    return DIR / "pg"


class Postgres:
    def __init__(self, home: Path):
        self.home = home  # owned by the postgres user when we are root
        self.data = home / "data"
        self.logfile = home / "postgres.log"

    def ctl(self, *args: str, check: bool = True) -> int:
        command = as_postgres([pg_bin("pg_ctl"), "-D", str(self.data), *args])
        done = subprocess.run(command, capture_output=True, text=True, timeout=90)
        if check and done.returncode:
            raise RuntimeError(f"{' '.join(command)}: {done.stdout}{done.stderr}")
        return done.returncode

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists() and self.ctl("status", check=False) == 0

    def create(self) -> None:
        shutil.rmtree(self.home, ignore_errors=True)
        self.home.mkdir(parents=True)
        if AS_ROOT:
            shutil.chown(self.home, "postgres", "postgres")
        command = [pg_bin("initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust"]
        done = subprocess.run(
            as_postgres([*command, "-E", "UTF8", "--locale=C.UTF-8"]),
            capture_output=True,
            text=True,
            timeout=120,
        )
        if done.returncode:
            raise RuntimeError(f"initdb failed: {done.stdout}{done.stderr}")

    def start(self) -> None:
        options = (
            f"-p {PG_PORT} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' "
            "-c max_connections=60 -c shared_buffers=64MB"
        )
        self.ctl("start", "-w", "-t", "60", "-l", str(self.logfile), "-o", options)

    def stop(self, mode: str = "fast") -> None:
        if self.running():
            self.ctl("stop", "-w", "-t", "60", "-m", mode, check=False)

    def ready(self) -> bool:
        command = [pg_bin("pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(PG_PORT)]
        return subprocess.run(command, timeout=10).returncode == 0

    def sql(self, statement: str, dbname: str = "postgres", params=()) -> list[tuple]:
        with psycopg.connect(
            host="127.0.0.1", port=PG_PORT, user="postgres", dbname=dbname, autocommit=True
        ) as conn:
            cursor = conn.execute(statement, params)
            return cursor.fetchall() if cursor.description else []


class Redis:
    def __init__(self, home: Path):
        self.home = home
        self.pidfile = home / "redis.pid"

    def pid(self) -> int | None:
        try:
            pid = int(self.pidfile.read_text().strip())
            os.kill(pid, 0)
        except (OSError, ValueError):
            return None
        return pid

    def start(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                "redis-server",
                "--port",
                str(REDIS_PORT),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "yes",
                "--pidfile",
                str(self.pidfile),
                "--logfile",
                str(self.home / "redis.log"),
                "--dir",
                str(self.home),
            ],
            check=True,
            timeout=30,
        )

    def stop(self) -> None:
        pid = self.pid()
        if pid is None:
            return
        os.kill(pid, signal.SIGTERM)  # --save "": it exits without writing anything
        if wait_until(lambda: self.pid() is None, 5, step=0.05) is None:
            os.kill(pid, signal.SIGKILL)
        self.pidfile.unlink(missing_ok=True)

    def ready(self) -> bool:
        with socket.create_connection(("127.0.0.1", REDIS_PORT), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")


STACK_ENV = {
    **os.environ,
    "PY": PY,
    "STACK_DIR": str(DIR / "stack"),
    "STACK_PORT": str(WEB_PORT),
    "STACK_DATABASE_URL": DATABASE_URL,
    "STACK_BROKER_URL": f"redis://127.0.0.1:{REDIS_PORT}/2",
    "STACK_REDIS_URL": f"redis://127.0.0.1:{REDIS_PORT}/3",
    "STACK_EXTERNAL_SERVICES": "1",
    # beat re-queues the import lost while Redis was down after 10 s, not the default minute
    "TASK_REQUEUE_AFTER_S": os.environ.get("TASK_REQUEUE_AFTER_S", "10"),
}


def stack(*args: str, timeout: float = 600) -> str:
    done = subprocess.run(
        [str(ROOT / "scripts" / "stack.sh"), *args],
        env=STACK_ENV,
        cwd=ROOT,
        text=True,
        capture_output=True,
        timeout=timeout,
    )
    with open(DIR / "stack-commands.log", "a") as out:
        out.write(f"$ stack.sh {' '.join(args)[:200]}\n{done.stdout}{done.stderr}\n")
    if done.returncode:
        raise RuntimeError(f"stack.sh {args[0]} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def wait_until(check, seconds: float, step: float = 0.1) -> float | None:
    """Poll `check` until it holds: the monotonic time it first held, or None."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return time.monotonic()
        except Exception:  # not up yet
            pass
        time.sleep(step)
    return None


SETUP = """
import json
from django.contrib.auth.models import Group
from django.contrib.gis.geos import Point
from knox.models import AuthToken
from apps.territory import services
from apps.territory.models import ArmedGroup, Source, Theater
from apps.users.models import User
from apps.users.roles import REVIEWERS

user, _ = User.objects.get_or_create(username="fault-test")
user.groups.add(Group.objects.get(name=REVIEWERS))
theater = Theater.objects.get(slug="{theater}")
places = [
    services.place_create(
        theater=theater, name=f"Fault {run} p{{n:03d}}", slug=f"fault-{run}-p{{n:03d}}",
        kind="village", country="SY", location=Point(38.5 + n % 20 / 10, 35.0 + n // 20 / 10),
    ).pk
    for n in range({places})
]
print("SETUP", json.dumps({{
    "token": AuthToken.objects.create(user)[1],
    "theater": theater.pk,
    "group": ArmedGroup.objects.get(slug="islamic-state").pk,
    "source": Source.objects.order_by("pk").first().pk,
    "places": places,
}}))
"""


# --- The load -----------------------------------------------------------------------------


@dataclass
class Call:
    kind: str  # read | source | change
    what: str
    start: float
    end: float = 0.0
    status: int | None = None  # None: no HTTP answer (refused, reset, timeout)
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def is_read(self) -> bool:
        return self.kind == "read"

    @property
    def ms(self) -> float:
        return (self.end - self.start) * 1000


@dataclass
class Write:
    """One logical write: up to three attempts of the same request."""

    kind: str  # source | change
    n: int
    path: str
    body: dict
    duplicate_field: str  # a retry refused on this field: an earlier attempt committed
    attempts: int = 0
    outcome: str = "pending"  # acked | exists | failed (gave up) | refused (4xx)
    found: int = 0  # rows in the database afterwards
    error: str = ""
    periods_ok: bool = True


class Load:
    def __init__(self, setup: dict):
        self.setup = setup
        self.token = setup["token"]
        self.reads = [path.replace("{id}", str(setup["theater"])) for path in READS]
        self.calls: list[Call] = []
        self.writes: list[Write] = []
        self.lock = threading.Lock()
        self.stop_event = threading.Event()
        self.local = threading.local()

    def session(self) -> requests.Session:
        if not hasattr(self.local, "session"):
            self.local.session = requests.Session()
        return self.local.session

    def request(self, kind: str, method: str, path: str, **kwargs) -> Call:
        call = Call(kind, path.split("?")[0], time.monotonic())
        try:
            response = self.session().request(method, BASE + path, timeout=TIMEOUT, **kwargs)
            call.status = response.status_code
            call.error = "" if call.ok else response.text[:200]
        except requests.RequestException as error:
            call.error = f"{type(error).__name__}: {str(error)[:150]}"
            self.local.session = requests.Session()  # drop a broken pool
        call.end = time.monotonic()
        with self.lock:
            self.calls.append(call)
        return call

    def read(self, n: int) -> None:
        self.request("read", "GET", self.reads[n % len(self.reads)])

    def readers(self) -> None:
        """Open loop: a read every 1/READ_RATE s whatever the answers take (8 at most at once)."""
        with ThreadPoolExecutor(max_workers=8, thread_name_prefix="read") as pool:
            n, next_at = 0, time.monotonic()
            while not self.stop_event.is_set():
                pool.submit(self.read, n)
                n += 1
                next_at += 1 / READ_RATE
                self.stop_event.wait(max(0.0, next_at - time.monotonic()))

    def next_write(self, n: int) -> Write:
        changes = sum(w.kind == "change" for w in self.writes)
        if n % 3 == 0 and changes < len(self.setup["places"]):
            body = {
                "place": self.setup["places"][changes],
                "date": CHANGE_DATE,
                "status": "controlled",
                "controller": self.setup["group"],
                "sources": [self.setup["source"]],
                "review_state": "published",
                "summary": f"Fault test {RUN} #{n:05d}",
            }
            return Write("change", n, "/api/v1/changes/", body, "date")
        body = {
            "key": f"fault-{RUN}-{n:05d}",
            "title": f"Fault test {RUN} #{n:05d}",
            "url": f"https://fault.example.org/{RUN}/{n}",
        }
        return Write("source", n, "/api/v1/sources/", body, "key")

    def write(self, write: Write) -> None:
        headers = {"Authorization": f"Token {self.token}"}
        for attempt in range(1, 4):
            write.attempts = attempt
            call = self.request(write.kind, "POST", write.path, json=write.body, headers=headers)
            if call.ok:
                write.outcome = "acked"
                return
            if call.status == 400 and attempt > 1 and f'"{write.duplicate_field}"' in call.error:
                write.outcome = "exists"  # an earlier attempt committed; refused, not doubled
                return
            if call.status is not None and call.status < 500:
                write.outcome = "refused"
                write.error = call.error
                return
            if self.stop_event.wait(1.0):
                break
        write.outcome = "failed"

    def writer(self) -> None:
        n, next_at = 0, time.monotonic()
        while not self.stop_event.is_set():
            n += 1
            write = self.next_write(n)
            self.writes.append(write)
            self.write(write)
            next_at = max(next_at + 1 / WRITE_RATE, time.monotonic())
            self.stop_event.wait(max(0.0, next_at - time.monotonic()))

    def progress(self) -> None:
        seen = 0
        while not self.stop_event.wait(5):
            with self.lock:
                recent, seen = self.calls[seen:], len(self.calls)
            reads = [c for c in recent if c.is_read]
            writes = [c for c in recent if not c.is_read]
            failed = sorted({str(c.status or "no answer") for c in recent if not c.ok})
            log(
                f"  last 5 s: reads {sum(c.ok for c in reads)}/{len(reads)} ok, writes "
                f"{sum(c.ok for c in writes)}/{len(writes)} ok"
                + (f"; failures: {' '.join(failed)}" if failed else "")
            )


# --- The run ------------------------------------------------------------------------------


def stop_all(pg: Postgres, redis: Redis) -> None:
    """Stop whatever a run started (by its pid files): the stack, Redis, PostgreSQL."""
    for what, step in [
        ("the stack", lambda: (DIR / "stack").exists() and stack("stop", timeout=60)),
        ("Redis", redis.stop),
        ("PostgreSQL", pg.stop),
        ("PostgreSQL", lambda: pg.stop("immediate")),
    ]:
        try:
            step()
        except Exception as error:  # keep cleaning up
            log(f"stopping {what}: {error}")


def main(argv: list[str]) -> int:
    DIR.mkdir(parents=True, exist_ok=True)
    pg, redis = Postgres(pg_home()), Redis(DIR / "redis")
    if argv[1:] == ["--cleanup"]:  # scripts/fault-test.sh's trap: nothing may outlive a run
        stop_all(pg, redis)
        return 0
    (DIR / "stack-commands.log").unlink(missing_ok=True)
    stop_all(pg, redis)  # leftovers of an interrupted run are ours
    busy = [port for port in (PG_PORT, REDIS_PORT, WEB_PORT) if port_in_use(port)]
    if busy:
        log(f"port(s) {busy} in use: set FAULT_PG_PORT, FAULT_REDIS_PORT or FAULT_WEB_PORT")
        return 2
    try:
        return run(pg, redis)
    finally:
        stop_all(pg, redis)
        if not KEEP:
            shutil.rmtree(pg.data, ignore_errors=True)
        log(f"private services stopped; logs in {DIR.relative_to(ROOT)}/")


def run(pg: Postgres, redis: Redis) -> int:
    who = "as root: initdb/postgres run as user postgres" if AS_ROOT else "not root"
    log(f"private PostgreSQL :{PG_PORT}, Redis :{REDIS_PORT}, stack :{WEB_PORT} (run {RUN}, {who})")
    pg.create()
    pg.start()
    pg.sql(f'CREATE DATABASE "{DB_NAME}"')
    pg.sql("CREATE EXTENSION IF NOT EXISTS postgis", DB_NAME)
    redis.start()
    if wait_until(redis.ready, 10) is None:
        raise RuntimeError("the private Redis did not start")
    for schedule in (DIR / "stack").glob("celerybeat-schedule*"):  # beat starts afresh
        schedule.unlink()
    log("starting the stack (migrate, reference dataset, gunicorn, worker, beat) ...")
    for line in stack("start").splitlines():
        log(f"  {line}")
    health = requests.get(f"{BASE}/healthz", timeout=10)
    if health.status_code != 200:
        raise RuntimeError(f"/healthz answers {health.status_code}: {health.text}")
    code = SETUP.format(theater=THEATER, run=RUN, places=PLACES)
    setup = json.loads(stack("manage", "shell", "-c", code).split("SETUP ", 1)[1])
    log(f"a reviewer's token and {PLACES} places for the change writes are ready")

    load = Load(setup)
    marks: dict[str, float] = {}
    phases: list[tuple[str, float]] = []  # (name, start)
    imported: dict = {}

    def phase(name: str, at: float | None = None) -> None:
        phases.append((name, at or time.monotonic()))
        log(f"--- {name}")

    threads = [
        threading.Thread(target=t, daemon=True) for t in (load.readers, load.writer, load.progress)
    ]
    phase("baseline")
    for thread in threads:
        thread.start()
    time.sleep(BASELINE_S)

    def outage(name: str, stop, start, ready, during=None) -> None:
        """Stop a service for OUTAGE_S under the load, start it, note when it answers again."""
        marks[f"{name}_stop"] = time.monotonic()
        phase(f"{name}-down", marks[f"{name}_stop"])
        stop()
        log(f"{name} stopped")
        if during:
            during()
        time.sleep(max(0.0, OUTAGE_S - (time.monotonic() - marks[f"{name}_stop"])))
        start()
        marks[f"{name}_up"] = wait_until(ready, 30, step=0.05) or time.monotonic()
        phase(f"{name}-settle", marks[f"{name}_up"])
        down_s = marks[f"{name}_up"] - marks[f"{name}_stop"]
        log(f"{name} answers again ({down_s:.1f} s after stop)")
        time.sleep(SETTLE_S)

    def upload_while_down() -> None:
        nonlocal imported
        time.sleep(2)
        if IMPORT_WAIT_S > 0:
            imported = upload_import(setup["token"])

    outage("redis", redis.stop, redis.start, redis.ready, during=upload_while_down)
    outage("pg", lambda: pg.stop("fast"), pg.start, pg.ready)  # pg_ctl stop -m fast

    # Persistent connections gone stale (PostgreSQL restarted or failed over between two
    # requests): CONN_HEALTH_CHECKS must replace them before use, so nothing fails after.
    marks["kill"] = time.monotonic()
    phase("conns-killed", marks["kill"])
    killed = pg.sql(
        "SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = %s AND pid <> pg_backend_pid()",
        DB_NAME,
        (DB_NAME,),
    )
    pids = [pid for pid, _ in killed]
    gone = wait_until(
        lambda: not pg.sql("SELECT 1 FROM pg_stat_activity WHERE pid = ANY(%s)", params=(pids,)),
        10,
    )
    marks["killed"] = gone or time.monotonic()
    log(f"killed the app's {len(pids)} database connections (web, worker, beat)")
    time.sleep(max(0.0, 10 - (time.monotonic() - phases[-1][1])))

    if imported.get("id"):
        phase("tail")  # the load goes on while the import is awaited
        imported.update(wait_for_import(setup["token"], imported))
    load.stop_event.set()
    marks["end"] = time.monotonic()
    for thread in threads:
        thread.join(timeout=30)
    log("load stopped; counting the writes in the database")
    count_writes(pg, load)
    return report(load, phases, marks, imported)


def count_writes(pg: Postgres, load: Load) -> None:
    """How many times each logical write is in the database (the Source key is unique, so a
    source is counted by its title; a change by its place, which it alone writes to)."""
    sources = dict(
        pg.sql(
            "SELECT title, count(*) FROM territory_source WHERE title LIKE %s GROUP BY title",
            DB_NAME,
            (f"Fault test {RUN} #%",),
        )
    )
    places = {
        place: (changes, periods)
        for place, changes, periods in pg.sql(
            "SELECT p.id, (SELECT count(*) FROM territory_controlchange c WHERE c.place_id = p.id),"
            " (SELECT count(*) FROM territory_controlperiod cp WHERE cp.place_id = p.id)"
            " FROM territory_place p WHERE p.slug LIKE %s",
            DB_NAME,
            (f"fault-{RUN}-p%",),
        )
    }
    for write in load.writes:
        if write.kind == "source":
            write.found = sources.get(write.body["title"], 0)
        else:
            changes, periods = places.get(write.body["place"], (0, 0))
            write.found = changes
            write.periods_ok = periods == (1 if changes else 0)  # derived in the same commit


def upload_import(token: str) -> dict:
    """A places CSV of one new place, uploaded while Redis is down: 202, pending."""
    slug = f"fault-{RUN}"
    csv = (
        "slug,name,aliases,kind,country,lat,lon,population,importance,theater,area\n"
        f"{slug},Fault Test {RUN},,town,SY,35.5,39.5,1000,1,{THEATER},\n"
    )
    started = time.monotonic()
    try:
        response = requests.post(
            f"{BASE}/api/v1/imports/",
            headers={"Authorization": f"Token {token}"},
            files={"file": (f"{slug}.csv", csv.encode(), "text/csv")},
            data={"theater": THEATER},
            timeout=(2, 30),
        )
        body = response.json()
    except (requests.RequestException, ValueError) as error:
        log(f"import upload failed: {error}")
        return {"upload": f"failed: {error}", "at": started}
    log(
        f"import uploaded while Redis is down: {response.status_code} "
        f"({body.get('status')}) in {time.monotonic() - started:.1f} s"
    )
    return {
        "upload": response.status_code,
        "id": body.get("id"),
        "at": started,
        "first_status": body.get("status"),
    }


def wait_for_import(token: str, imported: dict) -> dict:
    url = f"{BASE}/api/v1/imports/{imported['id']}/"
    status, logged = None, 0.0
    while time.monotonic() < imported["at"] + IMPORT_WAIT_S:
        try:
            answer = requests.get(url, headers={"Authorization": f"Token {token}"}, timeout=TIMEOUT)
            status = answer.json().get("status")
        except (requests.RequestException, ValueError):
            status = None
        if status in ("succeeded", "failed"):
            break
        if time.monotonic() - logged > 15:
            log(
                f"  import {status} {time.monotonic() - imported['at']:.0f} s after upload "
                "(beat requeues jobs pending for TASK_REQUEUE_AFTER_S, as often)"
            )
            logged = time.monotonic()
        time.sleep(1)
    places = requests.get(f"{BASE}/api/v1/places/?q=Fault Test {RUN}", timeout=TIMEOUT).json()
    return {
        "final_status": status,
        "done_after": time.monotonic() - imported["at"],
        "places": places.get("count"),
    }


# --- Figures ------------------------------------------------------------------------------


def pct(values: list[float], q: int) -> str:
    if not values:
        return "-"
    if len(values) == 1:
        return f"{values[0]:.0f}"
    return f"{statistics.quantiles(values, n=100, method='inclusive')[q - 1]:.0f}"


def p50_95(calls: list[Call]) -> str:
    ms = [c.ms for c in calls if c.ok]
    return f"{pct(ms, 50)}/{pct(ms, 95)}"


def recovery(calls: list[Call], up_at: float, until: float) -> tuple[float | None, int]:
    """Seconds from `up_at` to the answer of the first of RECOVERY_READS successful reads in
    a row (reads sent after `up_at` and answered before `until`, in the order sent), and how
    many of those reads failed after it."""
    reads = [c for c in calls if c.is_read and c.start >= up_at and c.end <= until]
    first = None
    for index, call in enumerate(reads):
        if not call.ok:
            first = None
            continue
        first = index if first is None else first
        if index - first + 1 >= RECOVERY_READS:
            return reads[first].end - up_at, sum(not c.ok for c in reads[first:])
    return None, 0


HEADER = (
    "phase",
    "secs",
    "requests",
    "reads ok",
    "reads fail",
    "writes ok",
    "writes fail",
    "500",
    "502/503",
    "other 4xx/5xx",
    "no answer",
    "read p50/p95 ms",
    "source p50/p95",
    "change p50/p95",
)


def phase_row(name: str, seconds: float, inside: list[Call]) -> tuple:
    reads = [c for c in inside if c.is_read]
    writes = [c for c in inside if not c.is_read]
    other = [c for c in inside if c.status is not None and not c.ok]
    return (
        name,
        f"{seconds:.1f}",
        len(inside),
        sum(c.ok for c in reads),
        sum(not c.ok for c in reads),
        sum(c.ok for c in writes),
        sum(not c.ok for c in writes),
        sum(c.status == 500 for c in inside),
        sum(c.status in (502, 503) for c in inside),
        sum(c.status not in (500, 502, 503) for c in other),
        sum(c.status is None for c in inside),
        p50_95(reads),
        p50_95([c for c in writes if c.kind == "source"]),
        p50_95([c for c in writes if c.kind == "change"]),
    )


def table(rows: list[tuple]) -> str:
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]

    def line(row: tuple) -> str:
        cells = zip(row, widths, strict=True)
        return "  ".join(
            str(v).rjust(w) if i else str(v).ljust(w) for i, (v, w) in enumerate(cells)
        )

    return "\n".join([line(rows[0]), "  ".join("-" * w for w in widths), *map(line, rows[1:])])


def judge(calls: list[Call], phases, marks) -> tuple[list[tuple], dict, list[str], list[str]]:
    rows, failures, notes = [HEADER], [], []
    bounds = [*phases, ("end", marks["end"])]
    for (name, start), (_, end) in itertools.pairwise(bounds):
        inside = [c for c in calls if start <= c.start < end]
        rows.append(phase_row(name, end - start, inside))
        if name in ("baseline", "redis-settle", "pg-settle", "conns-killed", "tail"):
            for c in [c for c in inside if not c.ok][:3]:  # what failed while both were up
                after = "answered after the next fault" if c.end > end else ""
                notes.append(
                    f"{name} +{c.start - start:.2f} s: {c.kind} {c.what} -> "
                    f"{c.status or 'no answer'} {c.error[:90]!r} {after}"
                )
            # Both services up: only requests sent and answered within the phase count.
            five_hundreds = [c for c in inside if c.end <= end and c.status == 500]
            if five_hundreds:
                c = five_hundreds[0]
                failures.append(
                    f"{len(five_hundreds)} answer(s) 500 in {name} while both "
                    f"services were up, e.g. {c.what}: {c.error[:150]!r}"
                )
        if name in ("baseline", "redis-down", "redis-settle"):  # PostgreSQL up all along
            bad = [c for c in inside if not c.ok and c.end <= marks["pg_stop"]]
            if bad:
                c = bad[0]
                failures.append(
                    f"{len(bad)} request(s) failed in {name} (PostgreSQL up), e.g. "
                    f"{c.kind} {c.what} -> {c.status} {c.error[:150]!r}"
                )
        if name in ("conns-killed", "tail"):
            bad = [c for c in inside if not c.ok and c.start >= marks["killed"]]
            if bad:
                c = bad[0]
                failures.append(
                    f"{len(bad)} request(s) failed after the app's database "
                    f"connections were killed, e.g. {c.kind} {c.what} -> "
                    f"{c.status} {c.error[:150]!r}"
                )
    recoveries = {}
    for service, up, until in [
        ("Redis", marks["redis_up"], marks["pg_stop"]),
        ("PostgreSQL", marks["pg_up"], marks["kill"]),
    ]:
        seconds, later = recovery(calls, up, until)
        recoveries[service] = seconds
        if seconds is None or seconds > RECOVERY_LIMIT_S:
            failures.append(
                f"reads after {service} returned: no {RECOVERY_READS} successes in "
                f"a row within {RECOVERY_LIMIT_S:.0f} s ({seconds})"
            )
        if later:
            failures.append(f"{later} read(s) failed after reads had recovered from {service}")
    return rows, recoveries, failures, notes


def ledger(writes: list[Write]) -> tuple[list[tuple], list[str]]:
    failures = []
    rows = [("writes (POST)", "sources", "changes", "all")]

    def add(label: str, pred) -> int:
        counts = [
            sum(1 for w in writes if w.kind == kind and pred(w)) for kind in ("source", "change")
        ]
        rows.append((label, *counts, sum(counts)))
        return sum(counts)

    confirmed = lambda w: w.outcome in ("acked", "exists")  # noqa: E731
    add("logical writes", lambda w: True)
    rows.append(
        (
            "requests (attempts)",
            *[sum(w.attempts for w in writes if w.kind == k) for k in ("source", "change")],
            sum(w.attempts for w in writes),
        )
    )
    add("acknowledged (2xx)", lambda w: w.outcome == "acked")
    add("retry refused: already stored", lambda w: w.outcome == "exists")
    add("gave up after 3 attempts (5xx)", lambda w: w.outcome == "failed")
    refused = add("refused (4xx)", lambda w: w.outcome == "refused")
    add("confirmed, found exactly once", lambda w: confirmed(w) and w.found == 1)
    lost = add("confirmed, LOST", lambda w: confirmed(w) and w.found == 0)
    doubled = add("DUPLICATED (stored twice+)", lambda w: w.found > 1)
    add("unconfirmed, stored once", lambda w: not confirmed(w) and w.found == 1)
    add("unconfirmed, not stored", lambda w: not confirmed(w) and w.found == 0)
    torn = add("periods not matching changes", lambda w: not w.periods_ok)
    if lost:
        failures.append(f"{lost} acknowledged write(s) lost")
    if doubled:
        failures.append(f"{doubled} write(s) stored twice or more")
    if refused:
        w = next(w for w in writes if w.outcome == "refused")
        failures.append(f"{refused} write(s) refused with a 4xx, e.g. {w.kind} {w.error[:150]!r}")
    if torn:
        failures.append(f"{torn} place(s) whose periods do not match their changes")
    return rows, failures


def report(load: Load, phases, marks, imported: dict) -> int:
    calls = sorted(load.calls, key=lambda c: c.start)
    rows, recoveries, failures, notes = judge(calls, phases, marks)
    print(
        "\n=== Fault test: requests per phase (by when each was sent; latencies of successes) ==="
    )
    print(table(rows))
    print(
        f"total: {len(calls)} requests, {sum(c.status == 500 for c in calls)} answered 500, "
        f"{sum(c.status == 503 for c in calls)} answered 503, "
        f"{sum(c.status is None for c in calls)} no answer"
    )
    for note in notes:
        print(f"  failed while both were up: {note}")
    print(
        f"\n=== Read recovery: service answering again -> first of {RECOVERY_READS} "
        f"successful reads in a row (limit {RECOVERY_LIMIT_S:.0f} s) ==="
    )
    for service, up, down in [
        ("Redis", "redis_up", "redis_stop"),
        ("PostgreSQL", "pg_up", "pg_stop"),
    ]:
        outage = marks[up] - marks[down]
        print(f"{service:<11} {fmt_s(recoveries[service])}   (down {outage:.1f} s)")
    print("\n=== Write ledger: each logical write counted in the database ===")
    rows, more = ledger(load.writes)
    failures += more
    print(table(rows))
    if imported:
        print("\n=== Import uploaded while Redis was down ===")
        print(
            f"upload: {imported.get('upload')} ({imported.get('first_status')}); then "
            f"{imported.get('final_status')} {imported.get('done_after', 0):.0f} s after "
            f"upload; places it created: {imported.get('places')}"
        )
        if imported.get("final_status") != "succeeded" or imported.get("places") != 1:
            failures.append(
                f"the import uploaded while Redis was down did not succeed within "
                f"{IMPORT_WAIT_S:.0f} s: {imported}"
            )
    print()
    if failures:
        print("FAULT TEST FAILED:")
        for failure in failures:
            print(f"  - {failure}")
        return 1
    print("FAULT TEST PASSED")
    return 0


def fmt_s(seconds: float | None) -> str:
    return "never" if seconds is None else f"{seconds:5.2f} s"


if __name__ == "__main__":

    def terminate(signum, frame):
        raise SystemExit(128 + signum)  # run the cleanup in main()'s finally

    signal.signal(signal.SIGTERM, terminate)
    signal.signal(signal.SIGHUP, terminate)
    os.chdir(ROOT)
    sys.exit(main(sys.argv))
