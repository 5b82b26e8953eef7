"""Parties' declarations: /api/v1/agreements/{id}/declarations and /api/v1/declarations/{id}."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from tracker.api import present
from tracker.api.base import ApiBlueprint, ErrorSchema, actor
from tracker.db import get_session
from tracker.models.vocab import Role
from tracker.schemas.declarations import (
    DeclarationInSchema,
    DeclarationPatchSchema,
    DeclarationSchema,
)
from tracker.services.claims import declarations

blp = ApiBlueprint(
    "declarations",
    __name__,
    url_prefix="/api/v1",
    description="Reservations, declarations, understandings and objections, per party.",
)


@blp.route("/agreements/<id:agreement_id>/declarations")
class AgreementDeclarations(MethodView):
    @blp.requires(Role.VIEWER, read=True)
    @blp.response(200, DeclarationSchema(many=True))
    @blp.alt_response(404, schema=ErrorSchema, description="No such agreement")
    def get(self, agreement_id: int) -> list[dict[str, Any]]:
        """The agreement's declarations by party (in the order of its parties), then date."""
        return [
            present.declaration(d)
            for d in declarations.list_declarations(get_session(), agreement_id)
        ]

    @blp.requires(Role.EDITOR)
    @blp.arguments(DeclarationInSchema)
    @blp.response(201, DeclarationSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such agreement")
    @blp.alt_response(422, schema=ErrorSchema, description="Invalid input")
    def post(self, data: dict[str, Any], agreement_id: int) -> dict[str, Any]:
        """Record a party's reservation, declaration, understanding or objection.

        The party is one of the agreement's. An objection names in `objects_to` the
        declaration it answers: another party's, of this agreement, not itself an
        objection. Nothing here changes any party's participation.
        """
        session = get_session()
        made = declarations.record_declaration(session, agreement_id, data, actor=actor())
        return present.declaration(declarations.get_declaration(session, made.id))


@blp.route("/declarations/<id:declaration_id>")
class DeclarationById(MethodView):
    @blp.requires(Role.VIEWER, read=True)
    @blp.etag
    @blp.response(200, DeclarationSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such declaration")
    def get(self, declaration_id: int) -> dict[str, Any]:
        return present.declaration(declarations.get_declaration(get_session(), declaration_id))

    @blp.requires(Role.EDITOR)
    @blp.etag
    @blp.arguments(DeclarationPatchSchema)
    @blp.response(200, DeclarationSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such declaration")
    @blp.alt_response(422, schema=ErrorSchema, description="Invalid input")
    def patch(self, data: dict[str, Any], declaration_id: int) -> dict[str, Any]:
        """Amend a declaration; withdrawing it is giving `withdrawn_on`. Needs If-Match."""
        session = get_session()
        current = declarations.get_declaration(session, declaration_id)
        blp.check_etag(present.declaration(current), DeclarationSchema)
        declarations.amend_declaration(
            session, declaration_id, data, actor=actor(), version=current.version
        )
        return present.declaration(declarations.get_declaration(session, declaration_id))

    @blp.requires(Role.EDITOR)
    @blp.etag
    @blp.response(204)
    @blp.alt_response(404, schema=ErrorSchema, description="No such declaration")
    @blp.alt_response(
        409, schema=ErrorSchema, description="An objection answers it: remove that first"
    )
    def delete(self, declaration_id: int) -> None:
        """Remove the declaration (kept in the history). Needs If-Match."""
        session = get_session()
        current = declarations.get_declaration(session, declaration_id)
        blp.check_etag(present.declaration(current), DeclarationSchema)
        declarations.remove_declaration(
            session, declaration_id, actor=actor(), version=current.version
        )
