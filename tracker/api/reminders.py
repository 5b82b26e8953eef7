"""/api/v1/reminders: follow-ups, made by people or by the reminder rules."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from tracker.api.base import (
    ApiBlueprint,
    ErrorSchema,
    actor,
    anonymous,
    signed_in,
    window,
)
from tracker.db import get_session
from tracker.models.vocab import ReminderStatus, Role
from tracker.schemas.misc import (
    ReminderInSchema,
    ReminderPatchSchema,
    ReminderQuerySchema,
    ReminderSchema,
)
from tracker.services.reminders import manual as reminders

blp = ApiBlueprint(
    "reminders",
    __name__,
    url_prefix="/api/v1/reminders",
    description="Reminders: due, overdue and mine; done, snoozed or dismissed.",
)


@blp.route("")
class Reminders(MethodView):
    @blp.requires(Role.VIEWER, read=True)
    @blp.arguments(ReminderQuerySchema(), location="query")
    @blp.response(200, ReminderSchema(many=True))
    @blp.paginate(page_size=50, max_page_size=200)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> list[dict[str, Any]]:
        """List reminders by due day. `mine=true` and `assignee` need a token (an anonymous
        reader could otherwise try emails to learn who works here)."""
        if args.get("assignee") and anonymous():
            signed_in()  # 401
        if args.pop("mine", False):
            args["assignee"] = signed_in().email
        items, total = reminders.list_reminders(
            get_session(),
            reminders.ReminderFilters(**args),
            **window(pagination_parameters),
        )
        pagination_parameters.item_count = total
        return ReminderSchema(public=anonymous()).make(items, many=True)

    @blp.requires(Role.EDITOR)
    @blp.arguments(ReminderInSchema)
    @blp.response(201, ReminderSchema)
    @blp.alt_response(422, schema=ErrorSchema, description="Invalid input")
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        return ReminderSchema().make(reminders.create_reminder(get_session(), data, actor=actor()))


@blp.route("/<id:reminder_id>")
class ReminderById(MethodView):
    @blp.requires(Role.VIEWER, read=True)
    @blp.etag
    @blp.response(200, ReminderSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such reminder")
    def get(self, reminder_id: int) -> dict[str, Any]:
        reminder = reminders.get_reminder(get_session(), reminder_id)
        return ReminderSchema(public=anonymous()).make(reminder)

    @blp.requires(Role.EDITOR)
    @blp.etag
    @blp.arguments(ReminderPatchSchema)
    @blp.response(200, ReminderSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such reminder")
    @blp.alt_response(422, schema=ErrorSchema, description="Invalid input")
    def patch(self, data: dict[str, Any], reminder_id: int) -> dict[str, Any]:
        """Done (`status: done`), snooze (`status: snoozed`, `snoozed_until`), dismiss, reassign."""
        session = get_session()
        blp.check_etag(ReminderSchema().make(reminders.get_reminder(session, reminder_id)))
        updated = reminders.update_reminder(session, reminder_id, data, actor=actor())
        return ReminderSchema().make(updated)

    @blp.requires(Role.EDITOR)
    @blp.etag
    @blp.response(204)
    @blp.alt_response(404, schema=ErrorSchema, description="No such reminder")
    def delete(self, reminder_id: int) -> None:
        """Dismiss the reminder (it stays on the record). Needs If-Match."""
        session = get_session()
        blp.check_etag(ReminderSchema().make(reminders.get_reminder(session, reminder_id)))
        reminders.update_reminder(
            session,
            reminder_id,
            {"status": ReminderStatus.DISMISSED.value},
            actor=actor(),
        )
