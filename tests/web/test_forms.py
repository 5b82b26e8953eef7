"""Every form through the Flask client: valid input, invalid input with the error beside the
field and what was typed kept, a POST without CSRF token refused, a viewer refused."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.web.conftest import PASSWORD, csrf, errors_beside
from tracker.models import Agreement, EvidenceArticle, PrincipleStatement, Reminder, StageEvent
from tracker.services.accounts.sign_in import MAX_PER_ACCOUNT
from tracker.services.accounts.users import create_user


def _count(session, model) -> int:  # type: ignore[no-untyped-def]
    return session.scalar(select(func.count()).select_from(model))


# ---------------------------------------------------------------- signing in


def test_sign_in_and_out(client, session):
    create_user(session, "ana@example.org", role="editor", password=PASSWORD)
    token = csrf(client, "/sign-in")
    response = client.post(
        "/sign-in?next=/agreements",
        data={"csrf_token": token, "email": "ANA@example.org", "password": PASSWORD},
    )
    assert response.status_code == 302 and response.headers["Location"] == "/agreements"
    assert "Sign out (ana@example.org)" in client.get("/agreements").get_data(as_text=True)
    response = client.post("/sign-out", data={"csrf_token": csrf(client, "/agreements")})
    assert response.status_code == 302
    assert client.get("/agreements").status_code == 302  # signed out again


def test_a_wrong_password_is_shown_beside_the_field_and_the_email_kept(client, session):
    create_user(session, "ana@example.org", password=PASSWORD)
    response = client.post(
        "/sign-in",
        data={
            "csrf_token": csrf(client, "/sign-in"),
            "email": "ana@example.org",
            "password": "nope",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 401
    assert "Wrong email or password" in errors_beside(html, "password")
    assert 'value="ana@example.org"' in html


def test_sign_in_is_throttled_per_account_in_the_database(client, session):
    create_user(session, "ana@example.org", password=PASSWORD)
    for _ in range(MAX_PER_ACCOUNT):
        client.post(
            "/sign-in",
            data={
                "csrf_token": csrf(client, "/sign-in"),
                "email": "ana@example.org",
                "password": "wrong",
            },
        )
    response = client.post(
        "/sign-in",
        data={
            "csrf_token": csrf(client, "/sign-in"),
            "email": "ana@example.org",
            "password": PASSWORD,
        },
    )
    assert response.status_code == 429
    assert "Too many failed sign-ins for this account" in response.get_data(as_text=True)


def test_sign_in_is_throttled_per_address(session):
    from tracker.services.accounts.sign_in import MAX_PER_ADDRESS, SignInRefused, Throttled, sign_in

    for n in range(MAX_PER_ADDRESS):
        with pytest.raises(SignInRefused):
            sign_in(session, f"nobody{n}@example.org", "x", "203.0.113.9")
    create_user(session, "ana@example.org", password=PASSWORD)
    with pytest.raises(Throttled, match="from your address"):
        sign_in(session, "ana@example.org", PASSWORD, "203.0.113.9")
    assert sign_in(session, "ana@example.org", PASSWORD, "198.51.100.1").email == "ana@example.org"


def test_sign_in_never_redirects_to_another_site(client, session):
    create_user(session, "ana@example.org", password=PASSWORD)
    response = client.post(
        "/sign-in?next=//evil.example/x",
        data={
            "csrf_token": csrf(client, "/sign-in"),
            "email": "ana@example.org",
            "password": PASSWORD,
        },
    )
    assert response.headers["Location"] == "/"


def test_a_post_without_csrf_token_is_refused(client, editor_web, session):
    create_user(session, "ana@example.org", password=PASSWORD)
    assert (
        client.post("/sign-in", data={"email": "ana@example.org", "password": PASSWORD}).status_code
        == 400
    )
    before = _count(session, Agreement)
    assert editor_web.post("/agreements/new", data={"title": "No token"}).status_code == 400
    assert _count(session, Agreement) == before


# ---------------------------------------------------------------- agreements


def test_create_an_agreement(editor_web, session):
    data = {
        "csrf_token": csrf(editor_web, "/agreements/new"),
        "title": "Caspian transit agreement",
        "title_fa": "موافقتنامه ترانزیت خزر",
        "kind": "agreement",
        "parties": "rus, IRN",
        "topics": "transport, trade",
        "summary": "",
        "entry_into_force_days": "30",
    }
    response = editor_web.post("/agreements/new", data=data)
    assert response.status_code == 302
    made = session.scalar(select(Agreement).where(Agreement.title == "Caspian transit agreement"))
    assert (made.party_codes, made.topics, made.entry_into_force_days, made.titles) == (
        ["RUS", "IRN"],
        ["trade", "transport"],
        30,
        {"fa": "موافقتنامه ترانزیت خزر"},
    )


def test_an_invalid_agreement_keeps_what_was_typed_with_errors_beside_the_fields(
    editor_web, session
):
    before = _count(session, Agreement)
    data = {
        "csrf_token": csrf(editor_web, "/agreements/new"),
        "title": "Typed title",
        "kind": "treaty",
        "parties": "RUS, XXX",
        "entry_into_force_days": "-3",
    }
    response = editor_web.post("/agreements/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Must be greater than or equal to 0 and less than or equal to 3650." in errors_beside(
        html, "entry_into_force_days"
    )
    response = editor_web.post("/agreements/new", data=data | {"entry_into_force_days": ""})
    html = response.get_data(as_text=True)
    assert "‘XXX’ is not a party we know" in errors_beside(html, "parties")
    assert 'value="Typed title"' in html and 'value="RUS, XXX"' in html
    assert _count(session, Agreement) == before


def test_a_viewer_may_not_edit(viewer_web, session):
    treaty = factories.agreement(session)
    assert viewer_web.get("/agreements/new").status_code == 403
    assert viewer_web.get(f"/agreements/{treaty.id}/edit").status_code == 403
    token = csrf(viewer_web, "/")  # a viewer's own valid token does not help
    assert (
        viewer_web.post(
            "/agreements/new", data={"csrf_token": token, "title": "x", "kind": "treaty"}
        ).status_code
        == 403
    )
    assert (
        viewer_web.post(
            f"/agreements/{treaty.id}/events/new", data={"csrf_token": token, "stage": "signing"}
        ).status_code
        == 403
    )


def test_edit_refuses_to_overwrite_a_change_made_meanwhile(editor_web, session):
    from tracker.services.agreements.commands import update_agreement

    treaty = factories.agreement(session, title="Original")
    token = csrf(editor_web, f"/agreements/{treaty.id}/edit")
    stale_version = treaty.version
    update_agreement(session, treaty.id, {"summary": "Someone else's note."})
    data = {
        "csrf_token": token,
        "title": "Mine",
        "kind": "treaty",
        "parties": "RUS, IRN",
        "version": str(stale_version),
    }
    response = editor_web.post(f"/agreements/{treaty.id}/edit", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "changed this agreement while you were editing" in html
    assert 'value="Mine"' in html  # nothing the researcher typed is lost
    session.refresh(treaty)
    assert (treaty.title, treaty.summary) == ("Original", "Someone else's note.")
    fresh = {
        "csrf_token": token,
        "title": "Mine",
        "kind": "treaty",
        "parties": "RUS, IRN",
        "version": str(treaty.version),
    }
    assert editor_web.post(f"/agreements/{treaty.id}/edit", data=fresh).status_code == 302
    session.refresh(treaty)
    assert treaty.title == "Mine"


# ---------------------------------------------------------------- events


def test_record_an_event_with_a_quote_and_a_solar_hijri_date(editor_web, session):
    treaty = factories.agreement(session)
    article = factories.article(session, "Moscow and Tehran signed the treaty in the Kremlin.")
    path = f"/agreements/{treaty.id}/events/new"
    data = {
        "csrf_token": csrf(editor_web, path),
        "stage": "signing",
        "step": "",
        "party": "",
        "date": "۱۴۰۳/۱۰/۲۸",
        "status": "reported",
        "article_id": str(article.id),
        "quote": "signed the treaty",
    }
    assert editor_web.post(path, data=data).status_code == 302
    event = session.scalar(select(StageEvent).where(StageEvent.agreement_id == treaty.id))
    assert event.date == "2025-01-17" and event.evidence[0].quote == "signed the treaty"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"date": "2025-02-30"}, "date", "day 30 does not exist"),
        ({"quote": "signed in Beijing"}, "quote", "is not in the text"),
        ({"step": "lower_house"}, "step", "only a ratification has steps"),
        ({"stage": "ratification"}, "party", "belongs to one party"),
    ],
)
def test_an_invalid_event_shows_the_error_beside_its_field(
    editor_web, session, change, field, message
):
    treaty = factories.agreement(session)
    article = factories.article(session, "Moscow and Tehran signed the treaty.")
    path = f"/agreements/{treaty.id}/events/new"
    data = {
        "csrf_token": csrf(editor_web, path),
        "stage": "signing",
        "step": "",
        "party": "",
        "date": "2025-01-17",
        "status": "reported",
        "article_id": str(article.id),
        "quote": "signed the treaty",
        "note": "my note",
    } | change
    response = editor_web.post(path, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in errors_beside(html, field)
    assert "my note" in html
    assert _count(session, StageEvent) == 0 or not session.scalar(
        select(StageEvent).where(StageEvent.agreement_id == treaty.id)
    )


def test_prefer_and_retract(editor_web, session):
    treaty = factories.agreement(session)
    first = factories.event(session, treaty.id, "signing", "2025-01-17")
    second = factories.event(session, treaty.id, "signing", "2025-01-18")
    page = f"/agreements/{treaty.id}"
    assert "Prefer this claim" in editor_web.get(page).get_data(as_text=True)
    assert (
        editor_web.post(
            f"/events/{first.id}/prefer", data={"csrf_token": csrf(editor_web, page)}
        ).status_code
        == 302
    )
    assert (
        editor_web.post(
            f"/events/{second.id}/retract", data={"csrf_token": csrf(editor_web, page)}
        ).status_code
        == 302
    )
    session.expire_all()
    assert (
        session.get(StageEvent, first.id).preferred
        and session.get(StageEvent, second.id).status == "retracted"
    )
    assert (
        editor_web.post(f"/events/{first.id}/retract", data={}).status_code == 400
    )  # no CSRF token
    # A retracted claim cannot be preferred: a message, not an error page, and no change.
    response = editor_web.post(
        f"/events/{second.id}/prefer",
        data={"csrf_token": csrf(editor_web, page)},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "A retracted claim cannot be preferred" in response.get_data(as_text=True)
    session.expire_all()
    assert not session.get(StageEvent, second.id).preferred


def test_the_event_form_has_no_default_stage_and_explains_the_steps(editor_web, session):
    treaty = factories.agreement(session)
    path = f"/agreements/{treaty.id}/events/new"
    html = editor_web.get(path).get_data(as_text=True)
    stage = re.search(r'<select[^>]*name="stage".*?</select>', html, re.S).group(0)
    first = re.search(r"<option[^>]*>[^<]*</option>", stage).group(0)
    assert first == '<option value="">— choose a stage —</option>' and "selected" not in stage
    assert 'name="step"' in html  # always in the page; a script hides it for other stages
    hint = re.search(r'id="step-hint">(.*?)</small>', html, re.S).group(1)
    assert hint.startswith("Only for ratification")
    assert "as ratified after head of state or promulgation, or a ratification with no step" in (
        hint
    )
    response = editor_web.post(
        path,
        data={"csrf_token": csrf(editor_web, path), "stage": "", "place": "Moscow"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Must be one of: preparation, announcement," in errors_beside(html, "stage")
    assert 'value="Moscow"' in html
    assert _events(session, treaty.id) == []


def test_a_claim_without_evidence_needs_an_explicit_tick(editor_web, session):
    treaty = factories.agreement(session)
    path = f"/agreements/{treaty.id}/events/new"
    data = {"stage": "signing", "step": "", "party": "", "status": "reported", "article_id": ""}
    response = editor_web.post(path, data={"csrf_token": csrf(editor_web, path)} | data)
    assert response.status_code == 422
    assert "tick “Record without evidence”" in errors_beside(
        response.get_data(as_text=True), "without_evidence"
    )
    assert _events(session, treaty.id) == []
    data |= {"without_evidence": "y"}
    response = editor_web.post(path, data={"csrf_token": csrf(editor_web, path)} | data)
    assert response.status_code == 302
    [event] = _events(session, treaty.id)
    assert event.stage == "signing" and event.evidence == []


def test_edit_an_event_from_its_row(editor_web, session):
    treaty = factories.agreement(session)
    article = factories.article(session, "Moscow and Tehran signed the treaty in the Kremlin.")
    event = factories.event(
        session,
        treaty.id,
        "signing",
        "2025-01-17",
        place="Moscow",
        evidence=[{"article_id": article.id, "quote": "signed the treaty"}],
    )
    page = editor_web.get(f"/agreements/{treaty.id}").get_data(as_text=True)
    assert f'href="/events/{event.id}/edit"' in page
    path = f"/events/{event.id}/edit"
    html = editor_web.get(path).get_data(as_text=True)
    assert 'value="Moscow"' in html and 'value="2025-01-17"' in html
    assert "signed the treaty" in html  # the evidence it rests on is shown
    data = {
        "csrf_token": csrf(editor_web, path),
        "stage": "signing",
        "step": "",
        "party": "",
        "place": "Kremlin",
        "date": "۱۴۰۳/۱۰/۲۸",
        "status": "confirmed",
        "article_id": "",
        "version": str(event.version),
    }
    response = editor_web.post(path, data=data)
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/agreements/{treaty.id}#event-{event.id}"
    )
    session.expire_all()
    event = session.get(StageEvent, event.id)
    assert (event.place, event.date, event.status) == ("Kremlin", "2025-01-17", "confirmed")
    assert len(event.evidence) == 1  # kept; nothing new was quoted
    history = editor_web.get(f"/agreements/{treaty.id}").get_data(as_text=True)
    history = re.sub(r"<[^>]+>", "", history)
    assert re.search(r"amended Signing \([^)]*\) \([^)]*place", history), history


def test_an_event_edit_refuses_to_overwrite_a_change_made_meanwhile(editor_web, session):
    from tracker.services.claims.events import amend_event

    treaty = factories.agreement(session)
    event = factories.event(session, treaty.id, "signing", "2025-01-17")
    path = f"/events/{event.id}/edit"
    token = csrf(editor_web, path)
    stale = event.version
    amend_event(session, event.id, {"note": "Someone else's note."})
    data = {
        "csrf_token": token,
        "stage": "signing",
        "step": "",
        "party": "",
        "place": "Mine",
        "date": "2025-01-17",
        "status": "reported",
        "article_id": "",
        "without_evidence": "y",
        "version": str(stale),
    }
    response = editor_web.post(path, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "changed this claim while you were editing" in html
    assert 'value="Mine"' in html
    session.expire_all()
    stored = session.get(StageEvent, event.id)
    assert (stored.place, stored.note) == ("", "Someone else's note.")
    fresh = re.search(r'name="version" type="hidden" value="(\d+)"', html).group(1)
    assert editor_web.post(path, data=data | {"version": fresh}).status_code == 302
    session.expire_all()
    assert session.get(StageEvent, event.id).place == "Mine"


def test_retract_asks_first_then_offers_undo(editor_web, session):
    treaty = factories.agreement(session)
    kept = factories.event(session, treaty.id, "announcement", "2024-01-15")
    event = factories.event(session, treaty.id, "signing", "2025-01-17", status="confirmed")
    page = f"/agreements/{treaty.id}"
    assert f'href="/events/{event.id}/retract"' in editor_web.get(page).get_data(as_text=True)
    confirm = editor_web.get(f"/events/{event.id}/retract")
    assert confirm.status_code == 200 and "Retract this claim?" in confirm.get_data(as_text=True)
    session.expire_all()
    assert session.get(StageEvent, event.id).status == "confirmed"  # asking changed nothing
    response = editor_web.post(
        f"/events/{event.id}/retract",
        data={"csrf_token": csrf(editor_web, f"/events/{event.id}/retract")},
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert "The claim is retracted" in html
    undo = re.search(
        rf'<form class="inline" method="post" action="/events/{event.id}/undo-retract">'
        r'<input type="hidden" name="csrf_token" value="([^"]+)"><button type="submit">Undo',
        html,
    )
    assert undo
    # Retracted claims fold away below the others.
    folded = re.search(
        r'<details class="retracted-claims"><summary>(.*?)</summary>(.*?)</details>', html, re.S
    )
    assert folded and folded.group(1) == "1 retracted claim"
    assert f'id="event-{event.id}"' in folded.group(2)
    assert f'id="event-{kept.id}"' not in folded.group(2)
    session.expire_all()
    assert session.get(StageEvent, event.id).status == "retracted"
    response = editor_web.post(
        f"/events/{event.id}/undo-retract", data={"csrf_token": undo.group(1)}
    )
    assert response.status_code == 302
    session.expire_all()
    assert session.get(StageEvent, event.id).status == "confirmed"  # as it was before
    html = editor_web.get(page).get_data(as_text=True)
    assert "retracted-claims" not in html
    assert re.search(
        r"undid the retraction of [^\n]*\(now confirmed\)", re.sub(r"<[^>]+>", "", html)
    )
    # Undoing twice says so, and changes nothing.
    response = editor_web.post(
        f"/events/{event.id}/undo-retract",
        data={"csrf_token": csrf(editor_web, page)},
        follow_redirects=True,
    )
    assert "That claim is not retracted." in response.get_data(as_text=True)


# ---------------------------------------------------------------- evidence


SEED_LIKE = (
    "وزارت دفاع روسیه امروز اعلام کرد که مسکو و تهران به زودی یک توافقنامه بزرگ بین دولتی را امضا میکنند. "
    "طرفین بر احترام به حاکمیت و تمامیت ارضی یکدیگر تأکید کردند."
)


def _paste(client, treaty_id: int, text: str = SEED_LIKE, **fields: str) -> str:  # type: ignore[no-untyped-def]
    """Add an article through the evidence form; the review page's path."""
    path = f"/agreements/{treaty_id}/evidence/new"
    data = {"text": text, "outlet": "Jamaran", "language": "", "published": "2024-01-15"}
    response = client.post(
        path, data={"csrf_token": csrf(client, path), "cites": ""} | data | fields
    )
    assert response.status_code == 302
    return response.headers["Location"]


