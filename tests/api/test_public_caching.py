"""TRACKER_PUBLIC_READ=1 lets a cache in front keep what anyone would get: anonymous reads are
`public, max-age=60` with `Vary: Authorization, Cookie` and a strong ETag; a conditional GET
of an agreement or of the list answers 304 from a cheap validator, without reading the body;
and the validator changes whenever the body would."""

from __future__ import annotations

import pytest
from flask_login import FlaskLoginClient

from tests import factories
from tests.statements import counted
from tracker.services.accounts.users import create_user
from tracker.web.auth import WebUser

LIST = "/api/v1/agreements?topic=cachetopic&sort=title&page_size=20"


@pytest.fixture
def public(app):  # type: ignore[no-untyped-def]
    app.config["PUBLIC_READ"] = True


@pytest.fixture
def treaty(session):  # type: ignore[no-untyped-def]
    made = factories.agreement(session, title="Cached treaty", topics=["cachetopic"])
    factories.agreement(session, title="Another cached treaty", topics=["cachetopic"])
    session.commit()
    return made


def _reads(statements: list[str]) -> list[str]:
    """The statements that read data (not the test's savepoints)."""
    return [s for s in statements if s.lstrip().upper().startswith("SELECT")]


def _tag(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.get_json()
    etag = response.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/"), etag  # strong
    return etag


@pytest.mark.parametrize("path", ["/api/v1/agreements/{id}", LIST, "/api/v1/parties"])
def test_anonymous_reads_are_public_and_token_reads_private(
    public, anonymous, viewer, treaty, path
):  # type: ignore[no-untyped-def]
    path = path.format(id=treaty.id)
    response = anonymous.get(path)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=60"
    assert {"Authorization", "Cookie"} <= set(response.vary)
    _tag(response)
    response = viewer.get(path)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-cache"


def test_without_public_read_nothing_is_public(anonymous, viewer, treaty):  # type: ignore[no-untyped-def]
    assert anonymous.get(f"/api/v1/agreements/{treaty.id}").status_code == 401
    response = viewer.get(f"/api/v1/agreements/{treaty.id}")
    assert response.headers["Cache-Control"] == "private, no-cache"


def test_errors_and_writes_are_never_public(public, anonymous, editor, treaty):  # type: ignore[no-untyped-def]
    missing = anonymous.get("/api/v1/agreements/999999")
    assert missing.status_code == 404
    assert "public" not in missing.headers["Cache-Control"]
    bad = anonymous.get("/api/v1/agreements?page=0")
    assert bad.status_code == 422
    assert "public" not in bad.headers["Cache-Control"]
    refused = anonymous.post("/api/v1/agreements", json={"title": "x"})
    assert refused.status_code == 401
    assert "public" not in refused.headers["Cache-Control"]


def test_a_public_and_a_token_answer_have_different_tags(public, anonymous, viewer, treaty):  # type: ignore[no-untyped-def]
    # The public answer names staff without their emails: another representation.
    path = f"/api/v1/agreements/{treaty.id}"
    assert _tag(anonymous.get(path)) != _tag(viewer.get(path))


@pytest.mark.parametrize("path", ["/api/v1/agreements/{id}", LIST, "/api/v1/parties"])
def test_a_matching_if_none_match_is_304_with_the_same_headers(public, anonymous, treaty, path):  # type: ignore[no-untyped-def]
    path = path.format(id=treaty.id)
    etag = _tag(anonymous.get(path))
    again = anonymous.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    assert again.headers["Cache-Control"] == "public, max-age=60"
    assert anonymous.get(path, headers={"If-None-Match": '"other"'}).status_code == 200


def test_the_304_of_the_detail_does_not_read_the_body(
    public, anonymous, editor, treaty, connection
):  # type: ignore[no-untyped-def]
    for day in ("2025-01-17", "2025-01-18", "2025-01-19"):
        assert (
            editor.post(
                f"/api/v1/agreements/{treaty.id}/events", json={"stage": "signing", "date": day}
            ).status_code
            == 201
        )
    path = f"/api/v1/agreements/{treaty.id}"
    with counted(connection) as full:
        etag = _tag(anonymous.get(path))
    with counted(connection) as cheap:
        assert anonymous.get(path, headers={"If-None-Match": etag}).status_code == 304
    cheap = _reads(cheap)
    assert len(cheap) == 1, cheap  # the version and the cached state, in one statement
    assert len(_reads(full)) > len(cheap) + 3
    assert not any("stage_event" in s for s in cheap)


def test_the_304_of_the_list_does_not_read_the_page(public, anonymous, treaty, connection):  # type: ignore[no-untyped-def]
    with counted(connection) as full:
        etag = _tag(anonymous.get(LIST))
    with counted(connection) as cheap:
        assert anonymous.get(LIST, headers={"If-None-Match": etag}).status_code == 304
    cheap = _reads(cheap)
    assert len(cheap) == 1, cheap  # the count and the newest change, in one aggregate
    assert len(_reads(full)) > len(cheap) + 2


def test_the_same_state_gives_the_same_tag(public, anonymous, viewer, treaty):  # type: ignore[no-untyped-def]
    for client in (anonymous, viewer):
        for path in (f"/api/v1/agreements/{treaty.id}", LIST):
            assert _tag(client.get(path)) == _tag(client.get(path))


def _tags(client, treaty_id: int) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    return _tag(client.get(f"/api/v1/agreements/{treaty_id}")), _tag(client.get(LIST))


def test_every_kind_of_change_changes_both_tags(public, anonymous, editor, treaty):  # type: ignore[no-untyped-def]
    seen = [_tags(anonymous, treaty.id)]

    def changed() -> None:
        now = _tags(anonymous, treaty.id)
        assert now[0] not in {s[0] for s in seen}, "detail"
        assert now[1] not in {s[1] for s in seen}, "list"
        seen.append(now)

    path = f"/api/v1/agreements/{treaty.id}"
    response = editor.patch(path, json={"summary": "Amended."}, etag=editor.etag(path))
    assert response.status_code == 200, response.get_json()
    changed()

    response = editor.post(f"{path}/events", json={"stage": "signing", "date": "2025-01-17"})
    assert response.status_code == 201, response.get_json()
    event_path = f"/api/v1/events/{response.get_json()['id']}"
    changed()

    response = editor.patch(event_path, json={"place": "Moscow"}, etag=editor.etag(event_path))
    assert response.status_code == 200, response.get_json()
    changed()

    assert editor.delete(event_path, etag=editor.etag(event_path)).status_code == 204
    changed()

    response = editor.post(
        f"{path}/principles", json={"principle": "mutual_defence", "clause": "Art. 4"}
    )
    assert response.status_code == 201, response.get_json()
    changed()


def test_a_deleted_or_new_agreement_changes_the_list_tag(public, anonymous, editor, treaty):  # type: ignore[no-untyped-def]
    before = _tag(anonymous.get(LIST))
    path = f"/api/v1/agreements/{treaty.id}"
    assert editor.delete(path, etag=editor.etag(path)).status_code == 204
    after_delete = _tag(anonymous.get(LIST))
    assert after_delete != before
    assert anonymous.get(path, headers={"If-None-Match": before}).status_code == 404
    created = editor.post(
        "/api/v1/agreements",
        json={"title": "New cached treaty", "kind": "treaty", "topics": ["cachetopic"]},
    )
    assert created.status_code == 201, created.get_json()
    assert _tag(anonymous.get(LIST)) not in {before, after_delete}


def test_if_match_on_patch_still_takes_the_token_tag(public, anonymous, editor, treaty):  # type: ignore[no-untyped-def]
    path = f"/api/v1/agreements/{treaty.id}"
    public_tag = _tag(anonymous.get(path))
    stale = editor.patch(path, json={"summary": "x"}, etag=public_tag.strip('"'))
    assert stale.status_code == 412
    fresh = editor.patch(path, json={"summary": "x"}, etag=editor.etag(path))
    assert fresh.status_code == 200


def test_pages_are_public_only_when_they_hold_nothing_of_a_session(
    public, app, client, session, treaty
):  # type: ignore[no-untyped-def]
    home = client.get("/")
    assert home.status_code == 200
    assert home.headers["Cache-Control"] == "public, max-age=60"
    assert client.get("/", headers={"If-None-Match": _tag(home)}).status_code == 304
    # The agreement's page holds a form, so the session's CSRF token: its answer is the
    # reader's own, and sets the session cookie.
    page = client.get(f"/agreements/{treaty.id}")
    assert page.status_code == 200
    assert "session=" in page.headers["Set-Cookie"]
    assert page.headers["Cache-Control"] == "private, no-cache"
    # From then on this browser has a session: nothing it gets is public.
    assert client.get("/").headers["Cache-Control"] == "private, no-cache"
    app.test_client_class = FlaskLoginClient
    web = app.test_client(user=WebUser(create_user(session, "signed@example.org")))
    signed = web.get("/")
    assert signed.status_code == 200
    assert signed.headers["Cache-Control"] == "private, no-cache"


def test_the_health_check_is_never_kept(public, client):  # type: ignore[no-untyped-def]
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
