"""Tables, constraints and small pure properties — no Flask globals here."""

from __future__ import annotations
