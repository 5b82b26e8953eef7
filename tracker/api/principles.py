"""The principle vocabulary and an agreement's statements of principle."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from tracker.api import present
from tracker.api.base import ApiBlueprint, ErrorSchema, actor, window
from tracker.db import get_session
from tracker.models.vocab import Role
from tracker.schemas.principles import PrincipleSchema, StatementInSchema, StatementSchema
from tracker.services.agreements import reading
from tracker.services.claims import principles

blp = ApiBlueprint(
    "principles",
    __name__,
    url_prefix="/api/v1",
    description="Principles (a controlled vocabulary) and where an agreement's parties state them.",
)


@blp.route("/principles")
class Principles(MethodView):
    @blp.requires(Role.VIEWER, read=True)
    @blp.response(200, PrincipleSchema(many=True))
    @blp.paginate(page_size=100, max_page_size=200)
    def get(self, pagination_parameters: Any) -> list[dict[str, Any]]:
        """The vocabulary, with labels in en, fa, ru and ar."""
        items = principles.vocabulary(get_session())
        pagination_parameters.item_count = len(items)
        page_window = window(pagination_parameters)
        first = page_window["offset"]
        page = items[first : first + page_window["limit"]]
        return page


@blp.route("/agreements/<id:agreement_id>/principles")
class AgreementPrinciples(MethodView):
    @blp.requires(Role.VIEWER, read=True)
    @blp.response(200, StatementSchema(many=True))
    @blp.alt_response(404, schema=ErrorSchema, description="No such agreement")
    def get(self, agreement_id: int) -> list[dict[str, Any]]:
        """The principles stated for the agreement, with where they are stated."""
        return present.statements(reading.detail(get_session(), agreement_id))

    @blp.requires(Role.EDITOR)
    @blp.arguments(StatementInSchema)
    @blp.response(201, StatementSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such agreement")
    @blp.alt_response(422, schema=ErrorSchema, description="Invalid input")
    def post(self, data: dict[str, Any], agreement_id: int) -> dict[str, Any]:
        """State a principle: give `quote` with its `article_id`, or a treaty `clause`."""
        statement = principles.state_principle(get_session(), agreement_id, data, actor=actor())
        return present.statement(statement)
