"""Lifecycle derivation on the real Russia–Iran timeline, one recorded step at a time."""

from __future__ import annotations

from datetime import date

import pytest

from tests import factories
from tracker.services.agreements.commands import update_agreement
from tracker.services.agreements.queries import lifecycle

# (date the researcher looks, what is recorded, then: current stage, RUS, IRN, status,
#  next expected as (stage, date))
TIMELINE = [
    (
        "2024-01-20",
        dict(stage="preparation", date="2024-01", body="Foreign ministries"),
        "preparation",
        "not_started",
        "not_started",
        "active",
        ("announcement", None),
    ),
    (
        "2025-01-17",
        dict(stage="signing", date="2025-01-17", place="Moscow"),
        "signing",
        "not_started",
        "not_started",
        "active",
        ("ratification", None),
    ),
    (
        "2025-03-27",
        dict(stage="ratification", step="submitted", party="RUS", date="2025-03-27"),
        "ratification",
        "in_progress",
        "not_started",
        "active",
        ("ratification", None),
    ),
    (
        "2025-04-08",
        dict(
            stage="ratification",
            step="lower_house",
            party="RUS",
            date="2025-04-08",
            body="State Duma",
        ),
        "ratification",
        "in_progress",
        "not_started",
        "active",
        ("ratification", None),
    ),
    (
        "2025-04-16",
        dict(
            stage="ratification",
            step="upper_house",
            party="RUS",
            date="2025-04-16",
            body="Federation Council",
        ),
        "ratification",
        "in_progress",
        "not_started",
        "active",
        ("ratification", None),
    ),
    (
        "2025-04-21",
        dict(stage="ratification", step="head_of_state", party="RUS", date="2025-04-21"),
        "ratification",
        "ratified",
        "not_started",
        "active",
        ("ratification", None),
    ),
    (
        "2025-05-21",
        dict(
            stage="ratification", step="lower_house", party="IRN", date="2025-05-21", body="Majlis"
        ),
        "ratification",
        "ratified",
        "in_progress",
        "active",
        ("ratification", None),
    ),
    (
        "2025-06-11",
        dict(
            stage="ratification",
            step="constitutional_review",
            party="IRN",
            date="2025-06-11",
            body="Guardian Council",
        ),
        "ratification",
        "ratified",
        "in_progress",
        "active",
        ("ratification", None),
    ),
    (
        "2025-07-01",
        dict(stage="ratification", step="notification", party="RUS", date="2025-07-01"),
        "ratification",
        "notified",
        "in_progress",
        "active",
        ("ratification", None),
    ),
    (
        "2025-09-02",
        dict(stage="ratification", step="notification", party="IRN", date="2025-09-02"),
        "ratification",
        "notified",
        "notified",
        "active",
        ("entry_into_force", "2025-10-02"),
    ),
    (
        "2025-10-02",
        dict(stage="entry_into_force", date="2025-10-02"),
        "entry_into_force",
        "notified",
        "notified",
        "in_force",
        None,
    ),
]


def test_russia_iran_timeline_step_by_step(session):
    treaty = factories.agreement(
        session,
        title="Treaty on Comprehensive Strategic Partnership",
        parties=["RUS", "IRN"],
        entry_into_force_rule={"days_after_last_notification": 30},
    )
    before = lifecycle(session, treaty, today=date(2024, 1, 1))
    assert before.current_stage is None
    assert before.ratification == {"RUS": "not_started", "IRN": "not_started"}

    for today, data, stage, rus, irn, status, expected in TIMELINE:
        factories.event(session, treaty.id, **data)
        life = lifecycle(session, treaty, today=date.fromisoformat(today))
        got_next = (
            (life.next_expected.stage, life.next_expected.date) if life.next_expected else None
        )
        assert (life.current_stage, life.ratification, life.status, got_next) == (
            stage,
            {"RUS": rus, "IRN": irn},
            status,
            expected,
        ), f"after {data}"
        assert life.flags == [], f"unexpected flags after {data}: {life.flags}"
        assert life.conflicts == []


def test_expected_entry_into_force_follows_the_last_notification(session):
    treaty = factories.agreement(
        session, entry_into_force_rule={"days_after_last_notification": 30}
    )
    factories.event(session, treaty.id, "signing", "2025-01-17")
    factories.event(session, treaty.id, "ratification", "2025-06", step="notification", party="RUS")
    factories.event(
        session, treaty.id, "ratification", "2025-05-20", step="notification", party="IRN"
    )
    life = lifecycle(session, treaty, today=date(2025, 7, 1))
    # RUS notified some day in June: the treaty enters into force 30 days after that day.
    assert life.expected_entry_into_force == (date(2025, 7, 1), date(2025, 7, 30))
    assert life.next_expected.date == "2025-07-01/2025-07-30"
    assert life.next_expected.source == "rule"


