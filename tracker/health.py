"""GET /healthz: is the app up, and can it read and write its database? For load balancers.

200 {"status": "ok", "database": "ok"}, or 503 {"status": "unavailable", ...} when a
`SELECT 1` fails or the database refuses a write (a read-only file or standby; the probe
writes nothing and is rolled back; the error is logged). No sign-in needed; it tells nothing
about the data. Never kept by a cache (`no-store`): it must say how the app is now, even
under TRACKER_PUBLIC_READ, where other anonymous answers are public.
"""

from __future__ import annotations

import logging

from flask import Blueprint

from tracker.db import get_session
from tracker.services.infra.health import database_error

blp = Blueprint("health", __name__)
log = logging.getLogger(__name__)
NO_STORE = {"Cache-Control": "no-store"}


@blp.get("/healthz")
def healthz():  # type: ignore[no-untyped-def]
    error = database_error(get_session())
    if error is not None:
        log.warning("health check: database unreachable or read-only", extra={"error": repr(error)})
        return {"status": "unavailable", "database": type(error).__name__}, 503, NO_STORE
    return {"status": "ok", "database": "ok"}, 200, NO_STORE
