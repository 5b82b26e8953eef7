"""/api/v1/feeds: the news feeds watched for new stories (editors add and change them,
admins remove them)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from tracker.api.base import ApiBlueprint, ErrorSchema, actor, window
from tracker.db import get_session
from tracker.models.inbox import NewsFeed
from tracker.models.vocab import Role
from tracker.schemas.feeds import FeedInSchema, FeedPatchSchema, FeedQuerySchema, FeedSchema
from tracker.services.feeds import manage

blp = ApiBlueprint(
    "news_feeds_api",
    __name__,
    url_prefix="/api/v1/feeds",
    description="News feeds (RSS and Atom) polled for new stories, which land in the inbox. "
    "A feed that answers 410 Gone or keeps failing is paused; PATCH `active: true` resumes it.",
)


@blp.route("")
class Feeds(MethodView):
    @blp.requires(Role.VIEWER)
    @blp.arguments(FeedQuerySchema(), location="query")
    @blp.response(200, FeedSchema(many=True))
    @blp.paginate(page_size=50, max_page_size=200)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> list[NewsFeed]:
        """The feeds by title, with how their polling goes (`active=false`: the paused ones)."""
        items, total = manage.list_feeds(
            get_session(), active=args.get("active"), **window(pagination_parameters)
        )
        pagination_parameters.item_count = total
        return items

    @blp.requires(Role.EDITOR)
    @blp.arguments(FeedInSchema)
    @blp.response(201, FeedSchema)
    @blp.alt_response(422, schema=ErrorSchema, description="Invalid input")
    def post(self, data: dict[str, Any]) -> NewsFeed:
        """Watch a feed: `{"url": "https://www.irna.ir/rss", "language": "fa"}`. An address
        already watched is refused (422 on `url`, naming the feed)."""
        return manage.add_feed(get_session(), data, actor=actor())


@blp.route("/<id:feed_id>")
class FeedById(MethodView):
    @blp.requires(Role.VIEWER)
    @blp.etag
    @blp.response(200, FeedSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such feed")
    def get(self, feed_id: int) -> NewsFeed:
        return manage.get_feed(get_session(), feed_id)

    @blp.requires(Role.EDITOR)
    @blp.etag
    @blp.arguments(FeedPatchSchema)
    @blp.response(200, FeedSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such feed")
    @blp.alt_response(422, schema=ErrorSchema, description="Invalid input")
    def patch(self, data: dict[str, Any], feed_id: int) -> NewsFeed:
        """Change a feed; `active: false` pauses it, `active: true` resumes a paused one
        (its failures, last error and back-off cleared). Needs If-Match."""
        session = get_session()
        current = manage.get_feed(session, feed_id)
        blp.check_etag(current, FeedSchema)
        return manage.update_feed(session, feed_id, data, actor=actor(), version=current.version)

    @blp.requires(Role.ADMIN)
    @blp.etag
    @blp.response(204)
    @blp.alt_response(404, schema=ErrorSchema, description="No such feed")
    def delete(self, feed_id: int) -> None:
        """Stop watching the feed (admins). The articles and inbox items it brought in stay.
        Needs If-Match."""
        session = get_session()
        blp.check_etag(manage.get_feed(session, feed_id), FeedSchema)
        manage.remove_feed(session, feed_id, actor=actor())
