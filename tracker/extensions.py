"""Objects bound to the app with init_app."""

from __future__ import annotations

from tracker.api.base import TrackerApi

api = TrackerApi()
