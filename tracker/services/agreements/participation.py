"""Each party's life in an agreement (SPEC §2b): signature, consent, being bound, exits.

Pure functions of the counted claims, read by `lifecycle.derive`. A state changes only
through a claim: the dates a rule computes (`bound_from`, `withdrawal_effective`, the
entry into force once the K-th instrument is in) are shown as dates and never flip a state
by themselves, so a list filtered by participation reads the same cache every day.

- A party has **signed** on its own signing claim (a signing with its party) or, in a
  bilateral agreement, on the signing of the agreement as a whole; a multilateral
  agreement's signing without a party is its opening for signature and signs nobody.
- Its **consent** is its instrument: a notification claim (deposit, exchange, notice),
  with a `consent_type`. A revocation takes it back; the latest of the two decides, and the
  domestic chain before a revocation no longer counts towards `ratification`.
- It is **bound** once consented and an entry-into-force claim covers it: its own ("in force
  for Palestine"), or the agreement's, when its instrument came early enough for that date
  (`bound_from` on or before it). A party whose instrument came later stays consented,
  with its own `bound_from`, until its own entry into force is recorded.
- A **withdrawal** or **suspension** with its party is that party's alone; a resumption
  with its party ends its suspension.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from tracker.models.vocab import (
    CONSENT_MARKERS,
    ConsentType,
    Participation,
    PeriodUnit,
    Stage,
    Step,
)
from tracker.text.dates import add_days


class ClaimLike(Protocol):
    """What participation reads of a counted claim (a StageEvent row satisfies it)."""

    id: int
    stage: str
    step: str | None
    party_code: str | None
    date: str | None
    date_earliest: date | None
    date_latest: date | None
    consent_type: str | None


@dataclass(frozen=True)
class EntryIntoForceRule:
    """Either N days after the last party's notification (bilateral), or N days after the
    K-th instrument with a later party bound M days after its own (multilateral)."""

    days_after_last_notification: int | None = None
    instruments_required: int | None = None
    days_after_instrument: int | None = None
    days_after_own_instrument: int | None = None

    @property
    def by_instruments(self) -> bool:
        return self.instruments_required is not None

    @classmethod
    def of(cls, data: Mapping[str, Any] | None) -> EntryIntoForceRule | None:
        if not data:
            return None
        return cls(**{k: v for k, v in data.items() if v is not None})

    def to_json(self) -> dict[str, int]:
        if self.by_instruments:
            out = {"instruments_required": self.instruments_required}
            if self.days_after_instrument is not None:
                out["days_after_instrument"] = self.days_after_instrument
            if self.days_after_own_instrument is not None:
                out["days_after_own_instrument"] = self.days_after_own_instrument
            return out  # type: ignore[return-value]
        return {"days_after_last_notification": self.days_after_last_notification or 0}

    def words(self) -> str:
        if self.by_instruments:
            days = self.days_after_instrument or 0
            text = f"{days} days after the {_ordinal(self.instruments_required or 0)} instrument"
            if self.days_after_own_instrument is not None:
                text += f"; for a later party, {self.days_after_own_instrument} days after its own"
            return text
        return f"{self.days_after_last_notification} days after the last notification"


@dataclass(frozen=True)
class WithdrawalRule:
    """A withdrawal takes effect `period` days, months or years after its notification."""

    period: int
    unit: str = PeriodUnit.DAYS.value

    @classmethod
    def of(cls, data: Mapping[str, Any] | None) -> WithdrawalRule | None:
        if not data:
            return None
        ((key, value),) = data.items()
        return cls(int(value), key.removesuffix("_after_notification"))

    def to_json(self) -> dict[str, int]:
        return {f"{self.unit}_after_notification": self.period}

    def words(self) -> str:
        unit = self.unit if self.period != 1 else self.unit.removesuffix("s")
        return f"{self.period} {unit} after the notification"

    def effective(self, notified: date) -> date:
        if self.unit == PeriodUnit.DAYS:
            return add_days(notified, self.period) or notified
        months = self.period * (12 if self.unit == PeriodUnit.YEARS else 1)
        return add_months(notified, months)


def add_months(day: date, months: int) -> date:
    """The same day `months` later, held at the month's last day (31 Jan + 1 -> 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    if not 1 <= year <= 9999:
        return date.max if months > 0 else date.min
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


