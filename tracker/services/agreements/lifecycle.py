"""The derived lifecycle of an agreement (SPEC §2): stage, per-party ratification, status,
conflicts, inconsistency flags and the next expected event.

`derive` is a pure function of the recorded claims, so it is tested on its own and gives
the same answer wherever it is called. Recording is liberal: nothing here refuses a claim;
what looks wrong is reported as a flag for the researcher.

One module on purpose, longer than most: its parts (which claims count, conflicts,
ratification per party, status, the next expected event) read one another's results inside
the one derivation; split, each would be read with all the others anyway.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from tracker.models.vocab import (
    EXITS,
    HAPPENED,
    LIFECYCLE,
    AgreementStatus,
    ConsentType,
    EventStatus,
    RatificationState,
    Stage,
    Step,
)
from tracker.services.agreements.participation import (
    EntryIntoForceRule,
    Participant,
    WithdrawalRule,
    after_revocations,
    deposits,
    entry_into_force_by_instruments,
    instruments_required,
    order,
    participants,
)
from tracker.text.dates import add_days, readable, span_to_edtf

STALLED_AFTER_DAYS = 180

_EXIT_STATUS = {
    Stage.SUSPENSION: AgreementStatus.SUSPENDED,
    Stage.WITHDRAWAL: AgreementStatus.WITHDRAWN,
    Stage.TERMINATION: AgreementStatus.TERMINATED,
}
# Among exits on the same day the most final one decides the status.
_EXIT_RANK = {Stage.SUSPENSION: 0, Stage.WITHDRAWAL: 1, Stage.TERMINATION: 2}
_RATIFIED_STEPS = {Step.HEAD_OF_STATE, Step.PROMULGATION, None}
_RATIFICATION_RANK = {state: rank for rank, state in enumerate(RatificationState)}


class EventLike(Protocol):
    """What derivation reads of a stage event (a StageEvent row satisfies it)."""

    id: int
    stage: str
    step: str | None
    party_code: str | None
    body: str
    place: str
    date: str | None
    date_earliest: date | None
    date_latest: date | None
    status: str
    preferred: bool
    created_at: datetime
    consent_type: str | None


@dataclass(frozen=True)
class NextExpected:
    stage: str
    date: str | None
    step: str | None = None
    party: str | None = None
    # "rule" (computed from the entry-into-force rule), "event" (an expected claim) or
    # "sequence" (simply the next stage of the lifecycle, undated).
    source: str = "sequence"
    event_id: int | None = None


@dataclass(frozen=True)
class Flag:
    code: str
    message: str
    event_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class Lifecycle:
    current_stage: str | None
    status: str
    ratification: dict[str, str]
    conflicts: list[list[int]]
    flags: list[Flag]
    next_expected: NextExpected | None
    # The span computed from the entry-into-force rule, when every party has notified.
    expected_entry_into_force: tuple[date, date | None] | None
    # The status before the stalled test (active, in_force or an exit), and the last day
    # anything happened (before clamping to today): together with a day they give `status`.
    base_status: str = AgreementStatus.ACTIVE.value
    last_activity: date | None = None
    # The claims that count: disputed, expected, retracted and unpreferred ones do not.
    counted_event_ids: list[int] = field(default_factory=list)
    # SPEC §2b: each party's participation, its row of the participants table, and the
    # instruments in against the number the entry-into-force rule needs.
    participation: dict[str, str] = field(default_factory=dict)
    participants: list[Participant] = field(default_factory=list)
    instruments_deposited: int = 0
    instruments_required: int | None = None
    bilateral: bool = True

    def to_json(self) -> dict[str, Any]:
        """What the lifecycle cache stores (everything but the day-dependent status)."""
        eif = self.expected_entry_into_force
        return {
            "current_stage": self.current_stage,
            "ratification": self.ratification,
            "conflicts": self.conflicts,
            "flags": [asdict(f) | {"event_ids": list(f.event_ids)} for f in self.flags],
            "next_expected": asdict(self.next_expected) if self.next_expected else None,
            "expected_entry_into_force": (
                [eif[0].isoformat(), eif[1].isoformat() if eif[1] else None] if eif else None
            ),
            "base_status": self.base_status,
            "last_activity": self.last_activity.isoformat() if self.last_activity else None,
            "counted_event_ids": self.counted_event_ids,
            "participation": self.participation,
            "participants": [p.to_json() for p in self.participants],
            "instruments_deposited": self.instruments_deposited,
            "instruments_required": self.instruments_required,
            "bilateral": self.bilateral,
        }

    @classmethod
    def from_json(
        cls, data: dict[str, Any], *, today: date, stalled_after_days: int = STALLED_AFTER_DAYS
    ) -> Lifecycle:
        eif = data["expected_entry_into_force"]
        last = date.fromisoformat(data["last_activity"]) if data["last_activity"] else None
        return cls(
            current_stage=data["current_stage"],
            status=status_on(data["base_status"], last, today, stalled_after_days),
            ratification=data["ratification"],
            conflicts=data["conflicts"],
            flags=[Flag(f["code"], f["message"], tuple(f["event_ids"])) for f in data["flags"]],
            next_expected=NextExpected(**data["next_expected"]) if data["next_expected"] else None,
            expected_entry_into_force=(
                (date.fromisoformat(eif[0]), date.fromisoformat(eif[1]) if eif[1] else None)
                if eif
                else None
            ),
            base_status=data["base_status"],
            last_activity=last,
            counted_event_ids=data["counted_event_ids"],
            # a cache written before SPEC §2b has none of these: it is rebuilt on upgrade
            participation=data.get("participation", {}),
            participants=[Participant.from_json(p) for p in data.get("participants", [])],
            instruments_deposited=data.get("instruments_deposited", 0),
            instruments_required=data.get("instruments_required"),
            bilateral=data.get("bilateral", True),
        )


def status_on(
    base_status: str, last_activity: date | None, today: date, stalled_after_days: int
) -> str:
    """An active agreement is stalled when nothing happened for `stalled_after_days` days."""
    if base_status != AgreementStatus.ACTIVE or last_activity is None:
        return base_status
    quiet = (today - min(last_activity, today)).days
    return AgreementStatus.STALLED.value if quiet >= stalled_after_days else base_status


def _key(event: EventLike) -> tuple[str, str | None, str | None]:
    return (event.stage, event.step, event.party_code)


def _clean(text: str | None) -> str:
    return " ".join((text or "").split()).casefold()


def _differ(a: EventLike, b: EventLike) -> bool:
    """Two claims about one step disagree on the date or on a detail both of them give."""
    if (a.date_earliest, a.date_latest) != (b.date_earliest, b.date_latest):
        return True
    for left, right in ((a.body, b.body), (a.place, b.place)):
        if _clean(left) and _clean(right) and _clean(left) != _clean(right):
            return True
    return False


def _before(a: EventLike, b: EventLike) -> bool:
    """a certainly happened before b (their spans do not overlap)."""
    return (
        a.date_latest is not None
        and b.date_earliest is not None
        and a.date_latest < b.date_earliest
    )


def _label(event: EventLike) -> str:
    parts = [event.party_code or "", event.step or event.stage]
    return " ".join(p for p in parts if p) + f" ({event.date or 'undated'})"


def derive(
    *,
    party_codes: Sequence[str],
    events: Iterable[EventLike],
    today: date,
    entry_into_force_days: int | None = None,
    entry_into_force_rule: EntryIntoForceRule | None = None,
    withdrawal_rule: WithdrawalRule | None = None,
    bilateral: bool | None = None,
    evidence_dates: Iterable[date] = (),
    created_on: date | None = None,
    stalled_after_days: int = STALLED_AFTER_DAYS,
) -> Lifecycle:
    """Derive the lifecycle from the claims as recorded on `today` (see SPEC §2 and §2b).

    `entry_into_force_days` is the bilateral rule alone, as `entry_into_force_rule`'s
    `days_after_last_notification`; `bilateral` defaults from the party count."""
    if entry_into_force_rule is None and entry_into_force_days is not None:
        entry_into_force_rule = EntryIntoForceRule(
            days_after_last_notification=entry_into_force_days
        )
    rule = entry_into_force_rule
    if bilateral is None:
        bilateral = len(party_codes) == 2
    events = [e for e in events if e.status != EventStatus.RETRACTED]
    conflicts, counted = _count(events)
    stages_seen = {e.stage for e in counted}
    current = next((s.value for s in reversed(LIFECYCLE) if s in stages_seen), None)

    # a revocation takes back the chain before it (it stays on the record, flagged by nothing)
    live = after_revocations(counted)
    ratification = _ratification(party_codes, live)
    standing = deposits(party_codes, live)
    flags = _flags(
        party_codes, counted, ratification, bilateral=bilateral, rule=rule, deposited=len(standing)
    )

    expected_eif = None
    if rule is not None and party_codes:
        if rule.by_instruments:
            expected_eif = entry_into_force_by_instruments(rule, standing)
        else:
            expected_eif = _expected_entry_into_force(
                party_codes, live, rule.days_after_last_notification or 0
            )
        eif_claims = [e for e in counted if e.stage == Stage.ENTRY_INTO_FORCE and not e.party_code]
        if expected_eif and eif_claims:
            low, high = expected_eif
            for claim in eif_claims:
                outside = (claim.date_latest and claim.date_latest < low) or (
                    high and claim.date_earliest and claim.date_earliest > high
                )
                if outside:
                    flags.append(
                        Flag(
                            "entry_into_force_date_differs",
                            f"Entry into force is recorded on {claim.date}, but the rule "
                            f"({rule.words()}) "
                            f"gives {span_to_edtf(low, high) if high else low.isoformat()}.",
                            (claim.id,),
                        )
                    )

    last_activity = _last_activity(events, evidence_dates, created_on)
    exits = _standing_exits(counted, bilateral)
    if exits:
        last_exit = max(exits, key=lambda e: (e.date_earliest or date.min, _EXIT_RANK[e.stage]))
        base_status = _EXIT_STATUS[Stage(last_exit.stage)]
    elif Stage.ENTRY_INTO_FORCE in stages_seen:
        base_status = AgreementStatus.IN_FORCE
    else:
        base_status = AgreementStatus.ACTIVE

    next_expected = None
    if not exits and Stage.ENTRY_INTO_FORCE not in stages_seen:
        next_expected = _next_expected(
            current, party_codes, ratification, expected_eif, events, counted
        )

    in_force_days = [
        e.date_earliest
        for e in counted
        if e.stage == Stage.ENTRY_INTO_FORCE and not e.party_code and e.date_earliest
    ]
    entry_into_force = (
        min(in_force_days) if in_force_days else (expected_eif[0] if expected_eif else None)
    )
    rows = participants(
        party_codes,
        live,
        bilateral=bilateral,
        rule=rule,
        withdrawal_rule=withdrawal_rule,
        entry_into_force=entry_into_force,
        ratification=ratification,
    )
    return Lifecycle(
        current_stage=current,
        status=status_on(base_status.value, last_activity, today, stalled_after_days),
        ratification=ratification,
        conflicts=conflicts,
        flags=flags,
        next_expected=next_expected,
        expected_entry_into_force=expected_eif,
        base_status=base_status.value,
        last_activity=last_activity,
        counted_event_ids=sorted(e.id for e in counted),
        participation={row.party: row.participation for row in rows},
        participants=rows,
        instruments_deposited=len(standing),
        instruments_required=instruments_required(party_codes, rule),
        bilateral=bilateral,
    )


def _standing_exits(counted: list[EventLike], bilateral: bool) -> list[EventLike]:
    """The exits that decide the agreement's status: in a bilateral agreement any (one
    party's withdrawal ends it), in a multilateral one only those of the agreement as a whole
    (a party's own changes that party); a suspension a later resumption of the same scope
    ended no longer stands."""
    exits = [e for e in counted if e.stage in EXITS and (bilateral or not e.party_code)]
    resumptions = [e for e in counted if e.stage == Stage.RESUMPTION]
    return [
        e
        for e in exits
        if not (
            e.stage == Stage.SUSPENSION
            and any(
                (bilateral or r.party_code == e.party_code) and order(r) > order(e)
                for r in resumptions
            )
        )
    ]


def _count(events: list[EventLike]) -> tuple[list[list[int]], list[EventLike]]:
    """The conflicts among these (unretracted) claims, and the claims that count.

    Reported and confirmed claims count; of claims about the same stage/step/party, once one
    is preferred only that one does. Claims that disagree, until one is preferred, conflict.
    """
    claims = [e for e in events if e.status != EventStatus.EXPECTED]
    happened = [e for e in claims if e.status in HAPPENED]
    groups: dict[tuple[str, str | None, str | None], list[EventLike]] = defaultdict(list)
    for event in claims:
        groups[_key(event)].append(event)
    conflicts: list[list[int]] = []
    settled: dict[tuple[str, str | None, str | None], EventLike] = {}
    for key, members in groups.items():
        preferred = [e for e in members if e.preferred]
        if preferred:
            settled[key] = preferred[0]
        elif any(_differ(a, b) for i, a in enumerate(members) for b in members[i + 1 :]):
            conflicts.append(sorted(e.id for e in members))
    conflicts.sort()
    # A settled step counts only through its preferred claim.
    counted = [e for e in happened if _key(e) not in settled or settled[_key(e)] is e]
    return conflicts, counted


def _ratification(party_codes: Sequence[str], counted: list[EventLike]) -> dict[str, str]:
    states = {code: RatificationState.NOT_STARTED for code in party_codes}
    for event in counted:
        if event.stage != Stage.RATIFICATION or not event.party_code:
            continue
        if event.step == Step.REVOCATION:
            continue  # it took back the chain before it (`after_revocations`)
        if event.step == Step.NOTIFICATION:
            state = RatificationState.NOTIFIED
        elif event.step in _RATIFIED_STEPS:
            state = RatificationState.RATIFIED
        else:
            state = RatificationState.IN_PROGRESS
        known = states.get(event.party_code, RatificationState.NOT_STARTED)
        if _RATIFICATION_RANK[state] > _RATIFICATION_RANK[known]:
            states[event.party_code] = state
    return {code: state.value for code, state in states.items()}


def _flags(
    party_codes: Sequence[str],
    counted: list[EventLike],
    ratification: dict[str, str],
    *,
    bilateral: bool = True,
    rule: EntryIntoForceRule | None = None,
    deposited: int = 0,
) -> list[Flag]:
    flags: list[Flag] = []
    parties = set(party_codes)
    signings = [e for e in counted if e.stage == Stage.SIGNING]
    # an accession or a succession needs no signature (SPEC §2b)
    unsigned_ok = {
        e.party_code
        for e in counted
        if e.consent_type in (ConsentType.ACCESSION, ConsentType.SUCCESSION)
    }
    ratifications = [
        e
        for e in counted
        if e.stage == Stage.RATIFICATION and (bilateral or e.party_code not in unsigned_ok)
    ]
    if ratifications and not signings:
        flags.append(
            Flag(
                "ratification_without_signing",
                "Ratification is recorded, but no signing is.",
                tuple(sorted(e.id for e in ratifications)),
            )
        )
    elif signings:
        first_signing = min(signings, key=lambda e: e.date_earliest or date.max)
        early = [e for e in ratifications if _before(e, first_signing)]
        for event in early:
            flags.append(
                Flag(
                    "ratification_before_signing",
                    f"{_label(event)} is dated before the signing ({first_signing.date}).",
                    (event.id, first_signing.id),
                )
            )

    for event in counted:
        if event.party_code and parties and event.party_code not in parties:
            flags.append(
                Flag(
                    "party_not_in_agreement",
                    f"{_label(event)} names {event.party_code}, which is not a party.",
                    (event.id,),
                )
            )

    by_party: dict[str, list[EventLike]] = defaultdict(list)
    for event in ratifications:
        if event.party_code and event.step:
            by_party[event.party_code].append(event)
    for steps in by_party.values():
        for earlier, later in _out_of_order(steps):
            flags.append(
                Flag(
                    "step_out_of_order",
                    f"{_label(later)} is dated before {_label(earlier)}.",
                    (earlier.id, later.id),
                )
            )

    in_force = tuple(sorted(e.id for e in counted if e.stage == Stage.ENTRY_INTO_FORCE))
    if in_force and rule is not None and rule.by_instruments:
        needed = rule.instruments_required or 0
        if deposited < needed:
            flags.append(
                Flag(
                    "entry_into_force_before_instruments",
                    f"Entry into force is recorded, but {deposited} of the {needed} "
                    "instruments it needs are on record.",
                    in_force,
                )
            )
    elif in_force and (bilateral or (rule is not None and not rule.by_instruments)):
        behind = [
            code
            for code in party_codes
            if ratification.get(code)
            in (RatificationState.NOT_STARTED, RatificationState.IN_PROGRESS)
        ]
        if behind:
            flags.append(
                Flag(
                    "entry_into_force_before_ratification",
                    "Entry into force is recorded, but "
                    + ", ".join(behind)
                    + " has not ratified on the record.",
                    in_force,
                )
            )
    return flags


# Pairs whose order holds in every domestic chain: (must come first, must come after). A
# revocation is exempt: it comes whenever consent is taken back.
_CHAIN = [step for step in Step if step != Step.REVOCATION]
_ORDER_PAIRS = list(
    dict.fromkeys(
        [(Step.SUBMITTED, step) for step in _CHAIN if step != Step.SUBMITTED]
        + [(Step.LOWER_HOUSE, Step.UPPER_HOUSE)]
        + [(step, Step.NOTIFICATION) for step in _CHAIN if step != Step.NOTIFICATION]
    )
)


def _out_of_order(steps: list[EventLike]) -> list[tuple[EventLike, EventLike]]:
    found = []
    for first_step, second_step in _ORDER_PAIRS:
        for first in (e for e in steps if e.step == first_step):
            for second in (e for e in steps if e.step == second_step):
                if _before(second, first):
                    found.append((first, second))
    return found


def _expected_entry_into_force(
    party_codes: Sequence[str], counted: list[EventLike], days: int
) -> tuple[date, date | None] | None:
    """Last notification + N days, as a span when the notification dates are uncertain."""
    lows: list[date] = []
    highs: list[date | None] = []
    for code in party_codes:
        notes = [
            e
            for e in counted
            if e.stage == Stage.RATIFICATION
            and e.step == Step.NOTIFICATION
            and e.party_code == code
        ]
        dated = [e for e in notes if e.date_earliest is not None]
        if not dated:
            return None
        lows.append(min(e.date_earliest for e in dated))  # type: ignore[type-var]
        latest = [e.date_latest for e in dated]
        highs.append(None if None in latest else max(latest))  # type: ignore[type-var]
    low = add_days(max(lows), days)  # never overflows on a far-off stored day
    high = None if None in highs else add_days(max(highs), days)  # type: ignore[type-var]
    return low, high  # type: ignore[return-value]


def _next_expected(
    current: str | None,
    party_codes: Sequence[str],
    ratification: dict[str, str],
    expected_eif: tuple[date, date | None] | None,
    events: list[EventLike],
    counted: list[EventLike],
) -> NextExpected:
    if expected_eif is not None:
        low, high = expected_eif
        text = span_to_edtf(low, high) if high else f"{low.isoformat()}/.."
        return NextExpected(Stage.ENTRY_INTO_FORCE.value, text, source="rule")

    done = {_key(e) for e in counted}
    reached = LIFECYCLE.index(Stage(current)) if current else -1
    pending = [
        e
        for e in events
        if e.status == EventStatus.EXPECTED
        and _key(e) not in done
        and (e.stage not in LIFECYCLE or LIFECYCLE.index(Stage(e.stage)) >= reached)
    ]
    if pending:
        soonest = min(pending, key=lambda e: (e.date_earliest or date.max, e.id))
        return NextExpected(
            soonest.stage,
            soonest.date,
            step=soonest.step,
            party=soonest.party_code,
            source="event",
            event_id=soonest.id,
        )

    if current == Stage.RATIFICATION and any(
        ratification.get(code) != RatificationState.NOTIFIED for code in party_codes
    ):
        return NextExpected(Stage.RATIFICATION.value, None)
    # the adoption of a text by a conference is not what most agreements wait for: after an
    # announcement comes the signing
    sequence = [s for s in LIFECYCLE if s != Stage.ADOPTION or current == Stage.ADOPTION]
    at = sequence.index(Stage(current)) if current else -1
    following = sequence[min(at + 1, len(sequence) - 1)]
    return NextExpected(following.value, None)


def _last_activity(
    events: list[EventLike], evidence_dates: Iterable[date], created_on: date | None
) -> date | None:
    """The last day something happened in the world (read as no later than today).

    What counts is when claims are dated and evidence was published, not when a researcher
    typed them in: recording in 2026 an announcement of 2024 does not make it recent. An
    undated claim counts on the day it was recorded; an agreement with nothing on record
    counts from the day it was created.
    """
    days: list[date] = list(evidence_dates)
    for event in events:
        if event.status in HAPPENED:
            days.append(event.date_latest or event.date_earliest or event.created_at.date())
    if not days and created_on:
        days.append(created_on)
    return max(days) if days else None


# --- Per-party progress and the agreement's key dates, in words -------------------------

# Where a step-less ratification claim sits in a party's chain: it ratifies, so after the
# steps that lead there and before the instrument is notified.
_CHAIN_RANK: dict[str | None, float] = {step.value: i for i, step in enumerate(Step)}
_CHAIN_RANK[None] = _CHAIN_RANK[Step.PROMULGATION.value] + 0.5
_NEXT_FOR = {
    RatificationState.IN_PROGRESS: (
        "Ratified once the head of state signs or the law is promulgated, or an instrument "
        "is notified."
    ),
    RatificationState.RATIFIED: (
        "Notified once its instrument is deposited, exchanged or notified."
    ),
}


def step_words(step: str | None, body: str = "") -> str:
    """lower_house, "State Duma" -> "lower house (State Duma)"; no step: "ratification"."""
    words = (step or "ratification").replace("_", " ")
    body = " ".join((body or "").split())
    return f"{words} ({body})" if body else words


@dataclass(frozen=True)
class StepReached:
    """One counted claim of a party's ratification chain."""

    step: str | None  # None: a ratification claim that names no step
    body: str
    date: str | None  # EDTF
    event_id: int
    conflict: bool = False  # another claim about the same step disagrees, none preferred

    @property
    def words(self) -> str:
        return step_words(self.step, self.body)


@dataclass(frozen=True)
class PartyProgress:
    """A party's ratification as the researcher reads it: the steps reached with their dates
    (chain order), when it ratified and notified, and its derived state in words."""

    party: str
    ratification: str
    steps: tuple[StepReached, ...]
    ratified_on: str | None
    notified_on: str | None
    explanation: str

    def to_json(self) -> dict[str, Any]:
        return {
            "party": self.party,
            "ratification": self.ratification,
            "steps": [
                {
                    "step": s.step,
                    "body": s.body,
                    "date": s.date,
                    "event_id": s.event_id,
                    "conflict": s.conflict,
                }
                for s in self.steps
            ],
            "ratified_on": self.ratified_on,
            "notified_on": self.notified_on,
            "explanation": self.explanation,
        }


def _earliest(claims: list[EventLike]) -> EventLike | None:
    return min(claims, key=lambda e: (e.date_earliest or date.max, e.id)) if claims else None


def party_progress(
    party_codes: Sequence[str],
    events: Iterable[EventLike],
    *,
    cached: Mapping[str, Any] | None = None,
) -> list[PartyProgress]:
    """Per party of the agreement, the ratification steps reached and their dates.

    Counts claims exactly as `derive` does (reported or confirmed, only the preferred one of
    a settled step), so each party's state here is its `ratification` state there. Given
    what a Lifecycle derived from these same events holds (`cached`: its counted_event_ids,
    conflicts and ratification, as the lifecycle cache stores them), it takes them as they
    are instead of working them out again.
    """
    if cached is not None:
        ids = set(cached["counted_event_ids"])
        counted = [e for e in events if e.id in ids]
        conflicts = cached["conflicts"]
        states = cached["ratification"]
    else:
        conflicts, counted = _count([e for e in events if e.status != EventStatus.RETRACTED])
        states = _ratification(party_codes, counted)
    conflicted = {i for group in conflicts for i in group}
    ratifications = [e for e in counted if e.stage == Stage.RATIFICATION]
    out = []
    for code in party_codes:
        chain = sorted(
            (e for e in ratifications if e.party_code == code),
            key=lambda e: (_CHAIN_RANK.get(e.step, 99), e.date_earliest or date.max, e.id),
        )
        steps = tuple(
            StepReached(e.step, " ".join((e.body or "").split()), e.date, e.id, e.id in conflicted)
            for e in chain
        )
        ratifying = _earliest([e for e in chain if e.step in _RATIFIED_STEPS])
        notifying = _earliest([e for e in chain if e.step == Step.NOTIFICATION])
        state = RatificationState(states.get(code, RatificationState.NOT_STARTED.value))
        out.append(
            PartyProgress(
                party=code,
                ratification=state.value,
                steps=steps,
                ratified_on=ratifying.date if ratifying else None,
                notified_on=notifying.date if notifying else None,
                explanation=_explain(state, chain, ratifying, notifying),
            )
        )
    return out


def _explain(
    state: RatificationState,
    chain: list[EventLike],
    ratifying: EventLike | None,
    notifying: EventLike | None,
) -> str:
    if state == RatificationState.NOT_STARTED:
        return "No ratification step is on record yet."
    if state == RatificationState.IN_PROGRESS:
        furthest = chain[-1]
        return (
            f"In progress: the furthest step on record is the "
            f"{step_words(furthest.step, furthest.body)}. " + _NEXT_FOR[state]
        )
    if state == RatificationState.RATIFIED and ratifying is not None:
        how = (
            "ratification reported without its step"
            if ratifying.step is None
            else step_words(ratifying.step, ratifying.body)
        )
        return f"Ratified: the {how} counts as ratification. " + _NEXT_FOR[state]
    assert notifying is not None
    return "Notified: its instrument is deposited, exchanged or notified."


_EXIT_WORDS = {
    Stage.SUSPENSION: "Suspended",
    Stage.WITHDRAWAL: "Withdrawal",
    Stage.TERMINATION: "Terminated",
}


class KeyDate(str):
    """One part of the key-dates line: its words in English with the date read in the
    Gregorian calendar (so it joins and compares as a string), and its pieces (`before`,
    the EDTF `date` or None, `after`) so a page can show the date in the reader's calendar."""

    before: str
    date: str | None
    after: str

    def __new__(cls, before: str, edtf: str | None = None, after: str = "") -> KeyDate:
        words = f"{before} {readable(edtf)}{after}" if edtf is not None else before + after
        part = super().__new__(cls, words)
        part.before, part.date, part.after = before, edtf, after
        return part


def key_dates(
    events: Iterable[EventLike], life: Lifecycle, progress: Sequence[PartyProgress]
) -> list[KeyDate]:
    """The agreement's story in one line, as parts to join with " · ": signed (or announced),
    each party's ratification, in force (or expected in force), exits."""
    live = [e for e in events if e.status != EventStatus.RETRACTED]
    _, counted = _count(live)
    by_stage: dict[str, list[EventLike]] = defaultdict(list)
    for event in counted:
        by_stage[event.stage].append(event)
    parts: list[KeyDate] = []
    whole = _earliest([e for e in by_stage[Stage.SIGNING] if not e.party_code])
    # one state's signature of a multilateral agreement is not the agreement's signing
    signing = whole if not life.bilateral else whole or _earliest(by_stage[Stage.SIGNING])
    if signing is not None:
        place = " ".join((signing.place or "").split())
        # in a multilateral agreement a signing without a party opens it for signature
        opened = not life.bilateral and not signing.party_code
        words = "Opened for signature" if opened else "Signed"
        parts.append(KeyDate(words, signing.date, f" in {place}" if place else ""))
    elif announced := _earliest(by_stage[Stage.ANNOUNCEMENT]):
        parts.append(KeyDate("Announced", announced.date))
    elif prepared := _earliest(by_stage[Stage.PREPARATION]):
        parts.append(KeyDate("In preparation since", prepared.date))
    if not life.bilateral and len(progress) > 2:
        # a multilateral agreement: its instruments, not a line per party
        needed = f" of {life.instruments_required}" if life.instruments_required else ""
        parts.append(KeyDate(f"{life.instruments_deposited}{needed} instruments in"))
    elif signing is not None or by_stage[Stage.RATIFICATION]:
        for party in progress:
            state = party.ratification
            if state == RatificationState.NOTIFIED:
                parts.append(KeyDate(f"{party.party} notified", party.notified_on))
            elif state == RatificationState.RATIFIED:
                parts.append(KeyDate(f"{party.party} ratified", party.ratified_on))
            else:
                parts.append(KeyDate(f"{party.party} {state.replace('_', ' ')}"))
    in_force = _earliest(by_stage[Stage.ENTRY_INTO_FORCE])
    nxt = life.next_expected
    if in_force is not None:
        parts.append(KeyDate("In force", in_force.date))
    elif nxt and nxt.date and nxt.stage == Stage.ENTRY_INTO_FORCE:
        parts.append(KeyDate("Expected in force", nxt.date))
    elif nxt and nxt.date:
        what = step_words(nxt.step) if nxt.step else nxt.stage.replace("_", " ")
        party = f" ({nxt.party})" if nxt.party else ""
        parts.append(KeyDate(f"{what.capitalize()}{party} expected", nxt.date))
    for stage, words in _EXIT_WORDS.items():
        for event in sorted(by_stage[stage], key=lambda e: (e.date_earliest or date.max, e.id)):
            who = f" by {event.party_code}" if event.party_code else ""
            parts.append(KeyDate(f"{words}{who}", event.date))
    return parts
