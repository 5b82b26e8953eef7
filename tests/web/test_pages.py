"""Reading pages: sign-in needed (unless public), the agreement page with its timeline,
evidence, principles and history; markup shown as text."""

from __future__ import annotations

import re

from sqlalchemy import select

from tests import factories
from tracker.models import Agreement
from tracker.services.agreements import delete_agreement


def _seed_case(session) -> Agreement:  # type: ignore[no-untyped-def]
    return session.scalar(select(Agreement).where(Agreement.ref.is_not(None)))


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
    assert "History" in html and "create agreement" in html
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
    from tracker.services.reminder_rules import run

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
