"""Full-text search on both engines: spelling variants, case, ranking, snippets, and an
index that follows updates and deletes."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from tests import factories
from tests.api.conftest import Api, assert_error
from tracker.models import EvidenceArticle
from tracker.services import fulltext as search_service
from tracker.services.agreements.commands import delete_agreement, update_agreement
from tracker.services.evidence.articles import (
    add_article,
    delete_article,
    list_articles,
    restore_article,
)
from tracker.services.fulltext import search, snippet

ZWNJ = "\u200c"
PERSIAN = f"وزارت دفاع روسیه اعلام کرد که مسکو و تهران به زودی یک توافق{ZWNJ}نامه بزرگ را امضا می{ZWNJ}کنند. تاریخ: ۱۴۰۲/۱۰/۲۵"
ARABIC = "وقّعت روسيا وإيران معاهدة الشراكة الاستراتيجية الشاملة في موسكو."
RUSSIAN = "Государственная Дума ратифицировала Договор о всеобъемлющем стратегическом партнёрстве с Ираном."
ENGLISH = "The Guardian Council approved the Iran-Russia strategic partnership treaty on Wednesday."


@pytest.fixture
def corpus(session):  # type: ignore[no-untyped-def]
    made = {
        "fa": add_article(session, {"text": PERSIAN, "language": "fa"}),
        "ar": add_article(session, {"text": ARABIC, "language": "ar"}),
        "ru": add_article(session, {"text": RUSSIAN, "language": "ru"}),
        "en": add_article(session, {"text": ENGLISH, "language": "en"}),
    }
    return made


def _ids(session, query: str, kind: str = "article") -> set[int]:  # type: ignore[no-untyped-def]
    return {hit.id for hit in search(session, query, kind=kind, limit=100)[0]}


@pytest.mark.parametrize(
    ("query", "language"),
    [
        ("توافقنامه", "fa"),  # without the ZWNJ the article has
        (f"توافق{ZWNJ}نامه", "fa"),
        ("ميكنند", "fa"),  # Arabic yeh and kaf for Persian ی and ک
        ("مسكو تهران", "fa"),
        ("1402", "fa"),  # Latin digits find Persian ones
        ("وقعت", "ar"),  # without the shadda
        ("معاهده", "ar"),  # heh for teh marbuta
        ("ГОСУДАРСТВЕННАЯ ДУМА", "ru"),
        ("партнерстве", "ru"),  # е for ё
        ("guardian COUNCIL", "en"),
        ("ratif", "ru"),  # no: Latin is not Cyrillic (checked below to find nothing)
    ],
)
def test_any_spelling_variant_finds_the_text(session, corpus, query, language):
    found = _ids(session, query)
    if query == "ratif":
        assert corpus["ru"].id not in found
    else:
        assert corpus[language].id in found, query


def test_every_word_must_be_present(session, corpus):
    assert corpus["en"].id in _ids(session, "guardian treaty")
    assert corpus["en"].id not in _ids(session, "guardian kremlin")


def test_ranking_puts_the_closer_text_first(session):
    many = add_article(
        session, {"text": "Treaty treaty treaty: the treaty on the treaty was signed."}
    )
    one = add_article(
        session,
        {
            "text": "A long report on many subjects in which a treaty is mentioned once among other things."
        },
    )
    order = [hit.id for hit in search(session, "treaty", kind="article", limit=100)[0]]
    assert order.index(many.id) < order.index(one.id)


def _rank_window(monkeypatch, size: int) -> None:  # type: ignore[no-untyped-def]
    """Rank only the newest `size` matches, articles on PostgreSQL included."""
    monkeypatch.setattr(search_service, "RANK_WINDOW", size)
    monkeypatch.setattr(search_service, "ARTICLE_RANK_WINDOW", size)


def test_the_words_in_the_title_and_lead_rank_above_a_mention_deep_in_the_text(session):
    filler = " ".join(
        f"Paragraph {n} reports the weather, the harvest and the markets." for n in range(40)
    )
    deep = add_article(
        session, {"title": "Weekly round-up", "text": f"{filler} A quokkan pact was mentioned."}
    )
    lead = add_article(
        session, {"title": "Quokkan pact signed", "text": "The quokkan pact was signed today."}
    )
    order = [hit.id for hit in search(session, "quokkan pact", kind="article", limit=10)[0]]
    assert order == [lead.id, deep.id]


def test_the_newest_matches_are_ranked_however_unevenly_the_matches_are_spread(
    session, monkeypatch
):
    """Most matches are old and the newest one is far above them: the window still holds
    exactly the newest three (PostgreSQL guesses an id bound first, then reads them all)."""
    _rank_window(monkeypatch, 3)
    old = [add_article(session, {"text": f"Report {n}: the wombatian charter."}) for n in range(5)]
    for n in range(30):
        add_article(session, {"text": f"Unrelated report {n} on fisheries."})
    newest = add_article(session, {"text": "At last, the wombatian charter in force."})
    hits, total, _ = search(session, "wombatian charter", kind="article", limit=10)
    assert total == 6
    assert {hit.id for hit in hits} == {newest.id, old[4].id, old[3].id}


def test_a_deleted_article_leaves_the_search_and_a_restored_one_comes_back(session):
    article = add_article(session, {"text": "The numbatian treaty was ratified."})
    delete_article(session, article.id)
    assert article.id not in _ids(session, "numbatian")
    assert search(session, "numbatian", kind="article")[1] == 0
    restore_article(session, article.id)
    assert article.id in _ids(session, "numbatian")
    article.hidden = True
    session.flush()
    assert article.id not in _ids(session, "numbatian")
    assert article.id in {
        h.id for h in search(session, "numbatian", kind="article", hidden=True)[0]
    }
    article.hidden = False
    session.flush()
    assert article.id in _ids(session, "numbatian")


def test_a_list_of_articles_by_words_counts_what_it_lists(session):
    """The total of `q` alone comes from the full-text index; with another filter, from the
    articles: the same articles either way, the hidden and deleted ones left out."""
    made = [
        add_article(session, {"text": f"Report {n}: the bilbian accord.", "language": "en"})
        for n in range(4)
    ]
    add_article(session, {"text": "Another subject entirely.", "language": "en"})
    made[0].hidden = True
    session.flush()
    delete_article(session, made[1].id)
    listed, total = list_articles(session, q="bilbian accord")
    assert total == 2 and {a.id for a in listed} == {made[2].id, made[3].id}
    assert [a.id for a in listed] == [made[3].id, made[2].id]  # the newest first
    listed, total = list_articles(session, q="bilbian accord", language="en")
    assert total == 2 and {a.id for a in listed} == {made[2].id, made[3].id}
    listed, total = list_articles(session, q="bilbian", hidden=True)
    assert total == 3 and made[0].id in {a.id for a in listed}


def test_past_the_rank_window_every_match_is_counted_and_the_newest_are_ranked(
    session, monkeypatch
):
    _rank_window(monkeypatch, 3)
    oldest = add_article(
        session, {"text": "Covenant covenant covenant: the covenant on the covenant."}
    )
    newer = [
        add_article(session, {"text": f"Report {n} on many subjects; a covenant is named once."})
        for n in range(4)
    ]
    gone = add_article(session, {"text": "A withdrawn covenant report."})
    gone.deleted_at = datetime.now(UTC)
    session.flush()
    hits, total, _ = search(session, "covenant", kind="article", limit=10)
    assert total == 5  # the soft-deleted one is not counted
    assert {hit.id for hit in hits} == {article.id for article in newer[-3:]}
    assert oldest.id not in {hit.id for hit in hits}


@pytest.mark.parametrize("first_span", [3, 9, 21, 10_000])
def test_the_total_is_exact_up_to_the_cap_wherever_the_newest_matches_are_looked_for_first(
    session, monkeypatch, first_span
):
    """PostgreSQL looks for the newest matches among the newest FIRST_SPAN ids first, then
    among every match: wherever that span ends (holding more than the cap, a window's worth,
    or fewer), the same newest matches are ranked and the total is the same: exact up to
    the cap, and past it the cap with `capped`."""
    _rank_window(monkeypatch, 3)
    monkeypatch.setattr(search_service, "FIRST_SPAN", first_span)
    made = []
    for n in range(10):
        made.append(add_article(session, {"text": f"Report {n}: the kakapoan compact."}))
        add_article(session, {"text": f"Report {n} on fisheries."})
    newest = {article.id for article in made[-3:]}
    monkeypatch.setattr(search_service, "CAP", 20)
    hits, total, capped = search(session, "kakapoan compact", kind="article", limit=10)
    assert (total, capped) == (10, False)
    assert {hit.id for hit in hits} == newest
    monkeypatch.setattr(search_service, "CAP", 6)
    hits, total, capped = search(session, "kakapoan", kind="article", limit=10)
    assert (total, capped) == (6, True)
    assert {hit.id for hit in hits} == newest
    monkeypatch.setattr(search_service, "CAP", 10)
    assert search(session, "kakapoan", kind="article")[1:] == (10, False)
    # A count alone (a list of articles by their words) counts every match.
    assert search_service.count(session, "article", ["kakapoan"]) == 10


def test_the_search_api_and_page_say_when_the_total_stopped_at_the_cap(
    client, session, monkeypatch
):  # type: ignore[no-untyped-def]
    from tracker.services.accounts.users import create_token, create_user

    monkeypatch.setattr(search_service, "CAP", 2)
    for n in range(3):
        add_article(session, {"text": f"Report {n}: the takahean accord."})
    viewer = Api(client, create_token(session, create_user(session, "s@example.org"))[1])
    response = viewer.get("/api/v1/search?q=takahean")
    paging = json.loads(response.headers["X-Pagination"])
    assert (paging["total"], paging["total_capped"], len(response.get_json())) == (2, True, 3)
    response = viewer.get("/api/v1/search?q=takahean&type=article&page_size=1&page=2")
    assert json.loads(response.headers["X-Pagination"])["total_capped"] is True
    monkeypatch.setattr(search_service, "CAP", 3)
    response = viewer.get("/api/v1/search?q=takahean")
    paging = json.loads(response.headers["X-Pagination"])
    assert (paging["total"], paging["total_capped"]) == (3, False)


def test_a_prefix_finds_every_word_it_begins_however_many_there_are(session, monkeypatch):
    made = [
        add_article(session, {"text": f"Дума {word} соглашение.", "language": "ru"})
        for word in ("ратифицировала", "ратификации", "ратифицирован")
    ]
    other = add_article(session, {"text": "Дума рассмотрела соглашение.", "language": "ru"})
    found = _ids(session, "ратифи")
    assert {article.id for article in made} <= found
    assert other.id not in found
    assert search(session, "ратифи соглашение", kind="article")[1] == 3
    # more forms than a prefix is spelled out into: the same articles, by the prefix itself
    monkeypatch.setattr(search_service, "MAX_EXPANSION", 2)
    assert _ids(session, "ратифи") == found
    assert search(session, "ратифи соглашение", kind="article")[1] == 3


def test_a_word_with_a_diacritic_finds_the_text_written_without_it(session):
    article = add_article(session, {"text": "Le café de la Paix accueille les négociateurs."})
    assert article.id in _ids(session, "CAFÉ")
    assert article.id in _ids(session, "négo")


def test_hidden_and_deleted_articles_are_neither_ranked_nor_counted(session, monkeypatch):
    _rank_window(monkeypatch, 2)
    made = [
        add_article(session, {"text": f"Report {n}: the zorbian accord was signed."})
        for n in range(5)
    ]
    made[4].hidden = True  # the newest two are out of the window's reckoning
    made[3].deleted_at = datetime.now(UTC)
    session.flush()
    hits, total, _ = search(session, "zorbian accord", kind="article", limit=10)
    assert total == 3
    assert {hit.id for hit in hits} == {made[2].id, made[1].id}  # the newest two live ones
    hits, total, _ = search(session, "zorbian", kind="article", limit=10, hidden=True)
    assert total == 4
    assert made[4].id in {hit.id for hit in hits}


def test_snippets_come_from_the_original_text_with_highlights():
    cut, marks = snippet(PERSIAN, ["توافقنامه", "میکنند"])
    assert [cut[s:e] for s, e in marks] == [f"توافق{ZWNJ}نامه", f"می{ZWNJ}کنند"]


def test_the_index_follows_updates_and_deletes(session):
    treaty = factories.agreement(session, title="Caspian fisheries accord")
    assert treaty.id in _ids(session, "fisheries", "agreement")
    update_agreement(session, treaty.id, {"title": "Caspian shipping accord"})
    assert treaty.id not in _ids(session, "fisheries", "agreement")
    assert treaty.id in _ids(session, "shipping", "agreement")
    delete_agreement(session, treaty.id)
    assert treaty.id not in _ids(session, "shipping", "agreement")
    article = add_article(session, {"text": "Unique zanzibarian wording."})
    assert article.id in _ids(session, "zanzibarian")
    session.delete(session.get(EvidenceArticle, article.id))  # a hard delete, too
    session.flush()
    assert article.id not in _ids(session, "zanzibarian")


def test_search_api_and_q_on_lists(client, session, corpus):
    from tracker.services.accounts.users import create_token, create_user

    viewer = Api(client, create_token(session, create_user(session, "s@example.org"))[1])
    hits = viewer.get("/api/v1/search?q=مسكو").get_json()
    hit = next(h for h in hits if h["type"] == "article" and h["id"] == corpus["fa"].id)
    assert any(hit["snippet"][s:e] == "مسکو" for s, e in hit["highlights"])
    listed = viewer.get("/api/v1/articles?q=guardian").get_json()
    assert [a["id"] for a in listed] == [corpus["en"].id]
    assert_error(viewer.get("/api/v1/search"), 422, "q")
    assert_error(viewer.get("/api/v1/search?q=x&type=person"), 422, "type")
    assert viewer.get("/api/v1/search?q=%22%2A%29(").get_json() == []  # FTS syntax is inert


RESERVATION = "جمهوری اسلامی ایران خود را ملزم به اجرای بند ۲ ماده ۱۴ نمی‌داند"
RUSSIAN_DECLARATION = "Российская Федерация заявляет, что её обязательства распространяются"


def test_declarations_are_found_in_any_spelling_and_lead_to_their_agreement(session, client):
    from tracker.services.claims import declarations

    treaty = factories.agreement(session, title="Convention", parties=["IRN", "RUS", "FRA"])
    persian = declarations.record_declaration(
        session, treaty.id, {"party": "IRN", "kind": "reservation", "text": RESERVATION}
    )
    russian = declarations.record_declaration(
        session, treaty.id, {"party": "RUS", "kind": "declaration", "text": RUSSIAN_DECLARATION}
    )
    # Arabic yeh and kaf, no ZWNJ, Latin digits; Russian е for ё
    for query in ("جمهوري اسلامي", "نميداند", "ماده 14", "ملزم"):
        assert _ids(session, query, "declaration") == {persian.id}, query
    assert _ids(session, "ее обязательства", "declaration") == {russian.id}
    hits, _, _ = search(session, "ملزم")
    (hit,) = [h for h in hits if h.kind == "declaration"]
    assert hit.agreement_id == treaty.id
    assert hit.title == "IRN's reservation to Convention"
    (start, end), *_ = hit.highlights
    assert hit.snippet[start:end] == "ملزم"

    # an amended text is found by its new words only; a removed one, and one of a deleted
    # agreement, not at all
    declarations.amend_declaration(session, persian.id, {"text": "متن تازه"})
    assert _ids(session, "ملزم", "declaration") == set()
    assert _ids(session, "تازه", "declaration") == {persian.id}
    declarations.remove_declaration(session, persian.id)
    assert _ids(session, "تازه", "declaration") == set()
    delete_agreement(session, treaty.id)
    assert _ids(session, "обязательства", "declaration") == set()
    assert search(session, "обязательства", kind="declaration")[1] == 0


def test_the_search_api_names_a_declarations_agreement(session, client):
    from tracker.services.accounts.users import create_token, create_user
    from tracker.services.claims import declarations

    treaty = factories.agreement(session, title="Convention", parties=["IRN", "RUS"])
    made = declarations.record_declaration(
        session, treaty.id, {"party": "IRN", "kind": "reservation", "text": RESERVATION}
    )
    viewer = Api(client, create_token(session, create_user(session, "s@example.org"))[1])
    response = viewer.get("/api/v1/search", query_string={"q": "جمهوري اسلامي"})
    assert response.status_code == 200
    (hit,) = [h for h in response.get_json() if h["type"] == "declaration"]
    assert "agreement_id" not in [h for h in response.get_json() if h["type"] != "declaration"][0]
    assert (hit["type"], hit["id"], hit["agreement_id"]) == ("declaration", made.id, treaty.id)
    assert_error(
        viewer.get("/api/v1/search", query_string={"q": "x", "type": "reservation"}), 422, "type"
    )
