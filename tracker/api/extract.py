"""/api/v1/extract: suggested parties, stages, dates, principles, relations and declarations
from a text."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from tracker.api.base import ApiBlueprint, ErrorSchema
from tracker.db import get_session
from tracker.models.vocab import Role
from tracker.schemas.misc import ExtractInSchema, ExtractOutSchema
from tracker.services.evidence.extraction import suggest

blp = ApiBlueprint(
    "extract",
    __name__,
    url_prefix="/api/v1/extract",
    description="Suggestions from an article's text in fa, ru, ar or en, with exact offsets.",
)


@blp.route("")
class Extract(MethodView):
    @blp.requires(Role.VIEWER)
    @blp.arguments(ExtractInSchema)
    @blp.response(200, ExtractOutSchema)
    @blp.alt_response(422, schema=ErrorSchema, description="Invalid input")
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Suggest the language, parties (names, adjectives, metonyms), stage and step cues
        with the acting party and body, dates (either calendar, any digits; a year-less one
        read against `published`), principles, relations to other agreements (with the
        agreements each may name, sharing a party with `agreement_id`) and parties'
        reservations, declarations and objections. Each item's `text` (a relation's or a
        declaration's `quote`) is `text[start:end]` of the input. Nothing is stored:
        accepting a suggestion is a separate write. Needs a token even when
        TRACKER_PUBLIC_READ=1 opens the other reads."""
        return suggest(
            get_session(),
            data["text"],
            language=data.get("language"),
            published=data.get("published"),
            agreement_id=data.get("agreement_id"),
        )
