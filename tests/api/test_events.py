"""Stage events through the API: evidence quotes, conflicts, retraction."""

from __future__ import annotations

from tests import factories
from tests.api.conftest import assert_error

TEXT = "Москва и Тегеран подписали договор 17 января в Кремле."


def test_record_an_event_with_evidence(editor, session, accounts):
    treaty = factories.agreement(session)
    article = factories.article(session, TEXT, language="ru")
    response = editor.post(
        f"/api/v1/agreements/{treaty.id}/events",
        json={
            "stage": "signing",
            "date": "2025-01-17",
            "place": "Moscow",
            "evidence": [{"article_id": article.id, "quote": "МОСКВА И ТЕГЕРАН ПОДПИСАЛИ ДОГОВОР"}],
        },
    )
    assert response.status_code == 201, response.get_json()
    event = response.get_json()
    assert (event["date_earliest"], event["date_latest"], event["status"]) == (
        "2025-01-17",
        "2025-01-17",
        "reported",
    )
    (quote,) = event["evidence"]
    assert quote["quote"] == "Москва и Тегеран подписали договор"
    assert TEXT[quote["start"] : quote["end"]] == quote["quote"]
    assert event["recorded_by"] == "editor@example.org"
    agreement = editor.get(f"/api/v1/agreements/{treaty.id}").get_json()
    assert agreement["current_stage"] == "signing"
    assert agreement["evidence_count"] == 1
    assert [e["id"] for e in agreement["events"]] == [event["id"]]


def test_solar_hijri_dates_are_converted(editor, session):
    treaty = factories.agreement(session)
    response = editor.post(
        f"/api/v1/agreements/{treaty.id}/events", json={"stage": "signing", "date": "۱۴۰۳/۱۰/۲۸"}
    )
    assert response.get_json()["date"] == "2025-01-17"


def test_a_quote_not_in_the_article_is_422_naming_quote(editor, session):
    treaty = factories.agreement(session)
    article = factories.article(session, TEXT)
    response = editor.post(
        f"/api/v1/agreements/{treaty.id}/events",
        json={
            "stage": "signing",
            "evidence": [{"article_id": article.id, "quote": "signed in Beijing"}],
        },
    )
    assert_error(response, 422, "quote")
    assert editor.get(f"/api/v1/agreements/{treaty.id}/events").get_json() == []


def test_bad_events_are_422_naming_the_field(editor, session):
    treaty = factories.agreement(session)
    path = f"/api/v1/agreements/{treaty.id}/events"
    assert_error(editor.post(path, json={"stage": "signature"}), 422, "stage")
    assert_error(editor.post(path, json={"stage": "signing", "date": "2025-02-30"}), 422, "date")
    assert_error(
        editor.post(path, json={"stage": "ratification", "step": "lower_house"}), 422, "party"
    )
    assert_error(editor.post(path, json={"stage": "ratification", "party": "XYZ"}), 422, "party")
    assert_error(
        editor.post(
            path, json={"stage": "signing", "evidence": [{"article_id": 999999, "quote": "x"}]}
        ),
        422,
        "evidence",
    )
    assert_error(editor.post("/api/v1/agreements/999999/events", json={"stage": "signing"}), 404)


def test_list_events_by_date(viewer, session):
    treaty = factories.agreement(session)
    later = factories.event(
        session, treaty.id, "ratification", "2025-04-08", party="RUS", step="lower_house"
    )
    undated = factories.event(session, treaty.id, "entry_into_force", status="expected")
    first = factories.event(session, treaty.id, "signing", "2025-01-17")
    ids = [e["id"] for e in viewer.get(f"/api/v1/agreements/{treaty.id}/events").get_json()]
    assert ids == [first.id, later.id, undated.id]
    assert_error(viewer.get("/api/v1/agreements/999999/events"), 404)


