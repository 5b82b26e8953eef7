"""The WSGI entry point: `flask --app app ...` and `gunicorn app:app` find `app` here."""

from tracker import create_app
from tracker.config import ConfigError

try:
    app = create_app()
except ConfigError as exc:  # a settings mistake is a message, not a traceback
    raise SystemExit(f"Treaty Tracker cannot start: {exc}") from None
