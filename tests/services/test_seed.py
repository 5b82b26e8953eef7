"""The seed: the founding case and the multilateral examples as data, loaded once,
idempotent, each with the derived states its claims give."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker import migrate
from tracker.db import make_engine
from tracker.models import (
    Agreement,
    AuditEntry,
    EvidenceArticle,
    EvidenceLink,
    Party,
    PartyAlias,
    PartyMembership,
    Principle,
    PrincipleStatement,
    StageEvent,
)
from tracker.services.agreements.queries import lifecycle
from tracker.services.data.seed import load_seed

TABLES = (
    Party,
    PartyAlias,
    PartyMembership,
    Principle,
    Agreement,
    StageEvent,
    EvidenceArticle,
    EvidenceLink,
    PrincipleStatement,
    AuditEntry,
)


def _counts(session: Session) -> dict[str, int]:
    return {m.__tablename__: session.scalar(select(func.count()).select_from(m)) for m in TABLES}


def test_seed_loads_once_and_a_second_run_changes_nothing(scratch_url):
    engine = make_engine(scratch_url)
    migrate.upgrade(engine)
    with Session(engine, expire_on_commit=False) as session:
        first = load_seed(session)
        after_first = _counts(session)
        second = load_seed(session)
        assert _counts(session) == after_first
    engine.dispose()
    assert first.created["agreements"] == 6
    assert first.created["relations"] == 1
    assert first.created["parties"] >= 249
    assert first.created["principles"] == 13
    assert first.created["memberships"] == 28 + 5 + 10 + 10  # EU (GBR too), EAEU, SCO, BRICS
    assert not second.changed
    assert second.summary() == "Seed data already loaded: nothing changed."


def test_a_case_edited_by_a_researcher_is_not_reset(session):
    treaty = session.scalar(
        select(Agreement).where(Agreement.ref == "rus-irn-comprehensive-strategic-partnership")
    )
    treaty.summary = "My own notes."
    session.commit()
    load_seed(session)
    session.refresh(treaty)
    assert treaty.summary == "My own notes."


def test_the_founding_case(session):
    treaty = session.scalar(
        select(Agreement).where(Agreement.ref == "rus-irn-comprehensive-strategic-partnership")
    )
    assert treaty.party_codes == ["RUS", "IRN"]
    assert treaty.entry_into_force_days == 30
    announcement = next(e for e in treaty.events if e.stage == "announcement")
    assert (announcement.date, announcement.status) == ("2024-01-15", "reported")
    quote = announcement.evidence[0]
    article = quote.article
    assert article.outlet == "Jamaran"
    assert article.text[quote.quote_start : quote.quote_end] == quote.quote
    assert "مسکو و تهران" in quote.quote
    # Provenance: Jamaran cites Tasnim, which cites RIA Novosti.
    assert (article.cites.outlet, article.cites.cites.outlet) == (
        "Tasnim News Agency",
        "RIA Novosti",
    )
    assert sorted(s.principle_code for s in treaty.statements) == [
        "sovereignty",
        "territorial_integrity",
        "un_charter",
    ]
    assert all(s.evidence and s.evidence[0].quote in article.text for s in treaty.statements)
    life = lifecycle(session, treaty, today=date(2024, 1, 16))
    assert (life.current_stage, life.status) == ("announcement", "active")
    assert (life.next_expected.stage, life.next_expected.source) == ("signing", "event")


def test_party_names_come_from_pycountry_and_aliases_from_the_seed(session):
    russia = session.get(Party, "RUS")
    assert russia.names["en"] == "Russian Federation"
    assert russia.names["ru"] == "Российская Федерация"
    assert russia.names["fa"] and russia.names["fa"] != russia.names["en"]
    assert session.get(Party, "EU").kind == "organisation"
    aliases = {
        (a.alias, a.party_code)
        for a in session.scalars(
            select(PartyAlias).where(PartyAlias.language.in_(["en", "ru", "fa"]))
        )
    }
    assert {
        ("Moscow", "RUS"),
        ("Tehran", "IRN"),
        ("Kremlin", "RUS"),
        ("Pyongyang", "PRK"),
        ("Кремл*", "RUS"),
        ("مسکو", "RUS"),
    } <= aliases


def test_a_membership_changed_in_the_database_is_brought_back_in_line(session):
    gbr = session.scalar(
        select(PartyMembership).where(
            PartyMembership.organisation_code == "EU", PartyMembership.member_code == "GBR"
        )
    )
    gbr.until = None
    session.add(PartyMembership(organisation_code="EAEU", member_code="UZB"))
    session.commit()
    report = load_seed(session)
    assert report.updated == {"memberships": 2}
    session.refresh(gbr)
    assert gbr.until == date(2020, 1, 31)
    members = session.scalars(
        select(PartyMembership.member_code).where(PartyMembership.organisation_code == "EAEU")
    )
    assert sorted(members) == ["ARM", "BLR", "KAZ", "KGZ", "RUS"]


def _case(session: Session, ref: str) -> Agreement:
    return session.scalar(select(Agreement).where(Agreement.ref == ref))


def _quotes_hold(treaty: Agreement) -> None:
    for event in treaty.events:
        assert event.evidence, (event.stage, event.party_code)
        for link in event.evidence:
            assert link.article.text[link.quote_start : link.quote_end] == link.quote


def _participation(session: Session, treaty: Agreement) -> dict[str, str]:
    return {p.party: p.participation for p in lifecycle(session, treaty).participants}


def test_the_bbnj_agreement_in_force_with_a_handful_of_its_parties(session):
    treaty = _case(session, "bbnj-agreement")
    _quotes_hold(treaty)
    assert (treaty.depositary_code, treaty.bilateral) == ("UN", False)
    assert (treaty.signature_opens, treaty.signature_closes) == ("2023-09-20", "2025-09-20")
    assert (treaty.instruments_required, treaty.days_after_instrument) == (60, 120)
    assert treaty.days_after_own_instrument == 30
    assert (treaty.withdrawal_period, treaty.withdrawal_unit) == (1, "years")
    life = lifecycle(session, treaty)
    assert (life.current_stage, life.status, life.next_expected) == (
        "entry_into_force",
        "in_force",
        None,
    )
    assert (life.instruments_deposited, life.instruments_required) == (5, 60)
    assert _participation(session, treaty) == {
        "CHL": "bound",
        "BLZ": "bound",
        "MCO": "bound",
        "MAR": "bound",
        "SLE": "bound",
        "USA": "signed",
    }
    morocco = next(p for p in life.participants if p.party == "MAR")
    assert (morocco.consented, morocco.bound_from) == ("2025-09-19", "2026-01-17")
    # only five of the 60 instruments are in the example, and the page says so
    assert [f.code for f in life.flags] == ["entry_into_force_before_instruments"]


def test_the_ctbt_with_russias_ratification_revoked(session):
    treaty = _case(session, "ctbt")
    _quotes_hold(treaty)
    assert (treaty.instruments_required, treaty.days_after_instrument) == (44, 180)
    assert treaty.bilateral is False
    life = lifecycle(session, treaty)
    assert _participation(session, treaty) == {"RUS": "signed", "USA": "signed"}
    assert (life.instruments_deposited, life.instruments_required) == (0, 44)
    assert life.current_stage == "ratification" and life.status != "in_force"
    assert (life.next_expected.stage, life.next_expected.date) == ("ratification", None)
    assert life.flags == []
    languages = sorted(
        a.language for a in {link.article for e in treaty.events for link in e.evidence}
    )
    assert languages == ["en", "ru"]


def test_new_start_suspended_by_russia(session):
    treaty = _case(session, "new-start")
    _quotes_hold(treaty)
    assert treaty.bilateral is True
    life = lifecycle(session, treaty)
    assert (life.current_stage, life.status, life.next_expected) == (
        "entry_into_force",
        "suspended",
        None,
    )
    assert _participation(session, treaty) == {"USA": "bound", "RUS": "suspended"}
    russia = next(p for p in life.participants if p.party == "RUS")
    assert (russia.bound_from, russia.suspended_since) == ("2011-02-05", "2023-02-28")
    assert life.flags == []


def test_the_eaeu_and_its_members_with_iran_in_force(session):
    treaty = _case(session, "eaeu-irn-free-trade-agreement")
    _quotes_hold(treaty)
    assert treaty.bilateral is True and len(treaty.party_codes) == 7
    life = lifecycle(session, treaty)
    assert (life.current_stage, life.status, life.next_expected) == (
        "entry_into_force",
        "in_force",
        None,
    )
    assert set(_participation(session, treaty).values()) == {"bound"}
    assert {p.signed for p in life.participants} == {"2023-12-25"}
    assert {p.bound_from for p in life.participants} == {"2025-05-15"}
    assert life.flags == []
    members = session.scalars(
        select(PartyMembership.member_code).where(PartyMembership.organisation_code == "EAEU")
    )
    assert set(members) == set(treaty.party_codes) - {"EAEU", "IRN"}


def test_the_2025_treaty_supersedes_the_2001_treaty(session):
    from tracker.services.claims import relations

    old = session.scalar(
        select(Agreement).where(Agreement.ref == "rus-irn-foundations-of-relations-2001")
    )
    (view,) = relations.list_relations(session, old.id)
    assert (view.label, view.other.ref, view.relation.date) == (
        "superseded by",
        "rus-irn-comprehensive-strategic-partnership",
        "2025-01-17",
    )
    assert view.quotes[0]["quote"].startswith("Новый договор заменит")
    assert lifecycle(session, old).status == "in_force"  # a relation changes no status
    signing = next(e for e in old_events(session, old.id) if e.stage == "signing")
    assert (signing.date, signing.place) == ("2001-03-12", "Moscow")


def old_events(session, agreement_id):  # type: ignore[no-untyped-def]
    return session.scalars(select(StageEvent).where(StageEvent.agreement_id == agreement_id))
