"""The reminder rules: each on its own at its threshold, a time-travel run across the
Russia–Iran timeline, idempotence, auto-closing, and emails through a real SMTP server."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import insert, select

from tests import factories
from tests.conftest import free_port
from tests.statements import counted
from tracker.models import AuditEntry, Party, Reminder, StageEvent
from tracker.services.accounts.users import create_user
from tracker.services.infra.bulk import insert_many
from tracker.services.infra.mail import MailError, MailSettings
from tracker.services.reminders import rules
from tracker.services.reminders.manual import create_reminder, update_reminder
from tracker.services.reminders.rules import RuleSettings, notify_due, run


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


def reminders_of(session, agreement_id: int) -> dict[str, Reminder]:  # type: ignore[no-untyped-def]
    rows = session.scalars(
        select(Reminder).where(Reminder.agreement_id == agreement_id, Reminder.rule.is_not(None))
    )
    return {r.rule_key: r for r in rows}


def open_rules(session, agreement_id: int) -> set[tuple[str, str | None]]:  # type: ignore[no-untyped-def]
    return {
        (r.rule, r.party_code)
        for r in reminders_of(session, agreement_id).values()
        if r.status == "open"
    }


@pytest.mark.parametrize(("day", "fires"), [("2024-04-13", False), ("2024-04-14", True)])
def test_unsigned_fires_90_days_after_the_announcement(session, day, fires):
    treaty = factories.agreement(session)
    factories.event(session, treaty.id, "announcement", "2024-01-15")
    run(session, now=at(day))
    assert (("unsigned", None) in open_rules(session, treaty.id)) is fires


def test_a_run_takes_as_many_statements_for_12_new_reminders_as_for_2(session, connection):
    def announced(count: int) -> None:
        for _ in range(count):
            treaty = factories.agreement(session, parties=["RUS", "IRN"])
            factories.event(session, treaty.id, "announcement", "2024-01-15")
        session.flush()

    announced(2)
    with counted(connection) as few:
        assert run(session, now=at("2024-06-01")).created >= 2  # and any case already there
    announced(12)
    with counted(connection) as many:
        assert run(session, now=at("2024-06-01")).created == 12
    assert len(many) == len(few)


@pytest.mark.parametrize(("day", "fires"), [("2025-05-16", False), ("2025-05-17", True)])
def test_ratification_quiet_fires_per_party_120_days_after_signing(session, day, fires):
    treaty = factories.agreement(session)
    factories.event(session, treaty.id, "signing", "2025-01-17")
    factories.event(session, treaty.id, "ratification", "2025-03-27", step="submitted", party="RUS")
    run(session, now=at(day))
    rules = open_rules(session, treaty.id)
    assert (("ratification_quiet", "IRN") in rules) is fires
    assert ("ratification_quiet", "RUS") not in rules  # RUS has started


@pytest.mark.parametrize(("day", "fires"), [("2024-03-31", False), ("2024-04-01", True)])
def test_expected_passed_fires_the_day_after_the_latest_date(session, day, fires):
    treaty = factories.agreement(session)
    factories.event(session, treaty.id, "signing", "2024-03", status="expected")
    run(session, now=at(day))
    assert (("expected_passed", None) in open_rules(session, treaty.id)) is fires


@pytest.mark.parametrize("stage", ["adoption", "resumption"])
def test_a_passed_expected_adoption_or_resumption_is_followed_up(session, stage):  # type: ignore[no-untyped-def]
    """The stages added for multilateral treaties get their reminder like any other, and
    the rest of the run goes on (the reminders' check once refused them, failing the run)."""
    treaty = factories.agreement(session)
    other = factories.agreement(session)
    party = {"party": "RUS"} if stage == "resumption" else {}
    factories.event(session, treaty.id, stage, "2024-03", status="expected", **party)
    factories.event(session, other.id, "announcement", "2024-01-15")
    run(session, now=at("2024-04-14"))
    passed = [r for r in reminders_of(session, treaty.id).values() if r.rule == "expected_passed"]
    assert [(r.stage, r.status) for r in passed] == [(stage, "open")]
    assert ("unsigned", None) in open_rules(session, other.id)


def test_an_expected_ratification_step_is_settled_only_by_that_step_of_that_party(session):
    """The rules read the happened claims of a ratification (most of all claims) only for an
    agreement awaiting one: the step of that party settles it, another party's or another
    step does not, and an agreement in the same run without an expected claim is unaffected."""
    settled, awaiting = factories.agreement(session), factories.agreement(session)
    for treaty in (settled, awaiting):
        factories.event(session, treaty.id, "signing", "2024-01-10")
        factories.event(
            session,
            treaty.id,
            "ratification",
            "2024-03",
            step="submitted",
            party="RUS",
            status="expected",
        )
        factories.event(
            session, treaty.id, "ratification", "2024-02-01", step="submitted", party="IRN"
        )
        factories.event(
            session, treaty.id, "ratification", "2024-02-01", step="committee", party="RUS"
        )
    factories.event(
        session, settled.id, "ratification", "2024-02-20", step="submitted", party="RUS"
    )
    quiet = factories.agreement(session)
    factories.event(session, quiet.id, "signing", "2024-01-10")
    run(session, now=at("2024-04-01"))
    assert ("expected_passed", "RUS") not in open_rules(session, settled.id)
    assert ("expected_passed", "RUS") in open_rules(session, awaiting.id)
    assert ("expected_passed", None) not in open_rules(session, quiet.id)


def test_stalled_fires_after_180_quiet_days_with_the_configured_threshold(session):
    treaty = factories.agreement(session)
    factories.event(session, treaty.id, "signing", "2024-01-01")
    factories.event(session, treaty.id, "ratification", "2024-01-02", party="RUS", step="submitted")
    factories.event(session, treaty.id, "ratification", "2024-01-03", party="IRN", step="submitted")
    run(session, now=at("2024-06-29"))  # 178 days
    assert ("stalled", None) not in open_rules(session, treaty.id)
    run(session, now=at("2024-07-01"))  # 180 days
    assert ("stalled", None) in open_rules(session, treaty.id)
    other = factories.agreement(session)
    factories.event(session, other.id, "signing", "2024-01-03")
    run(session, now=at("2024-02-03"), settings=RuleSettings(stalled_days=30))
    assert ("stalled", None) in open_rules(session, other.id)


def test_the_russia_iran_timeline_travelled_in_time(session):
    treaty = factories.agreement(
        session, entry_into_force_rule={"days_after_last_notification": 30}
    )
    steps = [
        ("2024-01-15", dict(stage="announcement", date="2024-01-15")),
        ("2024-04-20", None),  # unsigned appears (due 2024-04-14)
        ("2025-01-17", dict(stage="signing", date="2025-01-17", place="Moscow")),  # unsigned closes
        (
            "2025-03-27",
            dict(stage="ratification", step="submitted", party="RUS", date="2025-03-27"),
        ),
        ("2025-05-20", None),  # IRN quiet 120 days after signing (due 2025-05-17)
        (
            "2025-05-21",
            dict(stage="ratification", step="lower_house", party="IRN", date="2025-05-21"),
        ),
        (
            "2025-07-01",
            dict(stage="ratification", step="notification", party="RUS", date="2025-07-01"),
        ),
        (
            "2025-09-02",
            dict(stage="ratification", step="notification", party="IRN", date="2025-09-02"),
        ),
        ("2025-10-03", None),  # entry into force due 2025-10-02
        ("2025-10-04", dict(stage="entry_into_force", date="2025-10-02")),
    ]
    expected_open = [
        set(),
        {("unsigned", None)},
        set(),
        set(),
        {("ratification_quiet", "IRN")},
        set(),
        set(),
        set(),
        {("entry_into_force_due", None)},
        set(),
    ]
    for (day, event), wanted in zip(steps, expected_open, strict=True):
        if event:
            factories.event(session, treaty.id, **event)
        run(session, now=at(day))
        assert open_rules(session, treaty.id) == wanted, day
    closed = [r for r in reminders_of(session, treaty.id).values() if r.status == "done"]
    assert {r.rule for r in closed} == {"unsigned", "ratification_quiet", "entry_into_force_due"}
    assert all(r.closed_note.startswith("Closed by the rules") and r.closed_at for r in closed)
    computed = session.scalars(
        select(StageEvent).where(
            StageEvent.agreement_id == treaty.id, StageEvent.status == "expected"
        )
    ).all()
    assert [(e.stage, e.date) for e in computed] == [("entry_into_force", "2025-10-02")]


def test_running_twice_makes_nothing_new_and_dismissed_stays_dismissed(session):
    treaty = factories.agreement(session)
    factories.event(session, treaty.id, "announcement", "2024-01-15")
    run(session, now=at("2024-05-01"))
    assert len(reminders_of(session, treaty.id)) == 1
    again = run(session, now=at("2024-05-01"))  # the same instant, every agreement
    assert (again.created, again.closed, again.woken) == (0, 0, 0)
    assert len(reminders_of(session, treaty.id)) == 1
    (reminder,) = reminders_of(session, treaty.id).values()
    update_reminder(session, reminder.id, {"status": "dismissed"})
    run(session, now=at("2024-06-01"))
    assert [r.status for r in reminders_of(session, treaty.id).values()] == ["dismissed"]


def test_a_snooze_ends_on_its_day(session):
    treaty = factories.agreement(session)
    factories.event(session, treaty.id, "announcement", "2024-01-15")
    run(session, now=at("2024-05-01"))
    (reminder,) = reminders_of(session, treaty.id).values()
    update_reminder(session, reminder.id, {"status": "snoozed", "snoozed_until": "2024-05-10"})
    run(session, now=at("2024-05-09"))
    session.refresh(reminder)
    assert reminder.status == "snoozed"
    assert run(session, now=at("2024-05-10")).woken >= 1
    session.refresh(reminder)
    assert (reminder.status, reminder.snoozed_until) == ("open", None)


def test_a_due_reminder_is_emailed_once(session, smtp):
    settings, inbox = smtp
    create_user(session, "ed@example.org", role="editor")
    create_user(session, "vi@example.org", role="viewer")
    treaty = factories.agreement(session, title="Caspian pact")
    factories.event(session, treaty.id, "announcement", "2024-01-15")
    run(session, now=at("2024-05-01"))
    sent = notify_due(
        session, now=at("2024-05-01"), mail=settings, base_url="https://tracker.example"
    )
    assert sent >= 1
    mine = [
        m
        for m in inbox.messages
        if "ed@example.org" in m.rcpt_tos and "Caspian pact" in m.content.decode()
    ]
    assert len(mine) == 1 and not [m for m in inbox.messages if "vi@example.org" in m.rcpt_tos]
    assert f"https://tracker.example/agreements/{treaty.id}" in mine[0].content.decode()
    assert (
        notify_due(session, now=at("2024-05-02"), mail=settings, base_url="https://tracker.example")
        == 0
    )


def test_a_refused_send_is_tried_again_next_run(session):
    treaty = factories.agreement(session)
    factories.event(session, treaty.id, "announcement", "2024-01-15")
    create_user(session, "ed@example.org", role="editor")
    run(session, now=at("2024-05-01"))
    nowhere = MailSettings(host="127.0.0.1", port=9, timeout=2)
    with pytest.raises(Exception, match="could not send"):
        notify_due(session, now=at("2024-05-01"), mail=nowhere, base_url="")
    (reminder,) = reminders_of(session, treaty.id).values()
    session.refresh(reminder)
    assert reminder.notified_at is None and reminder.due <= date(2024, 5, 1)


def test_what_the_rules_do_is_in_the_agreement_history(session):
    from tracker.services.audit import history

    treaty = factories.agreement(session)
    factories.event(session, treaty.id, "announcement", "2024-01-15")
    run(session, now=at("2024-06-01"))
    made = session.scalar(select(Reminder).where(Reminder.agreement_id == treaty.id))
    factories.event(session, treaty.id, "signing", "2024-06-02")
    run(session, now=at("2024-06-03"))  # signed: the "unsigned" reminder is closed
    entries = [
        (e.action, e.actor, e.entity, e.entity_id, (e.after or {}).get("status"))
        for e in history(session, treaty.id)
        if e.entity == "reminder"
    ]
    assert entries == [
        ("update", "reminder rules", "reminder", str(made.id), "done"),
        ("create", "reminder rules", "reminder", str(made.id), "open"),
    ]


class _Refusing:
    """An SMTP handler that refuses one mailbox and keeps what it accepts."""

    def __init__(self, refused: str) -> None:
        self.refused = refused
        self.received: list[str] = []

    async def handle_RCPT(self, server, session, envelope, address, options):  # type: ignore[no-untyped-def]  # noqa: N802
        if address == self.refused:
            return "550 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        self.received.extend(envelope.rcpt_tos)
        return "250 OK"


def test_a_send_refused_halfway_sends_the_rest_next_run_and_none_twice(session):
    treaty = factories.agreement(session, title="Halfway pact")
    people = {
        name: create_user(session, f"{name}@example.org", role="editor")
        for name in ("first", "refused", "last")
    }
    for n, name in enumerate(people):
        create_reminder(
            session,
            {
                "agreement_id": treaty.id,
                "due": f"2024-04-0{n + 1}",
                "reason": f"Check {name}",
                "assignee": people[name].email,
            },
        )
    handler = _Refusing("refused@example.org")
    port = free_port()
    server = Controller(handler, hostname="127.0.0.1", port=port)
    server.start()
    try:
        settings = MailSettings(host="127.0.0.1", port=port, sender="t@example.org")
        with pytest.raises(MailError):
            notify_due(session, now=at("2024-05-01"), mail=settings, base_url="")
        assert handler.received == ["first@example.org"]
        handler.refused = ""  # the mailbox works again
        notify_due(session, now=at("2024-05-02"), mail=settings, base_url="")
    finally:
        server.stop()
    assert sorted(handler.received) == [
        "first@example.org",
        "last@example.org",
        "refused@example.org",
    ]


# --- multilateral agreements (SPEC §2b): one combined reminder, never one per party


def multilateral(session, parties, **fields):  # type: ignore[no-untyped-def]
    return factories.agreement(
        session,
        parties=parties,
        bilateral=False,
        entry_into_force_rule={"instruments_required": 3, "days_after_instrument": 90},
        withdrawal_rule={"years_after_notification": 1},
        **fields,
    )


def deposit(session, aid, party, day, consent="ratification"):  # type: ignore[no-untyped-def]
    return factories.event(
        session,
        aid,
        "ratification",
        day,
        step="notification",
        party=party,
        consent_type=consent,
    )


def rule_rows(session, aid, rule):  # type: ignore[no-untyped-def]
    return [r for r in reminders_of(session, aid).values() if r.rule == rule]


def test_fifty_signatories_give_one_combined_reminder(session):
    signatories = list(
        session.scalars(
            select(Party.code).where(Party.kind == "state").order_by(Party.code).limit(50)
        )
    )
    assert len(signatories) == 50
    treaty = multilateral(session, signatories)
    factories.event(session, treaty.id, "signing", "2024-01-10")  # opened for signature
    for code in signatories:
        factories.event(session, treaty.id, "signing", "2024-01-10", party=code)
    run(session, now=at("2024-05-08"))  # 119 days
    assert rule_rows(session, treaty.id, "signatories_quiet") == []
    report = run(session, now=at("2024-05-09"))  # 120 days
    assert report.created == 1
    (one,) = rule_rows(session, treaty.id, "signatories_quiet")
    assert one.reason == (
        "50 signatories have not consented 120 days after signing: "
        + ", ".join(sorted(signatories))
        + "."
    )
    assert one.due == date(2024, 5, 9) and one.party_code is None
    assert rule_rows(session, treaty.id, "ratification_quiet") == []


def test_the_combined_reminder_follows_its_list_and_closes_when_it_is_empty(session):
    parties = ["BEL", "CHL", "FRA", "PLW"]
    treaty = multilateral(session, parties)
    for code in ("BEL", "CHL", "FRA"):
        factories.event(session, treaty.id, "signing", "2024-01-10", party=code)
    factories.event(session, treaty.id, "signing", "2024-03-01", party="PLW")
    run(session, now=at("2024-05-09"))
    (one,) = rule_rows(session, treaty.id, "signatories_quiet")
    assert one.reason == "3 signatories have not consented 120 days after signing: BEL, CHL, FRA."
    run(session, now=at("2024-06-29"))  # PLW past its own threshold too
    assert one.reason.startswith("4 signatories") and one.reason.endswith("FRA, PLW.")
    deposit(session, treaty.id, "BEL", "2024-07-01")
    factories.event(session, treaty.id, "ratification", "2024-07-02", step="submitted", party="FRA")
    run(session, now=at("2024-07-03"))  # a chain under way still owes its instrument
    assert one.reason == "3 signatories have not consented 120 days after signing: CHL, FRA, PLW."
    assert len(rule_rows(session, treaty.id, "signatories_quiet")) == 1 and one.status == "open"
    for code in ("CHL", "FRA"):
        deposit(session, treaty.id, code, "2024-07-10")
    deposit(session, treaty.id, "PLW", "2024-07-11", "accession")
    run(session, now=at("2024-07-12"))
    assert one.status == "done" and "consented" in (one.closed_note or "")


def test_a_bilateral_agreement_keeps_one_reminder_per_party(session):
    treaty = factories.agreement(session, parties=["RUS", "IRN"], bilateral=True)
    factories.event(session, treaty.id, "signing", "2025-01-17")
    run(session, now=at("2025-05-17"))
    assert open_rules(session, treaty.id) == {
        ("ratification_quiet", "RUS"),
        ("ratification_quiet", "IRN"),
    }


@pytest.mark.parametrize(("day", "fires"), [("2024-10-07", False), ("2024-10-08", True)])
def test_the_k_th_instrument_gives_entry_into_force_due_on_its_day(session, day, fires):
    treaty = multilateral(session, ["BEL", "CHL", "FRA", "PLW"])
    deposit(session, treaty.id, "BEL", "2024-06-01")
    deposit(session, treaty.id, "CHL", "2024-07-01")
    deposit(session, treaty.id, "PLW", "2024-07-10", "accession")  # the 3rd: + 90 days
    run(session, now=at(day))
    found = rule_rows(session, treaty.id, "entry_into_force_due")
    assert bool(found) is fires
    if fires:
        assert found[0].reason == (
            "3 of 3 instruments: entry into force expected on 2024-10-08; check that it happened."
        )
        assert found[0].due == date(2024, 10, 8)
        factories.event(session, treaty.id, "entry_into_force", "2024-10-08")
        run(session, now=at("2024-10-09"))
        assert found[0].status == "done"


def test_a_partys_withdrawal_taking_effect_is_due_on_its_day(session):
    treaty = multilateral(session, ["BEL", "IRN", "FRA"])
    deposit(session, treaty.id, "IRN", "2024-01-10")
    factories.event(session, treaty.id, "withdrawal", "2025-03-01", party="IRN")
    run(session, now=at("2026-02-28"))
    assert rule_rows(session, treaty.id, "withdrawal_effective") == []
    run(session, now=at("2026-03-01"))
    run(session, now=at("2026-03-02"))  # again: never twice
    (one,) = rule_rows(session, treaty.id, "withdrawal_effective")
    assert one.party_code == "IRN" and one.due == date(2026, 3, 1)
    assert one.reason == "IRN's withdrawal takes effect on 2026-03-01: record it."


def test_a_terminated_agreement_gets_no_new_follow_up(session):
    treaty = multilateral(session, ["BEL", "CHL", "FRA"])
    factories.event(session, treaty.id, "signing", "2024-01-10", party="BEL")
    run(session, now=at("2024-05-09"))
    (one,) = rule_rows(session, treaty.id, "signatories_quiet")
    factories.event(session, treaty.id, "signing", "2024-01-11", party="CHL")
    factories.event(session, treaty.id, "termination", "2024-05-10")
    run(session, now=at("2024-06-01"))
    assert one.status == "done" and "ended (terminated)" in (one.closed_note or "")
    assert open_rules(session, treaty.id) == set()


# --- the run takes the agreements CHUNK at a time: where a chunk ends changes nothing


def made_by_the_rules(session, ids):  # type: ignore[no-untyped-def]
    """The rule-made reminders of agreements `ids` and their audit entries, each agreement
    named by its place in `ids` (a comparison across agreements made alike)."""
    place = {aid: n for n, aid in enumerate(ids)}
    reminders = sorted(
        (place[r.agreement_id], r.rule, r.party_code, r.status, r.due, r.reason, r.closed_note)
        for r in session.scalars(
            select(Reminder).where(Reminder.agreement_id.in_(ids), Reminder.rule.is_not(None))
        )
    )
    entries = sorted(
        (
            place[e.agreement_id],
            e.actor,
            e.action,
            json.dumps(e.before, sort_keys=True),
            json.dumps(
                {k: v for k, v in e.after.items() if k not in ("agreement_id", "rule_key")},
                sort_keys=True,
            ),
        )
        for e in session.scalars(
            select(AuditEntry).where(
                AuditEntry.entity == "reminder", AuditEntry.agreement_id.in_(ids)
            )
        )
    )
    return reminders, entries


def test_a_run_over_several_chunks_does_what_one_chunk_does(session, monkeypatch):
    outcomes = []
    for chunk in (5000, 1, 2, 3):
        monkeypatch.setattr(rules, "CHUNK", chunk)
        announced = factories.agreement(session, parties=["RUS", "IRN"])
        factories.event(session, announced.id, "announcement", "2024-01-15")
        listed = multilateral(session, ["BEL", "CHL", "FRA", "PLW"])
        for code in ("BEL", "CHL", "FRA"):
            factories.event(session, listed.id, "signing", "2024-01-10", party=code)
        factories.event(session, listed.id, "signing", "2024-03-01", party="PLW")
        signed = factories.agreement(session, parties=["RUS", "IRN"])
        factories.event(session, signed.id, "signing", "2024-01-10")
        ending = multilateral(session, ["BEL", "CHL", "FRA"])
        factories.event(session, ending.id, "signing", "2024-01-10", party="BEL")
        ids = [announced.id, listed.id, signed.id, ending.id]
        first = run(session, now=at("2024-06-01"))
        factories.event(session, announced.id, "signing", "2024-06-05")
        factories.event(session, ending.id, "termination", "2024-06-05")
        second = run(session, now=at("2024-06-10"))  # one closed as signed, one as ended
        third = run(session, now=at("2024-07-01"))  # the combined reminder rewritten
        assert first.created >= 5 and second.closed >= 2 and third.kept >= 3
        outcomes.append(made_by_the_rules(session, ids))
    reminders, entries = outcomes[0]
    assert len(reminders) == 5 and len(entries) == 8
    assert all(outcome == outcomes[0] for outcome in outcomes[1:])


def test_the_rules_insert_stores_what_sqlalchemy_stores(session):
    """The reminders and audit entries go in through the driver (tracker.services.infra.bulk.insert_many), each
    value converted by its column's bind processor: read back, they equal rows inserted by
    SQLAlchemy's own insert, dates, times, JSON and NULLs included."""
    treaty = factories.agreement(session)
    now = at("2024-06-01")
    after = {"status": "open", "due": date(2024, 5, 1), "reason": "Why: «причина»"}
    entries = [
        rules._rule_audit("create", 990001, treaty.id, None, after, now),
        rules._rule_audit("update", 990001, treaty.id, {"status": "open"}, after, now),
    ]
    session.execute(insert(AuditEntry.__table__), entries)
    insert_many(session, AuditEntry.__table__, entries)
    keys = ("at", "user_id", "actor", "action", "entity", "entity_id", "agreement_id")
    stored = [
        (*(getattr(e, key) for key in keys), e.before, e.after)
        for e in session.scalars(
            select(AuditEntry).where(AuditEntry.entity_id == "990001").order_by(AuditEntry.id)
        )
    ]
    assert stored[:2] == stored[2:] and stored[0][-1] == {**after, "due": "2024-05-01"}
    assert stored[0][-2] is None
    reminder = {
        "agreement_id": treaty.id,
        "stage": None,
        "party_code": "RUS",
        "due": date(2024, 5, 1),
        "reason": "Why: «причина»",
        "rule": "unsigned",
        "status": "open",
    }
    session.execute(insert(Reminder.__table__), [{**reminder, "rule_key": "a"}])
    insert_many(
        session,
        Reminder.__table__,
        [{**reminder, "rule_key": "b"}],
        {"closed_note": "", "created_at": now, "updated_at": now},
    )
    made = rules._ids_by_key(session, ["a", "b"])
    rows = [session.get(Reminder, made[key]) for key in ("a", "b")]
    columns = ("agreement_id", "stage", "party_code", "due", "reason", "rule", "status")
    assert [tuple(getattr(r, c) for c in (*columns, "closed_note")) for r in rows] == [
        (*reminder.values(), "")
    ] * 2
    assert rows[1].created_at == now and rows[1].snoozed_until is None
