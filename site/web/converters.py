"""URL converters the whole app uses in place of Werkzeug's own."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # the largest value of an INTEGER column (ids included) on PostgreSQL


class IdConverter(IntegerConverter):
    """<int:…>: a whole number an INTEGER column can hold; a larger one matches no route (404)
    instead of reaching a query PostgreSQL refuses ("integer out of range")."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)
