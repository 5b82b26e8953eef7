"""Relations between agreements: /api/v1/agreements/{id}/relations and /api/v1/relations/{id}."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from tracker.api.base import ApiBlueprint, ErrorSchema, actor, anonymous
from tracker.db import get_session
from tracker.models.vocab import Role
from tracker.schemas.relations import RelationInSchema, RelationPatchSchema, RelationSchema
from tracker.services.claims import relations

blp = ApiBlueprint(
    "relations",
    __name__,
    url_prefix="/api/v1",
    description="Relations between agreements (supersedes, amends, protocol to, implements, "
    "extends, suspends), stored on the subject and listed on both. They never change a status.",
)


def _made(relation_id: int, agreement_id: int | None = None) -> dict[str, Any]:
    relation = relations.get_relation(get_session(), relation_id)
    return RelationSchema(public=anonymous()).make(relations.view(relation, agreement_id))


@blp.route("/agreements/<id:agreement_id>/relations")
class AgreementRelations(MethodView):
    @blp.requires(Role.VIEWER, read=True)
    @blp.response(200, RelationSchema(many=True))
    @blp.alt_response(404, schema=ErrorSchema, description="No such agreement")
    def get(self, agreement_id: int) -> list[dict[str, Any]]:
        """The agreement's relations both ways: those it is the subject of ("supersedes"),
        then those it is the target of ("superseded by"), each by date."""
        views = relations.list_relations(get_session(), agreement_id)
        return RelationSchema(public=anonymous()).make(views, many=True)

    @blp.requires(Role.EDITOR)
    @blp.arguments(RelationInSchema)
    @blp.response(201, RelationSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such agreement")
    @blp.alt_response(422, schema=ErrorSchema, description="Invalid input")
    def post(self, data: dict[str, Any], agreement_id: int) -> dict[str, Any]:
        """Record a relation with this agreement as its subject: `{"type": "supersedes",
        "target_id": 2}` says this agreement supersedes agreement 2."""
        recorded = relations.record_relation(get_session(), agreement_id, data, actor=actor())
        return RelationSchema().make(relations.view(recorded))


@blp.route("/relations/<id:relation_id>")
class RelationById(MethodView):
    @blp.requires(Role.VIEWER, read=True)
    @blp.etag
    @blp.response(200, RelationSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such relation")
    def get(self, relation_id: int) -> dict[str, Any]:
        """The relation as its subject lists it."""
        return _made(relation_id)

    @blp.requires(Role.EDITOR)
    @blp.etag
    @blp.arguments(RelationPatchSchema)
    @blp.response(200, RelationSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such relation")
    @blp.alt_response(422, schema=ErrorSchema, description="Invalid input")
    def patch(self, data: dict[str, Any], relation_id: int) -> dict[str, Any]:
        """Amend a relation; quotes given are added to its evidence. Needs If-Match."""
        session = get_session()
        current = relations.get_relation(session, relation_id)
        blp.check_etag(RelationSchema().make(relations.view(current)), RelationSchema)
        relations.amend_relation(session, relation_id, data, actor=actor(), version=current.version)
        return RelationSchema().make(relations.view(relations.get_relation(session, relation_id)))

    @blp.requires(Role.EDITOR)
    @blp.etag
    @blp.response(204)
    @blp.alt_response(404, schema=ErrorSchema, description="No such relation")
    def delete(self, relation_id: int) -> None:
        """Remove the relation (kept in the agreement's history). Needs If-Match."""
        session = get_session()
        current = relations.get_relation(session, relation_id)
        blp.check_etag(RelationSchema().make(relations.view(current)), RelationSchema)
        relations.remove_relation(session, relation_id, actor=actor(), version=current.version)
