"""Weekly digests: each section exactly right on a fixture week, time-zone edges, exactly once
under a crash and a second run, MIME parts through a real SMTP server, the Atom feed."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime, timedelta

import feedparser
import pytest
from flask_login import FlaskLoginClient
from sqlalchemy import select

from tests import factories
from tests.conftest import free_port
from tests.statements import counted
from tracker.models import Digest, EvidenceArticle, InboxItem, StageEvent
from tracker.services.accounts.users import create_user, issue_feed_token, update_user
from tracker.services.digests.weekly import (
    SECTIONS,
    Window,
    build,
    deliver,
    due_weeks,
    gather,
    parse_week,
    preview,
    scopes,
    sections_for,
)
from tracker.services.errors import InvalidInput
from tracker.services.infra.mail import MailError, MailSettings
from tracker.services.reminders.manual import create_reminder
from tracker.web.auth import WebUser

WEEK = "2025-W16"  # Monday 2025-04-14 to Sunday 2025-04-20


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def week(session):  # type: ignore[no-untyped-def]
    """A fixture timeline around 2025-W16, watched by a subscriber in UTC."""
    moving = factories.agreement(
        session,
        title="Moving treaty",
        topics=["test-topic"],
        entry_into_force_rule={"days_after_last_notification": 30},
    )
    factories.event(session, moving.id, "signing", "2025-01-17")
    in_week = factories.event(
        session,
        moving.id,
        "ratification",
        "2025-04-16",
        step="lower_house",
        party="RUS",
        body="State Duma",
        status="confirmed",
    )
    factories.event(
        session, moving.id, "ratification", "2025-03-01", step="submitted", party="IRN"
    )  # before: not listed
    first = factories.event(
        session, moving.id, "ratification", "2025-03-20", step="committee", party="IRN"
    )
    second = factories.event(
        session, moving.id, "ratification", "2025-03-22", step="committee", party="IRN"
    )
    for event, when in ((first, "2025-03-20 10:00"), (second, "2025-04-15 09:00")):
        event.created_at = utc(when)  # the second claim arrives in the week: a conflict opens
    report = factories.article(session, "Duma deputies voted for the treaty.", title="Duma vote")
    report.created_at = utc("2025-04-16 12:00")
    factories.event(
        session,
        moving.id,
        "ratification",
        "2025-04-16",
        step="lower_house",
        party="RUS",
        evidence=[{"article_id": report.id, "quote": "voted for the treaty"}],
    )
    quiet = factories.agreement(session, title="Quiet memorandum", parties=["RUS", "PRK"])
    factories.event(
        session, quiet.id, "announcement", "2024-10-18"
    )  # 180 quiet days end 2025-04-16
    soon = factories.agreement(session, title="Soon pact", parties=["IRN", "CHN"])
    factories.event(session, soon.id, "announcement", "2025-04-01")
    factories.event(session, soon.id, "signing", "2025-05-10", status="expected")
    reader = create_user(session, "reader@example.org")
    update_user(
        session,
        reader.id,
        {
            "digest_mode": "watchlist",
            "digest_watchlist": {"agreements": [quiet.id, soon.id], "topics": ["test-topic"]},
        },
    )
    create_reminder(
        session, {"agreement_id": moving.id, "due": "2025-04-17", "reason": "Check the Duma vote"}
    )
    create_reminder(
        session, {"agreement_id": soon.id, "due": "2025-03-01", "reason": "Long overdue"}
    )
    create_reminder(
        session,
        {
            "agreement_id": soon.id,
            "due": "2025-04-18",
            "reason": "Someone else's",
            "assignee": "reader@example.org",
        },
    )
    other = create_user(session, "other@example.org")
    create_reminder(
        session,
        {
            "agreement_id": soon.id,
            "due": "2025-04-18",
            "reason": "Not for the reader",
            "assignee": "other@example.org",
        },
    )
    session.commit()
    return {
        "moving": moving,
        "quiet": quiet,
        "soon": soon,
        "reader": reader,
        "other": other,
        "in_week": in_week,
    }


def _sections(session, user, week_label=WEEK):  # type: ignore[no-untyped-def]
    window = Window.of(week_label, user.timezone)
    facts = gather(session, window, "https://tracker.example")
    return sections_for(facts, user, scopes(session, [user])[user.id])


def test_each_section_lists_exactly_the_right_items(session, week):
    sections = _sections(session, week["reader"])
    texts = {name: [(i["agreement"], i["text"]) for i in sections[name]] for name in SECTIONS}
    assert sections["totals"] == {name: len(sections[name]) for name in SECTIONS}
    assert texts["events"] == [  # recorded in the week (a late report), then dated in it
        ("Moving treaty", "Ratification — committee, IRN, 2025-03-22, reported"),
        ("Moving treaty", "Ratification — lower house (State Duma), RUS, 2025-04-16, confirmed"),
        ("Moving treaty", "Ratification — lower house, RUS, 2025-04-16, reported"),
    ]
    assert texts["evidence"] == [("Moving treaty", "Duma vote — Test outlet")]
    assert [t for _, t in texts["conflicts"]] == [
        f"2 claims disagree (events {min(i.id for i in session.scalars(select(StageEvent).where(StageEvent.step == 'committee')))}, {max(i.id for i in session.scalars(select(StageEvent).where(StageEvent.step == 'committee')))})"
    ]
    assert texts["reminders"] == [
        ("Soon pact", "Long overdue (due 2025-03-01, overdue)"),
        ("Moving treaty", "Check the Duma vote (due 2025-04-17)"),
        ("Soon pact", "Someone else's (due 2025-04-18)"),
    ]  # the one assigned to another user is not the reader's
    assert texts["stalled"] == [("Quiet memorandum", "nothing on record since 2024-10-18")]
    assert texts["upcoming"] == [("Soon pact", "signing expected 2025-05-10")]
    assert all(
        i["url"].startswith("https://tracker.example/agreements/")
        for name in SECTIONS
        for i in sections[name]
    )


def test_a_sunday_night_in_utc_is_monday_in_tehran(session):
    treaty = factories.agreement(session, title="Late-night accord")
    late = factories.event(session, treaty.id, "signing")  # undated: it counts when recorded
    late.created_at = utc("2025-04-20 23:30")  # Sunday 23:30 UTC = Monday 03:00 in Tehran
    session.commit()
    london = create_user(session, "utc@example.org", timezone="UTC")
    tehran = create_user(session, "tehran@example.org", timezone="Asia/Tehran")

    def titles(user, week_label):  # type: ignore[no-untyped-def]
        return [i["agreement"] for i in _sections(session, user, week_label)["events"]]

    assert "Late-night accord" in titles(london, "2025-W16")
    assert "Late-night accord" not in titles(london, "2025-W17")
    assert "Late-night accord" not in titles(tehran, "2025-W16")
    assert "Late-night accord" in titles(tehran, "2025-W17")


def test_exactly_once_under_a_crash_and_a_second_run(session, week, smtp):
    settings, inbox = smtp
    readers = [create_user(session, f"r{n}@example.org") for n in range(3)]
    weeks = {u.id: WEEK for u in readers}
    with pytest.raises(RuntimeError, match="simulated crash"):
        deliver(session, readers, weeks, mail=settings, base_url="https://t.example", crash_after=1)
    assert len(inbox.messages) == 1
    # Restarted after the crashed sender's claim has timed out: it resumes, repeating none.
    later = datetime.now(UTC) + timedelta(minutes=20)
    deliver(session, readers, weeks, mail=settings, base_url="https://t.example", now=later)
    deliver(
        session,
        readers,
        weeks,
        mail=settings,
        base_url="https://t.example",
        now=later + timedelta(hours=1),
    )
    received = sorted(m.rcpt_tos[0] for m in inbox.messages)
    assert received == ["r0@example.org", "r1@example.org", "r2@example.org"]
    stored = session.scalars(
        select(Digest).where(Digest.user_id.in_([u.id for u in readers]))
    ).all()
    assert len(stored) == 3 and all(d.sent_at for d in stored)


def test_a_claim_held_by_a_live_sender_is_left_alone(session, week, smtp):
    settings, inbox = smtp
    reader = create_user(session, "claimed@example.org")
    session.add(
        Digest(
            user_id=reader.id,
            week=WEEK,
            sections={},
            html="<p>x</p>",
            text="x",
            send_claimed_at=datetime.now(UTC),
        )
    )
    session.commit()
    report = deliver(session, [reader], {reader.id: WEEK}, mail=settings, base_url="")
    assert (report.sent, report.skipped, len(inbox.messages)) == (0, 1, 0)


def test_mime_parts_and_right_to_left_text(session, week, smtp):
    settings, inbox = smtp
    persian = factories.agreement(session, title="پیمان مشارکت راهبردی", topics=["test-topic"])
    factories.event(session, persian.id, "signing", "2025-04-15")
    deliver(
        session,
        [week["reader"]],
        {week["reader"].id: WEEK},
        mail=settings,
        base_url="https://t.example",
    )
    (envelope,) = inbox.messages
    mail = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert mail["Subject"] == "Treaty Tracker — week 2025-W16"
    assert mail.get_content_type() == "multipart/alternative"
    plain, html = (part for part in mail.walk() if part.get_content_maintype() == "text")
    assert plain.get_content_type() == "text/plain" and html.get_content_type() == "text/html"
    assert "پیمان مشارکت راهبردی" in plain.get_payload(decode=True).decode()
    body = html.get_payload(decode=True).decode()
    assert (
        'dir="auto">پیمان مشارکت راهبردی</a>' in body and "<style" not in body and 'style="' in body
    )


def test_an_empty_week_sends_a_short_digest_or_none(session, smtp):
    settings, inbox = smtp
    wants = create_user(session, "wants@example.org")
    update_user(
        session, wants.id, {"digest_mode": "watchlist", "digest_watchlist": {"parties": ["NZL"]}}
    )
    quiet = create_user(session, "quiet@example.org")
    update_user(
        session,
        quiet.id,
        {
            "digest_mode": "watchlist",
            "digest_watchlist": {"parties": ["NZL"]},
            "digest_send_empty": False,
        },
    )
    deliver(session, [wants, quiet], {wants.id: WEEK, quiet.id: WEEK}, mail=settings, base_url="")
    assert [m.rcpt_tos for m in inbox.messages] == [["wants@example.org"]]
    assert (
        "nothing moved"
        in email.message_from_bytes(inbox.messages[0].content, policy=email.policy.default)[
            "Subject"
        ]
    )
    assert preview(session, quiet, WEEK, "") == ("", "")


def test_a_missed_week_is_sent_once_when_the_scheduler_is_back(session):
    tehran = create_user(session, "t@example.org", timezone="Asia/Tehran")
    # Down from 2025-04-10 to Wednesday 2025-04-30: only the last complete week is due.
    assert due_weeks([tehran], utc("2025-04-30 12:00")) == {tehran.id: "2025-W17"}
    assert due_weeks([tehran], utc("2025-04-27 21:00")) == {
        tehran.id: "2025-W17"
    }  # Monday 00:30 in Tehran
    assert due_weeks([tehran], utc("2025-04-27 20:00")) == {
        tehran.id: "2025-W16"
    }  # Sunday 23:30 there


@pytest.mark.parametrize("bad", ["2025-16", "2025-W54", "W16", "2025-W00", "2025W16"])
def test_a_malformed_week_is_a_clear_error(bad):
    with pytest.raises(InvalidInput, match="is not an ISO week"):
        parse_week(bad)


def test_the_atom_feed(session, week, smtp, app):
    settings, _inbox = smtp
    deliver(
        session,
        [week["reader"]],
        {week["reader"].id: WEEK},
        mail=settings,
        base_url="https://t.example",
    )
    token = issue_feed_token(session, week["reader"])
    client = app.test_client()
    response = client.get(f"/feeds/{token}/digests.atom")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.bozo_exception
    (entry,) = feed.entries
    assert entry.title == "Week 2025-W16" and "Moving treaty" in entry.content[0].value
    assert client.get("/feeds/wrong/digests.atom").status_code == 404


def test_the_cli(runner, week, session):
    result = runner.invoke(args=["tracker", "digest", "--week", "2025-16"])
    assert result.exit_code == 2 and "is not an ISO week" in result.output
    result = runner.invoke(
        args=["tracker", "digest", "--week", WEEK, "--user", "reader@example.org"]
    )
    assert (
        result.exit_code == 0
        and "Quiet memorandum" in result.output
        and "Stage events recorded or dated this week" in result.output
    )
    assert (
        session.scalar(select(Digest).where(Digest.user_id == week["reader"].id)) is None
    )  # a preview stores nothing


def test_the_digest_archive_page(app, session, week, smtp):
    settings, _ = smtp
    deliver(session, [week["reader"]], {week["reader"].id: WEEK}, mail=settings, base_url="")
    app.test_client_class = FlaskLoginClient
    client = app.test_client(user=WebUser(week["reader"]))
    listing = client.get("/digests").get_data(as_text=True)
    assert "2025-W16" in listing
    digest_id = session.scalar(select(Digest.id).where(Digest.user_id == week["reader"].id))
    assert "Quiet memorandum" in client.get(f"/digests/{digest_id}").get_data(as_text=True)
    assert session.scalar(select(EvidenceArticle.id).where(EvidenceArticle.title == "Duma vote"))


def test_a_digest_the_mail_server_refused_is_sent_by_the_next_run(session, week, smtp):
    """The claim and the sending are one step for the reader: when the sending fails, the
    claim is not left behind to hold the digest back from the next run."""
    settings, inbox = smtp
    readers = [create_user(session, f"m{n}@example.org") for n in range(2)]
    weeks = {u.id: WEEK for u in readers}
    nowhere = MailSettings(host="127.0.0.1", port=free_port(), sender="tracker@example.org")
    with pytest.raises(MailError):
        deliver(session, readers, weeks, mail=nowhere, base_url="")
    stored = session.scalars(select(Digest).where(Digest.user_id.in_([u.id for u in readers])))
    assert [(d.sent_at, d.send_claimed_at) for d in stored] == [(None, None)]  # unclaimed
    # Run again at once, the server back: both are sent, each once.
    report = deliver(session, readers, weeks, mail=settings, base_url="")
    assert (report.sent, report.skipped) == (2, 0)
    assert sorted(m.rcpt_tos[0] for m in inbox.messages) == ["m0@example.org", "m1@example.org"]
    assert deliver(session, readers, weeks, mail=settings, base_url="").sent == 0


def test_multilateral_stages_steps_and_consent_types_read_in_words(session):
    treaty = factories.agreement(
        session,
        title="Ocean pact",
        parties=["BEL", "PLW", "RUS"],
        bilateral=False,
        entry_into_force_rule={"instruments_required": 2, "days_after_instrument": 20},
    )
    factories.event(session, treaty.id, "adoption", "2025-04-14", place="New York")
    for party in ("BEL", "RUS"):
        factories.event(session, treaty.id, "signing", "2025-04-14", party=party)
    factories.event(
        session, treaty.id, "ratification", "2025-04-14", step="notification", party="RUS"
    )
    factories.event(
        session,
        treaty.id,
        "ratification",
        "2025-04-15",
        step="notification",
        party="PLW",
        consent_type="accession",
    )
    factories.event(
        session, treaty.id, "ratification", "2025-04-16", step="revocation", party="RUS"
    )
    factories.event(session, treaty.id, "suspension", "2025-04-16", party="BEL")
    factories.event(session, treaty.id, "resumption", "2025-04-17", party="BEL")
    factories.event(
        session,
        treaty.id,
        "ratification",
        "2025-04-18",
        step="notification",
        party="BEL",
        consent_type="approval",
    )
    reader = create_user(session, "ocean@example.org")
    update_user(
        session,
        reader.id,
        {"digest_mode": "watchlist", "digest_watchlist": {"agreements": [treaty.id]}},
    )
    session.commit()
    sections = _sections(session, reader)
    assert [i["text"] for i in sections["events"]] == [
        "Adoption in New York, 2025-04-14, reported",
        "Signing, BEL, 2025-04-14, reported",
        "Signing, RUS, 2025-04-14, reported",
        "Instrument of ratification, RUS, 2025-04-14, reported",
        "Instrument of accession, PLW, 2025-04-15, reported",
        "Revocation of ratification, RUS, 2025-04-16, reported",
        "Suspension, BEL, 2025-04-16, reported",
        "Resumption, BEL, 2025-04-17, reported",
        "Instrument of approval, BEL, 2025-04-18, reported",
    ]
    assert [i["text"] for i in sections["upcoming"]] == [
        "entry into force expected 2025-05-08 (2 of 2 instruments in)"
    ]


def test_declarations_recorded_or_withdrawn_in_the_week_are_listed_in_words(session):
    from tracker.services.claims.declarations import amend_declaration, record_declaration
    from tracker.services.digests.weekly import render

    treaty = factories.agreement(session, title="A convention", parties=["IRN", "RUS", "FRA"])
    other = factories.agreement(session, title="Not watched", parties=["IRN", "RUS"])
    reservation = record_declaration(
        session,
        treaty.id,
        {"party": "IRN", "kind": "reservation", "text": "…", "made_at": "consent"},
    )
    objection = record_declaration(
        session,
        treaty.id,
        {"party": "RUS", "kind": "objection", "objects_to": reservation.id, "date": "2025-04-15"},
    )
    old = record_declaration(
        session, treaty.id, {"party": "FRA", "kind": "understanding", "text": "…"}
    )
    amend_declaration(session, old.id, {"withdrawn_on": "2025-04-18"})
    before = record_declaration(
        session, treaty.id, {"party": "FRA", "kind": "declaration", "text": "…"}
    )
    unwatched = record_declaration(
        session, other.id, {"party": "IRN", "kind": "declaration", "text": "…"}
    )
    for made, when in (
        (reservation, "2025-04-14 08:00"),
        (objection, "2025-04-16 08:00"),
        (old, "2024-01-01 08:00"),
        (before, "2025-04-13 23:00"),  # the Sunday before, in UTC
        (unwatched, "2025-04-16 09:00"),
    ):
        made.created_at = utc(when)
    reader = create_user(session, "reader@example.org")
    update_user(
        session,
        reader.id,
        {"digest_mode": "watchlist", "digest_watchlist": {"agreements": [treaty.id]}},
    )
    session.commit()
    sections = _sections(session, reader)
    assert [(i["agreement"], i["text"]) for i in sections["declarations"]] == [
        ("A convention", "FRA made an understanding, undated, withdrawn 2025-04-18"),
        ("A convention", "IRN made a reservation at consent, undated"),
        ("A convention", "RUS objected to IRN's reservation, 2025-04-15"),
    ]
    assert sections["declarations"][2]["url"] == (
        f"https://tracker.example/agreements/{treaty.id}#declaration-{objection.id}"
    )
    html, text = render(reader, Window.of(WEEK, "UTC"), sections, "https://tracker.example")
    assert "Reservations, declarations and objections recorded or withdrawn this week (3)" in text
    assert "RUS objected to IRN&#39;s reservation, 2025-04-15</span>" in html
    assert "- A convention — RUS objected to IRN's reservation, 2025-04-15" in text


def test_a_relation_recorded_in_the_week_reaches_the_watchers_of_either_agreement(session):
    from tracker.services.claims import relations

    old = factories.agreement(session, title="Treaty of 2001")
    new = factories.agreement(session, title="Treaty of 2025")
    report = factories.article(
        session, "The new treaty replaces the treaty of 2001.", title="Replaced"
    )
    report.created_at = utc("2025-04-15T09:00:00")
    made = relations.record_relation(
        session,
        new.id,
        {
            "type": "supersedes",
            "target_id": old.id,
            "date": "2025-01-17",
            "evidence": [{"article_id": report.id, "quote": "replaces the treaty of 2001"}],
        },
    )
    made.created_at = utc("2025-04-15T10:00:00")
    earlier = relations.record_relation(session, new.id, {"type": "amends", "target_id": old.id})
    earlier.created_at = utc("2025-04-01T10:00:00")  # the week before: not in this digest
    reader = create_user(session, "old-treaty@example.org")
    update_user(
        session,
        reader.id,
        {"digest_mode": "watchlist", "digest_watchlist": {"agreements": [old.id]}},
    )
    session.commit()
    sections = _sections(session, reader)
    assert [(i["agreement"], i["text"]) for i in sections["relations"]] == [
        (
            "Treaty of 2025",
            "Treaty of 2025 supersedes Treaty of 2001, dated 2025-01-17, recorded 2025-04-15",
        )
    ]
    assert sections["relations"][0]["url"].endswith(f"/agreements/{new.id}#relation-{made.id}")
    # its article is new evidence of the subject
    everyone = create_user(session, "everything@example.org")
    session.commit()
    evidence = _sections(session, everyone)["evidence"]
    assert ("Treaty of 2025", "Replaced — Test outlet") in [
        (i["agreement"], i["text"]) for i in evidence
    ]


def _new_story(session, agreement_id: int | None = None) -> None:  # type: ignore[no-untyped-def]
    """A story waiting in the inbox, suggested for `agreement_id`."""
    article = factories.article(session, "A story nobody has read yet.")
    session.add(InboxItem(article_id=article.id, top_agreement_id=agreement_id))
    session.flush()


def test_subscribers_with_the_same_settings_get_the_same_digest(session, week):
    moving, quiet = week["moving"], week["quiet"]
    _new_story(session, quiet.id)
    alike = [create_user(session, f"alike{n}@example.org") for n in range(2)]
    narrow = create_user(session, "narrow@example.org")
    update_user(
        session,
        narrow.id,
        {"digest_mode": "watchlist", "digest_watchlist": {"agreements": [quiet.id]}},
    )
    other = week["other"]  # everything, with a reminder of their own
    session.commit()
    users = [*alike, narrow, other]
    built = {
        user.email: (sections, html, text)
        for user, _window, sections, html, text in build(
            session, users, {u.id: WEEK for u in users}, "https://tracker.example"
        )
    }
    first, second = built["alike0@example.org"], built["alike1@example.org"]
    assert first == second
    assert "Moving treaty" in first[2] and "Quiet memorandum" in first[2]
    assert "Not for the reader" not in first[2]
    # the one with a reminder of their own gets it, and otherwise what the others get
    assert "Not for the reader (due 2025-04-18)" in built["other@example.org"][2]
    assert built["other@example.org"][0]["events"] == first[0]["events"]
    # a watchlist: only its agreements, and its own inbox line
    sections, _html, text = built["narrow@example.org"]
    assert {i["agreement"] for name in SECTIONS for i in sections[name]} == {"Quiet memorandum"}
    assert "Moving treaty" not in text
    assert sections["inbox"]["watched"] == 1 and first[0]["inbox"]["watched"] == 0
    assert sections["inbox"]["new"] == first[0]["inbox"]["new"] >= 1
    # each gets what they would get alone
    for user in users:
        (alone,) = build(session, [user], {user.id: WEEK}, "https://tracker.example")
        assert alone[2:] == built[user.email]
    assert moving.id not in {i for s in sections["events"] for i in s["agreements"]}


def test_digests_for_many_subscribers_take_as_many_statements_as_for_a_few(
    session, connection, week
):
    _new_story(session, week["moving"].id)
    zones = ["UTC", "Asia/Tehran", "America/New_York"]

    def subscribers(prefix: str, count: int) -> list:  # type: ignore[type-arg]
        made = []
        for n in range(count):
            user = create_user(session, f"{prefix}{n}@example.org", timezone=zones[n % 3])
            if n % 2:
                watch = {"parties": ["RUS", "IRN"][n % 4 // 2 :], "topics": ["test-topic"]}
                update_user(
                    session, user.id, {"digest_mode": "watchlist", "digest_watchlist": watch}
                )
            made.append(user)
        session.commit()
        return made

    few, many = subscribers("few", 3), subscribers("many", 24)
    with counted(connection) as for_few:
        assert len(build(session, few, {u.id: WEEK for u in few}, "https://t.example")) == 3
    with counted(connection) as for_many:
        assert len(build(session, many, {u.id: WEEK for u in many}, "https://t.example")) == 24
    # the reads (the first build also opens the session's savepoint)
    reads = [[q for q in seen if q.startswith("SELECT")] for seen in (for_few, for_many)]
    assert len(reads[1]) == len(reads[0]) <= 30
