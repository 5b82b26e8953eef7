"""News feeds watched for new stories (SPEC §2c): what a client sends, what it gets back."""

from __future__ import annotations

import re

from marshmallow import ValidationError, fields, validate

from tracker.models.inbox import FeedLimits
from tracker.schemas.common import LANGUAGE, DumpSchema, InputSchema, Text
from tracker.text.normalise import clean_text
from tracker.text.urls import url_problem

EVERY = validate.Range(
    min=FeedLimits.MIN_EVERY,
    max=FeedLimits.MAX_EVERY,
    error=f"Poll every {FeedLimits.MIN_EVERY} to {FeedLimits.MAX_EVERY} minutes (a week).",
)
_SPACE = re.compile(r"\s")


def _fetchable(url: str) -> bool:
    """An address a feed can have: http(s) only, fetchable as written, and without control
    or text-direction characters (it is shown as a link: U+202E would reverse its end)."""
    if clean_text(url) != url:
        raise ValidationError("may not contain control or text-direction characters")
    if _SPACE.search(url):
        raise ValidationError("may not contain spaces (write them as %20)")
    problem = url_problem(url)
    if problem:
        raise ValidationError(problem)
    return True


URL = [
    validate.Length(min=1, max=FeedLimits.URL, error="Give an address of 1 to {max} characters."),
    _fetchable,
]
URL_HELP = "The feed's address (RSS or Atom), http:// or https://"
TITLE_HELP = "A name for the feed (default: its host)"
LANGUAGE_HELP = "The language of stories that do not say theirs (fa, ru, ar, en...)"


class FeedInSchema(InputSchema):
    url = Text(
        required=True,
        validate=URL,
        metadata={"description": URL_HELP},
    )
    title = Text(
        allow_none=True,
        validate=validate.Length(max=FeedLimits.TITLE),
        metadata={"description": TITLE_HELP},
    )
    language = Text(allow_none=True, validate=LANGUAGE, metadata={"description": LANGUAGE_HELP})
    active = fields.Boolean(
        metadata={"description": "Polled (true, the default) or paused (false)"}
    )
    poll_every_minutes = fields.Integer(
        strict=True,
        validate=EVERY,
        metadata={"description": "How often it is polled, in minutes (default 60)"},
    )


class FeedPatchSchema(FeedInSchema):
    url = Text(
        validate=validate.Length(min=1, max=FeedLimits.URL), metadata={"description": URL_HELP}
    )
    active = fields.Boolean(
        metadata={
            "description": "false pauses the feed; true resumes a paused one (clearing its "
            "failures, last error and back-off)"
        }
    )


class FeedQuerySchema(InputSchema):
    active = fields.Boolean(metadata={"description": "Only active (true) or paused (false) feeds"})


class FeedSchema(DumpSchema):
    """A news feed with how its polling goes."""

    id = fields.Integer(required=True, dump_only=True)
    url = fields.String(required=True)
    title = fields.String(required=True)
    language = fields.String(allow_none=True, required=True)
    active = fields.Boolean(required=True)
    poll_every_minutes = fields.Integer(required=True)
    last_polled_at = fields.DateTime(allow_none=True, required=True, dump_only=True)
    last_success_at = fields.DateTime(allow_none=True, required=True, dump_only=True)
    next_poll_at = fields.DateTime(
        allow_none=True,
        required=True,
        dump_only=True,
        metadata={"description": "When it is next due (null: at the next round)"},
    )
    last_error = fields.String(
        allow_none=True,
        required=True,
        dump_only=True,
        metadata={"description": "What went wrong at the last poll, in words"},
    )
    consecutive_failures = fields.Integer(required=True, dump_only=True)
    paused_reason = fields.String(
        allow_none=True,
        required=True,
        dump_only=True,
        metadata={"description": "Why it is paused (410 Gone, too many failures, by hand)"},
    )
    version = fields.Integer(required=True, dump_only=True)
    created_at = fields.DateTime(required=True, dump_only=True)
    updated_at = fields.DateTime(required=True, dump_only=True)