def _row(index: int, **fields: str) -> dict[str, str]:
    """One suggested event of the review form, ticked, with every field given."""
    values = {"accept": "y", "index": str(index), "stage": "", "step": "", "party": ""}
    values |= {"body": "", "date": "", "status": "reported"} | fields
    return {f"events-{index}-{name}": value for name, value in values.items()}


def _events(session, treaty_id: int) -> list[StageEvent]:  # type: ignore[no-untyped-def]
    session.expire_all()
    return list(session.scalars(select(StageEvent).where(StageEvent.agreement_id == treaty_id)))


def test_paste_an_article_edit_suggestions_and_accept_them_at_once(editor_web, session):
    treaty = factories.agreement(session, parties=["RUS"])
    review = _paste(editor_web, treaty.id, title="Moscow and Tehran to sign")
    html = editor_web.get(review).get_data(as_text=True)
    assert 'value="IRN"' in html and "Announcement" in html and "Territorial integrity" in html
    assert 'id="events-1-date"' in html  # each suggestion is a row of fields
    data = {
        "csrf_token": csrf(editor_web, review),
        "parties": ["IRN"],
        "principles": ["sovereignty", "territorial_integrity"],
    }
    # Edited before accepting: a Solar Hijri date in Persian digits, a status, a stage, a party.
    data |= _row(0, stage="announcement", date="۱۴۰۲/۱۰/۲۵", status="confirmed")
    data |= _row(1, stage="ratification", step="head_of_state", party="IRN", status="expected")
    response = editor_web.post(review, data=data)
    assert response.status_code == 302
    page = editor_web.get(response.headers["Location"]).get_data(as_text=True)
    assert (
        "Recorded 1 party, 2 events and 2 principles from Jamaran: “Moscow and Tehran to sign”."
        in page
    )
    assert "part(ies)" not in page
    session.expire_all()
    treaty = session.get(Agreement, treaty.id)
    assert treaty.party_codes == ["RUS", "IRN"]
    recorded = sorted((e.stage, e.step, e.party_code, e.status, e.date) for e in treaty.events)
    assert recorded == [
        ("announcement", None, None, "confirmed", "2024-01-15"),
        ("ratification", "head_of_state", "IRN", "expected", None),
    ]
    # The quote is the article's sentence around the suggestion, whatever the form says.
    assert all(e.evidence[0].quote.startswith("وزارت دفاع روسیه") for e in treaty.events)
    assert sorted(s.principle_code for s in treaty.statements) == [
        "sovereignty",
        "territorial_integrity",
    ]


