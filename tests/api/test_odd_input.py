"""Odd input the API must answer with a clear 4xx, never a 500: lone surrogates, deep nesting,
numbers of thousands of digits, NaN, dates outside years 1000 to 2999, and If-Match: *."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.api.conftest import assert_error
from tracker.models import Agreement, Reminder, StageEvent

RANGE = "outside the supported range (years 1000 to 2999)"


def _raw(api, method: str, path: str, body: bytes):  # type: ignore[no-untyped-def]
    return getattr(api.client, method)(
        path,
        data=body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {api.token}"},
    )


def _agreements(session) -> int:  # type: ignore[no-untyped-def]
    return session.scalar(select(func.count()).select_from(Agreement))


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b'{"title": "\\ud800"}', "title"),
        (b'{"title": "ok", "titles": {"\\ud800": "x"}}', "titles"),
        (b'{"title": "ok", "titles": {"fa": "\\udfff tail"}}', "titles"),
        (b'{"title": "ok", "topics": ["\\ud83d"]}', "topics"),
        (b'{"title": "ok", "\\ud800": 1}', "\\ud800"),
    ],
)
def test_a_lone_surrogate_is_refused_naming_the_field(editor, session, body, field):
    before = _agreements(session)
    error = assert_error(_raw(editor, "post", "/api/v1/agreements", body), 422, field)
    assert "lone surrogate" in " ".join(error["errors"][field])
    assert _agreements(session) == before


def test_a_lone_surrogate_in_a_nested_evidence_quote_is_refused(editor, session):
    treaty = factories.agreement(session)
    article = factories.article(session)
    body = (
        b'{"stage": "signing", "evidence": [{"article_id": %d, "quote": "\\ud800"}]}' % article.id
    )
    assert_error(
        _raw(editor, "post", f"/api/v1/agreements/{treaty.id}/events", body), 422, "evidence"
    )


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "nests more than 64 levels"),
        (b'{"title": ' + b"[" * 65 + b"]" * 65 + b"}", "nests more than 64 levels"),
        (b'{"title": "x", "duration_years": ' + b"9" * 5000 + b"}", "more than 100 digits"),
        (b'{"title": "x", "duration_years": 1' + b"0" * 200 + b".5}", "more than 100 digits"),
        (b'{"title": "x", "duration_years": NaN}', "NaN is not a JSON number"),
        (b'{"title": "x", "duration_years": -Infinity}', "-Infinity is not a JSON number"),
        (b'{"title": "\xff"}', "not UTF-8"),
    ],
)
def test_a_body_python_cannot_read_safely_is_a_400_saying_why(editor, session, body, words):
    before = _agreements(session)
    error = assert_error(_raw(editor, "post", "/api/v1/agreements", body), 400)
    assert words in error["message"]
    assert _agreements(session) == before


def test_nesting_within_the_limit_is_read_and_judged_by_the_schema(editor):
    body = b'{"title": "x", "topics": ' + b"[" * 60 + b"]" * 60 + b"}"
    assert_error(_raw(editor, "post", "/api/v1/agreements", body), 422, "topics.0")


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/agreements?updated_since=0001-01-01T00:00:00%2B14:00", "updated_since"),
        ("/api/v1/agreements?updated_since=9999-12-31T23:59:59-14:00", "updated_since"),
        ("/api/v1/articles?updated_since=0001-01-01T00:00:00%2B14:00", "updated_since"),
        ("/api/v1/articles?updated_since=9999-12-31T23:59:59-14:00", "updated_since"),
        ("/api/v1/reminders?due_before=9999-12-31", "due_before"),
        ("/api/v1/reminders?due_before=0001-01-01", "due_before"),
        ("/api/v1/digests?week=9999-W52", "week"),
    ],
)
def test_a_far_off_query_date_is_a_422_naming_it(viewer, path, field):
    assert_error(viewer.get(path), 422, field)


def test_the_ends_of_the_range_are_fine_in_queries(viewer):
    assert (
        viewer.get("/api/v1/agreements?updated_since=1000-01-01T00:00:00%2B14:00").status_code
        == 200
    )
    assert viewer.get("/api/v1/reminders?due_before=2999-12-31").status_code == 200


@pytest.mark.parametrize("typed", ["9999-12-01", "9999", "0001-01-05", "2024-01/3000-01"])
def test_a_far_off_event_date_is_a_422_and_nothing_is_written(editor, session, typed):
    treaty = factories.agreement(session)
    before = session.scalar(select(func.count()).select_from(StageEvent))
    path = f"/api/v1/agreements/{treaty.id}/events"
    error = assert_error(editor.post(path, json={"stage": "signing", "date": typed}), 422, "date")
    assert RANGE in error["errors"]["date"][0]
    assert session.scalar(select(func.count()).select_from(StageEvent)) == before


@pytest.mark.parametrize("typed", ["2024-01/2024-02/..", "../2024-01-01/.."])
def test_an_interval_with_two_slashes_is_a_422(editor, session, typed):
    treaty = factories.agreement(session)
    path = f"/api/v1/agreements/{treaty.id}/events"
    error = assert_error(editor.post(path, json={"stage": "signing", "date": typed}), 422, "date")
    assert "one slash" in error["errors"]["date"][0]


def test_full_width_digits_are_stored_as_ascii(editor, session):
    treaty = factories.agreement(session)
    path = f"/api/v1/agreements/{treaty.id}/events"
    created = editor.post(path, json={"stage": "signing", "date": "２０２４-０１-１５"})
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["date"] == "2024-01-15"


def test_a_far_off_article_date_is_a_422(editor):
    error = assert_error(
        editor.post("/api/v1/articles", json={"text": "Signed.", "published": "9999-12-01"}),
        422,
        "published",
    )
    assert RANGE in error["errors"]["published"][0]


def test_far_off_reminder_days_are_422s(editor, session):
    treaty = factories.agreement(session)
    body = {"agreement_id": treaty.id, "reason": "Check", "due": "9999-12-31"}
    assert_error(editor.post("/api/v1/reminders", json=body), 422, "due")
    made = editor.post("/api/v1/reminders", json=body | {"due": "2026-01-01"})
    assert made.status_code == 201, made.get_json()
    path = f"/api/v1/reminders/{made.get_json()['id']}"
    change = {"status": "snoozed", "snoozed_until": "0001-01-05"}
    assert_error(editor.patch(path, json=change, etag=editor.etag(path)), 422, "snoozed_until")
    assert session.get(Reminder, made.get_json()["id"]).status == "open"


@pytest.mark.parametrize("method", ["patch", "delete"])
def test_if_match_star_is_refused_with_428(editor, session, method):
    treaty = factories.agreement(session, title="Kept")
    path = f"/api/v1/agreements/{treaty.id}"
    response = (
        editor.patch(path, json={"title": "Overwritten"}, etag="*")
        if method == "patch"
        else editor.delete(path, etag="*")
    )
    error = assert_error(response, 428)
    assert "If-Match: * is not accepted" in error["message"]
    session.expire_all()
    kept = session.get(Agreement, treaty.id)
    assert (kept.title, kept.deleted_at) == ("Kept", None)
