"""Reading pages: sign-in needed (unless public), the agreement page with its timeline,
evidence, principles and history; markup shown as text."""

from __future__ import annotations

import re

from sqlalchemy import select

from tests import factories
from tracker.models import Agreement, PrincipleStatement
from tracker.services.agreements.commands import delete_agreement


def _seed_case(session) -> Agreement:  # type: ignore[no-untyped-def]
    return session.scalar(
        select(Agreement).where(Agreement.ref == "rus-irn-comprehensive-strategic-partnership")
    )


def test_pages_need_a_sign_in_unless_public(client, app, session):
    treaty = _seed_case(session)
    response = client.get(f"/agreements/{treaty.id}")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
    app.config["PUBLIC_READ"] = True
    assert client.get(f"/agreements/{treaty.id}").status_code == 200


def test_the_dashboard_shows_the_board_conflicts_and_recent_evidence(viewer_web, session):
    treaty = _seed_case(session)
    other = factories.agreement(session, title="Conflicted pact")
    factories.event(session, other.id, "signing", "2025-01-17")
    factories.event(session, other.id, "signing", "2025-01-18")
    html = viewer_web.get("/").get_data(as_text=True)
    board = html.split('id="board-title"')[1].split("</section>")[0]
    assert "Announcement" in board and f'href="/agreements/{treaty.id}"' in board
    conflicts = html.split('id="conflicts-title"')[1].split("</section>")[0]
    assert (
        "Conflicted pact" in conflicts
        and "2 conflict" not in conflicts
        and "1 conflict" in conflicts
    )
    assert "Jamaran" in html.split('id="recent-title"')[1]


def test_the_agreement_page(viewer_web, session):
    treaty = _seed_case(session)
    html = viewer_web.get(f"/agreements/{treaty.id}").get_data(as_text=True)
    assert "Russian Federation" in html and "Российская Федерация" in html
    # The viewer has not asked for Solar Hijri dates: Gregorian only (tests/web/test_display.py).
    assert '<time datetime="2024-01-15" dir="ltr">15 Jan 2024</time>' in html
    assert "Dey 1402" not in html
    quote = (
        "اعلام شد که مسکو و تهران در حال آماده سازی مقدمات امضای یک توافقنامه بزرگ بین دولتی هستند"
    )
    assert re.search(r'<blockquote dir="auto" lang="fa">\s*' + re.escape(quote), html)
    outlets = re.sub(r"<[^>]+>", "", html)  # each outlet is isolated in a <bdi>
    assert "citing Tasnim News Agency, citing RIA Novosti" in outlets
    assert re.search(r'citing <a class="article-name" href="/articles/\d+">', html)
    for label in (
        "Sovereignty",
        "Territorial integrity",
        "Purposes and principles of the UN Charter",
    ):
        assert label in html
    assert "<svg" in html and 'href="#event-' in html  # the timeline links marks to evidence rows
    assert "History" in html and "created the agreement" in html and "create agreement" not in html
    assert "Record a stage event" not in html  # a viewer sees no editing controls


def test_the_timeline_draws_lanes_conflicts_and_expected_events(viewer_web, session):
    treaty = factories.agreement(
        session, entry_into_force_rule={"days_after_last_notification": 30}
    )
    first = factories.event(session, treaty.id, "signing", "2025-01-17")
    second = factories.event(session, treaty.id, "signing", "2025-01-18")
    factories.event(
        session, treaty.id, "ratification", "2025-04-08", step="lower_house", party="RUS"
    )
    factories.event(
        session, treaty.id, "ratification", "2025-07-01", step="notification", party="RUS"
    )
    factories.event(
        session, treaty.id, "ratification", "2025-09-02", step="notification", party="IRN"
    )
    svg = (
        viewer_web.get(f"/agreements/{treaty.id}")
        .get_data(as_text=True)
        .split("<svg")[1]
        .split("</svg>")[0]
    )
    for lane in ("Agreement", "RUS", "IRN"):
        assert f">{lane}</text>" in svg
    marks = dict(
        re.findall(r'<g class="([^"]+)" data-event="(\d*)"', svg)[i][::-1] for i in range(6)
    )
    assert "conflict" in marks[str(first.id)] and "conflict" in marks[str(second.id)]
    ys = {
        event_id: float(y)
        for event_id, y in re.findall(
            r'data-event="(\d+)">\s*<title>[^<]*</title>\s*<circle cx="[\d.]+" cy="([\d.]+)"', svg
        )
    }
    assert ys[str(first.id)] != ys[str(second.id)]  # side by side, not on top of each other
    assert (
        "computed" in marks[""] and "status-expected" in marks[""]
    )  # the rule's entry into force, dashed


