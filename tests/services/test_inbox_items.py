"""The evidence inbox's items: a story taken in once (its near-duplicates joining it), then
accepted with its claims, made an agreement of, dismissed, reopened and, set aside long
enough, purged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests import factories
from tracker.models import AuditEntry, EvidenceArticle, Reminder
from tracker.models.inbox import InboxItem, NewsFeed, NewsFeedEntry
from tracker.models.user import User
from tracker.services import fulltext
from tracker.services.accounts.users import create_user
from tracker.services.agreements.queries import get_agreement
from tracker.services.audit import describe, history
from tracker.services.errors import Conflict, InvalidInput, NotFound
from tracker.services.evidence.articles import list_articles
from tracker.services.evidence.extraction import MAX_CHARACTERS
from tracker.services.evidence.review import suggestions
from tracker.services.inbox import items
from tracker.services.reminders import rules
from tracker.services.reminders.rules import CLOSING_NOTES

STORY = (
    "Moscow and Tehran signed the Zarafshan water-sharing agreement on 14 March 2025 in "
    "Moscow. The Russian Federation and the Islamic Republic of Iran said the agreement "
    "would be ratified by both parliaments this year, the foreign ministry said on Friday, "
    "adding that experts of both sides had prepared the text for two years."
)
# The same story as another outlet printed it: a near-duplicate.
RETOLD = STORY.replace("on Friday", "on Friday evening").replace("two years", "two long years")
OTHER = (
    "Kazakhstan and Turkmenistan agreed on Tuesday to open talks on a transit protocol "
    "for grain carried by rail to the Caspian ports, the two governments said in a joint "
    "statement issued after their ministers of transport met in Astana for a second day."
)
SPORT = (
    "Esteghlal beat Persepolis two goals to one in the city derby on Friday night, with "
    "a late header deciding a match played in heavy rain before a full Azadi stadium; the "
    "coach praised his defenders and said the title race was far from over this season."
)
WEATHER = (
    "Heavy snow closed the mountain roads north of the capital on Monday and schools stayed "
    "shut for a second day, while forecasters expected the cold to last until the weekend "
    "and asked drivers to carry chains, water and blankets on every trip they could not avoid."
)
PERSIAN = (
    "مسکو و تهران روز جمعه توافقنامه همکاری آبی زرافشان را امضا کردند؛ وزیر امور خارجه "
    "گفت این توافقنامه امسال به تصویب مجلس خواهد رسید و کارشناسان دو طرف دو سال روی متن "
) * 3


@pytest.fixture
def treaty(session):  # type: ignore[no-untyped-def]
    return factories.agreement(
        session, title="Zarafshan water-sharing agreement", parties=["RUS", "IRN"]
    )


@pytest.fixture
def editor(session) -> User:  # type: ignore[no-untyped-def]
    return create_user(session, "inbox-editor@example.org", role="editor")


def story(session, text: str = STORY, **fields):  # type: ignore[no-untyped-def]
    article = factories.article(session, text, **({"outlet": "TASS"} | fields))
    return article, items.take(session, article)


def signing_index(item: InboxItem) -> int:
    return next(i for i, e in enumerate(item.extracted["events"]) if e["stage"] == "signing")


def test_the_snippet_is_cut_at_a_word_in_its_own_script():
    cut = items.snippet(PERSIAN)
    assert cut.endswith("…") and len(cut) <= items.SNIPPET + 1
    assert PERSIAN.startswith(cut[:-1])
    assert PERSIAN[len(cut) - 1] == " "  # the next character: the cut fell between words
    assert items.snippet("short text") == "short text"


def test_a_story_about_an_agreement_waits_as_new_with_what_was_read(session, treaty):
    article, item = story(session)
    assert item.state == "new" and item.article_id == article.id
    assert item.language == "en" and item.snippet.startswith("Moscow and Tehran signed")
    assert any(e["stage"] == "signing" for e in item.extracted["events"])
    assert not article.hidden
    # the matcher's ranking is kept, its best for the lists and filters
    assert item.suggestions[0]["agreement_id"] == treaty.id
    assert (item.top_agreement_id, item.top_score) == (treaty.id, item.suggestions[0]["score"])
    # the suggestions kept are the review form's, index for index: accept refers to them
    assert item.extracted["events"] == suggestions(session, treaty.id, article.id).events
    shown = items.present(session, item)
    assert shown["articles"] == [
        {
            "id": article.id,
            "outlet": "TASS",
            "title": "",
            "url": None,
            "language": "en",
            "published": None,
        }
    ]
    assert (shown["state"], shown["outlet"], shown["decided_by"]) == ("new", "TASS", None)


def test_a_story_about_nothing_of_the_kind_is_set_aside_and_hidden(session):
    article, item = story(session, SPORT)
    assert item.state == "not_about_agreements"
    assert article.hidden
    assert items.list_items(session)[0] == [] or item not in items.list_items(session)[0]
    assert item in items.list_items(session, state="not_about_agreements")[0]


def test_a_text_the_extractor_refuses_gives_no_extraction_not_an_error(session):
    article = factories.article(session, "", title="Nothing but a headline")
    item = items.take(session, article)
    assert item is not None and item.extracted is None
    assert item.snippet == "Nothing but a headline"


def test_a_text_longer_than_the_extractor_reads_is_read_in_its_first_part(session):
    long = STORY + " And the talks went on." * (MAX_CHARACTERS // 20)
    assert len(long) > MAX_CHARACTERS
    _, item = story(session, long)
    assert any(e["stage"] == "signing" for e in item.extracted["events"])


def test_a_near_duplicate_joins_its_story_and_a_dismissed_story_stays_dismissed(
    session, treaty, editor
):
    first, item = story(session)
    second, joined = story(session, RETOLD, outlet="IRNA")
    assert second.duplicate_of_id == first.id
    assert joined.id == item.id
    assert session.scalars(select(InboxItem).where(InboxItem.article_id == second.id)).all() == []
    assert [a["outlet"] for a in items.present(session, item)["articles"]] == ["TASS", "IRNA"]

    items.dismiss(session, item.id, actor=editor)
    assert first.hidden and second.hidden
    late, again = story(session, RETOLD.replace("Friday", "Saturday"), outlet="Mehr")
    assert again.id == item.id and again.state == "dismissed"
    assert late.hidden
    assert len(items.present(session, item)["articles"]) == 3


def test_accepting_records_the_claims_and_closes_the_reminder_at_once(session, treaty, editor):
    factories.event(session, treaty.id, "announcement", "2024-01-10")
    rules.run(session, now=datetime(2024, 6, 1, tzinfo=UTC))
    waiting = session.scalars(
        select(Reminder).where(Reminder.agreement_id == treaty.id, Reminder.rule == "unsigned")
    ).one()
    assert waiting.status == "open"
    article, item = story(session)
    index = signing_index(item)
    items.accept(
        session,
        item.id,
        agreement_id=treaty.id,
        claims={"events": [{"index": index}], "parties": []},
        actor=editor,
    )
    assert (item.state, item.agreement_id, item.decided_by_id) == ("accepted", treaty.id, editor.id)
    assert item.decided_at is not None
    signing = [e for e in get_agreement(session, treaty.id).events if e.stage == "signing"]
    assert [link.article_id for e in signing for link in e.evidence] == [article.id]
    session.refresh(waiting)
    assert waiting.status == "done"
    assert waiting.closed_note == CLOSING_NOTES["unsigned"]
    sentences = [line.sentence for line in describe(session, history(session, treaty.id))]
    assert any(
        "accepted the story" in s and "(TASS)" in s and s.endswith(treaty.title) for s in sentences
    ), sentences


def test_an_accept_that_cannot_be_recorded_records_nothing(session, treaty, editor):
    article, item = story(session)
    bad = {"events": [{"index": signing_index(item), "party": "FRA"}, {"index": 99}]}
    with pytest.raises(InvalidInput) as refused:
        items.accept(session, item.id, agreement_id=treaty.id, claims=bad, actor=editor)
    assert {"events.99", f"events.{signing_index(item)}.party"} <= set(refused.value.errors)
    session.refresh(item)
    assert item.state == "new" and item.agreement_id is None
    assert get_agreement(session, treaty.id).events == []

    with pytest.raises(InvalidInput) as refused:
        items.accept(session, item.id, agreement_id=10**6, claims={}, actor=editor)
    assert set(refused.value.errors) == {"agreement_id"}
    with pytest.raises(NotFound):
        items.accept(session, 10**6, agreement_id=treaty.id, claims={}, actor=editor)


def test_decisions_follow_the_states(session, treaty, editor):
    article, item = story(session)
    items.dismiss(session, item.id, actor=editor)
    assert item.state == "dismissed" and article.hidden
    with pytest.raises(Conflict, match="dismissed"):
        items.accept(session, item.id, agreement_id=treaty.id, claims={}, actor=editor)
    with pytest.raises(Conflict):
        items.dismiss(session, item.id, actor=editor)
    items.reopen(session, item.id, actor=editor)
    assert (item.state, item.decided_by_id, article.hidden) == ("new", None, False)
    with pytest.raises(Conflict, match="new already"):
        items.reopen(session, item.id, actor=editor)

    # accepted, then reopened: the claims recorded stay
    claims = {"events": [{"index": signing_index(item)}]}
    items.accept(session, item.id, agreement_id=treaty.id, claims=claims, actor=editor)
    items.reopen(session, item.id, actor=editor)
    assert (item.state, item.agreement_id) == ("new", None)
    assert [e.stage for e in get_agreement(session, treaty.id).events] == ["signing"]
    # dismissed now, but the evidence behind a claim is never hidden from search
    items.dismiss(session, item.id, actor=editor)
    assert item.state == "dismissed" and not article.hidden


def test_a_story_from_the_off_topic_pile_can_be_accepted_in_one_action(session, treaty, editor):
    article, item = story(session, SPORT)
    items.accept(session, item.id, agreement_id=treaty.id, claims={}, actor=editor)
    assert item.state == "accepted" and not article.hidden


def test_a_new_agreement_from_a_story(session, editor):
    article, item = story(session)
    with pytest.raises(InvalidInput) as refused:
        items.new_agreement(session, item.id, {}, actor=editor)
    assert "title" in refused.value.errors
    item.suggestions = [
        {
            "agreement_id": None,
            "new_agreement": {"title": "Water deal", "parties": ["RUS", "IRN"], "kind": "treaty"},
            "score": 0.6,
            "reasons": [],
        }
    ]
    session.commit()
    with pytest.raises(InvalidInput) as refused:
        items.new_agreement(session, item.id, {"parties": ["XXX"]}, actor=editor)
    assert "parties" in refused.value.errors
    _, made = items.new_agreement(
        session, item.id, {"title": "Zarafshan water-sharing agreement"}, actor=editor
    )
    assert (made.title, made.party_codes, made.kind) == (
        "Zarafshan water-sharing agreement",
        ["RUS", "IRN"],
        "treaty",
    )
    assert (item.state, item.agreement_id) == ("accepted", made.id)


def test_lists_filter_and_count(session, treaty, editor):
    feed = NewsFeed(url="http://127.0.0.1/feed.xml", url_canonical="http://127.0.0.1/feed.xml")
    session.add(feed)
    session.flush()
    start = datetime(2025, 3, 1, tzinfo=UTC)
    made = []
    for n, (text, language) in enumerate([(STORY, "en"), (PERSIAN, "fa"), (OTHER, "en")]):
        article = factories.article(session, text, language=language, url=f"http://x.test/{n}")
        when = start + timedelta(days=n)
        made.append(items.take(session, article, feed=feed if n else None, now=when))
    assert [i.state for i in made] == ["new", "new", "new"]
    ours = {i.id for i in made}

    def listed(**filters):  # type: ignore[no-untyped-def]
        return [i.id for i in items.list_items(session, per_page=500, **filters)[0] if i.id in ours]

    assert listed() == [made[2].id, made[1].id, made[0].id]  # newest first
    assert listed(feed_id=feed.id) == [made[2].id, made[1].id]
    assert listed(language="fa") == [made[1].id]
    assert listed(state="accepted") == []
    page, total = items.list_items(session, per_page=1, page=2)
    assert total >= 3 and len(page) == 1

    # what the matcher suggested aside: the filters read the top suggestion and the decision
    for item in made:
        item.top_agreement_id = None
    session.commit()
    items.accept(session, made[0].id, agreement_id=treaty.id, claims={}, actor=editor)
    assert listed(state="accepted", agreement_id=treaty.id) == [made[0].id]
    assert listed(agreement_id=treaty.id) == []
    reader = create_user(session, "watcher@example.org", role="viewer")
    assert listed(state="accepted", watched_by=reader) == []
    reader.digest_watchlist = {"parties": ["IRN"]}
    session.commit()
    assert listed(state="accepted", watched_by=reader) == [made[0].id]

    # a new story whose top suggestion is a watched agreement counts as watched
    items.reopen(session, made[0].id, actor=editor)
    made[0].top_agreement_id = treaty.id
    session.commit()
    assert listed(watched_by=reader) == [made[0].id]
    new, watched = items.counts(session, reader)
    assert new >= 3 and watched >= 1
    nobody = create_user(session, "nobody@example.org")
    # the digest's count for many users at once says the same
    assert items.counts_for(session, [reader, nobody]) == {
        reader.id: (new, watched),
        nobody.id: (new, 0),
    }
    reader.digest_watchlist = {"agreements": [treaty.id + 1000]}
    session.commit()
    assert listed(watched_by=reader) == []
    assert items.counts(session, nobody)[1] == 0
    assert items.counts_for(session, [reader])[reader.id] == (new, 0)


def test_search_and_lists_leave_hidden_articles_out_unless_asked(session, editor):
    article, item = story(session, SPORT)
    assert article.hidden
    kept = factories.article(session, "Persepolis opened a museum of its trophies on Monday.")
    words = "Persepolis"
    hits, total, _ = fulltext.search(session, words)
    assert (total, [h.id for h in hits]) == (1, [kept.id])
    hits, total, _ = fulltext.search(session, words, hidden=True)
    assert total == 2 and {h.id for h in hits} == {article.id, kept.id}
    assert list_articles(session, q=words)[0] == [kept]
    assert set(list_articles(session, q=words, hidden=True)[0]) == {article, kept}
    items.reopen(session, item.id, actor=editor)
    assert fulltext.search(session, words)[1] == 2


def test_purge_removes_old_set_aside_stories_with_their_articles(session, treaty, editor):
    now = datetime(2026, 1, 1, tzinfo=UTC)
    old = now - timedelta(days=100)
    feed = NewsFeed(url="http://127.0.0.1/p.xml", url_canonical="http://127.0.0.1/p.xml")
    session.add(feed)
    session.flush()
    # off-topic, brought in long ago, with a near-duplicate: goes
    noise = factories.article(session, SPORT)
    noise_item = items.take(session, noise, feed=feed, now=old)
    copy = factories.article(session, SPORT.replace("heavy rain", "pouring rain"))
    items.take(session, copy, feed=feed, now=old)
    session.add(NewsFeedEntry(feed_id=feed.id, key="a" * 64, article_id=noise.id))
    # off-topic, recent: stays
    fresh = factories.article(session, WEATHER)
    fresh_item = items.take(session, fresh, now=now - timedelta(days=10))
    # dismissed long ago, but a claim quotes it: stays
    quoted, quoted_item = story(session)
    items.accept(
        session,
        quoted_item.id,
        agreement_id=treaty.id,
        claims={"events": [{"index": signing_index(quoted_item)}]},
        actor=editor,
    )
    items.reopen(session, quoted_item.id, actor=editor)
    items.dismiss(session, quoted_item.id, actor=editor)
    quoted_item.decided_at = old
    # dismissed long ago, nothing quotes it: goes (counted from the decision) ...
    dismissed = items.take(session, factories.article(session, OTHER), now=old)
    items.dismiss(session, dismissed.id, actor=editor)
    dismissed.decided_at = old
    # ... and brought in long ago but dismissed lately: stays
    lately = items.take(session, factories.article(session, PERSIAN, language="fa"), now=old)
    items.dismiss(session, lately.id, actor=editor)
    lately.decided_at = now - timedelta(days=5)
    session.commit()
    ids = (noise.id, copy.id, noise_item.id, dismissed.id, dismissed.article_id)

    assert items.purge(session, now=now, retention_days=90) == 2
    assert session.get(InboxItem, ids[3]) is None
    assert session.get(EvidenceArticle, ids[4]) is None
    assert session.get(InboxItem, lately.id) is not None
    assert session.get(EvidenceArticle, ids[0]) is None
    assert session.get(EvidenceArticle, ids[1]) is None
    assert session.get(InboxItem, ids[2]) is None
    entry = session.scalars(select(NewsFeedEntry).where(NewsFeedEntry.feed_id == feed.id)).one()
    session.refresh(entry)
    assert entry.article_id is None  # the entry is remembered: not brought in again
    assert session.get(InboxItem, fresh_item.id) is not None
    assert session.get(InboxItem, quoted_item.id) is not None
    assert session.scalars(
        select(AuditEntry).where(AuditEntry.entity == "inbox_item", AuditEntry.action == "purge")
    ).all()
    assert items.purge(session, now=now, retention_days=90) == 0


def test_the_snippet_starts_after_the_title_the_text_opens_with():
    text = "Moscow and Tehran sign a water deal\n\n" + STORY
    assert items.snippet(text, title="Moscow and Tehran sign a water deal").startswith(
        "Moscow and Tehran signed the Zarafshan"
    )
    # a text that is its title alone keeps it
    assert items.snippet("Water deal", title="Water deal") == "Water deal"


def test_a_new_agreement_records_the_claims_given_or_those_the_extractor_is_sure_of(
    session, editor
):
    """In one action: the agreement, the story accepted for it, and its claims; with
    `claims="confident"` the events the review page would open ticked (the signing of 14
    March 2025, not the ratification the story only expects)."""
    suggested = {
        "agreement_id": None,
        "new_agreement": {"title": "Water deal", "parties": ["RUS", "IRN"], "kind": "treaty"},
        "score": 0.6,
        "reasons": [],
    }
    _, item = story(session)
    item.suggestions = [suggested]
    session.commit()
    _, made = items.new_agreement(session, item.id, {}, claims="confident", actor=editor)
    recorded = [(e.stage, e.date, e.status) for e in made.events]
    assert recorded == [("signing", "2025-03-14", "reported")]
    assert made.events[0].evidence[0].quote.startswith("Moscow and Tehran signed")

    _, other = story(
        session,
        "Kazakhstan and Turkmenistan signed a protocol on grain transit by rail on 2 April "
        "2025 in Astana, the ministers of transport said after the ceremony, and added that "
        "the first trains would leave for the Caspian ports in the summer.",
        outlet="Kazinform",
    )
    other.suggestions = [suggested | {"new_agreement": None}]
    session.commit()
    index = signing_index(other)
    with pytest.raises(InvalidInput) as refused:
        items.new_agreement(session, other.id, {"title": "Grain"}, claims="all")
    assert "claims" in refused.value.errors and other.state == "new"
    _, second = items.new_agreement(
        session,
        other.id,
        {"title": "Grain transit protocol", "parties": ["KAZ", "TKM"], "kind": "protocol"},
        claims={"events": [{"index": index}]},
    )
    assert [e.stage for e in second.events] == ["signing"]
