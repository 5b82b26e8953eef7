"""/api/v1/search: agreements, articles and parties' declarations by their words, in any
spelling."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from tracker.api.base import ApiBlueprint, window
from tracker.db import get_session
from tracker.models.vocab import Role
from tracker.schemas.misc import SearchHitSchema, SearchQuerySchema
from tracker.services import fulltext as search

blp = ApiBlueprint(
    "search",
    __name__,
    url_prefix="/api/v1/search",
    description="Full-text search with ranked results and highlighted snippets.",
)


@blp.route("")
class Search(MethodView):
    @blp.requires(Role.VIEWER, read=True)
    @blp.arguments(SearchQuerySchema(), location="query")
    @blp.response(200, SearchHitSchema(many=True))
    @blp.paginate(page_size=20, max_page_size=100)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> list[dict[str, Any]]:
        """Best matches first. Persian/Arabic letter variants, ZWNJ, diacritics, digits and
        case make no difference; every word must be present (as the start of a word).
        `total` is exact up to 1,000 matches; past that it reads 1,000 with
        `total_capped: true` in X-Pagination."""
        found = search.search(
            get_session(),
            args["q"],
            kind=args.get("type"),
            hidden=args.get("hidden", False),
            **window(pagination_parameters),
        )
        pagination_parameters.item_count = found.total
        pagination_parameters.extra = {"total_capped": found.capped}
        return [
            {
                "type": hit.kind,
                "id": hit.id,
                "title": hit.title,
                "score": hit.score,
                "snippet": hit.snippet,
                "highlights": [list(span) for span in hit.highlights],
            }
            | ({"agreement_id": hit.agreement_id} if hit.kind == "declaration" else {})
            for hit in found.hits
        ]
