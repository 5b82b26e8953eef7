"""The news feeds page (/news-feeds, apart from the calendar's /feeds/<secret>/…): the list
with how polling goes, the add and edit forms with errors beside their fields, pause and
resume, removal by admins after confirmation."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from tests.web.conftest import csrf, errors_beside
from tracker.models.inbox import NewsFeed
from tracker.services.accounts.users import update_user
from tracker.services.feeds import manage

TASS = "https://tass.ru/rss/v2.xml"
IRNA = "https://www.irna.ir/rss/politics"


def _row(html: str, feed_id: int) -> str:
    match = re.search(rf'<tr id="feed-{feed_id}".*?</tr>', html, re.S)
    assert match, f"feed {feed_id} is not listed"
    return match.group(0)


def test_an_editor_adds_a_feed_and_sees_it_listed(editor_web, session):
    page = editor_web.get("/news-feeds").get_data(as_text=True)
    assert '<a href="/news-feeds">News feeds</a>' in page  # in the navigation
    form = editor_web.get("/news-feeds/new").get_data(as_text=True)
    assert 'value="60"' in form  # the default interval, shown
    response = editor_web.post(
        "/news-feeds/new",
        data={
            "csrf_token": csrf(editor_web, "/news-feeds/new"),
            "url": IRNA,
            "title": "ایرنا — سیاسی",
            "language": "fa",
            "poll_every_minutes": "30",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    feed = session.query(NewsFeed).filter_by(url=IRNA).one()
    listed = editor_web.get(response.headers["Location"]).get_data(as_text=True)
    assert "Now watching ایرنا — سیاسی" in listed
    row = _row(listed, feed.id)
    assert f'<a href="{IRNA}"' in row and "ایرنا — سیاسی" in row
    assert "<td>fa</td>" in row and "every 30 min" in row
    assert "never" in row and "not polled yet" in row
    assert 'class="table-scroll"' in listed  # the table scrolls in its own box


def test_a_refused_feed_keeps_what_was_typed_with_each_error_beside_its_field(editor_web, session):
    first = manage.add_feed(session, {"url": TASS, "title": "ТАСС"})
    response = editor_web.post(
        "/news-feeds/new",
        data={
            "csrf_token": csrf(editor_web, "/news-feeds/new"),
            "url": "https://www.tass.ru/rss/v2.xml",
            "title": "TASS again",
            "language": "Russian",
            "poll_every_minutes": "two",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f"already watched: ТАСС (feed {first.id})" in errors_beside(html, "url")
    assert "Not a language code" in errors_beside(html, "language")
    assert "Not a valid integer" in errors_beside(html, "poll_every_minutes")
    for typed in ('value="https://www.tass.ru/rss/v2.xml"', 'value="TASS again"', 'value="two"'):
        assert typed in html
    bad = editor_web.post(
        "/news-feeds/new",
        data={
            "csrf_token": csrf(editor_web, "/news-feeds/new"),
            "url": "ftp://tass.ru/rss",
            "poll_every_minutes": "3",
        },
    )
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert "only http:// and https://" in errors_beside(html, "url")
    assert "5 to 10080 minutes" in errors_beside(html, "poll_every_minutes")
    assert session.query(NewsFeed).filter_by(url="ftp://tass.ru/rss").count() == 0


def test_editing_saves_and_a_stale_form_keeps_what_was_typed(editor_web, session):
    feed = manage.add_feed(session, {"url": TASS, "title": "ТАСС"})
    path = f"/news-feeds/{feed.id}/edit"
    token = csrf(editor_web, path)
    manage.update_feed(session, feed.id, {"title": "ТАСС (changed elsewhere)"})
    stale = editor_web.post(
        path,
        data={
            "csrf_token": token,
            "url": TASS,
            "title": "TASS English",
            "language": "en",
            "poll_every_minutes": "15",
            "active": "y",
            "version": "1",
        },
    )
    html = stale.get_data(as_text=True)
    assert stale.status_code == 422 and "Someone changed this feed" in html
    assert 'value="TASS English"' in html and 'name="version" type="hidden" value="2"' in html
    saved = editor_web.post(
        path,
        data={
            "csrf_token": token,
            "url": TASS,
            "title": "TASS English",
            "language": "en",
            "poll_every_minutes": "15",
            "active": "y",
            "version": "2",
        },
    )
    assert saved.status_code == 302
    session.refresh(feed)
    assert (feed.title, feed.language, feed.poll_every_minutes, feed.active) == (
        "TASS English",
        "en",
        15,
        True,
    )


def test_a_paused_feed_says_why_and_resumes_with_one_button(editor_web, session, people):
    feed = manage.add_feed(session, {"url": TASS, "title": "ТАСС"})
    feed.active = False
    feed.paused_reason = "the feed answered 410 Gone"
    feed.last_error = "the page answered 410 Gone"
    feed.consecutive_failures = 4
    feed.last_polled_at = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    feed.last_success_at = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
    session.commit()
    row = _row(editor_web.get("/news-feeds").get_data(as_text=True), feed.id)
    assert "paused: <bdi" in row and "the feed answered 410 Gone" in row
    assert "Last error:" in row and "(4 failures in a row)" in row
    assert "1 Dec 2026 09:30" in row and "20 Nov 2026 08:00" in row
    assert f'action="/news-feeds/{feed.id}/resume"' in row
    assert "Remove" not in row  # admins only
    paused_only = editor_web.get("/news-feeds?show=paused").get_data(as_text=True)
    assert f'id="feed-{feed.id}"' in paused_only
    assert f'id="feed-{feed.id}"' not in editor_web.get("/news-feeds?show=active").get_data(
        as_text=True
    )
    # the reader's calendar setting is respected
    update_user(session, people["editor"].id, {"show_jalali": True})
    jalali = _row(editor_web.get("/news-feeds").get_data(as_text=True), feed.id)
    assert "10 Azar 1405 09:30 (1 Dec 2026)" in jalali
    response = editor_web.post(
        f"/news-feeds/{feed.id}/resume", data={"csrf_token": csrf(editor_web, "/news-feeds")}
    )
    assert response.status_code == 302
    session.refresh(feed)
    assert (feed.active, feed.paused_reason, feed.last_error, feed.consecutive_failures) == (
        True,
        None,
        None,
        0,
    )
    row = _row(editor_web.get("/news-feeds").get_data(as_text=True), feed.id)
    assert "paused:" not in row and f'action="/news-feeds/{feed.id}/pause"' in row
    editor_web.post(
        f"/news-feeds/{feed.id}/pause", data={"csrf_token": csrf(editor_web, "/news-feeds")}
    )
    session.refresh(feed)
    assert (feed.active, feed.paused_reason) == (False, "paused by hand")


def test_a_viewer_reads_the_list_without_the_editors_buttons(viewer_web, session):
    feed = manage.add_feed(session, {"url": TASS, "title": "ТАСС"})
    page = viewer_web.get("/news-feeds")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "ТАСС" in _row(html, feed.id)
    assert "Add a feed" not in html and "Edit" not in _row(html, feed.id)
    assert viewer_web.get("/news-feeds/new").status_code == 403


def test_an_admin_removes_a_feed_after_confirming(admin_web, editor_web, session):
    feed_id = manage.add_feed(session, {"url": TASS, "title": "ТАСС"}).id
    assert editor_web.get(f"/news-feeds/{feed_id}/remove").status_code == 403
    row = _row(admin_web.get("/news-feeds").get_data(as_text=True), feed_id)
    assert f'href="/news-feeds/{feed_id}/remove"' in row
    confirm = admin_web.get(f"/news-feeds/{feed_id}/remove")
    html = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and "Stop watching" in html and TASS in html
    assert session.get(NewsFeed, feed_id) is not None  # asking removes nothing
    done = admin_web.post(
        f"/news-feeds/{feed_id}/remove",
        data={"csrf_token": csrf(admin_web, f"/news-feeds/{feed_id}/remove")},
    )
    assert done.status_code == 302
    session.expire_all()
    assert session.get(NewsFeed, feed_id) is None
    assert "No longer watching ТАСС" in admin_web.get("/news-feeds").get_data(as_text=True)
    assert admin_web.get(f"/news-feeds/{feed_id}/edit").status_code == 404


def test_odd_ids_and_numbers_are_answered_not_crashed_on(admin_web, session):
    for path in ("/news-feeds/2147483647/edit", "/news-feeds/99999999999999999999/remove"):
        assert admin_web.get(path).status_code == 404, path
    token = csrf(admin_web, "/news-feeds")
    assert (
        admin_web.post("/news-feeds/99999999999999999999/resume", data={"csrf_token": token})
    ).status_code == 404
    response = admin_web.post(
        "/news-feeds/new",
        data={
            "csrf_token": csrf(admin_web, "/news-feeds/new"),
            "url": "https://apa.tj/rss",
            "poll_every_minutes": "99999999999999999999",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and errors_beside(html, "poll_every_minutes")
    assert 'value="99999999999999999999"' in html
