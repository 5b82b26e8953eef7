"""/api/v1/inbox: stories brought in by the news feeds, and the researcher's triage."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView

from tracker.api.base import ApiBlueprint, ErrorSchema, actor, signed_in
from tracker.db import get_session
from tracker.models.vocab import Role
from tracker.schemas.inbox import (
    AcceptSchema,
    InboxItemSchema,
    InboxQuerySchema,
    NewAgreementSchema,
)
from tracker.services.inbox import items
from tracker.services.reminders.rules import RuleSettings

# Not "inbox": that is the name of the triage pages' blueprint.
blp = ApiBlueprint(
    "inbox_items",
    __name__,
    url_prefix="/api/v1/inbox",
    description="The evidence inbox: stories from the news feeds with the agreements they may "
    "be about, accepted (with the claims ticked), made a new agreement of, dismissed or "
    "reopened. States: new, accepted, dismissed, not_about_agreements.",
)

STATE_CONFLICT = "The story's state does not allow it (see the message)"


def _settings() -> RuleSettings:
    return RuleSettings.from_config(current_app.config)


def _shown(item_id: int) -> dict[str, Any]:
    session = get_session()
    return items.present(session, items.get_item(session, item_id))


@blp.route("")
class Inbox(MethodView):
    @blp.requires(Role.VIEWER)
    @blp.arguments(InboxQuerySchema(), location="query")
    @blp.response(200, InboxItemSchema(many=True))
    @blp.paginate(page_size=50, max_page_size=200)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> list[dict[str, Any]]:
        """Stories newest first; `state` chooses the pile (new by default), `watched=true`
        keeps those about the agreements my digest watchlist names."""
        session = get_session()
        found, total = items.list_items(
            session,
            state=args.get("state"),
            feed_id=args.get("feed"),
            language=args.get("language"),
            agreement_id=args.get("agreement"),
            watched_by=signed_in() if args.get("watched") else None,
            page=pagination_parameters.page,
            per_page=pagination_parameters.page_size,
        )
        pagination_parameters.item_count = total
        return items.present_many(session, found)


@blp.route("/<id:item_id>")
class InboxItemById(MethodView):
    @blp.requires(Role.VIEWER)
    @blp.response(200, InboxItemSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such story")
    def get(self, item_id: int) -> dict[str, Any]:
        """One story, its articles and its suggestions."""
        return _shown(item_id)


@blp.route("/<id:item_id>/accept")
class AcceptItem(MethodView):
    @blp.requires(Role.EDITOR)
    @blp.arguments(AcceptSchema)
    @blp.response(200, InboxItemSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such story")
    @blp.alt_response(409, schema=ErrorSchema, description=STATE_CONFLICT)
    @blp.alt_response(422, schema=ErrorSchema, description="Invalid input")
    def post(self, data: dict[str, Any], item_id: int) -> dict[str, Any]:
        """Accept the story for `agreement_id`, recording the `claims` ticked (the review
        form's shape: parties, events, principles, relations, declarations, each event,
        relation and declaration naming by `index` a suggestion of the story's `extracted`),
        all or nothing. Reminders the claims settle close at once. From new, or from the
        not_about_agreements pile."""
        items.accept(
            get_session(),
            item_id,
            agreement_id=data["agreement_id"],
            claims=data.get("claims") or {},
            actor=actor(),
            rule_settings=_settings(),
        )
        return _shown(item_id)


@blp.route("/<id:item_id>/dismiss")
class DismissItem(MethodView):
    @blp.requires(Role.EDITOR)
    @blp.response(200, InboxItemSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such story")
    @blp.alt_response(409, schema=ErrorSchema, description=STATE_CONFLICT)
    def post(self, item_id: int) -> dict[str, Any]:
        """Dismiss the story: its articles leave search and lists, and go after the
        retention period. From new, or from the not_about_agreements pile."""
        items.dismiss(get_session(), item_id, actor=actor())
        return _shown(item_id)


@blp.route("/<id:item_id>/new-agreement")
class NewAgreementFromItem(MethodView):
    @blp.requires(Role.EDITOR)
    @blp.arguments(NewAgreementSchema, required=False)
    @blp.response(201, InboxItemSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such story")
    @blp.alt_response(409, schema=ErrorSchema, description=STATE_CONFLICT)
    @blp.alt_response(422, schema=ErrorSchema, description="Invalid input")
    def post(self, data: dict[str, Any], item_id: int) -> dict[str, Any]:
        """Create an agreement from the story (the matcher's suggestion, changed by any of
        title, parties, kind given) and accept the story for it, recording the `claims`
        given on it in the same transaction; the answer's `agreement_id` is the new
        agreement."""
        data = dict(data or {})
        claims = data.pop("claims", None)
        items.new_agreement(
            get_session(),
            item_id,
            data,
            claims=claims,
            actor=actor(),
            rule_settings=_settings(),
        )
        return _shown(item_id)


@blp.route("/<id:item_id>/reopen")
class ReopenItem(MethodView):
    @blp.requires(Role.EDITOR)
    @blp.response(200, InboxItemSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such story")
    @blp.alt_response(409, schema=ErrorSchema, description="The story is new already")
    def post(self, item_id: int) -> dict[str, Any]:
        """Put a decided story (or one from the not_about_agreements pile) back among the
        new ones; claims recorded when it was accepted stay."""
        items.reopen(get_session(), item_id, actor=actor())
        return _shown(item_id)
