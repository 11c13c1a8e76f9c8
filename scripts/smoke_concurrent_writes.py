"""Run by scripts/smoke-embedded.sh through `manage.py shell`: two threads write to the
embedded database at once (with the write lock held a while); both must succeed."""

import threading
import time
from datetime import date

from django.db import connection

from apps.territory import services
from apps.territory.models import ArmedGroup, Place, Source

places = list(Place.objects.order_by("pk")[:2])
source = Source.objects.first()
group = ArmedGroup.objects.get(slug="islamic-state")
real_rebuild = services.place_periods_rebuild


def slow_rebuild(*, place):
    time.sleep(0.5)  # hold the write lock so the other writer has to wait for it
    return real_rebuild(place=place)


services.place_periods_rebuild = slow_rebuild
results = {}


def write(place):
    try:
        services.control_change_create(
            place=place,
            date=date(2019, 12, 30),
            status="contested",
            controller=None,
            challengers=[group],
            sources=[source],
            review_state="published",
        )
        results[place.slug] = "ok"
    except Exception as exc:
        results[place.slug] = f"{type(exc).__name__}: {exc}"
    finally:
        connection.close()


threads = [threading.Thread(target=write, args=(place,)) for place in places]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print("concurrent writes:", results)
if set(results.values()) != {"ok"}:
    raise SystemExit("FAIL: concurrent writes to the embedded database")
