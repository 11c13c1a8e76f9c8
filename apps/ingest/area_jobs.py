"""An import job of area snapshots (``POST area-imports/``): the uploaded GeoJSON, ZIP or
GeoPackage read as a series into a layer, as ``manage.py import_areas`` does."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.areas.imports import import_series
from apps.history import recorder
from apps.history.models import Revision
from apps.territory.models import ArmedGroup

from . import files
from .models import ImportJob

logger = logging.getLogger(__name__)


def run_area_job(job: ImportJob) -> None:
    """Run it and store its report: per-file errors (nothing written), or the days added,
    unchanged and replaced, and the days refused (stored with other ground)."""
    options: dict[str, Any] = job.options or {}
    errors: list[dict[str, Any]] = []
    counts: dict[str, dict[str, int]] = {}
    summary = ""
    try:
        if job.theater is None:
            raise ValidationError({"theater": ["An area import needs its theater."]})
        groups = {
            key: ArmedGroup.objects.filter(slug=options[key]).first()
            for key in ("group", "complement")
            if options.get(key)
        }
        for key, group in groups.items():
            if group is None:
                raise ValidationError({key: [f"No group {options[key]!r}."]})
        path = files.root() / job.file
        if not job.file or not path.exists():
            raise ValidationError(
                {"file": ["The uploaded file is no longer stored; upload it again."]}
            )
        note = f"area import {job.filename} ({job.pk})"
        with recorder.acting(user=job.user, via=Revision.Via.IMPORT, note=note):
            found = import_series(
                [str(path)],
                theater=job.theater,
                layer_slug=options["layer"],
                group=groups.get("group"),
                complement=groups.get("complement"),
                assessor=options.get("assessor"),
                name=options.get("name"),
                replace=bool(options.get("replace")),
            )
        errors = [
            {"row": None, "column": origin.replace(job.file, job.filename), "message": message}
            for origin, message in found.problems
        ]
        errors += [
            {"row": None, "column": "day", "message": f"{day}: stored with other ground (replace)"}
            for day, _ in found.report.conflicts
        ]
        r = found.report
        if not found.problems:
            counts = {
                "days": {
                    "added": r.added,
                    "unchanged": r.unchanged,
                    "replaced": r.replaced,
                    "refused": len(r.conflicts),
                },
                "versions": {"written": r.versions_written, "deleted": r.versions_deleted},
            }
        summary = (
            " ".join(found.lines()[:2])
            if not found.problems
            else (
                f"Nothing was written: {len(found.problems)} file(s) could not be read; "
                f"first: {found.problems[0][1]}"
            )
        )
        failed = bool(found.problems)
    except ValidationError as error:
        errors = [
            {"row": None, "column": name, "message": message}
            for name, messages in error.message_dict.items()
            for message in messages
        ]
        summary, failed = f"Nothing was written: {errors[0]['message']}", True
    except Exception as error:
        logger.exception("Area import %s failed", job.pk)
        errors = [
            {"row": None, "column": None, "message": f"Unexpected error ({type(error).__name__})."}
        ]
        summary, failed = "The import stopped on an unexpected error; nothing was written.", True
    job.counts, job.errors, job.summary = counts, errors, summary
    job.status = job.Status.FAILED if failed else job.Status.SUCCEEDED
    job.finished_at = timezone.now()
    job.save(update_fields=["counts", "errors", "status", "summary", "finished_at"])