@dataclass(frozen=True)
class Participant:
    """One row of the participants table, like the UN's status pages (dates EDTF)."""

    party: str
    participation: str
    signed: str | None = None
    consent_type: str | None = None
    consent_marker: str | None = None
    consented: str | None = None
    bound_from: str | None = None
    withdrawal_notified: str | None = None
    withdrawal_effective: str | None = None
    suspended_since: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "party": self.party,
            "participation": self.participation,
            "signed": self.signed,
            "consent_type": self.consent_type,
            "consent_marker": self.consent_marker,
            "consented": self.consented,
            "bound_from": self.bound_from,
            "withdrawal_notified": self.withdrawal_notified,
            "withdrawal_effective": self.withdrawal_effective,
            "suspended_since": self.suspended_since,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Participant:
        return cls(**data)


def order(claim: ClaimLike) -> tuple[date, int]:
    """Which of two claims is the later: by day, an undated claim last, then as recorded."""
    return (claim.date_earliest or date.max, claim.id)


def _of(claims: Sequence[ClaimLike], code: str, stage: str, *steps: str | None) -> list[ClaimLike]:
    return [
        c
        for c in claims
        if c.party_code == code and c.stage == stage and (not steps or c.step in steps)
    ]


def latest_consent(claims: Sequence[ClaimLike], code: str) -> ClaimLike | None:
    """The party's latest notification or revocation: it decides whether it has consented."""
    consents = _of(claims, code, Stage.RATIFICATION, Step.NOTIFICATION, Step.REVOCATION)
    return max(consents, key=order) if consents else None


def after_revocations(claims: Sequence[ClaimLike]) -> list[ClaimLike]:
    """The claims without each party's ratification chain from before its latest
    revocation (the revocation itself kept): a chain starts again after one."""
    revoked: dict[str, tuple[date, int]] = {}
    for claim in claims:
        if claim.stage == Stage.RATIFICATION and claim.step == Step.REVOCATION:
            code = claim.party_code or ""
            revoked[code] = max(revoked.get(code, order(claim)), order(claim))
    if not revoked:
        return list(claims)
    return [
        c
        for c in claims
        if not (
            c.stage == Stage.RATIFICATION
            and c.step != Step.REVOCATION
            and (c.party_code or "") in revoked
            and order(c) < revoked[c.party_code or ""]
        )
    ]


def deposits(party_codes: Sequence[str], claims: Sequence[ClaimLike]) -> dict[str, ClaimLike]:
    """Per party, the instrument that stands: its latest consent claim is a notification
    and no withdrawal of its own came after it."""
    out = {}
    for code in party_codes:
        consent = latest_consent(claims, code)
        if consent is None or consent.step != Step.NOTIFICATION:
            continue
        withdrawals = _of(claims, code, Stage.WITHDRAWAL)
        if any(order(w) > order(consent) for w in withdrawals):
            continue
        out[code] = consent
    return out


def instruments_required(party_codes: Sequence[str], rule: EntryIntoForceRule | None) -> int | None:
    """K under a rule of instruments; the party count under the bilateral rule; else None."""
    if rule is None:
        return None
    if rule.by_instruments:
        return rule.instruments_required
    return len(party_codes)


def entry_into_force_by_instruments(
    rule: EntryIntoForceRule, standing: Mapping[str, ClaimLike]
) -> tuple[date, date | None] | None:
    """The K-th instrument's day + N, as a span when the days are uncertain; None until K
    dated instruments are in."""
    k = rule.instruments_required or 0
    dated = [c for c in standing.values() if c.date_earliest is not None]
    if k <= 0 or len(dated) < k:
        return None
    days = rule.days_after_instrument or 0
    lows = sorted(c.date_earliest for c in dated)  # type: ignore[type-var]
    low = add_days(lows[k - 1], days)
    latest = [c.date_latest for c in dated]
    high = None if None in latest else add_days(sorted(latest)[k - 1], days)  # type: ignore[type-var]
    return low, high  # type: ignore[return-value]


