"""The agreement and event forms take what a multilateral treaty needs (SPEC §2b): either rule
of entry into force, the withdrawal rule, the depositary by name, the signature period in
either calendar, bilateral or not, and the kind of each instrument."""

from __future__ import annotations

import html as htmllib

from sqlalchemy import select

from tests.web.conftest import csrf, errors_beside
from tracker.models import Agreement, StageEvent

BBNJ = "Agreement on marine biodiversity beyond national jurisdiction"


def _form(**fields: str) -> dict[str, str]:
    return {
        "title": BBNJ,
        "kind": "treaty",
        "parties": "Chile, Palau, Belgium",
        "instruments_required": "60",
        "days_after_instrument": "120",
        "days_after_own_instrument": "30",
        "withdrawal_period": "1",
        "withdrawal_unit": "years",
        "depositary": "United Nations",
        "signature_opens": "1402/06/29",  # Solar Hijri: 2023-09-20
        "signature_closes": "2025-09-20",
        **fields,
    }


def test_a_multilateral_agreement_made_on_the_form_shows_its_rules(editor_web, session):
    data = {"csrf_token": csrf(editor_web, "/agreements/new"), **_form()}
    response = editor_web.post("/agreements/new", data=data)
    assert response.status_code == 302, htmllib.unescape(response.get_data(as_text=True))[:3000]
    made = session.scalar(select(Agreement).where(Agreement.title == BBNJ))
    assert (made.instruments_required, made.days_after_instrument) == (60, 120)
    assert made.days_after_own_instrument == 30
    assert (made.withdrawal_period, made.withdrawal_unit) == (1, "years")
    assert made.depositary_code == "UN" and made.bilateral is False
    assert (made.signature_opens, made.signature_closes) == ("2023-09-20", "2025-09-20")
    page = htmllib.unescape(editor_web.get(f"/agreements/{made.id}").get_data(as_text=True))
    assert "(multilateral)" in page
    assert "120 days after the 60th instrument; for a later party, 30 days after its own" in page
    assert "0 of 60 instruments in" in page
    assert "United Nations" in page
    assert "takes effect 1 year after the notification" in page

    # the edit form comes back filled in
    form = htmllib.unescape(editor_web.get(f"/agreements/{made.id}/edit").get_data(as_text=True))
    assert 'value="60"' in form and 'value="United Nations (UN)"' in form


def test_both_rules_at_once_are_refused_beside_the_field_and_nothing_is_stored(editor_web, session):
    data = {
        "csrf_token": csrf(editor_web, "/agreements/new"),
        **_form(entry_into_force_days="30", title="Two rules"),
    }
    response = editor_web.post("/agreements/new", data=data)
    assert response.status_code == 422
    beside = errors_beside(response.get_data(as_text=True), "entry_into_force_days")
    assert "Either days_after_last_notification alone" in htmllib.unescape(beside)
    assert session.scalar(select(Agreement).where(Agreement.title == "Two rules")) is None


def test_seven_parties_can_be_bilateral_in_law(editor_web, session):
    data = {
        "csrf_token": csrf(editor_web, "/agreements/new"),
        "title": "EAEU–Iran free trade agreement",
        "kind": "agreement",
        "parties": "EAEU, Armenia, Belarus, Kazakhstan, Kyrgyzstan, Russia, Iran",
        "bilateral": "yes",
    }
    assert editor_web.post("/agreements/new", data=data).status_code == 302
    made = session.scalar(
        select(Agreement).where(Agreement.title == "EAEU–Iran free trade agreement")
    )
    assert made.bilateral is True and len(made.party_codes) == 7


def test_an_instrument_of_accession_is_recorded_with_its_kind(editor_web, session):
    data = {"csrf_token": csrf(editor_web, "/agreements/new"), **_form(title="Accession case")}
    assert editor_web.post("/agreements/new", data=data).status_code == 302
    made = session.scalar(select(Agreement).where(Agreement.title == "Accession case"))
    path = f"/agreements/{made.id}/events/new"
    form = editor_web.get(path).get_data(as_text=True)
    assert "Kind of instrument" in form
    response = editor_web.post(
        path,
        data={
            "csrf_token": csrf(editor_web, path),
            "stage": "ratification",
            "step": "notification",
            "party": "PLW",
            "date": "2024-01-22",
            "status": "reported",
            "consent_type": "accession",
            "without_evidence": "y",
        },
    )
    assert response.status_code == 302, errors_beside(response.get_data(as_text=True), "step")
    event = session.scalar(select(StageEvent).where(StageEvent.agreement_id == made.id))
    assert (event.step, event.consent_type) == ("notification", "accession")
    page = editor_web.get(f"/events/{event.id}/edit").get_data(as_text=True)
    assert '<option selected value="accession">' in page
