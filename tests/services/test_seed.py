"""The seed: the founding case as data, loaded once, idempotent."""

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
    assert first.created["agreements"] == 1
    assert first.created["parties"] >= 249
    assert first.created["principles"] == 13
    assert first.created["memberships"] == 28 + 5 + 10 + 10  # EU (GBR too), EAEU, SCO, BRICS
    assert not second.changed
    assert second.summary() == "Seed data already loaded: nothing changed."


def test_a_case_edited_by_a_researcher_is_not_reset(session):
    treaty = session.scalar(select(Agreement).where(Agreement.ref.is_not(None)))
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
