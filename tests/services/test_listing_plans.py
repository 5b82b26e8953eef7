"""The agreements list reads a page in one of two ways (through the filters' indexes, or down
the sort's index when most rows match) and counts its total from the filters' own indexes:
whichever way, the same rows in the same order, and a total that counts exactly the live
agreements the page would list, on both engines."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import event, func, select

from tests import factories
from tracker.models import Agreement, AgreementParticipation, AgreementParty
from tracker.services.agreements import listing, reading
from tracker.services.agreements.commands import delete_agreement, update_agreement
from tracker.services.agreements.lifecycle import STALLED_AFTER_DAYS
from tracker.services.agreements.listing import AgreementFilters

TODAY = date(2026, 12, 3)

FILTERS = [
    AgreementFilters(),
    AgreementFilters(party="KAZ"),
    AgreementFilters(party="kaz", participation="signed"),
    AgreementFilters(topic="Planscase"),
    AgreementFilters(stage="signing"),
    AgreementFilters(stage="ratification"),
    AgreementFilters(status="stalled"),
    AgreementFilters(status="active"),
    AgreementFilters(kind="memorandum"),
    AgreementFilters(q="planscase"),
    AgreementFilters(q="planscase agreement", party="KAZ"),
    AgreementFilters(q="planscase", stage="signing", topic="water"),
    AgreementFilters(topic="planscase", stage="signing"),
    AgreementFilters(party="KAZ", topic="planscase", status="stalled"),
    AgreementFilters(party="KAZ", kind="treaty"),
    AgreementFilters(topic="planscase", updated_since=datetime(2020, 1, 1, tzinfo=UTC)),
]
SORTS = ["-updated", "updated", "title", "stage", "-signed", "last_activity"]


@pytest.fixture
def planscase(session):  # type: ignore[no-untyped-def]
    """Twelve agreements of two topics and two kinds, some with Kazakhstan, signed long ago
    (stalled) or lately, ratifying or only announced; two of them deleted."""
    made = []
    for n in range(12):
        agreement = factories.agreement(
            session,
            title=f"Planscase {n % 5} agreement",
            kind="memorandum" if n % 4 == 0 else "treaty",
            parties=["KAZ", "UZB"] if n % 3 else ["UZB", "TKM"],
            topics=["planscase"] if n % 2 else ["planscase", "water"],
        )
        if n % 6 == 5:
            factories.event(session, agreement.id, "announcement", "2026-11-20")
        else:
            factories.event(session, agreement.id, "signing", f"20{20 + n % 7}-03-0{1 + n % 8}")
            if n % 3 == 2:
                factories.event(session, agreement.id, "ratification", "2026-10-01", party="UZB")
        made.append(agreement)
    for agreement in made[3:5]:
        delete_agreement(session, agreement.id)
    session.commit()
    return made


def _page(session, filters, sort, dense, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(listing, "_dense", lambda *_args: dense)
    return listing.page(session, filters, sort=sort, limit=1000, today=TODAY)


@pytest.mark.parametrize("sort", SORTS)
def test_either_plan_lists_the_same_rows_and_the_total_counts_them(
    session, planscase, sort, monkeypatch
):  # type: ignore[no-untyped-def]
    deleted = {a.id for a in planscase[3:5]}
    ours = {a.id for a in planscase}
    for filters in FILTERS:
        through_filters = _page(session, filters, sort, False, monkeypatch)
        down_the_sort = _page(session, filters, sort, True, monkeypatch)
        ids = [row.id for row in through_filters.rows]
        assert ids == [row.id for row in down_the_sort.rows], filters
        assert through_filters.total == len(ids) == down_the_sort.total, filters
        assert not deleted & set(ids), filters
        if filters != AgreementFilters():
            assert ids, f"the case should give each filter something to find: {filters}"
        if filters.topic or filters.q:
            assert set(ids) <= ours, filters


def test_the_count_leaves_out_deleted_agreements_and_counts_restored_ones(session, planscase):  # type: ignore[no-untyped-def]
    from tracker.services.agreements.commands import restore_agreement

    topic, every = AgreementFilters(topic="planscase"), AgreementFilters()
    live = session.scalar(
        select(func.count()).select_from(Agreement).where(Agreement.deleted_at.is_(None))
    )
    assert listing.count(session, topic, today=TODAY) == (10, False)
    # Without filters (on SQLite, all rows less the deleted ones): the live ones only.
    assert listing.count(session, every, today=TODAY) == (live, False)
    restore_agreement(session, planscase[3].id)
    session.commit()
    assert listing.count(session, topic, today=TODAY) == (11, False)
    assert listing.count(session, topic, today=TODAY, cap=4) == (4, True)
    assert listing.count(session, every, today=TODAY) == (live + 1, False)
    assert listing.count(session, every, today=TODAY, cap=live) == (live, True)
    assert listing.count(session, every, today=TODAY, cap=live + 1) == (live + 1, False)


def test_a_filter_that_keeps_most_rows_walks_the_sort_and_a_rare_one_its_index(session, planscase):  # type: ignore[no-untyped-def]
    connection = session.connection()
    top = connection.execute(listing.select(listing.func.max(listing._A.c.id))).scalar()
    # Matches² against (page end × rows): a first page of two, when every row matches, is
    # read down the sort; one match among all rows through the filter's index.
    assert listing._dense(top, False, 3, top)
    assert not listing._dense(1, False, 3, top)
    assert listing._dense(1, True, 3, top)  # capped: more than CAP match
    assert not listing._dense(0, False, 3, top)
    assert not listing._dense(3, False, 3, None)  # no more matches than the page reaches
    # The count's statement reads the highest id with the matches.
    topic = AgreementFilters(topic="planscase")
    total, capped = listing.count(session, topic, today=TODAY)
    assert total > 0
    assert listing._counted(session, topic, TODAY, STALLED_AFTER_DAYS) == (total, capped, top)


def test_a_participation_lists_only_agreements_the_party_is_still_in(session, planscase):  # type: ignore[no-untyped-def]
    """`participation` is read from the participation cache alone: it lists the agreements
    where the party is a party and stands so, and a party taken off an agreement leaves
    that agreement's list with it."""

    def listed(participation: str) -> set[int]:
        filters = AgreementFilters(party="KAZ", participation=participation)
        return {row.id for row in listing.page(session, filters, limit=1000, today=TODAY).rows}

    def wanted(participation: str) -> set[int]:
        return set(
            session.scalars(
                select(Agreement.id)
                .join(AgreementParty, AgreementParty.agreement_id == Agreement.id)
                .join(
                    AgreementParticipation,
                    (AgreementParticipation.agreement_id == Agreement.id)
                    & (AgreementParticipation.party_code == AgreementParty.party_code),
                )
                .where(
                    AgreementParty.party_code == "KAZ",
                    AgreementParticipation.participation == participation,
                    Agreement.deleted_at.is_(None),
                )
            )
        )

    signed = listed("signed")
    assert signed and signed == wanted("signed")
    leaving = min(signed)
    update_agreement(session, leaving, {"parties": ["UZB", "TKM"]})
    session.commit()
    assert listed("signed") == signed - {leaving} == wanted("signed")


