"""/api/v1/inbox: readers list and read stories, editors accept, dismiss, make agreements of
and reopen them; a decision the state forbids is a 409 that says why."""

from __future__ import annotations

import json
import threading

import pytest
from sqlalchemy.orm import Session

from tests import factories
from tests.api.conftest import assert_error
from tests.services.test_inbox_items import OTHER, SPORT, STORY
from tracker import create_app, migrate
from tracker.db import make_engine
from tracker.models import Reminder
from tracker.services.accounts.users import create_token, create_user
from tracker.services.data.seed import load_seed
from tracker.services.inbox import items
from tracker.services.reminders import rules


@pytest.fixture
def treaty(session):  # type: ignore[no-untyped-def]
    return factories.agreement(
        session, title="Zarafshan water-sharing agreement", parties=["RUS", "IRN"]
    )


@pytest.fixture
def stories(session):  # type: ignore[no-untyped-def]
    """An on-topic story, another, and an off-topic one, as the feeds bring them in."""
    made = {}
    for name, text in (("story", STORY), ("other", OTHER), ("sport", SPORT)):
        article = factories.article(session, text, outlet="TASS", url=f"http://x.test/{name}")
        made[name] = items.take(session, article)
    return made


def signing(item_body: dict) -> int:
    return next(
        i for i, e in enumerate(item_body["extracted"]["events"]) if e["stage"] == "signing"
    )


def test_readers_list_new_stories_newest_first_and_page_them(viewer, anonymous, stories):
    assert_error(anonymous.get("/api/v1/inbox"), 401)
    response = viewer.get("/api/v1/inbox?page_size=1")
    assert response.status_code == 200, response.get_json()
    paging = json.loads(response.headers["X-Pagination"])
    assert paging["total"] == 2 and paging["total_pages"] == 2
    [first] = response.get_json()
    assert first["id"] == stories["other"].id  # the newest
    body = viewer.get("/api/v1/inbox").get_json()
    assert [i["id"] for i in body] == [stories["other"].id, stories["story"].id]
    shown = body[1]
    assert shown["state"] == "new" and shown["outlet"] == "TASS"
    assert shown["articles"][0]["url"] == "http://x.test/story"
    assert shown["snippet"].startswith("Moscow and Tehran")
    assert set(shown) >= {
        "id",
        "state",
        "article_id",
        "articles",
        "snippet",
        "feed_id",
        "suggestions",
        "extracted",
        "decided_by",
        "agreement_id",
        "created_at",
        "language",
        "title",
        "top_agreement",
    }
    pile = viewer.get("/api/v1/inbox?state=not_about_agreements").get_json()
    assert [i["id"] for i in pile] == [stories["sport"].id]
    assert viewer.get("/api/v1/inbox?language=fa").get_json() == []
    assert_error(viewer.get("/api/v1/inbox?state=maybe"), 422, "state")
    one = viewer.get(f"/api/v1/inbox/{stories['story'].id}")
    assert one.status_code == 200 and one.get_json()["id"] == stories["story"].id
    assert_error(viewer.get("/api/v1/inbox/999999"), 404)


def test_accepting_a_story_records_its_claims(session, viewer, editor, treaty, stories):
    factories.event(session, treaty.id, "announcement", "2024-01-10")
    rules.run(session)
    path = f"/api/v1/inbox/{stories['story'].id}"
    shown = viewer.get(path).get_json()
    body = {"agreement_id": treaty.id, "claims": {"events": [{"index": signing(shown)}]}}
    assert_error(viewer.post(f"{path}/accept", json=body), 403)

    response = editor.post(f"{path}/accept", json=body)
    assert response.status_code == 200, response.get_json()
    accepted = response.get_json()
    assert (accepted["state"], accepted["agreement_id"]) == ("accepted", treaty.id)
    assert accepted["decided_by"] == "editor@example.org"
    events = editor.get(f"/api/v1/agreements/{treaty.id}/events").get_json()
    assert [e["stage"] for e in events if e["stage"] == "signing"] == ["signing"]
    unsigned = [
        r for r in session.query(Reminder).filter_by(agreement_id=treaty.id, rule="unsigned")
    ]
    assert [r.status for r in unsigned] == ["done"]

    conflict = assert_error(editor.post(f"{path}/accept", json=body), 409)
    assert "accepted" in conflict["message"] and "Reopen" in conflict["message"]
    listed = viewer.get(f"/api/v1/inbox?state=accepted&agreement={treaty.id}").get_json()
    assert [i["id"] for i in listed] == [stories["story"].id]


def test_a_refused_accept_names_the_fields_and_changes_nothing(editor, viewer, treaty, stories):
    path = f"/api/v1/inbox/{stories['story'].id}"
    index = signing(viewer.get(path).get_json())
    bad = {"agreement_id": treaty.id, "claims": {"events": [{"index": index, "party": "FRA"}]}}
    assert_error(editor.post(f"{path}/accept", json=bad), 422, f"events.{index}.party")
    assert_error(
        editor.post(f"{path}/accept", json={"agreement_id": 999999, "claims": {}}),
        422,
        "agreement_id",
    )
    assert_error(editor.post(f"{path}/accept", json={"claims": {}}), 422, "agreement_id")
    assert_error(
        editor.post(f"{path}/accept", json={"agreement_id": treaty.id, "claims": {"events": 3}}),
        422,
        "claims.events",
    )
    assert viewer.get(path).get_json()["state"] == "new"
    assert editor.get(f"/api/v1/agreements/{treaty.id}/events").get_json() == []


