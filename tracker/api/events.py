"""Stage events: /api/v1/agreements/{id}/events and /api/v1/events/{id}."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from tracker.api import present
from tracker.api.base import ApiBlueprint, ErrorSchema, actor, anonymous, window
from tracker.db import get_session
from tracker.models.vocab import Role
from tracker.schemas.events import EventInSchema, EventPatchSchema, EventSchema
from tracker.services.claims import events

blp = ApiBlueprint(
    "events",
    __name__,
    url_prefix="/api/v1",
    description="Stage events: claims that a lifecycle step happened or is expected.",
)


@blp.route("/agreements/<id:agreement_id>/events")
class AgreementEvents(MethodView):
    @blp.requires(Role.VIEWER, read=True)
    @blp.response(200, EventSchema(many=True))
    @blp.alt_response(404, schema=ErrorSchema, description="No such agreement")
    @blp.paginate(page_size=100, max_page_size=500)
    def get(self, agreement_id: int, pagination_parameters: Any) -> list[dict[str, Any]]:
        """The agreement's events, by date (undated last)."""
        items, total = events.list_events(
            get_session(),
            agreement_id,
            **window(pagination_parameters),
        )
        pagination_parameters.item_count = total
        return [present.event(e, public=anonymous()) for e in items]

    @blp.requires(Role.EDITOR)
    @blp.arguments(EventInSchema)
    @blp.response(201, EventSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such agreement")
    @blp.alt_response(422, schema=ErrorSchema, description="Invalid input")
    def post(self, data: dict[str, Any], agreement_id: int) -> dict[str, Any]:
        """Record a claim, with quotes from articles as its evidence.

        Nothing is refused for being out of order: the agreement's flags show what looks wrong.
        """
        recorded = events.record_event(get_session(), agreement_id, data, actor=actor())
        return present.event(events.get_event(get_session(), recorded.id))


@blp.route("/events/<id:event_id>")
class EventById(MethodView):
    @blp.requires(Role.VIEWER, read=True)
    @blp.etag
    @blp.response(200, EventSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such event")
    def get(self, event_id: int) -> dict[str, Any]:
        return present.event(events.get_event(get_session(), event_id), public=anonymous())

    @blp.requires(Role.EDITOR)
    @blp.etag
    @blp.arguments(EventPatchSchema)
    @blp.response(200, EventSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such event")
    @blp.alt_response(422, schema=ErrorSchema, description="Invalid input")
    def patch(self, data: dict[str, Any], event_id: int) -> dict[str, Any]:
        """Amend a claim; `preferred: true` settles its conflict. Needs If-Match.

        The change and the preference are one transaction: when either is refused, nothing is
        written. To undo a retraction, PATCH `status` back to what it was before (the
        history of the agreement shows it); the change is audited like any other.
        """
        session = get_session()
        current = events.get_event(session, event_id)
        blp.check_etag(present.event(current), EventSchema)
        events.edit_event(
            session,
            event_id,
            data,
            actor=actor(),
            expected_version=current.version,
        )
        return present.event(events.get_event(session, event_id))

    @blp.requires(Role.EDITOR)
    @blp.etag
    @blp.response(204)
    @blp.alt_response(404, schema=ErrorSchema, description="No such event")
    def delete(self, event_id: int) -> None:
        """Retract the claim: it stays on the record, marked retracted. Needs If-Match."""
        session = get_session()
        blp.check_etag(present.event(events.get_event(session, event_id)), EventSchema)
        events.retract_event(session, event_id, actor=actor())
