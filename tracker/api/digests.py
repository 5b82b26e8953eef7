"""/api/v1/digests: stored weekly digests (yours; an admin sees all)."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView

from tracker.api.base import ApiBlueprint, ErrorSchema, actor, window
from tracker.db import get_session
from tracker.models.vocab import Role
from tracker.schemas.misc import DigestQuerySchema, DigestSchema
from tracker.services.digests import stored as digests

blp = ApiBlueprint("digests", __name__, url_prefix="/api/v1/digests", description="Weekly digests.")


@blp.route("")
class Digests(MethodView):
    @blp.requires(Role.VIEWER)
    @blp.arguments(DigestQuerySchema(), location="query")
    @blp.response(200, DigestSchema(many=True))
    @blp.paginate(page_size=50, max_page_size=200)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> list[dict[str, Any]]:
        """Your digests, newest week first; `week=2025-W16` picks one week."""
        items, total = digests.list_digests(
            get_session(),
            actor(),
            week=args.get("week"),
            user_email=args.get("user"),
            **window(pagination_parameters),
        )
        pagination_parameters.item_count = total
        return items


@blp.route("/<id:digest_id>")
class DigestById(MethodView):
    @blp.requires(Role.VIEWER)
    @blp.etag
    @blp.response(200, DigestSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such digest of yours")
    def get(self, digest_id: int) -> dict[str, Any]:
        return digests.get_digest(get_session(), actor(), digest_id)


def _rendering(digest_id: int, kind: str) -> Response:
    digest = digests.get_digest(get_session(), actor(), digest_id)
    if kind == "html":
        return Response(digest.html, mimetype="text/html")
    return Response(digest.text, mimetype="text/plain")


@blp.route("/<id:digest_id>/html")
class DigestHtml(MethodView):
    @blp.requires(Role.VIEWER)
    @blp.response(200, content_type="text/html", description="The digest as sent, in HTML")
    @blp.alt_response(404, schema=ErrorSchema, description="No such digest of yours")
    def get(self, digest_id: int) -> Response:
        return _rendering(digest_id, "html")


@blp.route("/<id:digest_id>/text")
class DigestText(MethodView):
    @blp.requires(Role.VIEWER)
    @blp.response(200, content_type="text/plain", description="The digest as sent, in plain text")
    @blp.alt_response(404, schema=ErrorSchema, description="No such digest of yours")
    def get(self, digest_id: int) -> Response:
        return _rendering(digest_id, "text")
