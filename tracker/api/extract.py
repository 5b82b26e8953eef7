"""/api/v1/extract: suggestions from an article's text (coming with the evidence work)."""

from __future__ import annotations

from typing import Any

import flask_smorest
from flask.views import MethodView

from tracker.api.base import ApiBlueprint, ErrorSchema
from tracker.models.vocab import Role
from tracker.schemas.misc import ExtractInSchema

blp = ApiBlueprint(
    "extract",
    __name__,
    url_prefix="/api/v1/extract",
    description="Suggested parties, stages, dates and principles from a text. Not yet available.",
)


@blp.route("")
class Extract(MethodView):
    @blp.requires(Role.EDITOR)
    @blp.arguments(ExtractInSchema)
    @blp.response(501, ErrorSchema, description="Extraction is not implemented yet")
    def post(self, data: dict[str, Any]) -> None:
        """Answers 501 Not Implemented until the extractor lands."""
        flask_smorest.abort(501, message="Extraction is not available yet.")
