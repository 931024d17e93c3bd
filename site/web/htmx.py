"""The htmx helpers every view uses: is this a fragment request, and saying the answer varies."""

from __future__ import annotations

from flask import request
from flask import Response


def wants_fragment() -> bool:
    """Whether htmx asked for a fragment: not when it restores history (that needs a page)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def vary_on_htmx(response: Response) -> Response:
    """Mark a response whose body differs for htmx requests (page or fragment)."""
    response.vary.add("HX-Request")
    return response