def test_dismiss_reopen_and_hidden_articles(editor, viewer, stories):
    story = stories["story"]
    path = f"/api/v1/inbox/{story.id}"
    assert_error(viewer.post(f"{path}/dismiss"), 403)
    response = editor.post(f"{path}/dismiss")
    assert response.status_code == 200 and response.get_json()["state"] == "dismissed"
    assert_error(editor.post(f"{path}/dismiss"), 409)

    # the dismissed story's article is out of search and the article list unless asked
    query = "/api/v1/search?q=Zarafshan&type=article"
    assert viewer.get(query).get_json() == []
    assert [h["id"] for h in viewer.get(query + "&hidden=true").get_json()] == [story.article_id]
    listed = viewer.get("/api/v1/articles?q=Zarafshan").get_json()
    assert listed == []
    [hidden] = viewer.get("/api/v1/articles?q=Zarafshan&hidden=true").get_json()
    assert hidden["hidden"] is True

    response = editor.post(f"{path}/reopen")
    assert response.status_code == 200 and response.get_json()["state"] == "new"
    assert_error(editor.post(f"{path}/reopen"), 409)
    assert [h["id"] for h in viewer.get(query).get_json()] == [story.article_id]


def test_a_new_agreement_from_a_story(session, editor, stories):
    story = stories["story"]
    path = f"/api/v1/inbox/{story.id}/new-agreement"
    assert_error(editor.post(path), 422, "title")
    assert_error(editor.post(path, json={"title": "x", "kind": "pact"}), 422, "kind")
    signing = next(i for i, e in enumerate(story.extracted["events"]) if e["stage"] == "signing")
    response = editor.post(
        path,
        json={
            "title": "Zarafshan water-sharing agreement",
            "parties": ["RUS", "IRN"],
            "claims": {"events": [{"index": signing}]},
        },
    )
    assert response.status_code == 201, response.get_json()
    made = response.get_json()
    assert made["state"] == "accepted"
    agreement = editor.get(f"/api/v1/agreements/{made['agreement_id']}").get_json()
    assert agreement["title"] == "Zarafshan water-sharing agreement"
    assert [p["code"] for p in agreement["parties"]] == ["RUS", "IRN"]
    events = editor.get(f"/api/v1/agreements/{made['agreement_id']}/events").get_json()
    assert [(e["stage"], e["date"]) for e in events] == [("signing", "2025-03-14")]
    assert_error(editor.post(path, json={"title": "Again"}), 409)


def test_watched_lists_the_stories_about_my_agreements(session, accounts, viewer, treaty, stories):
    user = accounts["viewer"][0]
    stories["story"].top_agreement_id = treaty.id
    session.commit()
    assert viewer.get("/api/v1/inbox?watched=true").get_json() == []
    user.digest_watchlist = {"agreements": [treaty.id]}
    session.commit()
    watched = viewer.get("/api/v1/inbox?watched=true").get_json()
    assert [i["id"] for i in watched] == [stories["story"].id]
    assert watched[0]["top_agreement"] == {"id": treaty.id, "title": treaty.title}
    feed = viewer.get("/api/v1/inbox?feed=1").get_json()
    assert feed == []


def test_two_editors_deciding_one_story_at_once_one_wins_the_other_gets_409(scratch_url):
    """In two threads on a database of their own: one accepts while the other dismisses;
    the second to come sees the first's decision (409), and the story is as the winner left
    it, its articles shown or hidden to match."""
    engine = make_engine(scratch_url)
    migrate.upgrade(engine)
    with Session(engine, expire_on_commit=False) as session:
        load_seed(session)
        tokens = [
            create_token(session, create_user(session, f"e{n}@example.org", role="editor"))[1]
            for n in range(2)
        ]
        agreement_id = factories.agreement(session, title="Contested story's treaty").id
        item_id = items.take(session, factories.article(session, STORY)).id
    engine.dispose()
    app = create_app({"SECRET_KEY": "test-secret", "DATABASE_URL": scratch_url})
    headers = [{"Authorization": f"Bearer {t}"} for t in tokens]
    path = f"/api/v1/inbox/{item_id}"
    for _round in range(4):
        start = threading.Barrier(2)
        answers: list = [None, None]
        actions = [("accept", {"agreement_id": agreement_id, "claims": {}}), ("dismiss", None)]

        def decide(n: int, start=start, answers=answers, actions=actions) -> None:  # type: ignore[no-untyped-def]
            action, body = actions[n]
            client = app.test_client()
            start.wait()
            answers[n] = client.post(f"{path}/{action}", json=body, headers=headers[n])

        threads = [threading.Thread(target=decide, args=(n,)) for n in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert sorted(a.status_code for a in answers) == [200, 409], [a.get_json() for a in answers]
        winner = next(a for a in answers if a.status_code == 200).get_json()
        stored = app.test_client().get(path, headers=headers[0]).get_json()
        assert stored["state"] == winner["state"] in ("accepted", "dismissed")
        hidden = app.test_client().get(
            f"/api/v1/articles/{stored['article_id']}", headers=headers[0]
        )
        assert hidden.get_json()["hidden"] is (stored["state"] == "dismissed")
        reopened = app.test_client().post(f"{path}/reopen", headers=headers[0])
        assert reopened.status_code == 200
    app.extensions["tracker.engine"].dispose()
