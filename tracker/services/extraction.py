"""The former path of tracker.services.evidence.extraction, kept while tests/text and
bench/extraction.py import it from here; new code imports the new path."""

from tracker.services.evidence.extraction import *  # noqa: F403
