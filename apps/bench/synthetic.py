"""What the synthetic-theater commands share: its name and the options that define it."""

from __future__ import annotations

from argparse import ArgumentParser


def synthetic_slug(places: int, changes: int, groups: int, seed: int) -> str:
    """The slug of the synthetic theater of these parameters (built once, then reused)."""
    return f"synthetic-p{places}-c{changes}-g{groups}-s{seed}"


def add_theater_arguments(
    parser: ArgumentParser, *, places: int, changes: int, groups: int | None
) -> None:
    """``--places``, ``--changes``, ``--groups`` (unless None) and ``--seed``."""
    parser.add_argument("--places", type=int, default=places)
    parser.add_argument("--changes", type=int, default=changes)
    if groups is not None:
        parser.add_argument("--groups", type=int, default=groups)
    parser.add_argument("--seed", type=int, default=1)
