"""Uploaded import files, kept under ``settings.IMPORT_ROOT`` until ``purge_import_files``.

An upload is written there in chunks as it arrives (Django has already spooled a large one to
a temporary file), and read back in chunks by the parser, so neither the web process nor a
worker ever holds a whole file in memory. Web and workers must share the folder.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from django.conf import settings

CHUNK = 1024 * 1024


def root() -> Path:
    """The folder of import files, made when missing (a fresh clone has no ``var/``)."""
    folder = Path(settings.IMPORT_ROOT)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def store(job_id: uuid.UUID, chunks: Iterable[bytes], *, filename: str) -> tuple[str, int]:
    """Write the chunks to a new file for the job; returns its name and size in bytes."""
    suffix = Path(filename).suffix.lower()
    kept = (".csv", ".geojson", ".json", ".zip", ".gpkg")  # the readers go by the suffix
    name = f"{job_id}{suffix if suffix in kept else '.upload'}"
    partial = root() / f".{name}.part"
    size = 0
    try:
        with partial.open("wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
                size += len(chunk)
        os.replace(partial, root() / name)  # a file is there whole, or not at all
    finally:
        partial.unlink(missing_ok=True)
    return name, size


def open_file(name: str) -> BinaryIO:
    """The stored file, for reading (FileNotFoundError once purged)."""
    if not name or Path(name).name != name:
        raise FileNotFoundError(f"No stored import file {name!r}.")
    return (root() / name).open("rb")


def delete(name: str) -> None:
    if name and Path(name).name == name:
        (root() / name).unlink(missing_ok=True)


def stored_names() -> list[tuple[str, float]]:
    """The files in the folder with their modification times (for purging orphans)."""
    return [(entry.name, entry.stat().st_mtime) for entry in os.scandir(root()) if entry.is_file()]
