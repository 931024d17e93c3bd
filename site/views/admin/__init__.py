"""The staff admin at /admin: one blueprint, guarded as a whole, with a module per screen."""

from . import audit_log
from . import auth
from . import calls
from . import dashboard
from . import hosts
from . import markets
from . import queue
from .blueprint import bp

__all__ = ["bp", "audit_log", "auth", "calls", "dashboard", "hosts", "markets", "queue"]
