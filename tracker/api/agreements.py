"""/api/v1/agreements: list, create, read, amend and delete agreements."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, request
from flask.views import MethodView

from tracker.api import page_cache, present
from tracker.api.base import ApiBlueprint, ErrorSchema, actor, anonymous, window
from tracker.db import get_session, utcnow
from tracker.models.vocab import Role
from tracker.schemas.agreements import (
    AgreementInSchema,
    AgreementPatchSchema,
    AgreementQuerySchema,
    AgreementSchema,
    AgreementSummarySchema,
    AuditEntrySchema,
    DeletedAgreementSchema,
)
from tracker.services import audit
from tracker.services.agreements import commands, listing, queries, reading
from tracker.services.errors import InvalidInput

blp = ApiBlueprint(
    "agreements",
    __name__,
    url_prefix="/api/v1/agreements",
    description="Agreements with their parties, derived lifecycle, events and principles.",
)


# The list's rows as @blp.response would dump them: the list view sends the bytes it built
# (or kept: tracker.api.page_cache) itself.
_SUMMARIES = AgreementSummarySchema(many=True)


def _tag(version: int, status: str) -> dict[str, Any]:
    """What the detail's ETag is made of. A public reader's answer (staff without their
    emails) is another representation, so it has its own tag; a token's tag is the one
    If-Match takes."""
    tag: dict[str, Any] = {"version": version, "status": status}
    if anonymous():
        tag["public"] = True
    return tag


def _overview(agreement_id: int) -> dict[str, Any]:
    """The agreement as the API shows it; its ETag (GET, PATCH) is made as `_check` reads it."""
    view = reading.detail(get_session(), agreement_id)
    blp.set_etag(_tag(view.version, view.row.status))
    return present.agreement(view, public=anonymous())


def _check(agreement_id: int) -> int:
    """412 unless If-Match is the ETag of the agreement as it is (404 when there is none); the
    version it was. From two columns, not the detail: the version changes with every write
    to the agreement or its claims, the status also with time alone (stalled)."""
    version, status = queries.version_and_status(get_session(), agreement_id)
    blp.check_etag({"version": version, "status": status})
    return version


@blp.route("")
class Agreements(MethodView):
    @blp.requires(Role.VIEWER, read=True)
    @blp.etag
    @blp.arguments(AgreementQuerySchema(), location="query")
    @blp.response(200, AgreementSummarySchema(many=True))
    @blp.paginate(page_size=50, max_page_size=200)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> list[dict[str, Any]]:
        """List agreements, filtered, sorted and paged (paging metadata in X-Pagination).

        Page by `page` or, past the first page, by `after` (the `next_cursor` of the page
        before): a cursor costs the same at any depth. `total` is exact up to 10,000 matches;
        past that it reads 10,000 with `total_capped: true`. A GET with If-None-Match of the
        list's ETag answers 304 without reading the page."""
        session = get_session()
        sort = args.pop("sort")
        after = args.pop("after", None)
        if after is not None and pagination_parameters.page != 1:
            raise InvalidInput({"after": "Give `after` or `page`, not both."})
        filters = listing.AgreementFilters(**args)
        newest, deleted = listing.stamp(session)
        tag = {
            "query": request.query_string.decode("latin-1"),
            "newest": newest.isoformat() if newest else None,
            "deleted": deleted.isoformat() if deleted else None,
            "today": utcnow().date().isoformat(),  # a status turns stalled with time
            "public": anonymous(),
        }
        blp.set_etag(tag)
        cache = page_cache.pages()
        # The arguments as parsed (not the query string: a parameter the list ignores makes
        # no new entry), the page, and the rest of the tag.
        page = (pagination_parameters.page, pagination_parameters.page_size)
        key = (filters, sort, after, *page, newest, deleted, tag["today"], tag["public"])
        built = page_cache.kept(cache, key)
        if built is None:
            found = listing.page(
                session, filters, sort=sort, after=after, **window(pagination_parameters)
            )
            rows = _SUMMARIES.dump([present.agreement_summary(row) for row in found.rows])
            body = current_app.json.response(rows).get_data()
            built = page_cache.built(body, found.total, found.capped, found.next_cursor)
            if cache is not None:
                cache.put(key, built)
        pagination_parameters.item_count = built.total
        pagination_parameters.extra = {"total_capped": built.capped}
        if built.next_cursor:
            pagination_parameters.extra["next_cursor"] = built.next_cursor
        return Response(built.body, mimetype="application/json")

    @blp.requires(Role.EDITOR)
    @blp.arguments(AgreementInSchema)
    @blp.response(201, AgreementSchema)
    @blp.alt_response(422, schema=ErrorSchema, description="Invalid input")
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Create an agreement."""
        created = commands.create_agreement(get_session(), data, actor=actor())
        return _overview(created.id)


@blp.route("/deleted")
class DeletedAgreements(MethodView):
    @blp.requires(Role.ADMIN)
    @blp.response(200, DeletedAgreementSchema(many=True))
    @blp.paginate(page_size=50, max_page_size=200)
    def get(self, pagination_parameters: Any) -> list[dict[str, Any]]:
        """Soft-deleted agreements, most recently deleted first, with who deleted each."""
        session = get_session()
        pagination_parameters.item_count = queries.deleted_count(session)
        return queries.deleted_agreements(session, **window(pagination_parameters))


@blp.route("/<id:agreement_id>/restore")
class RestoreAgreement(MethodView):
    @blp.requires(Role.ADMIN)
    @blp.response(200, AgreementSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such agreement")
    @blp.alt_response(409, schema=ErrorSchema, description="The agreement is not deleted")
    def post(self, agreement_id: int) -> dict[str, Any]:
        """Restore a deleted agreement with its events, principles and evidence (admins)."""
        commands.restore_agreement(get_session(), agreement_id, actor=actor())
        return _overview(agreement_id)


@blp.route("/<id:agreement_id>/history")
class AgreementHistory(MethodView):
    @blp.requires(Role.VIEWER, read=True)
    @blp.response(200, AuditEntrySchema(many=True))
    @blp.alt_response(404, schema=ErrorSchema, description="No such agreement")
    @blp.paginate(page_size=50, max_page_size=200)
    def get(self, agreement_id: int, pagination_parameters: Any) -> list[dict[str, Any]]:
        """Every change to the agreement and its events, principles and reminders, newest
        first: who, when, what it was before and after."""
        session = get_session()
        queries.get_agreement(session, agreement_id)
        pagination_parameters.item_count = audit.history_count(session, agreement_id)
        entries = audit.history(session, agreement_id, **window(pagination_parameters))
        return AuditEntrySchema(public=anonymous()).make(entries, many=True)


@blp.route("/<id:agreement_id>")
class AgreementById(MethodView):
    @blp.requires(Role.VIEWER, read=True)
    @blp.etag
    @blp.response(200, AgreementSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such agreement")
    def get(self, agreement_id: int) -> dict[str, Any]:
        """One agreement with its parties, lifecycle, events and principles.

        A GET with If-None-Match of its ETag answers 304 from two columns, without reading
        the events and principles."""
        if request.if_none_match:  # 304 here when the client's copy is current
            version, status = queries.version_and_status(get_session(), agreement_id)
            blp.set_etag(_tag(version, status))
        return _overview(agreement_id)

    @blp.requires(Role.EDITOR)
    @blp.etag
    @blp.arguments(AgreementPatchSchema)
    @blp.response(200, AgreementSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such agreement")
    @blp.alt_response(422, schema=ErrorSchema, description="Invalid input")
    def patch(self, data: dict[str, Any], agreement_id: int) -> dict[str, Any]:
        """Amend the given fields. Needs If-Match with the ETag of the version you edited."""
        version = _check(agreement_id)
        commands.update_agreement(
            get_session(), agreement_id, data, actor=actor(), expected_version=version
        )
        return _overview(agreement_id)

    @blp.requires(Role.EDITOR)
    @blp.etag
    @blp.response(204)
    @blp.alt_response(404, schema=ErrorSchema, description="No such agreement")
    def delete(self, agreement_id: int) -> None:
        """Delete (softly: an admin can restore it). Needs If-Match."""
        _check(agreement_id)
        commands.delete_agreement(get_session(), agreement_id, actor=actor())
