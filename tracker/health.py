"""GET /healthz: is the app up, and can it read and write its database? For load balancers.

200 {"status": "ok", "database": "ok"}, or 503 {"status": "unavailable", ...} when a
`SELECT 1` fails or the database refuses a write (a read-only file or standby; the probe
writes nothing and is rolled back; the error is logged). No sign-in needed; it tells nothing
about the data. With a read replica (TRACKER_READ_DATABASE_URL) the answer also says
`"replica": "ok"` or `"unavailable"`, without changing the status: reads then fall back to
the primary, so the app still serves. Never kept by a cache (`no-store`): it must say how
the app is now, even under TRACKER_PUBLIC_READ, where other anonymous answers are public.
"""

from __future__ import annotations

import logging

from flask import Blueprint, current_app

from tracker.db import get_session
from tracker.services.infra.health import database_error, replica_error

blp = Blueprint("health", __name__)
log = logging.getLogger(__name__)
NO_STORE = {"Cache-Control": "no-store"}


@blp.get("/healthz")
def healthz():  # type: ignore[no-untyped-def]
    error = database_error(get_session())
    replica = {}
    read_engine = current_app.extensions.get("tracker.read_engine")
    if read_engine is not None:
        trouble = replica_error(read_engine)
        replica = {"replica": "ok" if trouble is None else "unavailable"}
        if trouble is not None:
            log.warning("health check: read replica unreachable", extra={"error": repr(trouble)})
    if error is not None:
        log.warning("health check: database unreachable or read-only", extra={"error": repr(error)})
        body = {"status": "unavailable", "database": type(error).__name__, **replica}
        return body, 503, NO_STORE
    return {"status": "ok", "database": "ok", **replica}, 200, NO_STORE