def test_prefer_settles_a_conflict(editor, session):
    treaty = factories.agreement(session)
    first = factories.event(session, treaty.id, "signing", "2025-01-17")
    second = factories.event(session, treaty.id, "signing", "2025-01-18")
    path = f"/api/v1/agreements/{treaty.id}"
    assert editor.get(path).get_json()["conflicts"] == [[first.id, second.id]]
    response = editor.patch(
        f"/api/v1/events/{first.id}",
        json={"preferred": True},
        etag=editor.etag(f"/api/v1/events/{first.id}"),
    )
    assert response.status_code == 200 and response.get_json()["preferred"] is True
    assert editor.get(path).get_json()["conflicts"] == []


def test_amend_and_retract_need_if_match(editor, session):
    treaty = factories.agreement(session)
    event = factories.event(session, treaty.id, "signing", "2025-01-17")
    path = f"/api/v1/events/{event.id}"
    assert_error(editor.patch(path, json={"place": "Moscow"}), 428)
    assert_error(editor.patch(path, json={"place": "Moscow"}, etag="stale"), 412)
    etag = editor.etag(path)
    amended = editor.patch(path, json={"place": "Moscow", "date": "2025-01-17?"}, etag=etag)
    assert amended.status_code == 200
    assert (amended.get_json()["place"], amended.get_json()["date"]) == ("Moscow", "2025-01-17?")
    assert_error(
        editor.patch(path, json={"step": "committee"}, etag=editor.etag(path)), 422, "step"
    )
    assert_error(editor.delete(path, etag=etag), 412)
    assert editor.delete(path, etag=editor.etag(path)).status_code == 204
    assert editor.get(path).get_json()["status"] == "retracted"
    assert editor.get(f"/api/v1/agreements/{treaty.id}").get_json()["current_stage"] is None
    assert_error(editor.get("/api/v1/events/999999"), 404)


def test_an_amendment_and_a_refused_preference_write_nothing(editor, session):
    """PATCH with fields and `preferred` is one transaction: when the preference is refused
    (a retracted claim cannot win a conflict), the amendment is not saved either."""
    treaty = factories.agreement(session)
    first = factories.event(session, treaty.id, "signing", "2025-01-17", place="Moscow")
    factories.event(session, treaty.id, "signing", "2025-01-18")
    path = f"/api/v1/events/{first.id}"
    history = f"/api/v1/agreements/{treaty.id}/history"
    entries = len(editor.get(history).get_json())
    response = editor.patch(
        path,
        json={"status": "retracted", "place": "Kremlin", "preferred": True},
        etag=editor.etag(path),
    )
    assert_error(response, 422, "preferred")
    stored = editor.get(path).get_json()
    assert (stored["status"], stored["place"], stored["preferred"]) == (
        "reported",
        "Moscow",
        False,
    )
    assert len(editor.get(history).get_json()) == entries  # nothing audited either
    # The same change without the refused part is saved, with the preference in one call.
    response = editor.patch(
        path, json={"place": "Kremlin", "preferred": True}, etag=editor.etag(path)
    )
    assert response.status_code == 200
    assert (response.get_json()["place"], response.get_json()["preferred"]) == ("Kremlin", True)


def test_a_retraction_is_undone_by_patching_the_status_back(editor, session):
    treaty = factories.agreement(session)
    event = factories.event(session, treaty.id, "signing", "2025-01-17", status="confirmed")
    path = f"/api/v1/events/{event.id}"
    overview = f"/api/v1/agreements/{treaty.id}"
    assert editor.get(overview).get_json()["current_stage"] == "signing"
    assert editor.delete(path, etag=editor.etag(path)).status_code == 204
    assert editor.get(overview).get_json()["current_stage"] is None
    history = editor.get(f"{overview}/history").get_json()
    previous = history[0]["before"]["status"]
    assert (previous, history[0]["after"]["status"]) == ("confirmed", "retracted")
    undone = editor.patch(path, json={"status": previous}, etag=editor.etag(path))
    assert undone.status_code == 200 and undone.get_json()["status"] == "confirmed"
    assert editor.get(overview).get_json()["current_stage"] == "signing"
    latest = editor.get(f"{overview}/history").get_json()[0]
    assert (latest["before"]["status"], latest["after"]["status"]) == ("retracted", "confirmed")
    assert latest["actor"] == "editor@example.org"