def participants(
    party_codes: Sequence[str],
    counted: Sequence[ClaimLike],
    *,
    bilateral: bool,
    rule: EntryIntoForceRule | None,
    withdrawal_rule: WithdrawalRule | None,
    entry_into_force: date | None,
    ratification: Mapping[str, str],
) -> list[Participant]:
    """A row per party: where it stands, and the dates of its signature, consent, being
    bound and exits. `entry_into_force`: the agreement's day of entry into force, recorded
    (the earliest day of its counted claim) or else computed from the rule; `ratification`:
    each party's §2 ratification state (its domestic chain)."""
    standing = deposits(party_codes, counted)
    in_force = [c for c in counted if c.stage == Stage.ENTRY_INTO_FORCE and not c.party_code]
    recorded_in_force = min((c.date_earliest for c in in_force if c.date_earliest), default=None)
    whole_signing = [c for c in counted if c.stage == Stage.SIGNING and not c.party_code]
    rows = []
    for code in party_codes:
        signings = _of(counted, code, Stage.SIGNING) or (whole_signing if bilateral else [])
        signing = min(signings, key=order) if signings else None
        deposit = standing.get(code)
        consent_type = None
        if deposit is not None:
            consent_type = deposit.consent_type or ConsentType.RATIFICATION.value
        bound_from = _bound_from(deposit, rule, entry_into_force)
        own_in_force = _of(counted, code, Stage.ENTRY_INTO_FORCE)
        bound = deposit is not None and (
            bool(own_in_force)
            or (
                bool(in_force)
                and (
                    bilateral
                    or bound_from is None
                    or recorded_in_force is None
                    or bound_from <= recorded_in_force
                )
            )
        )
        withdrawals = _of(counted, code, Stage.WITHDRAWAL)
        withdrawal = max(withdrawals, key=order) if withdrawals else None
        consent = latest_consent(counted, code)
        withdrawn = withdrawal is not None and (
            consent is None or order(withdrawal) > order(consent)
        )
        suspension = _current_suspension(counted, code)
        if withdrawn:
            state = Participation.WITHDRAWN
        elif suspension is not None:
            state = Participation.SUSPENDED
        elif bound:
            state = Participation.BOUND
        elif deposit is not None:
            state = Participation.CONSENTED
        elif ratification.get(code, "not_started") != "not_started":
            state = Participation.IN_PROGRESS
        elif signing is not None:
            state = Participation.SIGNED
        else:
            state = Participation.NOT_SIGNED
        effective = None
        if withdrawal is not None and withdrawal.date_earliest and withdrawal_rule:
            effective = withdrawal_rule.effective(withdrawal.date_earliest).isoformat()
        rows.append(
            Participant(
                party=code,
                participation=state.value,
                signed=signing.date if signing else None,
                consent_type=consent_type,
                consent_marker=CONSENT_MARKERS[ConsentType(consent_type)] if consent_type else None,
                consented=deposit.date if deposit else None,
                bound_from=bound_from.isoformat() if bound_from else None,
                withdrawal_notified=withdrawal.date if withdrawal else None,
                withdrawal_effective=effective,
                suspended_since=suspension.date if suspension else None,
            )
        )
    return rows


def _bound_from(
    deposit: ClaimLike | None, rule: EntryIntoForceRule | None, entry_into_force: date | None
) -> date | None:
    """max(own deposit + M, entry into force) under a rule of instruments; the entry into
    force itself otherwise; None while either is unknown."""
    if deposit is None or entry_into_force is None:
        return None
    if rule is None or not rule.by_instruments or deposit.date_earliest is None:
        return entry_into_force
    own = rule.days_after_own_instrument
    if own is None:
        own = rule.days_after_instrument or 0
    return max(add_days(deposit.date_earliest, own) or entry_into_force, entry_into_force)


def _current_suspension(claims: Sequence[ClaimLike], code: str) -> ClaimLike | None:
    """The party's latest suspension, unless a resumption of its own came after it."""
    suspensions = _of(claims, code, Stage.SUSPENSION)
    if not suspensions:
        return None
    last = max(suspensions, key=order)
    if any(order(r) > order(last) for r in _of(claims, code, Stage.RESUMPTION)):
        return None
    return last
