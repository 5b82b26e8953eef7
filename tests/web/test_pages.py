"""The first read-only pages: the list of agreements and one agreement with its evidence."""

from __future__ import annotations

import re

from sqlalchemy import select

from tests import factories
from tracker.models import Agreement


def _seed_case(session) -> Agreement:  # type: ignore[no-untyped-def]
    return session.scalar(select(Agreement).where(Agreement.ref.is_not(None)))


def test_the_front_page_lists_agreements_with_links(client, session):
    treaty = _seed_case(session)
    page = client.get("/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'href="/agreements/{treaty.id}"' in html
    assert "Treaty on Comprehensive Strategic Partnership" in html
    assert "Announcement" in html  # its current stage


def test_the_agreement_page_shows_parties_events_evidence_and_principles(client, session):
    treaty = _seed_case(session)
    html = client.get(f"/agreements/{treaty.id}").get_data(as_text=True)
    assert "Russian Federation" in html and "Российская Федерация" in html
    assert "2024-01-15" in html and "1402/10/25" in html  # the Jalali day beside it
    quote = (
        "اعلام شد که مسکو و تهران در حال آماده سازی مقدمات امضای یک توافقنامه بزرگ بین دولتی هستند"
    )
    assert re.search(r'<blockquote dir="auto" lang="fa">\s*' + re.escape(quote), html)
    assert "Jamaran" in html and "citing Tasnim News Agency, citing RIA Novosti" in html
    for label in (
        "Sovereignty",
        "Territorial integrity",
        "Purposes and principles of the UN Charter",
    ):
        assert label in html


def test_markup_in_user_text_is_shown_as_text(client, session):
    treaty = factories.agreement(session, title="<script>alert(1)</script> Pact")
    html = client.get(f"/agreements/{treaty.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Pact" in html


def test_conflicts_and_flags_are_shown(client, session):
    treaty = factories.agreement(session)
    factories.event(session, treaty.id, "signing", "2025-01-17")
    factories.event(session, treaty.id, "signing", "2025-01-18")
    factories.event(session, treaty.id, "ratification", "2024-12-01", party="RUS")
    html = client.get(f"/agreements/{treaty.id}").get_data(as_text=True)
    assert "Conflicting claims" in html
    assert "is dated before the signing" in html


def test_unknown_and_deleted_agreements_are_404(client, session):
    from tracker.services.agreements import delete_agreement

    assert client.get("/agreements/999999").status_code == 404
    treaty = factories.agreement(session)
    delete_agreement(session, treaty.id)
    assert client.get(f"/agreements/{treaty.id}").status_code == 404
    assert f"/agreements/{treaty.id}" not in client.get("/").get_data(as_text=True)
