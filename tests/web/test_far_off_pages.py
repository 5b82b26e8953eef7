"""Far-off dates already stored (written before years 1000 to 2999 were enforced) leave every
page, download and API answer readable; new ones are refused on the forms, beside the field."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import update

from tests import factories
from tests.services.test_far_off_dates import stored_far_off
from tests.web.conftest import csrf, errors_beside
from tracker.models import EvidenceArticle, Reminder
from tracker.services.accounts.users import create_token
from tracker.services.reminders.manual import create_reminder


@pytest.fixture
def far_off(session):  # type: ignore[no-untyped-def]
    treaty = factories.agreement(
        session, title="Far off", entry_into_force_rule={"days_after_last_notification": 30}
    )
    factories.event(session, treaty.id, "announcement", "2024-01-15")
    signed = factories.event(session, treaty.id, "signing", "2024-02-01")
    stored_far_off(session, signed, "9999-12-01", date(9999, 12, 1), date(9999, 12, 1))
    note = factories.event(
        session, treaty.id, "ratification", "2024-03-01", step="notification", party="RUS"
    )
    stored_far_off(session, note, "9999-12-31", date(9999, 12, 31), date(9999, 12, 31))
    early = factories.event(session, treaty.id, "preparation", "2023-01-01")
    stored_far_off(session, early, "0001-01-05", date(1, 1, 5), date(1, 1, 5))
    reminder = create_reminder(
        session, {"agreement_id": treaty.id, "due": "2026-02-01", "reason": "Far off"}
    )
    session.execute(
        update(Reminder).where(Reminder.id == reminder.id).values(due=date(9999, 12, 31))
    )
    report = factories.article(session, published="2024-01-15")
    session.execute(
        update(EvidenceArticle)
        .where(EvidenceArticle.id == report.id)
        .values(
            published="9999",
            published_earliest=date(9999, 1, 1),
            published_latest=date(9999, 12, 31),
        )
    )
    session.flush()
    session.expire_all()
    return treaty, report


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/agreements",
        "/agreements/{treaty}",
        "/agreements/{treaty}/edit",
        "/agreements/{treaty}/events/new",
        "/articles/{article}",
        "/agreements/{treaty}/evidence/{article}/review",
        "/reminders",
        "/search?q=far",
        "/agreements.csv",
        "/events.csv",
        "/evidence.csl.json",
    ],
)
def test_a_far_off_stored_date_breaks_no_page(editor_web, far_off, path):
    treaty, article = far_off
    response = editor_web.get(path.format(treaty=treaty.id, article=article.id))
    assert response.status_code == 200, path


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/agreements",
        "/api/v1/agreements/{treaty}",
        "/api/v1/agreements/{treaty}/events",
        "/api/v1/articles/{article}",
        "/api/v1/reminders",
    ],
)
def test_a_far_off_stored_date_breaks_no_api_answer(editor_web, session, people, far_off, path):
    treaty, article = far_off
    token = create_token(session, people["editor"])[1]
    response = editor_web.get(
        path.format(treaty=treaty.id, article=article.id),
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.get_json()


@pytest.mark.parametrize("typed", ["9999-12-01", "9999", "0001-01-05", "0999-12-31/2024"])
def test_a_far_off_event_date_is_refused_beside_the_field(editor_web, session, typed):
    treaty = factories.agreement(session)
    article = factories.article(session, "Moscow and Tehran signed the treaty.")
    path = f"/agreements/{treaty.id}/events/new"
    data = {
        "article_id": str(article.id),
        "quote": "signed the treaty",
        "csrf_token": csrf(editor_web, path),
        "stage": "signing",
        "step": "",
        "party": "",
        "date": typed,
        "status": "reported",
        "note": "kept note",
    }
    response = editor_web.post(path, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "outside the supported range (years 1000 to 2999)" in errors_beside(html, "date")
    assert "kept note" in html


def test_a_far_off_reminder_day_is_refused_beside_the_field(editor_web, session):
    treaty = factories.agreement(session)
    path = f"/agreements/{treaty.id}/reminders/new"
    response = editor_web.post(
        path,
        data={
            "csrf_token": csrf(editor_web, path),
            "due": "9999-12-31",
            "reason": "Far off",
            "stage": "",
            "assignee": "",
        },
    )
    assert response.status_code == 422
    assert "outside the supported range" in errors_beside(response.get_data(as_text=True), "due")


def test_snoozing_until_a_far_off_day_is_refused(editor_web, session):
    treaty = factories.agreement(session)
    reminder = create_reminder(
        session, {"agreement_id": treaty.id, "due": "2026-02-01", "reason": "Was it signed?"}
    )
    token = csrf(editor_web, "/reminders")
    response = editor_web.post(
        f"/reminders/{reminder.id}/snooze",
        data={"csrf_token": token, "until": "9999-12-31"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "outside the supported range" in response.get_data(as_text=True)
    session.refresh(reminder)
    assert (reminder.status, reminder.snoozed_until) == ("open", None)


def test_an_event_with_a_far_off_date_opens_for_editing(editor_web, session):
    treaty = factories.agreement(session)
    signed = factories.event(session, treaty.id, "signing", "2024-02-01")
    stored_far_off(session, signed, "9999-12-01", date(9999, 12, 1), date(9999, 12, 1))
    path = f"/events/{signed.id}/edit"
    page = editor_web.get(path)
    assert page.status_code == 200 and "9999-12-01" in page.get_data(as_text=True)