def test_no_computed_date_without_a_rule(session):
    treaty = factories.agreement(session)
    factories.event(session, treaty.id, "signing", "2025-01-17")
    for party in ("RUS", "IRN"):
        factories.event(
            session, treaty.id, "ratification", "2025-05-01", step="notification", party=party
        )
    life = lifecycle(session, treaty, today=date(2025, 6, 1))
    assert life.expected_entry_into_force is None
    assert (life.next_expected.stage, life.next_expected.date) == ("entry_into_force", None)


def test_expected_event_is_the_next_expected_until_it_happens(session):
    treaty = factories.agreement(session)
    factories.event(session, treaty.id, "announcement", "2024-01-15")
    expected = factories.event(session, treaty.id, "signing", "2024-03~", status="expected")
    life = lifecycle(session, treaty, today=date(2024, 2, 1))
    assert life.next_expected.source == "event"
    assert (life.next_expected.stage, life.next_expected.date) == ("signing", "2024-03~")
    assert life.next_expected.event_id == expected.id
    factories.event(session, treaty.id, "signing", "2025-01-17")
    life = lifecycle(session, treaty, today=date(2025, 1, 20))
    assert (life.current_stage, life.next_expected.stage) == ("signing", "ratification")


@pytest.mark.parametrize(
    ("days_quiet", "status"), [(179, "active"), (180, "stalled"), (400, "stalled")]
)
def test_stalled_after_180_quiet_days(session, days_quiet, status):
    treaty = factories.agreement(session)
    factories.event(session, treaty.id, "announcement", "2020-01-01")
    life = lifecycle(
        session, treaty, today=date.fromordinal(date(2020, 1, 1).toordinal() + days_quiet)
    )
    assert life.status == status


def test_new_evidence_keeps_an_agreement_from_stalling(session):
    treaty = factories.agreement(session)
    factories.event(session, treaty.id, "announcement", "2020-01-01")
    report = factories.article(session, "Officials say talks go on.", published="2020-06-01")
    factories.event(
        session,
        treaty.id,
        "signing",
        status="expected",
        evidence=[{"article_id": report.id, "quote": "talks go on"}],
    )
    assert lifecycle(session, treaty, today=date(2020, 8, 1)).status == "active"
    assert lifecycle(session, treaty, today=date(2020, 11, 27)).status == "active"
    assert lifecycle(session, treaty, today=date(2020, 11, 28)).status == "stalled"


@pytest.mark.parametrize(
    ("stage", "status"),
    [("suspension", "suspended"), ("withdrawal", "withdrawn"), ("termination", "terminated")],
)
def test_an_exit_ends_in_force(session, stage, status):
    treaty = factories.agreement(session)
    factories.event(session, treaty.id, "entry_into_force", "2025-10-02")
    assert lifecycle(session, treaty, today=date(2025, 10, 3)).status == "in_force"
    factories.event(session, treaty.id, stage, "2026-03-01", party="RUS")
    life = lifecycle(session, treaty, today=date(2026, 3, 2))
    assert life.status == status
    assert life.next_expected is None


def test_expected_disputed_and_retracted_claims_do_not_advance_the_stage(session):
    treaty = factories.agreement(session)
    factories.event(session, treaty.id, "announcement", "2024-01-15")
    factories.event(session, treaty.id, "signing", "2024-06", status="expected")
    factories.event(session, treaty.id, "signing", "2024-07-01", status="disputed")
    factories.event(
        session, treaty.id, "ratification", "2024-08-01", party="RUS", status="retracted"
    )
    assert lifecycle(session, treaty, today=date(2024, 9, 1)).current_stage == "announcement"


def test_ratification_without_a_signing_is_recorded_and_flagged(session):
    treaty = factories.agreement(session)
    event = factories.event(
        session, treaty.id, "ratification", "2025-04-08", step="lower_house", party="RUS"
    )
    life = lifecycle(session, treaty, today=date(2025, 4, 9))
    assert life.current_stage == "ratification"
    assert [(f.code, f.event_ids) for f in life.flags] == [
        ("ratification_without_signing", (event.id,))
    ]


def test_ratification_dated_before_the_signing_is_flagged(session):
    treaty = factories.agreement(session)
    signing = factories.event(session, treaty.id, "signing", "2025-01-17")
    early = factories.event(
        session, treaty.id, "ratification", "2024-12-01", step="lower_house", party="RUS"
    )
    flags = lifecycle(session, treaty, today=date(2025, 2, 1)).flags
    assert [(f.code, f.event_ids) for f in flags] == [
        ("ratification_before_signing", (early.id, signing.id))
    ]
    assert "2025-01-17" in flags[0].message


