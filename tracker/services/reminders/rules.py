"""The reminder rules of SPEC §2: small named functions over an agreement's derived lifecycle.

Each rule says which reminders an agreement should have today. `run` compares that with what
is stored: a reminder a rule wants and nobody has yet is created (once: its key is rule,
agreement, stage and party); one whose reason has gone (the awaited event was recorded) is
closed with a note saying why; a dismissed or done one stays as it is. Running twice at the
same instant changes nothing. Time comes in as `now`, so tests travel in time freely.

A multilateral agreement (SPEC §2b) gets one combined reminder for its signatories that have
not consented, not one per party, so fifty signatories give one reminder whose reason is
rewritten as the list changes. An agreement that has ended (terminated) gets no new
follow-up reminders, and its open ones are closed.

One module, longer than most: the rules, the facts they read and the run that reconciles
their reminders are read together whenever a rule changes.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session, selectinload

from tracker.db import begin_write, utcnow
from tracker.models import (
    Agreement,
    AgreementParty,
    AgreementState,
    AuditEntry,
    Reminder,
    StageEvent,
    User,
)
from tracker.models.vocab import (
    HAPPENED,
    AgreementStatus,
    EventStatus,
    Participation,
    ReminderStatus,
    Role,
    Stage,
)
from tracker.services import audit, transactional
from tracker.services.agreements import state
from tracker.services.agreements.lifecycle import STALLED_AFTER_DAYS, status_on
from tracker.services.claims import relations
from tracker.services.claims.events import record_event
from tracker.services.errors import ServiceError
from tracker.services.infra.mail import MailError, MailSettings, message, send
from tracker.text.dates import add_days, in_range, span_to_edtf

log = logging.getLogger("tracker.rules")


@dataclass(frozen=True)
class RuleSettings:
    unsigned_days: int = 90
    ratification_days: int = 120
    stalled_days: int = STALLED_AFTER_DAYS

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> RuleSettings:
        return cls(
            unsigned_days=int(config.get("RULE_UNSIGNED_DAYS", 90)),
            ratification_days=int(config.get("RULE_RATIFICATION_DAYS", 120)),
            stalled_days=int(config.get("STALLED_AFTER_DAYS", STALLED_AFTER_DAYS)),
        )


@dataclass(frozen=True)
class Claim:
    id: int
    stage: str
    step: str | None
    party: str | None
    status: str
    earliest: date | None
    latest: date | None


@dataclass
class AgreementFacts:
    """What the rules read of one agreement."""

    id: int
    title: str
    parties: list[str]
    derived: dict[str, Any]
    bilateral: bool = True
    claims: list[Claim] = field(default_factory=list)
    # The title of an agreement that supersedes this one, if one does (SPEC §2b).
    superseded_by: str | None = None

    def counted(self, stage: str) -> list[Claim]:
        return [c for c in self.claims if c.stage == stage and c.status in HAPPENED]

    @property
    def ended(self) -> bool:
        """Terminated or superseded: no follow-up is wanted any more."""
        return self.superseded_by is not None or self.derived.get("base_status") in ENDED

    @property
    def ended_note(self) -> str:
        """Why its open reminders were closed."""
        if self.superseded_by is not None:
            return SUPERSEDED_NOTE.format(title=self.superseded_by)
        return ENDED_NOTE.format(status=self.derived["base_status"])


# The derived statuses after which the rules want nothing of an agreement.
ENDED = (AgreementStatus.TERMINATED.value,)
# Signatories still owing their instrument: signed, or with a domestic chain under way.
UNCONSENTED = (Participation.SIGNED.value, Participation.IN_PROGRESS.value)


@dataclass(frozen=True)
class Wanted:
    rule: str
    agreement_id: int
    stage: str | None
    party: str | None
    due: date
    reason: str
    detail: str = ""  # refines the key (an expected claim's step)

    @property
    def key(self) -> str:
        return ":".join(
            [
                self.rule,
                str(self.agreement_id),
                self.stage or "-",
                self.detail or "-",
                self.party or "-",
            ]
        )


def _first(claims: list[Claim]) -> date | None:
    days = [c.earliest or c.latest for c in claims if c.earliest or c.latest]
    return min(days) if days else None


def unsigned(facts: AgreementFacts, today: date, settings: RuleSettings) -> list[Wanted]:
    """Announced or in preparation, and no signing within `unsigned_days`."""
    if facts.counted(Stage.SIGNING) or facts.derived["current_stage"] not in (
        Stage.PREPARATION,
        Stage.ANNOUNCEMENT,
    ):
        return []
    start = _first(facts.counted(Stage.PREPARATION) + facts.counted(Stage.ANNOUNCEMENT))
    if start is None:
        return []
    due = add_days(start, settings.unsigned_days)
    return [
        Wanted(
            "unsigned",
            facts.id,
            Stage.SIGNING.value,
            None,
            due,
            f"Announced or in preparation since {start}, and no signing on record after "
            f"{settings.unsigned_days} days: check whether it was signed.",
        )
    ]


def ratification_quiet(facts: AgreementFacts, today: date, settings: RuleSettings) -> list[Wanted]:
    """Bilateral, signed, and a party has no ratification step within `ratification_days`:
    one per party (a multilateral agreement has `signatories_quiet` instead)."""
    signed = _first(facts.counted(Stage.SIGNING))
    if signed is None or not facts.bilateral:
        return []
    due = add_days(signed, settings.ratification_days)
    return [
        Wanted(
            "ratification_quiet",
            facts.id,
            Stage.RATIFICATION.value,
            party,
            due,
            f"Signed on {signed}; no ratification step for {party} on record after "
            f"{settings.ratification_days} days.",
        )
        for party in facts.parties
        if facts.derived["ratification"].get(party, "not_started") == "not_started"
    ]


def signatories_quiet(facts: AgreementFacts, today: date, settings: RuleSettings) -> list[Wanted]:
    """Multilateral: the signatories that have not consented `ratification_days` after their
    own signing, named in ONE reminder per agreement, due when the first of them passes the
    threshold; its reason follows the list, and it closes when nobody is left."""
    if facts.bilateral:
        return []
    late: list[tuple[date, str]] = []
    for row in facts.derived.get("participants", []):
        if row["participation"] not in UNCONSENTED:
            continue
        own = [c for c in facts.counted(Stage.SIGNING) if c.party == row["party"]]
        signed = _first(own)
        due = add_days(signed, settings.ratification_days) if signed else None
        if due is not None and due <= today:
            late.append((due, row["party"]))
    if not late:
        return []
    names = ", ".join(party for _, party in sorted(late, key=lambda x: x[1]))
    count = len(late)
    return [
        Wanted(
            "signatories_quiet",
            facts.id,
            Stage.RATIFICATION.value,
            None,
            min(due for due, _ in late),
            f"{count} signator{'y has' if count == 1 else 'ies have'} not consented "
            f"{settings.ratification_days} days after signing: {names}.",
        )
    ]


def withdrawal_effective(
    facts: AgreementFacts, today: date, settings: RuleSettings
) -> list[Wanted]:
    """A party's withdrawal takes effect on its computed day (the withdrawal rule): one per
    party and withdrawal, due that day."""
    wanted = []
    for row in facts.derived.get("participants", []):
        effective = row.get("withdrawal_effective")
        if row["participation"] != Participation.WITHDRAWN or not effective:
            continue
        day = date.fromisoformat(effective)
        wanted.append(
            Wanted(
                "withdrawal_effective",
                facts.id,
                Stage.WITHDRAWAL.value,
                row["party"],
                day,
                f"{row['party']}'s withdrawal takes effect on {day}: record it.",
                detail=row.get("withdrawal_notified") or "",
            )
        )
    return wanted


def expected_passed(facts: AgreementFacts, today: date, settings: RuleSettings) -> list[Wanted]:
    """An expected claim whose latest day has passed with no claim that it happened."""
    happened = {(c.stage, c.step, c.party) for c in facts.claims if c.status in HAPPENED}
    wanted = []
    for claim in facts.claims:
        if claim.status != EventStatus.EXPECTED or claim.latest is None:
            continue
        if (claim.stage, claim.step, claim.party) in happened:
            continue
        if claim.stage == Stage.ENTRY_INTO_FORCE and facts.derived.get("expected_entry_into_force"):
            continue  # entry_into_force_due speaks for the computed day
        what = (claim.step or claim.stage).replace("_", " ")
        wanted.append(
            Wanted(
                "expected_passed",
                facts.id,
                claim.stage,
                claim.party,
                add_days(claim.latest, 1),
                f"{what.capitalize()}{' of ' + claim.party if claim.party else ''} was expected "
                f"by {claim.latest}: did it happen?",
                detail=claim.step or "",
            )
        )
    return wanted


def entry_into_force_due(
    facts: AgreementFacts, today: date, settings: RuleSettings
) -> list[Wanted]:
    """Entry into force is due on the day the rule computes: every party notified (the
    bilateral rule), or the K-th instrument in (the rule of instruments)."""
    computed = facts.derived.get("expected_entry_into_force")
    if not computed or facts.counted(Stage.ENTRY_INTO_FORCE):
        return []
    day = date.fromisoformat(computed[0])
    reason = f"Entry into force computed for {day} from the rule: check that it happened."
    required = facts.derived.get("instruments_required")
    if not facts.bilateral and required is not None:
        deposited = facts.derived.get("instruments_deposited", 0)
        reason = (
            f"{deposited} of {required} instruments: entry into force expected on {day}; "
            "check that it happened."
        )
    return [
        Wanted("entry_into_force_due", facts.id, Stage.ENTRY_INTO_FORCE.value, None, day, reason)
    ]


def stalled(facts: AgreementFacts, today: date, settings: RuleSettings) -> list[Wanted]:
    """An active agreement with no event and no evidence for `stalled_days`."""
    last = facts.derived.get("last_activity")
    if not last:
        return []
    last_day = date.fromisoformat(last)
    if status_on(facts.derived["base_status"], last_day, today, settings.stalled_days) != "stalled":
        return []
    return [
        Wanted(
            "stalled",
            facts.id,
            None,
            None,
            add_days(last_day, settings.stalled_days),
            f"Nothing on record since {last_day}: has it stalled?",
        )
    ]


RULES: dict[str, Callable[[AgreementFacts, date, RuleSettings], list[Wanted]]] = {
    "unsigned": unsigned,
    "ratification_quiet": ratification_quiet,
    "signatories_quiet": signatories_quiet,
    "withdrawal_effective": withdrawal_effective,
    "expected_passed": expected_passed,
    "entry_into_force_due": entry_into_force_due,
    "stalled": stalled,
}

CLOSING_NOTES = {
    "unsigned": "Closed by the rules: a signing is now on record.",
    "ratification_quiet": "Closed by the rules: this party's ratification has started on record.",
    "signatories_quiet": "Closed by the rules: every signatory past the threshold has "
    "consented (or left).",
    "withdrawal_effective": "Closed by the rules: the withdrawal no longer stands on record.",
    "expected_passed": "Closed by the rules: a claim that it happened is now on record "
    "(or the expectation was withdrawn).",
    "entry_into_force_due": "Closed by the rules: entry into force is now on record.",
    "stalled": "Closed by the rules: there is new activity on record.",
}
ENDED_NOTE = "Closed by the rules: the agreement has ended ({status}); no follow-up is wanted."
SUPERSEDED_NOTE = (
    "Closed by the rules: the agreement was superseded by {title}; no follow-up is wanted."
)


def _facts(session: Session, agreement_id: int | None = None) -> list[AgreementFacts]:
    """Every live agreement (or the one `agreement_id`) with its cached lifecycle, parties,
    claims and what supersedes it (five queries)."""
    state.rebuild(session, only_missing=True)
    query = (
        select(Agreement.id, Agreement.title, AgreementState.derived, Agreement.bilateral)
        .join(AgreementState, AgreementState.agreement_id == Agreement.id)
        .where(Agreement.deleted_at.is_(None))
        .order_by(Agreement.id)
    )
    if agreement_id is not None:
        query = query.where(Agreement.id == agreement_id)
    rows = session.execute(query).all()
    facts = {
        row.id: AgreementFacts(row.id, row.title, [], row.derived, bool(row.bilateral))
        for row in rows
    }
    for owner, code in session.execute(
        select(AgreementParty.agreement_id, AgreementParty.party_code).order_by(
            AgreementParty.agreement_id, AgreementParty.position
        )
    ):
        if owner in facts:
            facts[owner].parties.append(code)
    columns = (
        StageEvent.agreement_id,
        StageEvent.id,
        StageEvent.stage,
        StageEvent.step,
        StageEvent.party_code,
        StageEvent.status,
        StageEvent.date_earliest,
        StageEvent.date_latest,
    )
    for row in session.execute(select(*columns).where(StageEvent.deleted_at.is_(None))):
        if row[0] in facts:
            facts[row[0]].claims.append(Claim(*row[1:]))
    for owner, title in relations.superseded_by(session).items():
        if owner in facts:
            facts[owner].superseded_by = title
    return list(facts.values())


@dataclass
class RunReport:
    created: int = 0
    closed: int = 0
    woken: int = 0
    computed_events: int = 0
    kept: int = 0
    by_rule: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    # Agreements the rules could not be applied to, with why; their reminders are untouched.
    skipped: dict[int, str] = field(default_factory=dict)

    def skip(self, agreement_id: int, reason: str) -> None:
        log.warning("reminder rules skipped agreement %d: %s", agreement_id, reason)
        self.skipped.setdefault(agreement_id, reason)

    def summary(self) -> str:
        rules = ", ".join(f"{rule} {n}" for rule, n in sorted(self.by_rule.items())) or "none"
        text = (
            f"{self.created} reminder(s) created ({rules}), {self.closed} closed, "
            f"{self.woken} woken from snooze, {self.computed_events} expected entry-into-force "
            f"event(s) computed, {self.kept} left as they were."
        )
        if self.skipped:
            text += f" {len(self.skipped)} agreement(s) skipped: " + "; ".join(
                f"agreement {i}: {why}" for i, why in sorted(self.skipped.items())
            )
        return text


@transactional
def run(
    session: Session,
    *,
    now: datetime | None = None,
    settings: RuleSettings | None = None,
    agreement_id: int | None = None,
) -> RunReport:
    """Apply every rule to every agreement as of `now`; one transaction. With
    `agreement_id`, to that agreement alone (its reminders only): what a change to one
    agreement settles (a stage accepted from the inbox) is settled at once."""
    now = now or utcnow()
    today = now.date()
    settings = settings or RuleSettings()
    report = RunReport()
    facts = _facts(session, agreement_id)
    report.computed_events = _computed_entry_into_force(session, facts, report)
    if report.computed_events:
        facts = _facts(session, agreement_id)

    wanted: dict[str, Wanted] = {}
    ended: dict[int, str] = {}
    for f in facts:  # one agreement's odd data never stops the rules for the others
        if f.ended:
            ended[f.id] = f.ended_note
            continue
        try:
            found = [w for rule in RULES.values() for w in rule(f, today, settings)]
        except Exception as exc:
            log.exception("reminder rules failed on agreement %d", f.id)
            report.skip(f.id, f"the rules failed on it ({type(exc).__name__}: {exc})")
            continue
        outside = [w for w in found if not in_range(w.due)]
        for w in outside:
            report.skip(f.id, f"the {w.rule} rule gives a day outside the supported range")
        wanted.update((w.key, w) for w in found if w not in outside)
    ruled = select(Reminder).where(Reminder.rule.is_not(None))
    if agreement_id is not None:
        ruled = ruled.where(Reminder.agreement_id == agreement_id)
    existing = {r.rule_key: r for r in session.scalars(ruled)}
    new_rows = []
    audit_rows: list[dict[str, Any]] = []
    for key, want in wanted.items():
        if key in existing:
            report.kept += 1
            follow = _follow(existing[key], want, now)
            if follow:
                audit_rows.append(follow)
            continue
        if want.due > today:
            continue
        new_rows.append(
            {
                "agreement_id": want.agreement_id,
                "stage": want.stage,
                "party_code": want.party,
                "due": want.due,
                "reason": want.reason,
                "rule": want.rule,
                "rule_key": key,
                "status": ReminderStatus.OPEN.value,
            }
        )
        report.created += 1
        report.by_rule[want.rule] += 1
    if new_rows:  # one executemany, not one INSERT per reminder
        # render_nulls: rows with and without a stage or party go in one batch, not alternate
        made = session.execute(
            insert(Reminder)
            .execution_options(render_nulls=True)
            .returning(Reminder.id, Reminder.rule_key),
            new_rows,
        )
        by_key = {row["rule_key"]: row for row in new_rows}
        for reminder_id, key in made.all():
            row = by_key[key]
            audit_rows.append(
                _rule_audit("create", reminder_id, row["agreement_id"], None, row, now)
            )
    for key, reminder in existing.items():
        open_ = reminder.status in (ReminderStatus.OPEN, ReminderStatus.SNOOZED)
        if open_ and key not in wanted and reminder.agreement_id not in report.skipped:
            before = {"status": reminder.status}
            reminder.status = ReminderStatus.DONE.value
            reminder.closed_at = now
            if reminder.agreement_id in ended:
                reminder.closed_note = ended[reminder.agreement_id]
            else:
                reminder.closed_note = CLOSING_NOTES.get(
                    reminder.rule or "", "Closed by the rules."
                )
            after = {"status": reminder.status, "closed_note": reminder.closed_note}
            audit_rows.append(
                _rule_audit("update", reminder.id, reminder.agreement_id, before, after, now)
            )
            report.closed += 1
    waking = update(Reminder).where(
        Reminder.status == ReminderStatus.SNOOZED.value, Reminder.snoozed_until <= today
    )
    if agreement_id is not None:
        waking = waking.where(Reminder.agreement_id == agreement_id)
    woken = session.execute(
        waking.values(status=ReminderStatus.OPEN.value, snoozed_until=None).returning(
            Reminder.id, Reminder.agreement_id
        )
    ).all()
    report.woken = len(woken)
    audit_rows += [
        _rule_audit("update", i, a, {"status": "snoozed"}, {"status": "open"}, now)
        for i, a in woken
    ]
    if audit_rows:  # every change the rules make is on the record, in one batch
        session.execute(insert(AuditEntry).execution_options(render_nulls=True), audit_rows)
    return report


def _follow(reminder: Reminder, want: Wanted, now: datetime) -> dict[str, Any] | None:
    """An open reminder whose reason changed (the list of a combined reminder, a day the rule
    computes again) is rewritten in place, not duplicated; returns its audit row."""
    if reminder.status not in (ReminderStatus.OPEN, ReminderStatus.SNOOZED):
        return None
    if reminder.reason == want.reason and reminder.due == want.due:
        return None
    before = {"reason": reminder.reason, "due": reminder.due.isoformat()}
    reminder.reason = want.reason
    reminder.due = want.due
    after = {"reason": reminder.reason, "due": reminder.due.isoformat()}
    return _rule_audit("update", reminder.id, reminder.agreement_id, before, after, now)


def _rule_audit(
    action: str,
    reminder_id: int,
    agreement_id: int,
    before: dict[str, Any] | None,
    after: dict[str, Any],
    at: datetime,
) -> dict[str, Any]:
    return audit.system_row(
        actor="reminder rules",
        action=action,
        entity="reminder",
        entity_id=reminder_id,
        agreement_id=agreement_id,
        before=before,
        after=after,
        at=at,
    )


def _computed_entry_into_force(
    session: Session, facts: list[AgreementFacts], report: RunReport
) -> int:
    """Record an expected entry-into-force claim where the rule computes one and none exists.

    Each in a savepoint of its own: one that cannot be recorded (a day outside the supported
    range, computed from a far-off notification) is skipped and reported, not fatal.
    """
    made = 0
    for f in facts:
        computed = f.derived.get("expected_entry_into_force")
        if f.ended or not computed or any(c.stage == Stage.ENTRY_INTO_FORCE for c in f.claims):
            continue
        low = date.fromisoformat(computed[0])
        high = date.fromisoformat(computed[1]) if computed[1] else None
        try:
            with session.begin_nested():
                record_event(
                    session,
                    f.id,
                    {
                        "stage": Stage.ENTRY_INTO_FORCE.value,
                        "status": EventStatus.EXPECTED.value,
                        "date": span_to_edtf(low, high) if high else f"{low.isoformat()}/..",
                        "note": "Computed from the entry-into-force rule and the "
                        + (
                            "instruments in."
                            if f.derived.get("instruments_required") and not f.bilateral
                            else "last notification."
                        ),
                    },
                )
        except ServiceError as exc:  # refused, as input would be: say why
            report.skip(f.id, f"no expected entry into force recorded ({exc})")
            continue
        except Exception as exc:  # anything else: logged with its traceback, the run goes on
            log.exception("expected entry into force not recorded for agreement %d", f.id)
            report.skip(f.id, f"no expected entry into force recorded ({type(exc).__name__})")
            continue
        made += 1
    return made


def notify_due(
    session: Session, *, now: datetime | None = None, mail: MailSettings, base_url: str
) -> int:
    """Email each open reminder that has fallen due, once; returns how many were sent.

    A reminder goes to its assignee, or, with nobody assigned, to every active editor and
    admin. Each is claimed (notified_at set) before sending; if the server refuses, the
    claims of the reminders not yet mailed are released so the next run tries them again,
    and those it had accepted are not sent twice.
    """
    now = now or utcnow()
    begin_write(session)
    due = list(
        session.scalars(
            select(Reminder)
            .where(
                Reminder.status == ReminderStatus.OPEN.value,
                Reminder.due <= now.date(),
                Reminder.notified_at.is_(None),
            )
            .order_by(Reminder.due, Reminder.id)
            .options(selectinload(Reminder.assignee), selectinload(Reminder.agreement))
        )
    )
    if not due:
        session.rollback()
        return 0
    crew = [
        u.email
        for u in session.scalars(
            select(User).where(
                User.is_active.is_(True), User.role.in_([Role.EDITOR.value, Role.ADMIN.value])
            )
        )
    ]
    mails = []
    owners: list[int] = []  # the reminder of each mail
    for reminder in due:
        reminder.notified_at = now  # the claim: committed before anything is sent
        recipients = [reminder.assignee.email] if reminder.assignee else crew
        link = f"{base_url}/agreements/{reminder.agreement_id}"
        title = reminder.agreement.title
        for to in recipients:
            owners.append(reminder.id)
            mails.append(
                message(
                    mail,
                    to,
                    f"Reminder due: {title}",
                    f"{reminder.reason}\n\nAgreement: {title}\nDue: {reminder.due}\n{link}\n",
                )
            )
    session.commit()
    try:
        send(mail, mails)
    except Exception as exc:
        # Release the claims of the reminders none of whose mails went out, so the next run
        # sends them; one whose mail the server accepted stays notified (never sent twice).
        handed = exc.sent if isinstance(exc, MailError) else 0
        unsent = set(owners[handed:]) - set(owners[:handed])
        if unsent:
            begin_write(session)
            session.execute(
                update(Reminder).where(Reminder.id.in_(unsent)).values(notified_at=None)
            )
            session.commit()
        raise
    return len(mails)
