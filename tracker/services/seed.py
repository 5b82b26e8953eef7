"""The former path of tracker.services.data.seed, kept while tests/text and
bench/extraction.py import it from here; new code imports the new path."""

from tracker.services.data.seed import *  # noqa: F403
