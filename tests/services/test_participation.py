"""Multilateral lifecycles (SPEC §2b), derived from claims alone: the cases of public record
the specification names, each as a researcher would record it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import pytest

from tracker.services.agreements.lifecycle import derive
from tracker.services.agreements.participation import (
    EntryIntoForceRule,
    WithdrawalRule,
    add_months,
)
from tracker.text.dates import parse_edtf_date


@dataclass
class Claim:
    """A claim as derivation reads it (a StageEvent row has these attributes)."""

    id: int
    stage: str
    step: str | None = None
    party_code: str | None = None
    date: str | None = None
    status: str = "reported"
    consent_type: str | None = None
    body: str = ""
    place: str = ""
    preferred: bool = False
    created_at: datetime = field(default_factory=lambda: datetime(2026, 1, 1))
    date_earliest: date | None = None
    date_latest: date | None = None

    def __post_init__(self) -> None:
        if self.date:
            span = parse_edtf_date(self.date)
            self.date_earliest, self.date_latest = span.earliest, span.latest


class Record:
    """Claims numbered in the order they are recorded."""

    def __init__(self) -> None:
        self.claims: list[Claim] = []

    def __call__(self, stage: str, **kw: object) -> Claim:
        claim = Claim(id=len(self.claims) + 1, stage=stage, **kw)  # type: ignore[arg-type]
        self.claims.append(claim)
        return claim

    def deposit(self, party: str, day: str, consent: str = "ratification") -> Claim:
        return self(
            "ratification", step="notification", party_code=party, date=day, consent_type=consent
        )


def _row(life, party):  # type: ignore[no-untyped-def]
    return next(p for p in life.participants if p.party == party)


# --- BBNJ: adopted 2023-06-19, open for signature 2023-09-20 to 2025-09-20, in force 120 days
# after the 60th instrument; a later party bound on the 30th day after its own (Art. 68).

BBNJ_RULE = EntryIntoForceRule(
    instruments_required=60, days_after_instrument=120, days_after_own_instrument=30
)
# 59 early instruments, the 60th and 61st on 2025-09-19, then France and a signatory.
EARLY = [f"P{i:02d}" for i in range(1, 60)]
PARTIES = [*EARLY, "BEL", "ESP", "FRA", "USA"]


def bbnj(record: Record) -> None:
    record("adoption", date="2023-06-19", place="New York")
    record("signing", date="2023-09-20")  # opened for signature: signs nobody
    for code in PARTIES:
        record("signing", party_code=code, date="2023-09-20")
    for i, code in enumerate(EARLY):
        record.deposit(code, f"2024-{1 + i // 6:02d}-{1 + i % 6 * 4:02d}")  # Jan to Oct
    record.deposit("BEL", "2025-09-19")
    record.deposit("ESP", "2025-09-19", consent="accession")


def test_the_sixtieth_instrument_gives_the_entry_into_force_as_a_date_not_a_state():
    record = Record()
    bbnj(record)
    life = derive(
        party_codes=PARTIES,
        events=record.claims,
        today=date(2026, 2, 1),  # after the computed day: it still flips nothing
        entry_into_force_rule=BBNJ_RULE,
        bilateral=False,
    )
    assert (life.instruments_deposited, life.instruments_required) == (61, 60)
    assert life.next_expected is not None
    assert (life.next_expected.stage, life.next_expected.date, life.next_expected.source) == (
        "entry_into_force",
        "2026-01-17",
        "rule",
    )
    assert life.status == "active" and life.current_stage == "ratification"
    assert life.participation["BEL"] == "consented"
    assert life.participation["USA"] == "signed"
    assert _row(life, "ESP").consent_type == "accession"
    assert _row(life, "ESP").consent_marker == "a"
    assert _row(life, "BEL").consent_marker == ""
    assert _row(life, "BEL").bound_from == "2026-01-17"
    assert not [f for f in life.flags if f.code == "ratification_without_signing"]


def test_parties_in_by_the_entry_into_force_are_bound_and_a_later_one_thirty_days_after():
    record = Record()
    bbnj(record)
    record.deposit("FRA", "2026-03-01")
    record("entry_into_force", date="2026-01-17")
    life = derive(
        party_codes=PARTIES,
        events=record.claims,
        today=date(2026, 6, 1),
        entry_into_force_rule=BBNJ_RULE,
        bilateral=False,
    )
    assert life.status == "in_force"
    assert life.participation["BEL"] == "bound"
    assert life.participation["P01"] == "bound"
    # its own day (2026-03-31) has passed, but only a claim makes it bound
    assert life.participation["FRA"] == "consented"
    assert _row(life, "FRA").bound_from == "2026-03-31"
    assert life.instruments_deposited == 62
    assert not [f for f in life.flags if f.code.startswith("entry_into_force_before")]

    record("entry_into_force", party_code="FRA", date="2026-03-31")
    life = derive(
        party_codes=PARTIES,
        events=record.claims,
        today=date(2026, 6, 1),
        entry_into_force_rule=BBNJ_RULE,
        bilateral=False,
    )
    assert life.participation["FRA"] == "bound"


def test_entry_into_force_before_enough_instruments_is_flagged():
    record = Record()
    for code in ("AAA", "BBB"):
        record.deposit(code, "2024-01-01")
    record("entry_into_force", date="2024-06-01")
    life = derive(
        party_codes=["AAA", "BBB", "CCC"],
        events=record.claims,
        today=date(2024, 7, 1),
        entry_into_force_rule=EntryIntoForceRule(instruments_required=3, days_after_instrument=30),
        bilateral=False,
    )
    flags = [f.message for f in life.flags if f.code == "entry_into_force_before_instruments"]
    assert flags == [
        "Entry into force is recorded, but 2 of the 3 instruments it needs are on record."
    ]


# --- CTBT: Russia signed 1996-09-24, ratified in 2000, revoked its ratification by a law
# signed 2023-11-02; the treaty has never entered into force.


def ctbt(record: Record) -> None:
    record("adoption", date="1996-09-10")
    record("signing", party_code="RUS", date="1996-09-24")
    record("signing", party_code="USA", date="1996-09-24")
    record("ratification", step="lower_house", party_code="RUS", date="2000-04-21")
    record("ratification", step="head_of_state", party_code="RUS", date="2000-05-27")
    record.deposit("RUS", "2000-06-30")
    record.deposit("GBR", "1998-04-06")


def test_a_revoked_ratification_puts_the_party_back_to_signed():
    record = Record()
    ctbt(record)
    rule = EntryIntoForceRule(instruments_required=44, days_after_instrument=180)
    before = derive(
        party_codes=["RUS", "USA", "GBR"],
        events=record.claims,
        today=date(2023, 10, 1),
        entry_into_force_rule=rule,
        bilateral=False,
    )
    assert before.participation["RUS"] == "consented"
    assert before.ratification["RUS"] == "notified"
    assert before.instruments_deposited == 2

    # the State Duma's law revoking it, then the President's signature
    record(
        "ratification", step="revocation", party_code="RUS", date="2023-10-18", body="State Duma"
    )
    record("ratification", step="revocation", party_code="RUS", date="2023-11-02", body="President")
    after = derive(
        party_codes=["RUS", "USA", "GBR"],
        events=record.claims,
        today=date(2023, 12, 1),
        entry_into_force_rule=rule,
        bilateral=False,
    )
    assert after.participation["RUS"] == "signed"
    # the chain before the revocation no longer counts
    assert after.ratification["RUS"] == "not_started"
    assert after.instruments_deposited == 1
    assert _row(after, "RUS").consented is None
    assert after.status == "active"  # still not in force
    # a revocation comes after the notification: no order flag for it
    assert not [f for f in after.flags if f.code == "step_out_of_order"]

    record.deposit("RUS", "2030-01-01")  # consent given again: the latest claim decides
    again = derive(
        party_codes=["RUS", "USA", "GBR"],
        events=record.claims,
        today=date(2030, 2, 1),
        entry_into_force_rule=rule,
        bilateral=False,
    )
    assert again.participation["RUS"] == "consented"


# --- New START: in force 2011-02-05; Russia suspended its participation in February 2023.


def test_one_partys_suspension_of_a_bilateral_treaty_suspends_it():
    record = Record()
    record("signing", date="2010-04-08", place="Prague")
    record.deposit("USA", "2011-02-05")
    record.deposit("RUS", "2011-02-05")
    record("entry_into_force", date="2011-02-05")
    record("suspension", party_code="RUS", date="2023-02-21")
    life = derive(
        party_codes=["USA", "RUS"],
        events=record.claims,
        today=date(2023, 3, 1),
        entry_into_force_days=0,
    )
    assert life.status == "suspended"
    assert life.participation == {"USA": "bound", "RUS": "suspended"}
    assert _row(life, "RUS").suspended_since == "2023-02-21"
    assert _row(life, "USA").signed == "2010-04-08"  # the bilateral signing is each party's

    record("resumption", party_code="RUS", date="2024-01-10")
    life = derive(
        party_codes=["USA", "RUS"],
        events=record.claims,
        today=date(2024, 2, 1),
        entry_into_force_days=0,
    )
    assert life.status == "in_force"
    assert life.participation["RUS"] == "bound"


def test_one_partys_withdrawal_from_a_multilateral_treaty_changes_that_party_only():
    record = Record()
    for code in ("AAA", "BBB", "CCC"):
        record.deposit(code, "2020-01-01")
    record("entry_into_force", date="2020-03-01")
    record("withdrawal", party_code="CCC", date="2024-01-31")
    life = derive(
        party_codes=["AAA", "BBB", "CCC"],
        events=record.claims,
        today=date(2024, 2, 1),
        withdrawal_rule=WithdrawalRule(12, "months"),
        bilateral=False,
    )
    assert life.status == "in_force"
    assert life.participation == {"AAA": "bound", "BBB": "bound", "CCC": "withdrawn"}
    row = _row(life, "CCC")
    assert (row.withdrawal_notified, row.withdrawal_effective) == ("2024-01-31", "2025-01-31")
    assert life.instruments_deposited == 2

    record("suspension", party_code="AAA", date="2024-05-01")
    life = derive(
        party_codes=["AAA", "BBB", "CCC"],
        events=record.claims,
        today=date(2024, 6, 1),
        bilateral=False,
    )
    assert life.status == "in_force" and life.participation["AAA"] == "suspended"


# --- The EAEU–Iran free trade agreement: the EAEU and its five members with Iran, bilateral
# in law; signed 2023-12-25, in force 2025-05-15.

EAEU_IRAN = ["EAEU", "ARM", "BLR", "KAZ", "KGZ", "RUS", "IRN"]


def test_an_organisation_and_its_members_with_one_state_is_bilateral():
    record = Record()
    record("signing", date="2023-12-25", place="Saint Petersburg")
    for code in EAEU_IRAN:
        record.deposit(code, "2025-03-15")
    record("entry_into_force", date="2025-05-15")
    life = derive(
        party_codes=EAEU_IRAN,
        events=record.claims,
        today=date(2025, 6, 1),
        entry_into_force_days=60,
        bilateral=True,
    )
    assert set(life.participation.values()) == {"bound"}
    assert {row.signed for row in life.participants} == {"2023-12-25"}
    assert (life.instruments_deposited, life.instruments_required) == (7, 7)
    assert life.status == "in_force"
    # guessed from its seven parties it would be multilateral: nobody signed
    guessed = derive(party_codes=EAEU_IRAN, events=record.claims[:1], today=date(2024, 1, 1))
    assert set(guessed.participation.values()) == {"not_signed"}


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        ("2024-01-31", 1, "2024-02-29"),
        ("2023-01-31", 1, "2023-02-28"),
        ("2024-02-29", 12, "2025-02-28"),
        ("2024-11-15", 3, "2025-02-15"),
    ],
)
def test_months_are_counted_to_the_same_day_or_the_months_last(day, months, expected):
    assert add_months(date.fromisoformat(day), months).isoformat() == expected


def test_the_key_dates_of_a_multilateral_agreement_count_its_instruments():
    from tracker.services.agreements.lifecycle import key_dates, party_progress

    record = Record()
    bbnj(record)
    life = derive(
        party_codes=PARTIES,
        events=record.claims,
        today=date(2025, 10, 1),
        entry_into_force_rule=BBNJ_RULE,
        bilateral=False,
    )
    progress = party_progress(PARTIES, record.claims)
    line = " · ".join(key_dates(record.claims, life, progress))
    assert line == (
        "Opened for signature 20 Sep 2023 · 61 of 60 instruments in · Expected in force 17 Jan 2026"
    )


def test_one_states_signature_is_not_the_signing_of_a_multilateral_agreement():
    from tracker.services.agreements.lifecycle import key_dates, party_progress

    record = Record()
    record("signing", party_code="CHL", date="2023-09-20", place="New York")
    life = derive(
        party_codes=PARTIES, events=record.claims, today=date(2024, 1, 1), bilateral=False
    )
    line = " · ".join(key_dates(record.claims, life, party_progress(PARTIES, record.claims)))
    assert not line.startswith("Signed"), line
