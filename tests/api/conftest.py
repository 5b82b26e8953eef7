"""API fixtures: a token per role, and a client that sends it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tracker.services.accounts.users import create_token, create_user


@dataclass
class Api:
    """The Flask test client with a bearer token (or none) for every call."""

    client: Any
    token: str | None = None

    def _headers(self, headers: dict | None) -> dict:
        base = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return base | (headers or {})

    def get(self, path: str, headers: dict | None = None, **kw: Any):  # type: ignore[no-untyped-def]
        return self.client.get(path, headers=self._headers(headers), **kw)

    def post(self, path: str, json: Any = None, headers: dict | None = None, **kw: Any):  # type: ignore[no-untyped-def]
        return self.client.post(path, json=json, headers=self._headers(headers), **kw)

    def patch(
        self, path: str, json: Any = None, etag: str | None = None, headers: dict | None = None
    ):  # type: ignore[no-untyped-def]
        extra = {"If-Match": etag} if etag else {}
        return self.client.patch(path, json=json, headers=self._headers(extra | (headers or {})))

    def delete(self, path: str, etag: str | None = None, headers: dict | None = None):  # type: ignore[no-untyped-def]
        extra = {"If-Match": etag} if etag else {}
        return self.client.delete(path, headers=self._headers(extra | (headers or {})))

    def etag(self, path: str) -> str:
        response = self.get(path)
        assert response.status_code == 200, response.get_json()
        return response.headers["ETag"].strip('"')


@pytest.fixture
def accounts(session):  # type: ignore[no-untyped-def]
    """{role: (user, token)} for a viewer, an editor and an admin."""
    made = {}
    for role in ("viewer", "editor", "admin"):
        user = create_user(session, f"{role}@example.org", role=role)
        made[role] = (user, create_token(session, user)[1])
    return made


@pytest.fixture
def anonymous(client):  # type: ignore[no-untyped-def]
    return Api(client)


@pytest.fixture
def viewer(client, accounts):  # type: ignore[no-untyped-def]
    return Api(client, accounts["viewer"][1])


@pytest.fixture
def editor(client, accounts):  # type: ignore[no-untyped-def]
    return Api(client, accounts["editor"][1])


@pytest.fixture
def admin(client, accounts):  # type: ignore[no-untyped-def]
    return Api(client, accounts["admin"][1])


def assert_error(response, status: int, field: str | None = None) -> dict:  # type: ignore[no-untyped-def]
    """The one error shape, with `field` among the per-field errors when given."""
    body = response.get_json()
    assert response.status_code == status, body
    assert set(body) == {"code", "status", "message", "errors"}, body
    assert body["code"] == status and body["message"]
    if field is not None:
        assert field in body["errors"], body["errors"]
    return body
