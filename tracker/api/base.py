"""The API object, its blueprint class with role checks, and the one error shape."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from functools import wraps
from typing import Any

import flask_smorest
from flask import current_app, g, request
from flask.json.provider import DefaultJSONProvider
from flask_smorest.exceptions import NotModified
from marshmallow import Schema, fields
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request
from werkzeug.exceptions import HTTPException
from werkzeug.http import quote_etag
from werkzeug.routing import IntegerConverter

from tracker.db import get_session, reads_replica, use_primary
from tracker.models import User
from tracker.models.mixins import MAX_ID
from tracker.models.vocab import Role
from tracker.schemas.common import NotJson, flatten_errors, read_json, safe_text
from tracker.services.accounts.users import Bearer, token_bearer


class IdConverter(IntegerConverter):
    """`<id:name>` in API routes: a positive id that fits the database's integer column.

    Anything else (0, negative, 10**30) matches no route and is a 404, never an overflow.
    """

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:  # noqa: A002
        super().__init__(map, min=1, max=MAX_ID)


ROLE_RANK = {Role.VIEWER: 0, Role.EDITOR: 1, Role.ADMIN: 2}


class JSONProvider(DefaultJSONProvider):
    """Flask's JSON, with dates and times in ISO 8601 (Flask's default is the HTTP date format).

    Keys keep the order the presenters give them (id first), instead of being sorted.
    """

    sort_keys = False
    ensure_ascii = False  # Persian, Russian and Arabic as themselves: smaller and faster

    @staticmethod
    def default(o: Any) -> Any:
        if isinstance(o, date | datetime):
            return o.isoformat()
        return DefaultJSONProvider.default(o)


class TrackerParser(FlaskParser):
    """webargs' Flask parser, reading JSON bodies with `read_json`: a body it refuses is a
    400 whose message says why."""

    def _raw_load_json(self, req: Any) -> Any:
        if not is_json_request(req):
            return core.missing
        data = req.get_data(cache=True)
        if not data:
            return core.missing
        try:
            return read_json(data)
        except NotJson as exc:
            flask_smorest.abort(400, message=f"The body is not JSON this API reads: {exc}.")


class ErrorSchema(Schema):
    """Every error answer of the API."""

    code = fields.Integer(required=True, metadata={"description": "HTTP status code"})
    status = fields.String(required=True, metadata={"description": "HTTP status name"})
    message = fields.String(required=True, metadata={"description": "What went wrong"})
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        required=True,
        metadata={"description": "Per field (dotted path for nested input), its messages"},
    )


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def error_payload(code: int, name: str, message: str, errors: Any = None) -> dict[str, Any]:
    """The one error shape; text from the request (a field name, a value quoted in a message)
    is made writable as UTF-8 first, so that a lone surrogate cannot break the answer."""
    flat = flatten_errors(errors) if errors else {}
    return {
        "code": code,
        "status": name,
        "message": safe_text(message),
        "errors": {
            safe_text(field): [safe_text(m) for m in messages] for field, messages in flat.items()
        },
    }


# smorest's ETag checks raise these with Werkzeug's generic wording.
PRECONDITIONS = {
    412: "It was changed meanwhile (by someone else, or by you elsewhere): fetch it again "
    "for its new ETag, then redo your change. Nothing was written.",
    428: "Send If-Match with the ETag of the version you edited (from GET), so that a change "
    "made meanwhile is not overwritten.",
}


class TrackerApi(flask_smorest.Api):
    """flask-smorest's Api, with every error answered as {code, status, message, errors}.

    No catch-all "default" response is documented: every status code an operation can
    answer is listed, so a client (and schemathesis) can rely on the document.
    """

    DEFAULT_ERROR_RESPONSE_NAME = None
    ERROR_SCHEMA = ErrorSchema

    def handle_http_exception(self, error: HTTPException):  # type: ignore[no-untyped-def]
        """The error as JSON (tracker.errors sends errors of HTML pages elsewhere)."""
        data = getattr(error, "data", None) or {}
        message = data.get("message") or PRECONDITIONS.get(error.code or 0)
        message = message or error.description or error.name
        if "messages" in data and "message" not in data:
            message = "The request is not valid; see errors for each field."
        payload = error_payload(
            error.code or 500, error.name, message, data.get("errors") or data.get("messages")
        )
        return payload, error.code, data.get("headers", {})


api = TrackerApi()

PAGINATION_HEADER = {
    "description": (
        'Paging as JSON: {"total", "total_pages", "first_page", "last_page", "page", '
        '"previous_page", "next_page"}; a list that pages by cursor adds "next_cursor" (absent '
        'on the last page: pass it as `after`), and it and the search add "total_capped" '
        '(true when "total" stopped counting at its cap)'
    ),
    "schema": {"type": "string"},
}


class ApiBlueprint(flask_smorest.Blueprint):
    """A smorest Blueprint whose views declare the role they need."""

    ARGUMENTS_PARSER = TrackerParser()

    def _check_precondition(self) -> None:
        """428 without If-Match, and with `If-Match: *` too: "any version" would skip the
        lost-update check that If-Match is there for."""
        if request.method in self.METHODS_NEEDING_CHECK_ETAG and request.if_match.star_tag:
            flask_smorest.abort(
                428,
                message="If-Match: * is not accepted: send the ETag of the version you edited "
                "(from GET), so that a change made meanwhile is not overwritten.",
            )
        super()._check_precondition()

    def _check_not_modified(self, etag: str) -> None:
        """304 when If-None-Match holds `etag`, carrying the ETag as the 200 would (a cache
        in front keeps its copy under it); smorest's own 304 has none."""
        if request.method in self.METHODS_CHECKING_NOT_MODIFIED and etag in request.if_none_match:
            not_modified = NotModified()
            not_modified.data = {"headers": {"ETag": quote_etag(etag)}}
            raise not_modified

    def arguments(self, schema: Any, *, location: str = "json", **kwargs: Any) -> Callable:
        """smorest's arguments; a JSON body may also be unreadable (400) or too large (413)."""
        parse = super().arguments(schema, location=location, **kwargs)
        if location != "json":
            return parse

        def decorator(func: Callable) -> Callable:
            documented = self.alt_response(
                400, schema=ErrorSchema, description="The body is not JSON"
            )(parse(func))
            return self.alt_response(
                413, schema=ErrorSchema, description="The body is over TRACKER_MAX_REQUEST_BYTES"
            )(documented)

        return decorator

    def _set_pagination_metadata(
        self, page_params: Any, result: Any, headers: Any
    ) -> tuple[Any, Any]:
        """smorest's X-Pagination, with what a view adds in `page_params.extra` (a cursor
        list's next_cursor and total_capped), encoded once."""
        metadata = self._make_pagination_metadata(
            page_params.page, page_params.page_size, page_params.item_count
        )
        metadata.update(getattr(page_params, "extra", None) or {})
        headers = {} if headers is None else headers
        headers[self.PAGINATION_HEADER_NAME] = json.dumps(metadata)
        return result, headers

    @staticmethod
    def _make_pagination_metadata(page: int, page_size: int, item_count: int) -> dict[str, int]:
        """smorest's paging metadata, the same keys in the same order, made without the
        marshmallow schema that smorest builds for it on every request (a fiftieth of a
        list request, for seven integers)."""
        if item_count == 0:
            return {"total": 0, "total_pages": 0}
        last_page = (item_count - 1) // page_size + 1
        metadata = {"total": item_count, "total_pages": last_page, "first_page": 1}
        metadata["last_page"] = last_page
        if page <= last_page:
            metadata["page"] = page
            if page > 1:
                metadata["previous_page"] = page - 1
            if page < last_page:
                metadata["next_page"] = page + 1
        return metadata

    def _document_pagination_metadata(self, spec: Any, resp_doc: dict) -> None:
        # A header value is a string: document it as one, holding JSON.
        resp_doc.setdefault("headers", {})[self.PAGINATION_HEADER_NAME] = PAGINATION_HEADER

    def requires(self, role: Role, *, read: bool = False) -> Callable:
        """Let in `role` and above; 401 without a valid token, 403 with a lesser role.

        With `read=True` and TRACKER_PUBLIC_READ=1 anyone is let in.
        """

        def decorator(func: Callable) -> Callable:
            @wraps(func)
            def wrapper(*args: Any, **kwargs: Any) -> Any:
                authorize(role, read=read)
                return func(*args, **kwargs)

            wrapper = self.alt_response(401, schema=ErrorSchema, description="No valid token")(
                wrapper
            )
            wrapper = self.alt_response(403, schema=ErrorSchema, description="Role not allowed")(
                wrapper
            )
            return self.doc(security=[{"bearerAuth": []}])(wrapper)

        return decorator