def test_review_shows_each_rows_error_beside_it_and_records_nothing(editor_web, session):
    treaty = factories.agreement(session, parties=["RUS"])
    review = _paste(editor_web, treaty.id)
    before = {model: _count(session, model) for model in (StageEvent, PrincipleStatement)}
    data = {"csrf_token": csrf(editor_web, review), "principles": ["sovereignty"]}
    data |= _row(0, stage="announcement", date="2025-02-30")
    data |= _row(1, stage="signing", party="IRN")  # IRN is not ticked under Parties
    response = editor_web.post(review, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "day 30 does not exist" in errors_beside(html, "events-0-date")
    assert "IRN is not a party of this agreement" in errors_beside(html, "events-1-party")
    assert 'value="2025-02-30"' in html  # what was typed is kept
    assert {model: _count(session, model) for model in before} == before
    session.expire_all()
    assert session.get(Agreement, treaty.id).party_codes == ["RUS"]
    # A forged row (no such suggestion, so no sentence to quote) records nothing.
    data = {"csrf_token": csrf(editor_web, review)} | _row(0, stage="signing")
    data |= {"events-99-accept": "y", "events-99-index": "99", "events-99-stage": "signing"}
    assert editor_web.post(review, data=data).status_code == 302
    assert [e.stage for e in _events(session, treaty.id)] == ["signing"]


def test_review_ticks_exactly_the_confident_suggestions(editor_web, session):
    from tracker.services.evidence.review import suggestions
    from tracker.text.extract import PRETICK_CONFIDENCE

    treaty = factories.agreement(session, parties=["RUS"])
    review = _paste(editor_web, treaty.id)
    html = editor_web.get(review).get_data(as_text=True)
    article_id = int(review.rstrip("/").split("/")[-2])
    found = suggestions(session, treaty.id, article_id).events
    assert found
    for index, item in enumerate(found):
        box = re.search(rf'<input[^>]*id="events-{index}-accept"[^>]*>', html)
        assert box, index
        confident = (item.get("confidence") or 0) >= PRETICK_CONFIDENCE
        assert ("checked" in box.group(0)) == confident, (index, item.get("confidence"))


def test_unticked_suggestions_are_left_out_and_the_message_says_so(editor_web, session):
    treaty = factories.agreement(session, parties=["RUS"])
    review = _paste(editor_web, treaty.id)
    data = {"csrf_token": csrf(editor_web, review)}
    data |= {k: v for k, v in _row(0, stage="signing").items() if not k.endswith("accept")}
    response = editor_web.post(review, data=data, follow_redirects=True)
    assert "Nothing was recorded from Jamaran, 2024-01-15" in response.get_data(as_text=True)
    assert _events(session, treaty.id) == []


def test_evidence_needs_something_to_read(editor_web, session):
    treaty = factories.agreement(session)
    path = f"/agreements/{treaty.id}/evidence/new"
    before = _count(session, EvidenceArticle)
    response = editor_web.post(
        path, data={"csrf_token": csrf(editor_web, path), "language": "", "cites": ""}
    )
    assert response.status_code == 422 and "give the article" in errors_beside(
        response.get_data(as_text=True), "text"
    )
    response = editor_web.post(
        path,
        data={
            "csrf_token": csrf(editor_web, path),
            "url": "http://10.0.0.1/x",
            "language": "",
            "cites": "",
        },
    )
    assert "not allowed" in errors_beside(response.get_data(as_text=True), "url")
    assert _count(session, EvidenceArticle) == before


def test_article_markup_is_shown_as_text_on_review(editor_web, session):
    treaty = factories.agreement(session)
    article = factories.article(session, "<img src=x onerror=alert(1)> Moscow signed.")
    html = editor_web.get(f"/agreements/{treaty.id}/evidence/{article.id}/review").get_data(
        as_text=True
    )
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


# ---------------------------------------------------------------- principles, reminders


def test_state_a_principle(editor_web, session):
    treaty = factories.agreement(session)
    path = f"/agreements/{treaty.id}/principles/new"
    response = editor_web.post(
        path,
        data={
            "csrf_token": csrf(editor_web, path),
            "principle": "sovereignty",
            "party": "",
            "article_id": "",
            "quote": "",
        },
    )
    assert response.status_code == 422 and "give a quote" in errors_beside(
        response.get_data(as_text=True), "quote"
    )
    response = editor_web.post(
        path,
        data={
            "csrf_token": csrf(editor_web, path),
            "principle": "mutual_defence",
            "party": "RUS",
            "article_id": "",
            "clause": "Art. 4",
        },
    )
    assert response.status_code == 302
    assert (
        session.scalar(
            select(PrincipleStatement.clause).where(PrincipleStatement.agreement_id == treaty.id)
        )
        == "Art. 4"
    )


def test_reminders_create_complete_snooze_dismiss(editor_web, session, people):
    treaty = factories.agreement(session)
    path = f"/agreements/{treaty.id}/reminders/new"
    response = editor_web.post(
        path,
        data={
            "csrf_token": csrf(editor_web, path),
            "due": "",
            "reason": "Was it signed?",
            "stage": "",
            "assignee": "",
        },
    )
    assert response.status_code == 422 and "Missing data for required field." in errors_beside(
        response.get_data(as_text=True), "due"
    )
    due = (date.today() - timedelta(days=2)).isoformat()
    response = editor_web.post(
        path,
        data={
            "csrf_token": csrf(editor_web, path),
            "due": due,
            "reason": "Was it signed?",
            "stage": "signing",
            "assignee": "editor@example.org",
        },
    )
    assert response.status_code == 302
    reminder = session.scalar(select(Reminder).where(Reminder.agreement_id == treaty.id))
    listing = editor_web.get("/reminders").get_data(as_text=True)
    assert "Was it signed?" in listing
    assert "overdue" in editor_web.get("/").get_data(as_text=True)
    token = csrf(editor_web, "/reminders")
    later = (date.today() + timedelta(days=7)).isoformat()
    assert (
        editor_web.post(
            f"/reminders/{reminder.id}/snooze", data={"csrf_token": token, "until": later}
        ).status_code
        == 302
    )
    session.refresh(reminder)
    assert (reminder.status, reminder.snoozed_until.isoformat()) == ("snoozed", later)
    assert (
        editor_web.post(f"/reminders/{reminder.id}/done", data={"csrf_token": token}).status_code
        == 302
    )
    session.refresh(reminder)
    assert reminder.status == "done" and reminder.closed_at is not None
    assert editor_web.post(f"/reminders/{reminder.id}/dismiss", data={}).status_code == 400


# ---------------------------------------------------------------- account, search


def test_account_settings_and_tokens(editor_web, session, people):
    page = editor_web.get("/account").get_data(as_text=True)
    assert 'value="UTC"' in page
    token = csrf(editor_web, "/account")
    response = editor_web.post(
        "/account",
        data={"csrf_token": token, "timezone": "Mars/Olympus", "digest_mode": "everything"},
    )
    assert response.status_code == 422 and "is not an IANA time zone" in errors_beside(
        response.get_data(as_text=True), "timezone"
    )
    response = editor_web.post(
        "/account",
        data={
            "csrf_token": token,
            "timezone": "Asia/Tehran",
            "show_jalali": "y",
            "digest_mode": "watchlist",
            "watch_parties": "irn",
            "watch_topics": "Defence",
            "display_name": "Edi",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    session.refresh(people["editor"])
    assert (
        people["editor"].timezone,
        people["editor"].show_jalali,
        people["editor"].digest_watchlist["parties"],
    ) == ("Asia/Tehran", True, ["IRN"])
    made = editor_web.post(
        "/account/tokens", data={"csrf_token": token, "name": "laptop"}
    ).get_data(as_text=True)
    assert "shown only once" in made
    from tracker.models import ApiToken

    row = session.scalar(select(ApiToken).where(ApiToken.user_id == people["editor"].id))
    assert (
        editor_web.post(f"/account/tokens/{row.id}/revoke", data={"csrf_token": token}).status_code
        == 302
    )
    session.refresh(row)
    assert row.revoked_at is not None


def test_search_page_highlights_and_escapes(viewer_web, session):
    factories.article(session, "<b>bold</b> Moscow and Tehran signed the treaty.")
    html = viewer_web.get("/search?q=tehran").get_data(as_text=True)
    assert "<mark>Tehran</mark>" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html and "<b>bold</b>" not in html


def test_the_search_page_says_when_there_are_more_results_than_it_counted(
    viewer_web, session, monkeypatch
):  # type: ignore[no-untyped-def]
    from tracker.services import fulltext

    for n in range(3):
        factories.article(session, f"Report {n}: the kiwian covenant was signed.")
    assert "3 result(s)." in viewer_web.get("/search?q=kiwian").get_data(as_text=True)
    monkeypatch.setattr(fulltext, "CAP", 2)
    html = viewer_web.get("/search?q=kiwian").get_data(as_text=True)
    assert "More than 2 results (counted up to 2; add a word to narrow them)" in html
    assert html.count("<mark>kiwian</mark>") == 3  # every hit is still listed


def test_a_nul_character_is_refused_not_a_server_error(editor_web, viewer_web, client, session):
    assert viewer_web.get("/search?q=a%00b").status_code == 400
    assert (
        editor_web.post(
            "/agreements/new",
            data={
                "csrf_token": csrf(editor_web, "/agreements/new"),
                "title": "a\x00b",
                "kind": "treaty",
            },
        ).status_code
        == 400
    )
    from tests.api.conftest import Api, assert_error
    from tracker.services.accounts.users import create_token

    api = Api(
        client, create_token(session, create_user(session, "nul@example.org", role="editor"))[1]
    )
    assert_error(api.post("/api/v1/agreements", json={"title": "a\x00b"}), 422, "title")
    assert_error(api.get("/api/v1/agreements?q=a%00b"), 422, "q")


def test_an_editor_deletes_an_agreement_and_an_admin_restores_it(editor_web, admin_web, session):
    treaty = factories.agreement(session, title="Treaty to delete and bring back")
    factories.event(session, treaty.id, "signing", "2025-01-17")
    page = f"/agreements/{treaty.id}"

    response = editor_web.post(
        f"{page}/delete", data={"csrf_token": csrf(editor_web, page)}, follow_redirects=True
    )
    assert response.status_code == 200 and "is deleted" in response.get_data(as_text=True)
    assert editor_web.get(page).status_code == 404
    assert editor_web.get("/deleted").status_code == 403

    listing = admin_web.get("/deleted").get_data(as_text=True)
    assert "Treaty to delete and bring back" in listing and "editor@example.org" in listing
    response = admin_web.post(
        f"{page}/restore",
        data={"csrf_token": csrf(admin_web, "/deleted")},
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "is restored" in html
    assert "2025-01-17" in html  # its events came back with it
    assert "Treaty to delete and bring back" not in admin_web.get("/deleted").get_data(as_text=True)
    assert admin_web.post(f"{page}/restore", data={}).status_code == 400  # no CSRF token


def test_an_admin_restores_a_deleted_article_from_the_deleted_page(admin_web, people, session):
    from tracker.services.evidence.articles import delete_article

    article = factories.article(session, "A report deleted by mistake.", title="Mistaken report")
    delete_article(session, article.id, actor=people["editor"])
    listing = admin_web.get("/deleted").get_data(as_text=True)
    assert "Mistaken report" in listing and "editor@example.org" in listing
    response = admin_web.post(
        f"/articles/{article.id}/restore",
        data={"csrf_token": csrf(admin_web, "/deleted")},
        follow_redirects=True,
    )
    assert response.status_code == 200 and "The article is restored" in response.get_data(
        as_text=True
    )
    session.expire_all()
    assert session.get(EvidenceArticle, article.id).deleted_at is None


def test_a_suggested_accession_shows_its_kind_of_instrument_and_accepting_records_it(
    editor_web, session
):
    treaty = factories.agreement(session, parties=["PLW", "CHL", "FRA"], bilateral=False)
    text = "Palau deposited its instrument of accession to the agreement on 22 January 2024."
    review = _paste(editor_web, treaty.id, text=text)
    html = editor_web.get(review).get_data(as_text=True)
    chosen = re.search(r'<select[^>]*id="events-0-consent_type".*?</select>', html, re.S)
    assert chosen and re.search(r'<option selected value="accession">', chosen.group(0)), chosen
    assert "instrument of accession" in html
    csrf_token = csrf(editor_web, review)
    # the kind of instrument on a step that has none is refused beside it, nothing recorded
    wrong = _row(0, stage="signing", party="PLW", date="2024-01-22", consent_type="accession")
    refused = editor_web.post(review, data={"csrf_token": csrf_token, "parties": []} | wrong)
    assert refused.status_code == 422
    assert "only the notification step" in errors_beside(
        refused.get_data(as_text=True), "events-0-consent_type"
    )
    assert _events(session, treaty.id) == []
    row = _row(
        0,
        stage="ratification",
        step="notification",
        party="PLW",
        date="2024-01-22",
        consent_type="accession",
    )
    response = editor_web.post(review, data={"csrf_token": csrf(editor_web, review)} | row)
    assert response.status_code == 302
    (event,) = _events(session, treaty.id)
    assert (event.step, event.party_code, event.consent_type) == (
        "notification",
        "PLW",
        "accession",
    )
