"""The WSGI entry point: `flask --app app ...` and `gunicorn app:app` find `app` here."""

import gc

from tracker import create_app
from tracker.config import ConfigError

try:
    app = create_app()
except ConfigError as exc:  # a settings mistake is a message, not a traceback
    raise SystemExit(f"Treaty Tracker cannot start: {exc}") from None

# What the start made (the modules, the models, the app: 243,000 objects) lives as long as
# the process. Out of the collector's reckoning, a full collection no longer scans it all,
# which paused the request it fell on for 80 to 100 ms (docs/benchmarks.md, "Search").
gc.freeze()