def test_steps_out_of_order_and_foreign_parties_are_flagged(session):
    treaty = factories.agreement(session)
    factories.event(session, treaty.id, "signing", "2025-01-17")
    lower = factories.event(
        session, treaty.id, "ratification", "2025-04-16", step="lower_house", party="RUS"
    )
    upper = factories.event(
        session, treaty.id, "ratification", "2025-04-08", step="upper_house", party="RUS"
    )
    stranger = factories.event(session, treaty.id, "ratification", "2025-05-01", party="PRK")
    flags = {f.code: f.event_ids for f in lifecycle(session, treaty, today=date(2025, 6, 1)).flags}
    assert flags == {
        "step_out_of_order": (lower.id, upper.id),
        "party_not_in_agreement": (stranger.id,),
    }


def test_entry_into_force_before_ratification_and_off_the_rule_is_flagged(session):
    treaty = factories.agreement(
        session, entry_into_force_rule={"days_after_last_notification": 30}
    )
    factories.event(session, treaty.id, "signing", "2025-01-17")
    for party in ("RUS", "IRN"):
        factories.event(
            session, treaty.id, "ratification", "2025-09-02", step="notification", party=party
        )
    eif = factories.event(session, treaty.id, "entry_into_force", "2025-09-10")
    flags = {f.code for f in lifecycle(session, treaty, today=date(2025, 10, 1)).flags}
    assert flags == {"entry_into_force_date_differs"}

    other = factories.agreement(session)
    factories.event(session, other.id, "signing", "2025-01-17")
    factories.event(session, other.id, "ratification", "2025-03-01", party="RUS")
    early = factories.event(session, other.id, "entry_into_force", "2025-04-01")
    flags = lifecycle(session, other, today=date(2025, 5, 1)).flags
    assert [(f.code, f.event_ids) for f in flags] == [
        ("entry_into_force_before_ratification", (early.id,))
    ]
    assert "IRN" in flags[0].message
    assert eif.id != early.id


def test_recording_old_news_today_does_not_make_it_recent(session):
    treaty = factories.agreement(session)
    factories.event(session, treaty.id, "announcement", "2020-01-01")  # typed in today
    assert lifecycle(session, treaty).status == "stalled"
    assert lifecycle(session, treaty).last_activity == date(2020, 1, 1)


def test_the_cache_always_matches_a_fresh_derivation(session):
    from tracker.services.agreements.lifecycle import derive
    from tracker.services.agreements.state import evidence_dates
    from tracker.services.claims.events import prefer_event, retract_event

    def fresh(treaty, today):  # type: ignore[no-untyped-def]
        session.expire_all()
        events = [e for e in treaty.events if not e.is_deleted]
        return derive(
            party_codes=treaty.party_codes,
            events=events,
            today=today,
            entry_into_force_days=treaty.entry_into_force_days,
            evidence_dates=evidence_dates(session, [treaty.id])[treaty.id],
            created_on=treaty.created_at.date(),
        )

    treaty = factories.agreement(
        session, entry_into_force_rule={"days_after_last_notification": 30}
    )
    steps = [
        lambda: factories.event(session, treaty.id, "signing", "2025-01-17"),
        lambda: factories.event(session, treaty.id, "signing", "2025-01-18"),
        lambda: prefer_event(session, treaty.events[0].id),
        lambda: factories.event(
            session, treaty.id, "ratification", "2025-07-01", step="notification", party="RUS"
        ),
        lambda: factories.event(
            session, treaty.id, "ratification", "2025-09-02", step="notification", party="IRN"
        ),
        lambda: retract_event(session, treaty.events[1].id),
        lambda: update_agreement(session, treaty.id, {"parties": ["RUS", "IRN", "PRK"]}),
    ]
    today = date(2025, 10, 1)
    for step in steps:
        step()
        assert lifecycle(session, treaty, today=today) == fresh(treaty, today)


def _russia_iran_until_the_guardian_council(session):  # type: ignore[no-untyped-def]
    treaty = factories.agreement(
        session,
        title="Treaty on Comprehensive Strategic Partnership",
        parties=["RUS", "IRN"],
        entry_into_force_rule={"days_after_last_notification": 30},
    )
    for _, data, *_ in TIMELINE[1:8]:  # signing .. the Guardian Council
        factories.event(session, treaty.id, **data)
    return treaty