def test_markup_in_user_text_is_shown_as_text(viewer_web, session):
    treaty = factories.agreement(session, title="<script>alert(1)</script> Pact")
    html = viewer_web.get(f"/agreements/{treaty.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Pact" in html


def test_unknown_and_deleted_agreements_are_404(viewer_web, session):
    assert viewer_web.get("/agreements/999999").status_code == 404
    treaty = factories.agreement(session)
    delete_agreement(session, treaty.id)
    assert viewer_web.get(f"/agreements/{treaty.id}").status_code == 404
    assert f'/agreements/{treaty.id}"' not in viewer_web.get("/agreements").get_data(as_text=True)


def test_digest_archive_has_an_empty_state(viewer_web):
    assert "No digest yet" in viewer_web.get("/digests").get_data(as_text=True)


def test_rule_made_reminders_show_on_the_dashboard(viewer_web, session):
    from datetime import timedelta

    from tracker.db import utcnow
    from tracker.services.reminders.rules import run

    treaty = factories.agreement(session, title="Quiet accord")
    factories.event(
        session, treaty.id, "announcement", (utcnow().date() - timedelta(days=100)).isoformat()
    )
    run(session)
    section = (
        viewer_web.get("/")
        .get_data(as_text=True)
        .split('id="reminders-title"')[1]
        .split("</section>")[0]
    )
    assert "no signing on record after 90 days" in section and "overdue" in section


def _text(html: str) -> str:
    """The page's text as a reader sees it: tags dropped, white space collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace(" ,", ",")


def _section(html: str, start: str, end: str = "</section>") -> str:
    return html.split(start, 1)[1].split(end, 1)[0]


def test_the_parties_table_shows_each_step_with_its_date_and_what_is_missing(
    viewer_web, session, people
):
    treaty = factories.agreement(
        session, title="Partnership", entry_into_force_rule={"days_after_last_notification": 30}
    )
    admin = people["admin"]
    factories.event(session, treaty.id, "signing", "2025-01-17", place="Moscow", actor=admin)
    for step, day, body, party in (
        ("submitted", "2025-03-27", "", "RUS"),
        ("lower_house", "2025-04-08", "State Duma", "RUS"),
        ("upper_house", "2025-04-16", "Federation Council", "RUS"),
        ("head_of_state", "2025-04-21", "", "RUS"),
        ("lower_house", "2025-05-21", "Majlis", "IRN"),
        ("constitutional_review", "2025-06-11", "Guardian Council", "IRN"),
    ):
        factories.event(
            session, treaty.id, "ratification", day, step=step, party=party, body=body, actor=admin
        )
    html = viewer_web.get(f"/agreements/{treaty.id}").get_data(as_text=True)
    text = _text(html)
    assert "Signed 17 Jan 2025 in Moscow · RUS ratified 21 Apr 2025 · IRN in progress" in text
    rus = _text(_section(html, 'id="ratification-RUS"', "</td>"))
    assert "Ratified · ratified on 21 Apr 2025" in rus
    for shown in (
        "Submitted 27 Mar 2025",
        "Lower house State Duma 8 Apr 2025",
        "Upper house Federation Council 16 Apr 2025",
        "Head of state 21 Apr 2025",
    ):
        assert shown in rus
    irn = _text(_section(html, 'id="ratification-IRN"', "</td>"))
    assert "In progress" in irn and "ratified on" not in irn
    assert "Lower house Majlis 21 May 2025" in irn
    assert "Constitutional review Guardian Council 11 Jun 2025" in irn
    assert (
        "Ratified once the head of state signs or the law is promulgated, or an instrument is "
        "notified." in irn
    )

    factories.event(session, treaty.id, "ratification", "2025-06-20", party="IRN", actor=admin)
    html = viewer_web.get(f"/agreements/{treaty.id}").get_data(as_text=True)
    irn = _text(_section(html, 'id="ratification-IRN"', "</td>"))
    assert "Ratified · ratified on 20 Jun 2025" in irn
    assert "Ratification (no step given) 20 Jun 2025" in irn
    assert "IRN ratified 20 Jun 2025" in _text(html)


def test_claims_without_evidence_are_flagged_on_the_page_and_the_dashboard(viewer_web, session):
    from tracker.services.claims.events import retract_event
    from tracker.services.claims.principles import state_principle

    treaty = factories.agreement(session, title="Unsourced accord")
    report = factories.article(session, "The two sides signed the accord in Moscow.")
    factories.event(
        session,
        treaty.id,
        "signing",
        "2025-01-17",
        evidence=[{"article_id": report.id, "quote": "signed the accord"}],
    )
    bare = factories.event(session, treaty.id, "announcement", "2024-12-01")
    gone = factories.event(session, treaty.id, "preparation", "2024-06")
    retract_event(session, gone.id)  # a retracted claim counts for nothing, here too
    # The forms refuse a statement with neither a quote nor a clause; older or imported data
    # may still hold one, so it is made here as a row.
    bare_statement = PrincipleStatement(agreement_id=treaty.id, principle_code="sovereignty")
    session.add(bare_statement)
    session.flush()
    state_principle(session, treaty.id, {"principle": "un_charter", "clause": "Art. 1"})

    html = viewer_web.get(f"/agreements/{treaty.id}").get_data(as_text=True)
    attention = _section(html, 'id="needs-attention"')
    assert "2 claims without evidence" in attention
    assert f'href="#event-{bare.id}"' in attention and f"#event-{gone.id}" not in attention
    assert f'href="#statement-{bare_statement.id}"' in attention
    rows = {
        int(event_id): row
        for event_id, row in re.findall(r'<tr id="event-(\d+)"(.*?)</tr>', html, re.S)
    }
    assert "without evidence" in rows[bare.id]
    assert "without evidence" not in rows[gone.id]
    assert "flag-no-evidence" not in rows[min(rows)]  # the signing quotes its article

    board = viewer_web.get("/").get_data(as_text=True)
    section = _section(board, 'id="unsupported-title"')
    assert re.search(r"\d+ claims? without evidence", section)
    assert f'href="/agreements/{treaty.id}#needs-attention"' in section
    assert "Unsourced accord</a> — 2 without evidence" in section


def test_principles_appear_once_with_all_their_sources(viewer_web, session):
    from tracker.services.claims.principles import state_principle

    treaty = factories.agreement(session)
    first = factories.article(session, "Both respect the UN Charter.", outlet="First outlet")
    second = factories.article(session, "They cited the UN Charter again.", outlet="Other outlet")
    for article, quote in ((first, "respect the UN Charter"), (second, "cited the UN Charter")):
        state_principle(
            session,
            treaty.id,
            {"principle": "un_charter", "article_id": article.id, "quote": quote},
        )
    state_principle(session, treaty.id, {"principle": "un_charter", "clause": "Art. 1"})
    state_principle(session, treaty.id, {"principle": "un_charter", "party": "RUS", "clause": "x"})
    html = viewer_web.get(f"/agreements/{treaty.id}").get_data(as_text=True)
    principles = _section(html, '<ul class="principles">', "</section>")
    assert principles.count("Purposes and principles of the UN Charter") == 2  # both, and RUS
    assert "Un charter" not in html
    together = _text(principles.split("stated by RUS")[0])
    for source in ("respect the UN Charter", "First outlet", "cited the UN Charter", "Art. 1"):
        assert source in together


def test_the_history_reads_as_sentences(viewer_web, session, people):
    from tracker.services.claims.events import retract_event

    treaty = factories.agreement(session)
    event = factories.event(
        session,
        treaty.id,
        "ratification",
        "2025-04-08",
        step="lower_house",
        party="RUS",
        actor=people["admin"],
    )
    retract_event(session, event.id, actor=people["editor"])
    html = viewer_web.get(f"/agreements/{treaty.id}").get_data(as_text=True)
    history = _text(_section(html, '<table class="history">', "</table>"))
    assert "Admin recorded Ratification · lower house · RUS (2025-04-08)" in history
    assert "Editor retracted Ratification · lower house · RUS (2025-04-08)" in history
    assert "create stage event" not in history and "update stage event" not in history


def test_dashboard_reminders_name_their_agreement(viewer_web, session):
    from tracker.db import utcnow
    from tracker.services.reminders.manual import create_reminder

    treaty = factories.agreement(session, title="Named pact")
    create_reminder(
        session,
        {
            "agreement_id": treaty.id,
            "due": utcnow().date().isoformat(),
            "reason": "Check the vote",
        },
    )
    section = _section(viewer_web.get("/").get_data(as_text=True), 'id="reminders-title"')
    assert f'href="/agreements/{treaty.id}" dir="auto">Named pact</a>' in section
    assert "Named pact : Check the vote" in _text(section)


def test_the_review_names_principles_by_their_vocabulary_label(editor_web, session):
    from tests.web.conftest import csrf

    treaty = factories.agreement(session)
    path = f"/agreements/{treaty.id}/evidence/new"
    text = "طرفین بر احترام به حاکمیت، تمامیت ارضی و سایر اصول منشور سازمان ملل تأکید کردند."
    response = editor_web.post(
        path,
        data={
            "csrf_token": csrf(editor_web, path),
            "text": text,
            "outlet": "Jamaran",
            "language": "",
            "published": "2024-01-15",
            "cites": "",
        },
    )
    assert response.status_code == 302
    html = editor_web.get(response.headers["Location"]).get_data(as_text=True)
    assert 'value="un_charter"' in html
    assert "Purposes and principles of the UN Charter" in html and "Un charter" not in html
