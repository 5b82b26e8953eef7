"""The UN status table read into claims: names, footnotes, markers, unreadable rows reported,
idempotent, one transaction."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests import factories, un_status
from tracker.models import AuditEntry, EvidenceArticle, StageEvent
from tracker.services.agreements import state
from tracker.services.agreements.queries import get_agreement
from tracker.services.claims.status_import import import_status, parse_date, party_names
from tracker.services.errors import InvalidInput


def _events(session, agreement_id):  # type: ignore[no-untyped-def]
    return session.scalars(select(StageEvent).where(StageEvent.agreement_id == agreement_id)).all()


def test_a_sixty_row_table_is_recorded_once(session):
    agreement = factories.agreement(session, ref="UN-TEST-1", title="A convention")
    text = un_status.table()
    result = import_status(session, agreement.id, text)

    assert result.claims == un_status.claim_count()
    assert result.participants == len(un_status.readable())
    assert [(u.line, u.reason.split(" ")[0]) for u in result.unread] == [
        (10, "neither"),
        (20, "‘Atlantis’"),
        (21, "‘31"),
        (22, "‘x’"),
        (23, "‘20-Sep-23’:"),
    ]
    assert "not a participant we know" in result.unread[1].reason
    assert "not a day of the calendar" in result.unread[2].reason
    assert "not a marker the UN uses" in result.unread[3].reason
    assert "year in full" in result.unread[4].reason
    assert result.summary().startswith(
        f"Recorded {result.claims} claims for {result.participants} participants"
    )
    assert "5 rows not read: line 10: neither" in result.summary()

    agreement = get_agreement(session, agreement.id)
    codes = {row[3] for row in un_status.readable()}
    assert codes <= set(agreement.party_codes)
    assert agreement.party_codes[:2] == ["RUS", "IRN"]  # the agreement's own come first

    events = {
        (e.stage, e.step, e.party_code, e.date, e.consent_type)
        for e in _events(session, agreement.id)
    }
    assert ("ratification", "notification", "PRK", "2019-04-03", "accession") in events
    assert ("ratification", "notification", "CIV", "2024-03-05", "acceptance") in events
    assert ("ratification", "notification", "EU", "2024-06-17", "approval") in events
    assert ("ratification", "notification", "DEU", "2024-11-11", "ratification") in events
    assert ("ratification", "notification", "MNE", "2024-04-04", "succession") in events
    assert ("ratification", "notification", "SYC", "2024-05-22", "definitive_signature") in events
    assert ("ratification", "notification", "MCO", "2024-10-08", "formal_confirmation") in events
    assert ("signing", None, "GBR", "2023-09-20", None) in events
    assert ("signing", None, "DNK", "2023-09-20", None) in events

    # the table is the evidence: each claim quotes its own row
    article = session.get(EvidenceArticle, result.article_id)
    assert (article.outlet, article.title, article.text) == (
        "UN Treaty Collection",
        "Status of UN-TEST-1",
        text.strip(),
    )
    germany = next(
        e for e in _events(session, agreement.id) if e.party_code == "DEU" and e.stage == "signing"
    )
    assert [link.quote for link in germany.evidence] == ["Germany4\t20 Sep 2023\t11 Nov 2024"]
    assert germany.evidence[0].article_id == article.id

    # the cache was refreshed: participants rows read from it
    life = state.read(session, [agreement])[agreement.id]
    rows = {p.party: p for p in life.participants}
    assert rows["PRK"].consent_marker == "a" and rows["PRK"].consented == "2019-04-03"
    assert rows["IRN"].signed == "2023-09-20" and rows["IRN"].consented is None

    count = len(_events(session, agreement.id))
    audits = session.scalar(select(func.count()).select_from(AuditEntry))
    again = import_status(session, agreement.id, text)
    assert (again.claims, again.participants, again.parties_added) == (0, 0, [])
    assert again.article_id == article.id
    assert len(again.unread) == 5
    assert len(_events(session, agreement.id)) == count
    assert session.scalar(select(func.count()).select_from(AuditEntry)) == audits


def test_csv_is_read_like_the_pasted_table(session):
    agreement = factories.agreement(session)
    rows = un_status.ROWS[:8]
    result = import_status(session, agreement.id, un_status.table(rows, sep=","))
    assert result.claims == un_status.claim_count(rows)
    assert [u.line for u in result.unread] == []


def test_a_bilateral_agreement_gains_only_new_parties(session):
    agreement = factories.agreement(session)
    text = "Participant\tSignature\tRatification\nRussian Federation\t17 Jan 2025\t\nIran (Islamic Republic of)\t17 Jan 2025\t2 Oct 2025\n"
    result = import_status(session, agreement.id, text)
    assert (result.claims, result.participants, result.parties_added) == (3, 2, [])
    assert get_agreement(session, agreement.id).party_codes == ["RUS", "IRN"]


def test_a_table_without_its_header_loses_no_row(session):
    agreement = factories.agreement(session)
    text = "Türkiye\t20 Sep 2023\t12 Jan 2024\r\nChina7\t20 Sep 2023\t\x0b\r\n"
    result = import_status(session, agreement.id, text)
    assert (result.claims, result.participants, result.unread) == (3, 2, [])


def test_nothing_is_written_when_no_row_is_readable(session):
    agreement = factories.agreement(session)
    before = session.scalar(select(func.count()).select_from(EvidenceArticle))
    with pytest.raises(InvalidInput) as refused:
        import_status(
            session, agreement.id, "Participant\tSignature\tRatification\nAtlantis\t1 Jan 2020\t\n"
        )
    assert "line 2: ‘Atlantis’ is not a participant we know" in refused.value.errors["text"][0]
    with pytest.raises(InvalidInput) as refused:
        import_status(session, agreement.id, "\n\nParticipant\tSignature\nX\t1 Jan 2020\n")
    assert "(line 4: ‘X’ is not a participant we know)" in refused.value.errors["text"][0]
    with pytest.raises(InvalidInput):
        import_status(session, agreement.id, "")
    assert session.scalar(select(func.count()).select_from(EvidenceArticle)) == before
    assert _events(session, agreement.id) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20 Sep 2023", ("2023-09-20", "ratification")),
        ("20-Sep-2023 a", ("2023-09-20", "accession")),
        ("3 April 2019AA", ("2019-04-03", "approval")),
        ("1 Feb 2024 A", ("2024-02-01", "acceptance")),
    ],
)
def test_dates_and_markers(text, expected):
    assert parse_date(text, markers=True) == expected


def test_un_names_are_read_in_their_forms():
    assert party_names("Iran (Islamic Republic of)3") == [
        "Iran (Islamic Republic of)",
        "Islamic Republic of Iran",
        "Iran, Islamic Republic of",
        "Iran",
    ]
    assert party_names("Denmark5,6") == ["Denmark"]
