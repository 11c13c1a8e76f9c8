"""With Redis down, queueing a task fails fast: requests that queue one on commit (imports,
exports, zones) answer without hanging on the broker (scripts/fault_test.py measures it)."""

import time

import pytest
from celery import Celery
from kombu.exceptions import OperationalError


def test_publishing_to_a_dead_broker_fails_within_a_second():
    app = Celery("fault", set_as_current=False)  # shared tasks elsewhere keep the real app
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens there
    app.conf.task_always_eager = False

    @app.task(name="fault.noop")
    def noop():
        return None

    started = time.monotonic()
    with pytest.raises(OperationalError):
        noop.delay()
    assert time.monotonic() - started < 1.0
