"""Evidence articles and their quotes, through the services."""

from __future__ import annotations

import pytest

from tests import factories
from tracker.services.errors import Conflict, InvalidInput, NotFound
from tracker.services.evidence import articles


def test_an_article_is_stored_once_per_canonical_url(session):
    made, created = articles.intake(
        session,
        {"url": "https://www.example.org/news?id=7&utm_source=x", "text": "Signed today."},
    )
    again, created_again = articles.intake(
        session, {"url": "https://example.org/news?id=7#top", "text": "Other text."}
    )
    assert (created, created_again, again.id) == (True, False, made.id)
    assert made.url_canonical == "https://example.org/news?id=7"


def test_input_is_checked_field_by_field(session):
    with pytest.raises(InvalidInput) as refused:
        articles.add_article(session, {"text": "x", "published": "month 13", "cites": 999_999})
    assert set(refused.value.errors) == {"published", "cites"}
    with pytest.raises(InvalidInput):
        articles.add_article(session, {})


def test_a_quoted_article_cannot_be_deleted_and_a_deleted_one_comes_back(session):
    quoted = factories.article(session)
    treaty = factories.agreement(session)
    factories.event(
        session,
        treaty.id,
        "signing",
        evidence=[{"article_id": quoted.id, "quote": "signed the treaty"}],
    )
    with pytest.raises(Conflict):
        articles.delete_article(session, quoted.id)
    spare = factories.article(session, text="Nothing quotes this one.")
    articles.delete_article(session, spare.id)
    with pytest.raises(NotFound):
        articles.get_article(session, spare.id)
    assert articles.restore_article(session, spare.id).deleted_at is None
    with pytest.raises(Conflict):
        articles.restore_article(session, spare.id)


def test_a_quote_must_be_in_the_article_in_any_spelling(session):
    article = factories.article(session, text="مجلس شورای اسلامی لایحه را تصویب کرد.")
    treaty = factories.agreement(session)
    event = factories.event(
        session,
        treaty.id,
        "signing",
        evidence=[{"article_id": article.id, "quote": "مجلس شوراي اسلامي"}],
    )
    link = event.evidence[0]
    assert article.text[link.quote_start : link.quote_end] == "مجلس شورای اسلامی"
    with pytest.raises(InvalidInput):
        factories.event(
            session,
            treaty.id,
            "signing",
            evidence=[{"article_id": article.id, "quote": "not there"}],
        )
