"""/api/v1/parties: states and organisations with localised names."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from tracker.api.base import ApiBlueprint, ErrorSchema, window
from tracker.db import get_session
from tracker.models import Party
from tracker.models.vocab import Role
from tracker.schemas.misc import PartyQuerySchema, PartySchema
from tracker.services.claims.parties import get_party, list_parties, members_of

blp = ApiBlueprint("parties", __name__, url_prefix="/api/v1/parties", description="Parties.")


@blp.route("")
class Parties(MethodView):
    @blp.requires(Role.VIEWER, read=True)
    @blp.arguments(PartyQuerySchema(), location="query")
    @blp.response(200, PartySchema(many=True))
    @blp.paginate(page_size=100, max_page_size=500)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> list[dict[str, Any]]:
        """States (ISO 3166-1 alpha-3, names from pycountry) and organisations, by code;
        `member_of=EAEU`: that organisation's members today."""
        items, total = list_parties(
            get_session(),
            **args,
            **window(pagination_parameters),
        )
        pagination_parameters.item_count = total
        return _present(items)


@blp.route("/<code>")
class PartyByCode(MethodView):
    @blp.requires(Role.VIEWER, read=True)
    @blp.etag
    @blp.response(200, PartySchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such party")
    def get(self, code: str) -> dict[str, Any]:
        """One state or organisation; an organisation with its members, past ones too."""
        return _present([get_party(get_session(), code)])[0]


def _present(parties: list[Party]) -> list[dict[str, Any]]:
    members = members_of(get_session(), [p.code for p in parties])
    return [
        {
            "code": p.code,
            "kind": p.kind,
            "name": p.name("en"),
            "names": p.names,
            "members": members[p.code],
        }
        for p in parties
    ]
