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

import gc
import logging
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from operator import itemgetter
from typing import Any, NamedTuple

from sqlalchemy import (
    JSON,
    ColumnElement,
    Row,
    bindparam,
    func,
    inspect,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
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
from tracker.services.infra.bulk import insert_many
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


class Claim(NamedTuple):
    """A live claim as the rules read it: a tuple, as a full run makes some 600,000."""

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
    # Its parties in their order, where a rule reads them (bilateral and signed) only.
    parties: list[str]
    # The cached lifecycle's keys the rules read (LIFECYCLE_KEYS, and `participants`).
    derived: dict[str, Any]
    bilateral: bool = True
    # Its live claims that a rule reads (READ_STAGES says which), in the order of their ids.
    claims: list[Claim] = field(default_factory=list)
    # The title of an agreement that supersedes this one, if one does (SPEC §2b).
    superseded_by: str | None = None

    # The counted claims by stage, sorted out once on first use: the rules ask for several
    # stages of every agreement, and a full run asks some 300,000 times.
    _counted: dict[str, list[Claim]] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def counted(self, stage: str) -> list[Claim]:
        """The claims of `stage` that count as having happened, in the order read (the
        claims are complete before a rule reads them; do not change the list returned)."""
        if self._counted is None:
            self._counted = {}
            for claim in self.claims:
                if claim.status in HAPPENED:
                    self._counted.setdefault(claim.stage, []).append(claim)
        return self._counted.get(stage, [])

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
    # Each party's participation, as in its row of the participants table (the cache keeps
    # both; this one is the smaller to read).
    for party, participation in (facts.derived.get("participation") or {}).items():
        if participation not in UNCONSENTED:
            continue
        own = [c for c in facts.counted(Stage.SIGNING) if c.party == party]
        signed = _first(own)
        due = add_days(signed, settings.ratification_days) if signed else None
        if due is not None and due <= today:
            late.append((due, party))
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


# Agreements are read and reconciled this many at a time, by id: a run over 100,000 holds one
# chunk's facts and reminders at once, never the whole database's. Tests lower it.
CHUNK = 5000


def _chunks(session: Session, agreement_id: int | None) -> Iterator[tuple[int, int]]:
    """(first, last) agreement ids of each chunk, deleted agreements included (their open
    reminders are closed like any other whose reason has gone)."""
    if agreement_id is not None:
        yield agreement_id, agreement_id
        return
    last = None
    while True:
        query = select(Agreement.id).order_by(Agreement.id).limit(CHUNK)
        if last is not None:
            query = query.where(Agreement.id > last)
        ids = session.scalars(query).all()
        if not ids:
            return
        yield ids[0], ids[-1]
        last = ids[-1]


# The keys of the cached lifecycle that the rules read, taken out of the JSON by the database:
# the cache holds much more (each party's row of the participants table above all), and
# decoding all of it was a third of the time spent reading a chunk. `participants` is read
# apart, for the agreements with a withdrawn party only (`withdrawal_effective`).
LIFECYCLE_KEYS = (
    "current_stage",
    "base_status",
    "last_activity",
    "ratification",
    "participation",
    "expected_entry_into_force",
    "instruments_required",
    "instruments_deposited",
)

# The stages whose claims the rules read whatever their status: counted as having happened
# (a signing, the preparation or announcement before it, an entry into force) or looked for
# (an expected entry into force on record). Of the other stages a rule reads only an expected
# claim, and the claims of an agreement with one that say it happened (`expected_passed`):
# the ratification steps that happened, two thirds of all claims, are mostly not read at all.
# A rule that reads more claims adds their stage here.
READ_STAGES = (
    Stage.PREPARATION.value,
    Stage.ANNOUNCEMENT.value,
    Stage.SIGNING.value,
    Stage.ENTRY_INTO_FORCE.value,
)


def _lifecycle(session: Session) -> ColumnElement[Any]:
    """The LIFECYCLE_KEYS of the cached lifecycle as one JSON array, in their order (a key
    the cache lacks gives null): a few hundred bytes to decode per agreement, not the whole
    document."""
    derived = AgreementState.__table__.c.derived
    if session.get_bind().dialect.name == "postgresql":
        return func.jsonb_build_array(*(derived[key] for key in LIFECYCLE_KEYS), type_=JSONB)
    # SQLite: json_extract with several paths answers the array in one parse of the text.
    return func.json_extract(derived, *(f"$.{key}" for key in LIFECYCLE_KEYS), type_=JSON)


def _facts(
    session: Session,
    first: int,
    last: int,
    superseded: dict[int, str],
    only: list[int] | None = None,
) -> list[AgreementFacts]:
    """The live agreements with ids from `first` to `last` (or, with `only`, those of its
    ids), with the parts of their cached lifecycle, the claims and the parties that the rules
    read (a query each, of the columns the rules read; one more when some party has
    withdrawn, one more when some claim of another stage is expected)."""
    # Core columns, not the mapped attributes: the rows need no ORM processing.
    agreement, cached = Agreement.__table__.c, AgreementState.__table__.c
    party, event = AgreementParty.__table__.c, StageEvent.__table__.c

    def chosen(column: ColumnElement[int]) -> ColumnElement[bool]:
        return column.between(first, last) if only is None else column.in_(only)

    rows = session.execute(
        select(agreement.id, agreement.title, _lifecycle(session), agreement.bilateral)
        .join_from(
            Agreement.__table__, AgreementState.__table__, cached.agreement_id == agreement.id
        )
        .where(agreement.deleted_at.is_(None), chosen(agreement.id))
        .order_by(agreement.id)
    ).all()  # one fetch of the chunk, not one call per row
    facts = {
        id_: AgreementFacts(
            id_,
            title,
            [],
            dict(zip(LIFECYCLE_KEYS, values, strict=True)),
            bool(bilateral),
            [],
            superseded.get(id_),
        )
        for id_, title, values, bilateral in rows
    }
    withdrawn = [
        f.id
        for f in facts.values()
        if Participation.WITHDRAWN in (f.derived["participation"] or {}).values()
    ]
    for f in facts.values():
        f.derived["participants"] = []
    if withdrawn:
        for owner, participants in session.execute(
            select(cached.agreement_id, cached.derived["participants"]).where(
                cached.agreement_id.in_(withdrawn)
            )
        ).all():
            facts[owner].derived["participants"] = participants or []
    _add_claims(
        session,
        facts,
        chosen(event.agreement_id),
        or_(event.stage.in_(READ_STAGES), event.status == EventStatus.EXPECTED.value),
    )
    # An expected claim of another stage asks whether it happened: its agreement's claims
    # of those stages that did are read too (few agreements have one).
    awaited = [
        f.id
        for f in facts.values()
        if any(c.status == EventStatus.EXPECTED and c.stage not in READ_STAGES for c in f.claims)
    ]
    if awaited:
        _add_claims(
            session,
            facts,
            event.agreement_id.in_(awaited),
            event.stage.not_in(READ_STAGES) & event.status.in_([s.value for s in HAPPENED]),
        )
        for owner in awaited:
            facts[owner].claims.sort(key=itemgetter(0))  # by id, as if read in one query
    # The parties, in their order, of the agreements `ratification_quiet` asks about: the
    # bilateral ones signed (some 300,000 rows in all, most of them never read).
    signed = [f.id for f in facts.values() if f.bilateral and f.counted(Stage.SIGNING)]
    if signed:
        for owner, code in session.execute(
            select(party.agreement_id, party.party_code)
            .where(party.agreement_id.in_(signed))
            .order_by(party.agreement_id, party.position)
        ).all():
            facts[owner].parties.append(code)
    return list(facts.values())


def _add_claims(
    session: Session,
    facts: dict[int, AgreementFacts],
    *conditions: ColumnElement[bool],
) -> None:
    """Append the live claims meeting `conditions` to their agreements' facts, in the order
    of their ids (one query of the columns the rules read)."""
    event = StageEvent.__table__.c
    claims = (
        select(
            event.agreement_id,
            event.id,
            event.stage,
            event.step,
            event.party_code,
            event.status,
            event.date_earliest,
            event.date_latest,
        )
        .where(event.deleted_at.is_(None), *conditions)
        .order_by(event.agreement_id, event.id)
    )
    # tuple.__new__ on the row's slice is Claim._make without its checks: 200,000 claims.
    make = tuple.__new__
    for row in session.execute(claims).all():
        owner = facts.get(row[0])
        if owner is not None:
            owner.claims.append(make(Claim, row[1:]))


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
    agreement settles (a stage accepted from the inbox) is settled at once.

    The agreements are taken CHUNK at a time by id, each chunk read in a few statements of
    the columns the rules need, and its reminders and audit entries written in batches.
    """
    now = now or utcnow()
    today = now.date()
    settings = settings or RuleSettings()
    report = RunReport()
    state.rebuild(session, only_missing=True)
    superseded = relations.superseded_by(session, None if agreement_id is None else [agreement_id])
    # A full run makes hundreds of thousands of small objects (claims, the cached lifecycles'
    # dicts, rows) that live until their chunk is written: the collector's passes would scan
    # them again and again and free nothing. Paused for a full run only (one agreement's run
    # happens inside web requests), resumed however the run ends.
    paused = agreement_id is None and gc.isenabled()
    if paused:
        gc.disable()
    try:
        for first, last in _chunks(session, agreement_id):
            _reconcile(session, first, last, superseded, now, settings, report)
    finally:
        if paused:
            gc.enable()
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
    _write_audit(
        session,
        [
            _rule_audit("update", i, a, {"status": "snoozed"}, {"status": "open"}, now)
            for i, a in woken
        ],
    )
    return report


def _reconcile(
    session: Session,
    first: int,
    last: int,
    superseded: dict[int, str],
    now: datetime,
    settings: RuleSettings,
    report: RunReport,
) -> None:
    """Create, rewrite and close the rule-made reminders of the agreements with ids from
    `first` to `last`, with their audit entries; Core statements in batches, no ORM rows."""
    today = now.date()
    facts = _facts(session, first, last, superseded)
    computed = _computed_entry_into_force(session, facts, report)
    if computed:  # read again the agreements whose claims and lifecycle that changed
        report.computed_events += len(computed)
        again = {f.id: f for f in _facts(session, first, last, superseded, only=computed)}
        facts = [again.get(f.id, f) for f in facts]

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
    table = Reminder.__table__
    existing = {
        row.rule_key: row
        for row in session.execute(
            select(
                table.c.id,
                table.c.agreement_id,
                table.c.rule,
                table.c.rule_key,
                table.c.status,
                table.c.reason,
                table.c.due,
            )
            .where(table.c.rule.is_not(None), table.c.agreement_id.between(first, last))
            .order_by(table.c.id)
        ).all()
    }
    new_rows = []
    rewritten: list[dict[str, Any]] = []
    audit_rows: list[dict[str, Any]] = []
    for key, want in wanted.items():
        if key in existing:
            report.kept += 1
            follow = _follow(existing[key], want, now)
            if follow:
                rewritten.append(follow[0])
                audit_rows.append(follow[1])
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
    if new_rows:
        # The columns' Python-side defaults, given here as the driver-level insert skips them.
        stamp = utcnow()
        defaults = {"closed_note": "", "created_at": stamp, "updated_at": stamp}
        insert_many(session, table, new_rows, defaults)
        # Mostly new (a first run): all the chunk's rule-made reminders in one read.
        chunk = (first, last) if len(new_rows) >= len(existing) else None
        made = _ids_by_key(session, [row["rule_key"] for row in new_rows], chunk)
        for row in new_rows:
            audit_rows.append(
                _rule_audit("create", made[row["rule_key"]], row["agreement_id"], None, row, now)
            )
    closing: list[dict[str, Any]] = []
    for key, reminder in existing.items():
        open_ = reminder.status in (ReminderStatus.OPEN, ReminderStatus.SNOOZED)
        if open_ and key not in wanted and reminder.agreement_id not in report.skipped:
            if reminder.agreement_id in ended:
                note = ended[reminder.agreement_id]
            else:
                note = CLOSING_NOTES.get(reminder.rule or "", "Closed by the rules.")
            closing.append(
                {
                    "reminder_id": reminder.id,
                    "status": ReminderStatus.DONE.value,
                    "closed_at": now,
                    "closed_note": note,
                }
            )
            after = {"status": ReminderStatus.DONE.value, "closed_note": note}
            audit_rows.append(
                _rule_audit(
                    "update",
                    reminder.id,
                    reminder.agreement_id,
                    {"status": reminder.status},
                    after,
                    now,
                )
            )
            report.closed += 1
    by_id = update(table).where(table.c.id == bindparam("reminder_id"))
    for batch in (rewritten, closing):
        if batch:
            session.execute(by_id, batch)
            _expire(session, batch)
    _write_audit(session, audit_rows)


def _expire(session: Session, changed: list[dict[str, Any]]) -> None:
    """Reminders the session holds that a bulk UPDATE just changed are read again when next
    used, as if the ORM had changed them itself (a caller may hold one)."""
    if not session.identity_map:
        return
    mapper = inspect(Reminder)
    for values in changed:
        key = mapper.identity_key_from_primary_key([values["reminder_id"]])
        held = session.identity_map.get(key)
        if held is not None:
            session.expire(held)


def _write_audit(session: Session, rows: list[dict[str, Any]]) -> None:
    """Every change the rules make is on the record, in batches."""
    insert_many(session, AuditEntry.__table__, rows)


def _ids_by_key(
    session: Session, keys: list[str], chunk: tuple[int, int] | None = None
) -> dict[str, int]:
    """The ids of the rule-made reminders with these keys (unique), 1,000 keys a query; or,
    with `chunk` (first and last agreement id, the keys' agreements among them), those of
    every rule-made reminder of the chunk's agreements in one query: the cheaper read when
    the keys are most of them (100 queries fewer in a first run over 100,000 agreements)."""
    table = Reminder.__table__
    ids: dict[str, int] = {}
    if chunk is not None:
        ids.update(
            session.execute(
                select(table.c.rule_key, table.c.id).where(
                    table.c.rule.is_not(None), table.c.agreement_id.between(*chunk)
                )
            ).all()
        )
        return ids
    for at in range(0, len(keys), 1000):
        query = select(table.c.rule_key, table.c.id).where(
            table.c.rule_key.in_(keys[at : at + 1000])
        )
        ids.update(session.execute(query).all())
    return ids


def _follow(
    reminder: Row[Any], want: Wanted, now: datetime
) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """An open reminder whose reason changed (the list of a combined reminder, a day the rule
    computes again) is rewritten in place, not duplicated; returns its new values and its
    audit row."""
    if reminder.status not in (ReminderStatus.OPEN, ReminderStatus.SNOOZED):
        return None
    if reminder.reason == want.reason and reminder.due == want.due:
        return None
    before = {"reason": reminder.reason, "due": reminder.due.isoformat()}
    after = {"reason": want.reason, "due": want.due.isoformat()}
    values = {"reminder_id": reminder.id, "reason": want.reason, "due": want.due}
    return values, _rule_audit("update", reminder.id, reminder.agreement_id, before, after, now)


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
) -> list[int]:
    """Record an expected entry-into-force claim where the rule computes one and none exists;
    returns the ids of the agreements that got one.

    Each in a savepoint of its own: one that cannot be recorded (a day outside the supported
    range, computed from a far-off notification) is skipped and reported, not fatal.
    """
    made = []
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
        made.append(f.id)
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
