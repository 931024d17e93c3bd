"""Demo data for `make run`: what a visitor sees on a fresh machine."""

from __future__ import annotations


def seed_if_empty() -> bool:
    """Load the demo data unless the database already holds any; True when loaded."""
    return False