def test_a_pages_parties_and_topics_come_in_one_statement_through_the_agreements_index(
    session, planscase
):  # type: ignore[no-untyped-def]
    """Parties (in their order) and topics (by name) of any number of agreements, in one
    statement whose text does not change with their number: on SQLite each table searched
    by agreement (a scan of the whole table read 45 ms at 100,000 agreements); on
    PostgreSQL the ids sent as one array."""
    connection = session.connection()
    ids = [a.id for a in planscase] + list(range(10**6, 10**6 + 60))  # more than 50 ids
    found = connection.execute(listing._PARTIES_AND_TOPICS_OF, {"ids": ids}).all()
    parties = {i: [] for i in ids}  # type: ignore[var-annotated]
    topics = {i: [] for i in ids}  # type: ignore[var-annotated]
    listing.split_parties_and_topics(found, parties, topics)
    for agreement in planscase:
        assert [code for code, _name in parties[agreement.id]] == [
            p.code for p in agreement.parties
        ]
        assert topics[agreement.id] == sorted(agreement.topics)
    assert parties[planscase[1].id][0] == ("KAZ", "Kazakhstan")
    compiled = listing._PARTIES_AND_TOPICS_OF.compile(dialect=connection.dialect)
    if connection.dialect.name == "postgresql":
        assert "= ANY (%(ids)s" in str(compiled)


TABLES = (
    "agreement",
    "agreement_party",
    "agreement_topic",
    "agreement_state",
    "agreement_participation",
    "stage_event",
    "evidence_link",
)


def test_pages_and_the_detail_read_no_table_whole_on_sqlite(session, planscase):  # type: ignore[no-untyped-def]
    """Every statement of a page (each filter, each sort, with the dates of signing and
    entry into force) and of an agreement's detail reads its rows through an index on
    SQLite: none reads a whole table of agreements, links, topics, events or evidence (a
    condition on a list of ids written `IN (…) = 1` did, unseen in the results)."""
    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("SQLite's plans")
    connection = session.connection()
    ran: list[tuple[str, Any]] = []

    def keep(_conn, _cursor, statement, parameters, _context, _many):  # type: ignore[no-untyped-def]
        ran.append((statement, parameters))

    event.listen(connection, "before_cursor_execute", keep)
    try:
        for filters in FILTERS:
            for sort in SORTS:
                listing.page(session, filters, sort=sort, today=TODAY, dates=True)
        reading.detail(session, planscase[1].id, today=TODAY)
    finally:
        event.remove(connection, "before_cursor_execute", keep)
    whole = {f"SCAN {table}" for table in TABLES}
    for statement, parameters in ran:
        plan = [
            row[3]
            for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
        ]
        assert not whole & set(plan), (statement, plan)
