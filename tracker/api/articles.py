"""/api/v1/articles: evidence articles."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView

from tracker.api import present
from tracker.api.base import ApiBlueprint, ErrorSchema, actor, window
from tracker.db import get_session
from tracker.models.vocab import Role
from tracker.schemas.articles import (
    ArticleInSchema,
    ArticleQuerySchema,
    ArticleSchema,
    ArticleSummarySchema,
    DeletedArticleSchema,
)
from tracker.services.evidence import articles as evidence
from tracker.services.infra.fetching import FetchSettings

blp = ApiBlueprint(
    "articles",
    __name__,
    url_prefix="/api/v1/articles",
    description="Evidence articles: the reports behind every claim.",
)


@blp.route("")
class Articles(MethodView):
    @blp.requires(Role.VIEWER, read=True)
    @blp.arguments(ArticleQuerySchema(), location="query")
    @blp.response(200, ArticleSummarySchema(many=True))
    @blp.paginate(page_size=50, max_page_size=200)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> list[dict[str, Any]]:
        """List articles (without their text; fetch one for it)."""
        items, total = evidence.list_articles(
            get_session(),
            **args,
            **window(pagination_parameters),
        )
        pagination_parameters.item_count = total
        return [present.article_summary(a) for a in items]

    @blp.requires(Role.EDITOR)
    @blp.arguments(ArticleInSchema)
    @blp.response(201, ArticleSchema)
    @blp.alt_response(
        200, schema=ArticleSchema, description="The URL is stored already: that article"
    )
    @blp.alt_response(422, schema=ErrorSchema, description="Invalid input")
    def post(self, data: dict[str, Any]) -> Any:
        """Store an article from `text`, from pasted `html` (its main text is extracted), or
        from its `url` alone, which the server fetches. A URL already stored (tracking
        parameters and fragment aside) answers 200 with the stored article."""
        article, created = evidence.intake(
            get_session(),
            data,
            actor=actor(),
            fetch_settings=FetchSettings.from_config(current_app.config),
        )
        return present.article(article) if created else (present.article(article), 200)


@blp.route("/deleted")
class DeletedArticles(MethodView):
    @blp.requires(Role.ADMIN)
    @blp.response(200, DeletedArticleSchema(many=True))
    @blp.paginate(page_size=50, max_page_size=200)
    def get(self, pagination_parameters: Any) -> list[dict[str, Any]]:
        """Soft-deleted articles, most recently deleted first, with who deleted each."""
        session = get_session()
        pagination_parameters.item_count = evidence.deleted_article_count(session)
        return [
            present.deleted_article(a, who)
            for a, who in evidence.deleted_articles(session, **window(pagination_parameters))
        ]


@blp.route("/<id:article_id>/restore")
class RestoreArticle(MethodView):
    @blp.requires(Role.ADMIN)
    @blp.response(200, ArticleSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such article")
    @blp.alt_response(409, schema=ErrorSchema, description="The article is not deleted")
    def post(self, article_id: int) -> dict[str, Any]:
        """Restore a deleted article (admins)."""
        restored = evidence.restore_article(get_session(), article_id, actor=actor())
        return present.article(restored)


@blp.route("/<id:article_id>")
class ArticleById(MethodView):
    @blp.requires(Role.VIEWER, read=True)
    @blp.etag
    @blp.response(200, ArticleSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such article")
    def get(self, article_id: int) -> dict[str, Any]:
        """One article with its full text and provenance (what it cites, what cites it)."""
        return present.article(evidence.get_article(get_session(), article_id))

    @blp.requires(Role.EDITOR)
    @blp.etag
    @blp.response(204)
    @blp.alt_response(404, schema=ErrorSchema, description="No such article")
    @blp.alt_response(409, schema=ErrorSchema, description="Quoted as evidence: kept")
    def delete(self, article_id: int) -> None:
        """Delete (softly: an admin can restore it) an article no claim quotes. Needs If-Match."""
        session = get_session()
        blp.check_etag(present.article(evidence.get_article(session, article_id)), ArticleSchema)
        evidence.delete_article(session, article_id, actor=actor())
