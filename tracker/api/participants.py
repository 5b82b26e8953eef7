"""/api/v1/agreements/{id}/participants: the participants table, as JSON or CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Response
from flask.views import MethodView

from tracker.api import present
from tracker.api.base import ApiBlueprint, ErrorSchema, window
from tracker.db import get_session
from tracker.models.vocab import Role
from tracker.schemas.participants import ParticipantSchema, ParticipantsQuerySchema
from tracker.services.agreements import reading

blp = ApiBlueprint(
    "participants",
    __name__,
    url_prefix="/api/v1",
    description="Each party's signature, instrument, being bound and exits (SPEC §2b).",
)

CSV_COLUMNS = (
    "party_code",
    "party_name",
    "participation",
    "signed",
    "consent_type",
    "consent_marker",
    "consented",
    "bound_from",
    "withdrawal_notified",
    "withdrawal_effective",
    "suspended_since",
    "declarations",
)


def declaration_words(items: list[dict[str, Any]]) -> str:
    """The party's declarations in one cell: "reservation #12 (withdrawn 2026-05-04);
    objection #13 to #12"."""
    words = []
    for d in items:
        said = f"{d['kind']} #{d['id']}"
        if d["objects_to"]:
            said += f" to #{d['objects_to']}"
        if d["withdrawn_on"]:
            said += f" (withdrawn {d['withdrawn_on']})"
        words.append(said)
    return "; ".join(words)


def as_csv(rows: list[dict[str, Any]]) -> str:
    """The rows under a header line; the marker in its own column, after the date's."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        flat = (
            {"party_code": row["party"]["code"], "party_name": row["party"]["name"]}
            | row
            | {"declarations": declaration_words(row["declarations"])}
        )
        writer.writerow(["" if flat[c] is None else flat[c] for c in CSV_COLUMNS])
    return out.getvalue()


@blp.route("/agreements/<id:agreement_id>/participants")
class AgreementParticipants(MethodView):
    @blp.requires(Role.VIEWER, read=True)
    @blp.etag
    @blp.arguments(ParticipantsQuerySchema(), location="query")
    @blp.response(
        200,
        ParticipantSchema(many=True),
        description="The rows as JSON; with `format=csv`, as text/csv",
    )
    @blp.alt_response(404, schema=ErrorSchema, description="No such agreement")
    @blp.alt_response(
        422, schema=ErrorSchema, description="An unknown format (or page) was asked for"
    )
    @blp.paginate(page_size=100, max_page_size=200)
    def get(self, args: dict[str, Any], agreement_id: int, pagination_parameters: Any) -> Any:
        """The participants table: a row per party, in the order of the agreement's parties.

        From the cached lifecycle, so it reads what the agreement's page shows. Dates are
        EDTF. Paged like the other lists (up to 200 a page, paging in X-Pagination).
        `format=csv` answers the same page as text/csv: a header row (party_code,
        party_name, participation, signed, consent_type, consent_marker, consented,
        bound_from, withdrawal_notified, withdrawal_effective, suspended_since,
        declarations), then a line per party, the UN's marker in its own column, the party's
        declarations in one cell ("reservation #12 (withdrawn 2026-05-04); objection #13 to
        #12"); ask for `page_size=200` to have a whole table of the UN's size in one answer.
        """
        rows = reading.participants(get_session(), agreement_id)
        page = window(pagination_parameters)
        items = [
            present.participant(r) for r in rows[page["offset"] : page["offset"] + page["limit"]]
        ]
        pagination_parameters.item_count = len(rows)
        blp.set_etag(
            {"format": args["format"], "total": len(rows), "offset": page["offset"], "rows": items}
        )
        if args["format"] == "csv":
            return Response(as_csv(items), mimetype="text/csv")
        return items
