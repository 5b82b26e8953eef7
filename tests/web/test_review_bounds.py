"""The review page of an article reads it once, and reads at most the extractor's limit."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from bench.extraction import mixed_text
from tests import factories
from tests.web.conftest import csrf
from tracker.models import Agreement, Party, PartyAlias
from tracker.services.evidence.extraction import cache_info, readable_part
from tracker.text.extract import MAX_CHARACTERS

_RARELY_NAMED = ("HUN", "ISL", "URY", "BTN", "FJI", "SUR", "GUY", "NPL", "BOL", "MNG")


def _named_in(session, party: Party, text: str) -> bool:
    """Whether any name or alias of the party, in any language, is in the text."""
    aliases = session.scalars(select(PartyAlias.alias).where(PartyAlias.party_code == party.code))
    folded = text.casefold()
    names = [*party.names.values(), *aliases, party.code]
    return any(name.casefold().rstrip("*") in folded for name in names if name)


def _review(treaty_id: int, article_id: int) -> str:
    return f"/agreements/{treaty_id}/evidence/{article_id}/review"


def test_a_second_view_and_the_submission_do_not_read_the_article_again(editor_web, session):
    treaty = factories.agreement(session, parties=["RUS"])
    text = f"Moscow and Tehran signed the treaty on 12 June 2025. Ref {uuid.uuid4().hex}."
    article = factories.article(session, text, published="2025-06-13")
    path = _review(treaty.id, article.id)
    before = cache_info()
    first = editor_web.get(path).get_data(as_text=True)
    after_first = cache_info()
    assert after_first.misses == before.misses + 1
    second = editor_web.get(path).get_data(as_text=True)
    assert 'value="IRN"' in first and 'value="IRN"' in second
    data = {"csrf_token": csrf(editor_web, path), "parties": ["IRN"]}
    assert editor_web.post(path, data=data).status_code == 302
    now = cache_info()
    assert now.misses == after_first.misses  # read once for three views and the submission
    assert now.hits >= after_first.hits + 3
    session.expire_all()
    assert session.get(Agreement, treaty.id).party_codes == ["RUS", "IRN"]


def test_a_long_articles_review_page_reads_its_first_part_and_answers_quickly(editor_web, session):
    treaty = factories.agreement(session, parties=["RUS"])
    # 800,000 characters: the labelled articles over and over, then a party named only
    # far past the limit
    body = mixed_text(800_000)
    # A party the labelled articles never name in any language (they grow; so it is
    # chosen, not fixed).
    name, code = next(
        (party.names["en"], party.code)
        for party in (session.get(Party, c) for c in _RARELY_NAMED)
        if party is not None and not _named_in(session, party, body)
    )
    text = f"Ref {uuid.uuid4().hex}. " + body + f" {name} signed it too."
    article = factories.article(session, text, published="2025-06-13")
    path = _review(treaty.id, article.id)
    page = editor_web.get(path)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    read = len(readable_part(text))
    assert MAX_CHARACTERS // 2 < read <= MAX_CHARACTERS
    assert f"This article has {len(text):,} characters" in html
    assert f"come from its first {read:,} only" in html
    assert 'value="IRN"' in html and f'value="{code}"' not in html
    read_once = cache_info()
    assert editor_web.get(path).status_code == 200
    # the next view uses the kept answer: no second reading. What bounds the time of a view
    # is checked (the part read, read once), not the time itself, which follows the load of
    # the machine the suite runs on.
    assert cache_info().misses == read_once.misses


def test_a_short_articles_review_page_reads_it_all_and_says_nothing_of_a_limit(editor_web, session):
    treaty = factories.agreement(session, parties=["RUS"])
    article = factories.article(session, "Moscow and Tehran signed it. Hungary signed it too.")
    html = editor_web.get(_review(treaty.id, article.id)).get_data(as_text=True)
    assert 'value="HUN"' in html  # the name the long article has past its limit
    assert "characters: the suggestions below come from" not in html
