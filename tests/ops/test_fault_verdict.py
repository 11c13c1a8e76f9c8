"""The fault test's verdict (scripts/fault_test.py: judge, ledger, recovery) on hand-made
phase records: a clean run passes, and each broken contract is named."""

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "fault_test.py"
spec = importlib.util.spec_from_file_location("fault_test", SCRIPT)
fault_test = sys.modules.setdefault("fault_test", importlib.util.module_from_spec(spec))
spec.loader.exec_module(fault_test)
Call, Write = fault_test.Call, fault_test.Write

# baseline 0-10 s, Redis down 10-25, settle 25-40, PostgreSQL down 40-55, settle 55-70,
# connections killed at 70 (gone at 71), tail 80-90.
PHASES = [
    ("baseline", 0.0),
    ("redis-down", 10.0),
    ("redis-settle", 25.0),
    ("pg-down", 40.0),
    ("pg-settle", 55.0),
    ("conns-killed", 70.0),
    ("tail", 80.0),
]
MARKS = {
    "redis_stop": 10.0,
    "redis_up": 25.0,
    "pg_stop": 40.0,
    "pg_up": 55.0,
    "kill": 70.0,
    "killed": 71.0,
    "end": 90.0,
}


def steady_run(step: float = 0.5) -> list[Call]:
    """A read every `step` seconds, answered in 50 ms: 200, or 503 while PostgreSQL is down."""
    calls, at = [], 0.0
    while at < MARKS["end"] - 0.1:
        down = MARKS["pg_stop"] <= at < MARKS["pg_up"]
        calls.append(Call("read", "/api/v1/theaters/", at, at + 0.05, 503 if down else 200))
        at = round(at + step, 3)
    return calls


def replace(calls: list[Call], at: float, **changes) -> list[Call]:
    out = []
    for call in calls:
        if call.start == at:
            call = Call(**{**call.__dict__, **changes})
        out.append(call)
    assert any(c.start == at for c in out), at
    return out


def verdict(calls):
    _rows, recoveries, failures, _notes = fault_test.judge(calls, PHASES, MARKS)
    return recoveries, failures


def test_a_clean_run_passes_and_counts_every_phase():
    recoveries, failures = verdict(steady_run())
    assert failures == []
    # the first read at or after the service answered again is the first of five successes
    assert recoveries == {"Redis": pytest.approx(0.05), "PostgreSQL": pytest.approx(0.05)}
    rows = fault_test.judge(steady_run(), PHASES, MARKS)[0]
    assert [row[0] for row in rows[1:]] == [name for name, _ in PHASES]
    pg_down = rows[4]
    assert pg_down[2] == 30 and pg_down[8] == 30  # 30 requests, all 503


def test_a_500_while_both_services_are_up_fails():
    failures = verdict(replace(steady_run(), 3.0, status=500, error="boom"))[1]
    assert len(failures) == 2  # a 500, and a failure with PostgreSQL up
    assert any("answer(s) 500 in baseline" in f for f in failures)


def test_any_failure_while_postgres_is_up_fails_even_with_redis_down():
    failures = verdict(replace(steady_run(), 12.0, status=None, error="reset"))[1]
    assert failures and "failed in redis-down (PostgreSQL up)" in failures[0]


def test_a_503_while_postgres_is_down_is_expected():
    assert verdict(steady_run())[1] == []  # the run has 30 of them


def test_a_failure_after_the_connections_were_killed_fails():
    failures = verdict(replace(steady_run(), 75.0, status=500))[1]
    assert any("after the app's database connections were killed" in f for f in failures)
    # a request sent before they were gone does not count against that contract
    failures = verdict(replace(steady_run(), 70.5, status=None))[1]
    assert not any("connections were killed" in f for f in failures)


def test_recovery_too_slow_or_never_fails():
    calls = steady_run()
    for at in (55.0, 55.5, 56.0):  # three failures after PostgreSQL answers again
        calls = replace(calls, at, status=503)
    recoveries, failures = verdict(calls)
    assert recoveries["PostgreSQL"] == pytest.approx(1.55) and failures == []
    slow = steady_run()
    for call in slow:
        if 55.0 <= call.start < 66.0:
            call.status = 503
    recoveries, failures = verdict(slow)
    assert recoveries["PostgreSQL"] > fault_test.RECOVERY_LIMIT_S
    assert any("reads after PostgreSQL returned" in f for f in failures)
    never = [c for c in steady_run() if not 25.0 <= c.start < 40.0]  # no read after Redis
    recoveries, failures = verdict(never)
    assert recoveries["Redis"] is None
    assert any("reads after Redis returned" in f and "(None)" in f for f in failures)


def test_a_read_failing_after_recovery_fails():
    failures = verdict(replace(steady_run(), 60.0, status=503))[1]
    assert failures == ["1 read(s) failed after reads had recovered from PostgreSQL"]


def test_recovery_needs_reads_in_a_row_in_the_order_sent():
    calls = [Call("read", "r", t, t + 0.1, 200 if t != 2 else 503) for t in range(6)]
    calls.append(Call("source", "w", 0.5, 0.6, 500))  # writes do not count
    assert fault_test.recovery(calls, up_at=0.0, until=100.0) == (None, 0)  # three in a row
    more = [*calls, Call("read", "r", 6, 6.1, 200), Call("read", "r", 7, 7.1, 200)]
    assert fault_test.recovery(more, up_at=0.0, until=100.0) == (pytest.approx(3.1), 0)
    assert fault_test.recovery(calls, up_at=0.0, until=4.0) == (None, 0)  # answered too late


def write(kind="source", outcome="acked", found=1, periods_ok=True) -> Write:
    return Write(
        kind,
        1,
        "/api/v1/sources/",
        {},
        "key",
        attempts=1,
        outcome=outcome,
        found=found,
        periods_ok=periods_ok,
    )


def test_ledger_counts_and_passes_a_clean_run():
    writes = [
        write(),
        write("change"),
        write(outcome="exists"),
        write(outcome="failed", found=0),
        write(outcome="failed", found=1),
    ]
    rows, failures = fault_test.ledger(writes)
    assert failures == []
    by_label = {row[0]: row[1:] for row in rows[1:]}
    assert by_label["logical writes"] == (4, 1, 5)
    assert by_label["confirmed, found exactly once"] == (2, 1, 3)
    assert by_label["unconfirmed, stored once"] == (1, 0, 1)
    assert by_label["unconfirmed, not stored"] == (1, 0, 1)


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        (write(found=0), "1 acknowledged write(s) lost"),
        (write(outcome="exists", found=0), "1 acknowledged write(s) lost"),
        (write(found=2), "1 write(s) stored twice or more"),
        (write(outcome="failed", found=3), "1 write(s) stored twice or more"),
        (write(outcome="refused", found=0), "1 write(s) refused with a 4xx"),
        (write("change", periods_ok=False), "1 place(s) whose periods do not match"),
    ],
)
def test_ledger_names_each_broken_contract(broken, message):
    _rows, failures = fault_test.ledger([write(), broken])
    assert len(failures) == 1 and failures[0].startswith(message)
