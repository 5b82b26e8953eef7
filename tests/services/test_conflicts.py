"""Conflicting claims are kept side by side until a researcher settles them."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from tests import factories
from tracker.models import AuditEntry, StageEvent
from tracker.services.agreements.queries import lifecycle
from tracker.services.claims.events import prefer_event, retract_event


def test_two_signing_dates_are_both_kept_as_one_conflict(session):
    treaty = factories.agreement(session)
    first = factories.event(session, treaty.id, "signing", "2025-01-17", place="Moscow")
    second = factories.event(session, treaty.id, "signing", "2025-01-18", place="Moscow")
    stored = session.scalars(select(StageEvent).where(StageEvent.agreement_id == treaty.id)).all()
    assert {e.date for e in stored} == {"2025-01-17", "2025-01-18"}
    life = lifecycle(session, treaty, today=date(2025, 2, 1))
    assert life.conflicts == [sorted([first.id, second.id])]
    assert life.current_stage == "signing"


def test_preferring_one_claim_settles_the_conflict_and_keeps_both(session):
    treaty = factories.agreement(session)
    first = factories.event(session, treaty.id, "signing", "2025-01-17")
    second = factories.event(session, treaty.id, "signing", "2025-01-18")
    prefer_event(session, second.id)
    assert lifecycle(session, treaty, today=date(2025, 2, 1)).conflicts == []
    # Changing one's mind moves the preference; it never leaves two preferred claims.
    prefer_event(session, first.id)
    session.refresh(second)
    assert (first.preferred, second.preferred) == (True, False)
    assert lifecycle(session, treaty, today=date(2025, 2, 1)).counted_event_ids == [first.id]
    assert session.scalar(
        select(AuditEntry.id).where(
            AuditEntry.entity == "stage_event",
            AuditEntry.entity_id == str(second.id),
            AuditEntry.action == "update",
        )
    )


def test_retracting_one_claim_settles_the_conflict(session):
    treaty = factories.agreement(session)
    first = factories.event(session, treaty.id, "signing", "2025-01-17")
    second = factories.event(session, treaty.id, "signing", "2025-01-18")
    retract_event(session, second.id)
    life = lifecycle(session, treaty, today=date(2025, 2, 1))
    assert life.conflicts == []
    assert life.counted_event_ids == [first.id]
    assert session.get(StageEvent, second.id).status == "retracted"


def test_claims_that_agree_are_corroboration_not_conflict(session):
    treaty = factories.agreement(session)
    factories.event(session, treaty.id, "signing", "2025-01-17", place="Moscow")
    factories.event(session, treaty.id, "signing", "2025-01-17")  # a second report, fewer details
    assert lifecycle(session, treaty, today=date(2025, 2, 1)).conflicts == []


def test_different_bodies_on_the_same_day_conflict(session):
    treaty = factories.agreement(session)
    a = factories.event(
        session,
        treaty.id,
        "ratification",
        "2025-04-08",
        step="lower_house",
        party="RUS",
        body="State Duma",
    )
    b = factories.event(
        session,
        treaty.id,
        "ratification",
        "2025-04-08",
        step="lower_house",
        party="RUS",
        body="Federation Council",
    )
    assert lifecycle(session, treaty, today=date(2025, 5, 1)).conflicts == [sorted([a.id, b.id])]


def test_the_same_step_of_two_parties_is_no_conflict(session):
    treaty = factories.agreement(session)
    factories.event(
        session, treaty.id, "ratification", "2025-07-01", step="notification", party="RUS"
    )
    factories.event(
        session, treaty.id, "ratification", "2025-09-02", step="notification", party="IRN"
    )
    assert lifecycle(session, treaty, today=date(2025, 10, 1)).conflicts == []