# Far past any real data, and well inside a 64-bit OFFSET on both engines.
MAX_OFFSET = 2**62


def window(pagination_parameters: Any) -> dict[str, int]:
    """The page as offset and limit for a service; an absurd page number is simply empty."""
    return {
        "offset": min(pagination_parameters.first_item, MAX_OFFSET),
        "limit": pagination_parameters.page_size,
    }


def current_user() -> Bearer | None:
    """Whom the request's bearer token speaks for, or None."""
    if "api_user" not in g:
        g.api_user = None
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            session = get_session()
            g.api_user = token_bearer(session, token.strip())
            if g.api_user is None and reads_replica(session):
                # A token made a moment ago may not have reached the replica yet.
                use_primary(session)
                g.api_user = token_bearer(session, token.strip())
    return g.api_user


def anonymous() -> bool:
    """True when the request carries no valid token: a public reader (TRACKER_PUBLIC_READ=1),
    to whom staff are shown without their emails."""
    return current_user() is None


def actor() -> User:
    """The account of the token that `ApiBlueprint.requires` let in (views without
    `read=True`, which the decorator answers 401 before they run)."""
    bearer = current_user()
    if bearer is None:  # a view without `requires`: the code's error, not the client's
        raise RuntimeError("actor() in a view that does not require a role")
    return bearer.account(get_session())


def signed_in() -> User:
    """The token's account; 401 without one (a public reader asking for what needs a name)."""
    bearer = authorize(Role.VIEWER)
    assert bearer is not None  # authorize aborts 401 without a token when read is False
    return bearer.account(get_session())


def authorize(role: Role, *, read: bool = False) -> Bearer | None:
    """Abort 401/403 unless the request may act as `role` (see ApiBlueprint.requires)."""
    user = current_user()
    if read and current_app.config.get("PUBLIC_READ") and role == Role.VIEWER:
        return user
    if user is None:
        flask_smorest.abort(
            401,
            message="Give a valid API token: Authorization: Bearer <token>.",
            headers={"WWW-Authenticate": 'Bearer realm="treaty-tracker"'},
        )
    if ROLE_RANK[Role(user.role)] < ROLE_RANK[role]:
        flask_smorest.abort(403, message=f"This needs the {role.value} role; you are {user.role}.")
    return user
