"""Recording, amending, retracting and preferring claims, through the services."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests import factories
from tracker.models import AgreementState, AuditEntry, Principle
from tracker.services.agreements import commands, state
from tracker.services.claims import events, principles
from tracker.services.errors import Conflict, InvalidInput, NotFound, Stale


def test_recording_a_claim_refreshes_the_cached_lifecycle_in_the_same_call(session):
    treaty = factories.agreement(session)
    assert session.get(AgreementState, treaty.id).current_stage is None
    event = factories.event(session, treaty.id, "signing", "2025-01-17")
    state = session.get(AgreementState, treaty.id)
    session.refresh(state)
    assert state.current_stage == "signing"
    entry = session.scalars(
        select(AuditEntry).where(
            AuditEntry.entity == "stage_event", AuditEntry.entity_id == str(event.id)
        )
    ).one()
    assert (entry.action, entry.agreement_id, entry.after["evidence"]) == ("create", treaty.id, [])


def test_a_step_belongs_to_a_ratification_of_one_party(session):
    treaty = factories.agreement(session)
    with pytest.raises(InvalidInput) as refused:
        events.record_event(session, treaty.id, {"stage": "signing", "step": "lower_house"})
    assert set(refused.value.errors) == {"step"}
    with pytest.raises(InvalidInput) as refused:
        events.record_event(session, treaty.id, {"stage": "ratification"})
    assert set(refused.value.errors) == {"party"}


def test_retraction_is_undone_to_the_status_before_it(session):
    treaty = factories.agreement(session)
    event = factories.event(session, treaty.id, "signing", "2025-01-17", status="confirmed")
    events.retract_event(session, event.id)
    assert events.get_event(session, event.id).status == "retracted"
    assert events.undo_retraction(session, event.id).status == "confirmed"
    with pytest.raises(Conflict):
        events.undo_retraction(session, event.id)


def test_preferring_a_claim_sets_its_rivals_aside(session):
    treaty = factories.agreement(session)
    first = factories.event(session, treaty.id, "signing", "2025-01-17")
    second = factories.event(session, treaty.id, "signing", "2025-01-18")
    events.prefer_event(session, first.id)
    events.prefer_event(session, second.id)
    assert (events.get_event(session, first.id).preferred, second.preferred) == (False, True)
    retracted = factories.event(session, treaty.id, "signing", "2025-01-19", status="retracted")
    with pytest.raises(InvalidInput):
        events.prefer_event(session, retracted.id)


def test_edit_checks_the_version_and_writes_nothing_when_stale(session):
    treaty = factories.agreement(session)
    event = factories.event(session, treaty.id, "signing", "2025-01-17")
    seen = event.version
    events.edit_event(session, event.id, {"place": "Moscow"}, expected_version=seen)
    with pytest.raises(Stale):
        events.edit_event(session, event.id, {"place": "Tehran"}, expected_version=seen)
    assert events.get_event(session, event.id).place == "Moscow"


def test_claims_of_a_missing_agreement_or_event_are_not_found(session):
    with pytest.raises(NotFound):
        events.record_event(session, 999_999, {"stage": "signing"})
    with pytest.raises(NotFound):
        events.get_event(session, 2**40)


def _assert_cache_is_current(session, agreement):  # type: ignore[no-untyped-def]
    """Derived afresh, the lifecycle is what the cache holds."""
    stored = session.get(AgreementState, agreement.id)
    session.refresh(stored)
    cached = dict(stored.derived)
    state.refresh(session, [agreement])
    session.flush()
    session.refresh(stored)
    assert stored.derived == cached


def test_the_cached_lifecycle_is_never_behind_after_any_change_to_claims(session):
    """Every change that can move the lifecycle refreshes its cache in the same call."""
    treaty = factories.agreement(
        session, entry_into_force_rule={"days_after_last_notification": 30}
    )
    article = factories.article(session)
    factories.event(session, treaty.id, "signing", "2025-01-17")
    _assert_cache_is_current(session, treaty)
    rival = factories.event(session, treaty.id, "signing", "2025-01-18")
    _assert_cache_is_current(session, treaty)
    duma = factories.event(
        session, treaty.id, "ratification", "2025-03-01", party="RUS", step="lower_house"
    )
    _assert_cache_is_current(session, treaty)
    changes = [
        lambda: events.prefer_event(session, rival.id),
        lambda: events.amend_event(session, duma.id, {"date": "2025-05-05"}),
        lambda: events.edit_event(session, duma.id, {"step": "upper_house"}),
        lambda: events.retract_event(session, duma.id),
        lambda: events.undo_retraction(session, duma.id),
        lambda: events.record_event(
            session,
            treaty.id,
            {
                "stage": "ratification",
                "party": "IRN",
                "step": "notification",
                "date": "2025-04-01",
                "evidence": [{"article_id": article.id, "quote": "signed the treaty"}],
            },
        ),
        lambda: principles.state_principle(
            session,
            treaty.id,
            {"principle": session.scalars(select(Principle.code)).first(), "clause": "Art. 1"},
        ),
        lambda: commands.update_agreement(session, treaty.id, {"parties": ["RUS"]}),
    ]
    for change in changes:
        change()
        _assert_cache_is_current(session, treaty)