def test_each_party_shows_the_steps_it_reached_with_dates_and_bodies(session):
    from tracker.services.agreements.reading import overview

    treaty = _russia_iran_until_the_guardian_council(session)
    view = overview(session, treaty.id, today=date(2025, 6, 12))
    rus, irn = view.progress
    assert [(s.step, s.body, s.date) for s in rus.steps] == [
        ("submitted", "", "2025-03-27"),
        ("lower_house", "State Duma", "2025-04-08"),
        ("upper_house", "Federation Council", "2025-04-16"),
        ("head_of_state", "", "2025-04-21"),
    ]
    assert (rus.ratification, rus.ratified_on, rus.notified_on) == ("ratified", "2025-04-21", None)
    assert rus.explanation.startswith("Ratified: the head of state counts as ratification.")
    # The case: after the Majlis and the Guardian Council Iran is still in progress,
    # and the page says which step would make it ratified.
    assert [(s.words, s.date) for s in irn.steps] == [
        ("lower house (Majlis)", "2025-05-21"),
        ("constitutional review (Guardian Council)", "2025-06-11"),
    ]
    assert (irn.ratification, irn.ratified_on) == ("in_progress", None)
    assert "constitutional review (Guardian Council). Ratified once" in irn.explanation
    assert "once the head of state signs or the law is promulgated" in irn.explanation
    assert {p.party: p.ratification for p in view.progress} == view.lifecycle.ratification

    # A ratification claim that names no step ratifies, as SPEC §2 says.
    factories.event(session, treaty.id, "ratification", "2025-06-20", party="IRN")
    irn = overview(session, treaty.id, today=date(2025, 6, 21)).progress[1]
    assert (irn.ratification, irn.ratified_on) == ("ratified", "2025-06-20")
    assert [s.step for s in irn.steps] == ["lower_house", "constitutional_review", None]
    assert "the ratification reported without its step" in irn.explanation


def test_progress_counts_claims_the_way_the_state_is_derived(session):
    from tracker.services.agreements.reading import overview
    from tracker.services.claims.events import prefer_event, retract_event

    treaty = factories.agreement(session)
    factories.event(session, treaty.id, "signing", "2025-01-17")
    factories.event(session, treaty.id, "ratification", "2025-05", party="RUS", status="expected")
    factories.event(
        session,
        treaty.id,
        "ratification",
        "2025-04-01",
        party="IRN",
        step="head_of_state",
        status="disputed",
    )
    wrong = factories.event(
        session, treaty.id, "ratification", "2025-04-08", step="lower_house", party="RUS"
    )
    right = factories.event(
        session,
        treaty.id,
        "ratification",
        "2025-04-09",
        step="lower_house",
        party="RUS",
        body="State Duma",
    )
    rus, irn = overview(session, treaty.id).progress
    assert [(s.event_id, s.conflict) for s in rus.steps] == [(wrong.id, True), (right.id, True)]
    assert (irn.ratification, irn.steps) == ("not_started", ())
    assert irn.explanation == "No ratification step is on record yet."

    prefer_event(session, right.id)
    rus = overview(session, treaty.id).progress[0]
    assert [(s.event_id, s.body, s.conflict) for s in rus.steps] == [
        (right.id, "State Duma", False)
    ]
    factories.event(
        session, treaty.id, "ratification", "2025-07-01", step="notification", party="RUS"
    )
    retract_event(session, right.id)  # the other claim about the vote is alone: it counts
    rus = overview(session, treaty.id).progress[0]
    assert [(s.event_id, s.step) for s in rus.steps] == [
        (wrong.id, "lower_house"),
        (rus.steps[1].event_id, "notification"),
    ]
    assert (rus.ratification, rus.notified_on, rus.ratified_on) == ("notified", "2025-07-01", None)


def test_the_key_dates_in_one_line(session):
    from tracker.services.agreements.reading import overview

    treaty = _russia_iran_until_the_guardian_council(session)
    factories.event(session, treaty.id, "signing", "2025-01-17", place="Moscow")
    line = " · ".join(overview(session, treaty.id).key_dates)
    assert line == "Signed 17 Jan 2025 in Moscow · RUS ratified 21 Apr 2025 · IRN in progress"
    for _, data, *_ in TIMELINE[8:10]:  # both notifications
        factories.event(session, treaty.id, **data)
    line = " · ".join(overview(session, treaty.id).key_dates)
    assert line.endswith(
        "RUS notified 1 Jul 2025 · IRN notified 2 Sep 2025 · Expected in force 2 Oct 2025"
    )
    factories.event(session, treaty.id, "entry_into_force", "2025-10-02")
    assert overview(session, treaty.id).key_dates[-1] == "In force 2 Oct 2025"

    announced = factories.agreement(session)
    factories.event(session, announced.id, "announcement", "2024-01-15")
    factories.event(session, announced.id, "signing", "2024-03~", status="expected")
    assert overview(session, announced.id).key_dates == [
        "Announced 15 Jan 2024",
        "Signing expected about Mar 2024",
    ]
