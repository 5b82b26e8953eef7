"""/api/v1/users and /api/v1/tokens: accounts and API tokens (admins), and /api/v1/me."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from tracker.api.base import ApiBlueprint, ErrorSchema, actor, window
from tracker.db import get_session
from tracker.models.vocab import Role
from tracker.schemas.misc import (
    MePatchSchema,
    NewTokenSchema,
    TokenInSchema,
    TokenSchema,
    UserInSchema,
    UserPatchSchema,
    UserSchema,
)
from tracker.services.accounts import users

blp = ApiBlueprint("users", __name__, url_prefix="/api/v1", description="Accounts and API tokens.")


@blp.route("/me")
class Me(MethodView):
    @blp.requires(Role.VIEWER)
    @blp.etag
    @blp.response(200, UserSchema)
    def get(self) -> dict[str, Any]:
        """The account of the token in use."""
        return actor()

    @blp.requires(Role.VIEWER)
    @blp.etag
    @blp.arguments(MePatchSchema)
    @blp.response(200, UserSchema)
    @blp.alt_response(422, schema=ErrorSchema, description="Invalid input")
    def patch(self, data: dict[str, Any]) -> dict[str, Any]:
        """Change your own time zone and digest subscription (everything, a watchlist of
        agreements, parties and topics, or none). Needs If-Match."""
        me = actor()
        blp.check_etag(me, UserSchema)
        return users.update_user(get_session(), me.id, data, actor=me)


@blp.route("/users")
class Users(MethodView):
    @blp.requires(Role.ADMIN)
    @blp.response(200, UserSchema(many=True))
    @blp.paginate(page_size=50, max_page_size=200)
    def get(self, pagination_parameters: Any) -> list[dict[str, Any]]:
        items, total = users.list_users(
            get_session(),
            **window(pagination_parameters),
        )
        pagination_parameters.item_count = total
        return items

    @blp.requires(Role.ADMIN)
    @blp.arguments(UserInSchema)
    @blp.response(201, UserSchema)
    @blp.alt_response(422, schema=ErrorSchema, description="Invalid input")
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        email = data.pop("email")
        return users.create_user(get_session(), email, **data, actor=actor())


@blp.route("/users/<id:user_id>")
class UserById(MethodView):
    @blp.requires(Role.ADMIN)
    @blp.etag
    @blp.response(200, UserSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such user")
    def get(self, user_id: int) -> dict[str, Any]:
        return users.get_user(get_session(), user_id)

    @blp.requires(Role.ADMIN)
    @blp.etag
    @blp.arguments(UserPatchSchema)
    @blp.response(200, UserSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such user")
    @blp.alt_response(422, schema=ErrorSchema, description="Invalid input")
    def patch(self, data: dict[str, Any], user_id: int) -> dict[str, Any]:
        """Change role, name, time zone, digest settings, password; deactivate. Needs If-Match."""
        session = get_session()
        blp.check_etag(users.get_user(session, user_id), UserSchema)
        return users.update_user(session, user_id, data, actor=actor())


@blp.route("/users/<id:user_id>/tokens")
class UserTokens(MethodView):
    @blp.requires(Role.ADMIN)
    @blp.response(200, TokenSchema(many=True))
    @blp.alt_response(404, schema=ErrorSchema, description="No such user")
    def get(self, user_id: int) -> list[dict[str, Any]]:
        session = get_session()
        return users.list_tokens(session, users.get_user(session, user_id))

    @blp.requires(Role.ADMIN)
    @blp.arguments(TokenInSchema)
    @blp.response(201, NewTokenSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such user")
    @blp.alt_response(422, schema=ErrorSchema, description="Invalid input")
    def post(self, data: dict[str, Any], user_id: int) -> tuple[dict[str, Any], int, dict]:
        """A new token for the user; the token itself is in this answer only."""
        session = get_session()
        row, token = users.create_token(
            session,
            users.get_user(session, user_id),
            name=data["name"],
            actor=actor(),
        )
        # The secret is in this answer only: no cache may keep it.
        shown = {name: getattr(row, name) for name in TokenSchema().fields} | {"token": token}
        return shown, 201, {"Cache-Control": "no-store"}


@blp.route("/tokens/<id:token_id>")
class TokenById(MethodView):
    @blp.requires(Role.ADMIN)
    @blp.etag
    @blp.response(200, TokenSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such token")
    def get(self, token_id: int) -> dict[str, Any]:
        return users.get_token(get_session(), token_id)

    @blp.requires(Role.ADMIN)
    @blp.etag
    @blp.response(204)
    @blp.alt_response(404, schema=ErrorSchema, description="No such token")
    def delete(self, token_id: int) -> None:
        """Revoke a token: it stops working at once. Needs If-Match."""
        session = get_session()
        blp.check_etag(users.get_token(session, token_id), TokenSchema)
        users.revoke_token(session, token_id, actor=actor())
