"""A request that changes several things is one transaction: when any part is refused,
nothing of the others is stored nor audited (agreements, reminders, users; events are
covered in test_events.py, review in the web tests)."""

from __future__ import annotations

from tests import factories
from tests.api.conftest import assert_error


def _history(client, agreement_id: int) -> int:  # type: ignore[no-untyped-def]
    return len(client.get(f"/api/v1/agreements/{agreement_id}/history?page_size=200").get_json())


def test_an_agreement_patch_with_a_refused_field_keeps_its_parties(editor, session):
    treaty = factories.agreement(session, ref="ONE-TX-1")
    other = factories.agreement(session, ref="ONE-TX-2")
    path = f"/api/v1/agreements/{other.id}"
    entries = _history(editor, other.id)
    response = editor.patch(
        path,
        json={"parties": ["RUS", "IRN", "CHN"], "summary": "Three now", "ref": treaty.ref},
        etag=editor.etag(path),
    )
    assert_error(response, 422, "ref")
    stored = editor.get(path).get_json()
    assert [p["code"] for p in stored["parties"]] == ["RUS", "IRN"] and stored["summary"] == ""
    assert _history(editor, other.id) == entries


def test_a_reminder_patch_with_a_refused_part_changes_nothing(editor, session):
    treaty = factories.agreement(session)
    made = editor.post(
        "/api/v1/reminders",
        json={"agreement_id": treaty.id, "due": "2030-01-01", "reason": "Check"},
    ).get_json()
    path = f"/api/v1/reminders/{made['id']}"
    entries = _history(editor, treaty.id)
    for change, field in (
        ({"status": "done", "assignee": "nobody@example.org"}, "assignee"),
        ({"status": "snoozed", "reason": "Snoozed without a day"}, "snoozed_until"),
        ({"snoozed_until": "2030-02-01", "status": "sleeping"}, "status"),
    ):
        assert_error(editor.patch(path, json=change, etag=editor.etag(path)), 422, field)
        stored = editor.get(path).get_json()
        assert (stored["status"], stored["snoozed_until"], stored["reason"]) == (
            "open",
            None,
            "Check",
        )
    assert _history(editor, treaty.id) == entries


def test_a_user_patch_with_a_refused_part_keeps_role_and_activity(admin, accounts):
    viewer, _ = accounts["viewer"]
    path = f"/api/v1/users/{viewer.id}"
    response = admin.patch(
        path,
        json={"role": "admin", "is_active": False, "timezone": "Mars/Olympus"},
        etag=admin.etag(path),
    )
    assert_error(response, 422, "timezone")
    stored = admin.get(path).get_json()
    assert (stored["role"], stored["is_active"], stored["timezone"]) == ("viewer", True, "UTC")
