"""Bad input to the services: an error naming the field, and nothing written."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests import factories
from tracker.models import Agreement, AuditEntry, EvidenceLink, StageEvent
from tracker.services.agreements.commands import create_agreement, update_agreement
from tracker.services.claims.events import record_event
from tracker.services.errors import InvalidInput, NotFound


def _counts(session):
    return tuple(
        session.scalar(select(func.count()).select_from(model))
        for model in (Agreement, StageEvent, EvidenceLink, AuditEntry)
    )


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"stage": "signing", "date": "2025-13-01"}, "date", "month 13"),
        ({"stage": "signing", "date": "2025-02-30"}, "date", "day 30"),
        ({"stage": "signing", "date": "next spring"}, "date", "not an EDTF date"),
        ({"stage": "signing", "date": "1403/13/01"}, "date", "Solar Hijri"),
        ({"stage": "signing", "date": "9999-12-01"}, "date", "outside the supported range"),
        ({"stage": "signing", "date": "0001-01-05"}, "date", "outside the supported range"),
        ({"stage": "signing", "date": "2024-01/2024-02/.."}, "date", "one slash"),
        ({"stage": "signature", "date": "2025-01-17"}, "stage", "Must be one of: preparation,"),
        (
            {"stage": "ratification", "step": "senate", "party": "RUS"},
            "step",
            "Must be one of: submitted,",
        ),
        (
            {"stage": "ratification", "step": "lower_house", "party": "XXX"},
            "party",
            "unknown party code 'XXX'",
        ),
        ({"stage": "ratification", "step": "lower_house"}, "party", "belongs to one party"),
        ({"stage": "signing", "step": "lower_house"}, "step", "only a ratification has steps"),
        ({"stage": "signing", "status": "rumoured"}, "status", "Must be one of: expected,"),
        ({"stage": "signing", "venue": "Moscow"}, "venue", "Unknown field."),
        ({}, "stage", "Missing data for required field."),
    ],
)
def test_a_bad_event_is_refused_naming_the_field(session, data, field, words):
    treaty = factories.agreement(session)
    before = _counts(session)
    with pytest.raises(InvalidInput) as caught:
        record_event(session, treaty.id, data)
    assert field in caught.value.errors
    assert any(words in message for message in caught.value.errors[field]), caught.value.errors
    assert _counts(session) == before


def test_a_quote_not_in_the_article_is_refused_and_nothing_is_written(session):
    treaty = factories.agreement(session)
    report = factories.article(session, "Moscow and Tehran signed the treaty on Friday.")
    before = _counts(session)
    with pytest.raises(InvalidInput) as caught:
        record_event(
            session,
            treaty.id,
            {
                "stage": "signing",
                "date": "2025-01-17",
                "evidence": [{"article_id": report.id, "quote": "signed on Thursday"}],
            },
        )
    assert "quote" in caught.value.errors
    assert _counts(session) == before


def test_a_quote_matches_across_spelling_variants_and_keeps_the_articles_spelling(session):
    treaty = factories.agreement(session)
    text = "مسکو و تهران به زودی یک توافق‌نامه را امضا می‌کنند."
    report = factories.article(session, text, language="fa")
    # Typed with Arabic yeh and kaf, without the zero-width non-joiners:
    event = record_event(
        session,
        treaty.id,
        {
            "stage": "signing",
            "status": "expected",
            "evidence": [{"article_id": report.id, "quote": "توافقنامه را امضا ميكنند"}],
        },
    )
    link = event.evidence[0]
    assert link.quote == "توافق‌نامه را امضا می‌کنند"
    assert text[link.quote_start : link.quote_end] == link.quote


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "T", "kind": "pact"}, "kind"),
        ({"title": "T", "parties": ["RUS", "ZZZ"]}, "parties"),
        ({"title": "T", "parties": "RUS"}, "parties"),
        ({"title": "T", "titles": {"persian": "x"}}, "titles.persian.key"),
        (
            {"title": "T", "entry_into_force_rule": {"days_after_last_notification": -1}},
            "entry_into_force_rule.days_after_last_notification",
        ),
        ({"title": "T", "entry_into_force_rule": {"days": 30}}, "entry_into_force_rule.days"),
        ({"title": "x" * 501}, "title"),
    ],
)
def test_a_bad_agreement_is_refused_naming_the_field(session, data, field):
    before = _counts(session)
    with pytest.raises(InvalidInput) as caught:
        create_agreement(session, data)
    assert field in caught.value.errors
    assert _counts(session) == before


def test_a_failed_update_leaves_the_agreement_as_it_was(session):
    treaty = factories.agreement(session, title="Original", topics=["trade"])
    with pytest.raises(InvalidInput):
        update_agreement(session, treaty.id, {"title": "New", "parties": ["NOPE"]})
    session.expire_all()
    stored = session.get(Agreement, treaty.id)
    assert (stored.title, stored.party_codes, stored.topics) == (
        "Original",
        ["RUS", "IRN"],
        ["trade"],
    )


def test_an_unknown_agreement_is_not_found(session):
    with pytest.raises(NotFound):
        record_event(session, 999_999, {"stage": "signing"})


def test_out_of_order_claims_are_recorded_not_refused(session):
    treaty = factories.agreement(session)
    event = factories.event(session, treaty.id, "entry_into_force", "2020-01-01")
    assert event.id is not None
