"""Multilateral agreements through the API (SPEC §2b): the cases of public record, recorded
as a researcher would, on both engines."""

from __future__ import annotations

from tests.api.conftest import assert_error

BBNJ = {
    "title": "Agreement under UNCLOS on marine biological diversity of areas beyond national "
    "jurisdiction (BBNJ)",
    "kind": "treaty",
    "parties": ["BEL", "ESP", "FRA", "CHL", "PLW", "USA"],
    "depositary": "UN",
    "signature_opens": "2023-09-20",
    "signature_closes": "2025-09-20",
    "entry_into_force_rule": {
        "instruments_required": 3,
        "days_after_instrument": 120,
        "days_after_own_instrument": 30,
    },
    "withdrawal_rule": {"years_after_notification": 1},
}


def _post(client, path, body):  # type: ignore[no-untyped-def]
    response = client.post(path, json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _deposit(editor, aid, party, day, consent="ratification"):  # type: ignore[no-untyped-def]
    return _post(
        editor,
        f"/api/v1/agreements/{aid}/events",
        {
            "stage": "ratification",
            "step": "notification",
            "party": party,
            "date": day,
            "consent_type": consent,
        },
    )


def test_the_k_th_instrument_gives_the_expected_entry_into_force(editor, session):
    made = _post(editor, "/api/v1/agreements", BBNJ)
    aid = made["id"]
    assert made["bilateral"] is False
    assert made["depositary"] == {"code": "UN", "name": "United Nations"}
    assert (made["signature_opens"], made["signature_closes"]) == ("2023-09-20", "2025-09-20")
    assert made["entry_into_force_rule"] == BBNJ["entry_into_force_rule"]
    assert made["withdrawal_rule"] == {"years_after_notification": 1}
    assert made["participation"] == {code: "not_signed" for code in BBNJ["parties"]}

    _post(editor, f"/api/v1/agreements/{aid}/events", {"stage": "adoption", "date": "2023-06-19"})
    for code in ("BEL", "CHL", "FRA", "USA"):
        _post(
            editor,
            f"/api/v1/agreements/{aid}/events",
            {"stage": "signing", "party": code, "date": "2023-09-20"},
        )
    _deposit(editor, aid, "CHL", "2024-01-19")
    _deposit(editor, aid, "PLW", "2024-01-22", "accession")
    plain = editor.get(f"/api/v1/agreements/{aid}").get_json()
    assert (plain["instruments_deposited"], plain["instruments_required"]) == (2, 3)
    assert plain["next_expected"]["source"] != "rule"

    _deposit(editor, aid, "BEL", "2025-09-19")
    got = editor.get(f"/api/v1/agreements/{aid}").get_json()
    assert (got["instruments_deposited"], got["instruments_required"]) == (3, 3)
    assert got["next_expected"] == {
        "stage": "entry_into_force",
        "date": "2026-01-17",
        "step": None,
        "party": None,
        "source": "rule",
        "event_id": None,
    }
    # a computed date flips nothing (stalled: nothing new for 180 days before today)
    assert got["status"] != "in_force" and got["current_stage"] == "ratification"
    assert got["participation"] == {
        "BEL": "consented",
        "ESP": "not_signed",
        "FRA": "signed",
        "CHL": "consented",
        "PLW": "consented",
        "USA": "signed",
    }
    palau = next(e for e in got["events"] if e["party"] == "PLW")
    assert palau["consent_type"] == "accession"

    listed = editor.get("/api/v1/agreements?party=FRA&participation=signed").get_json()
    assert [a["id"] for a in listed] == [aid]
    assert editor.get("/api/v1/agreements?party=FRA&participation=bound").get_json() == []

    _post(
        editor,
        f"/api/v1/agreements/{aid}/events",
        {"stage": "entry_into_force", "date": "2026-01-17"},
    )
    _deposit(editor, aid, "FRA", "2026-03-01", "approval")
    done = editor.get(f"/api/v1/agreements/{aid}").get_json()
    assert done["status"] == "in_force"
    assert done["participation"]["BEL"] == "bound"
    assert done["participation"]["FRA"] == "consented"  # bound from 2026-03-31, not yet recorded
    listed = editor.get("/api/v1/agreements?party=BEL&participation=bound").get_json()
    assert [a["id"] for a in listed] == [aid]


def test_a_revoked_ratification_puts_russia_back_to_signed(editor):
    made = _post(
        editor,
        "/api/v1/agreements",
        {
            "title": "Comprehensive Nuclear-Test-Ban Treaty",
            "kind": "treaty",
            "parties": ["RUS", "USA", "GBR"],
            "depositary": "UN",
            "entry_into_force_rule": {"instruments_required": 44, "days_after_instrument": 180},
        },
    )
    aid = made["id"]
    _post(
        editor,
        f"/api/v1/agreements/{aid}/events",
        {"stage": "signing", "party": "RUS", "date": "1996-09-24"},
    )
    _deposit(editor, aid, "RUS", "2000-06-30")
    assert editor.get(f"/api/v1/agreements/{aid}").get_json()["participation"]["RUS"] == (
        "consented"
    )
    _post(
        editor,
        f"/api/v1/agreements/{aid}/events",
        {
            "stage": "ratification",
            "step": "revocation",
            "party": "RUS",
            "date": "2023-11-02",
            "body": "President (law revoking the ratification)",
        },
    )
    got = editor.get(f"/api/v1/agreements/{aid}").get_json()
    assert got["participation"]["RUS"] == "signed"
    assert got["ratification"]["RUS"] == "not_started"
    assert got["instruments_deposited"] == 0
    assert got["status"] != "in_force"
    assert not [f for f in got["flags"] if f["code"] == "step_out_of_order"]


def test_russias_suspension_of_new_start_suspends_the_bilateral_treaty(editor):
    made = _post(
        editor,
        "/api/v1/agreements",
        {"title": "New START", "kind": "treaty", "parties": ["USA", "RUS"]},
    )
    aid = made["id"]
    assert made["bilateral"] is True
    for body in (
        {"stage": "signing", "date": "2010-04-08", "place": "Prague"},
        {"stage": "entry_into_force", "date": "2011-02-05"},
        {"stage": "suspension", "party": "RUS", "date": "2023-02-21"},
    ):
        _post(editor, f"/api/v1/agreements/{aid}/events", body)
    got = editor.get(f"/api/v1/agreements/{aid}").get_json()
    assert got["status"] == "suspended"
    assert got["participation"]["RUS"] == "suspended"


def test_the_eaeu_and_its_members_with_iran_are_bilateral_when_told(editor):
    parties = ["EAEU", "ARM", "BLR", "KAZ", "KGZ", "RUS", "IRN"]
    made = _post(
        editor,
        "/api/v1/agreements",
        {
            "title": "Free Trade Agreement between the EAEU and its member states and Iran",
            "parties": parties,
            "bilateral": True,
            "entry_into_force_rule": {"days_after_last_notification": 60},
        },
    )
    aid = made["id"]
    assert made["bilateral"] is True and made["instruments_required"] == 7
    _post(editor, f"/api/v1/agreements/{aid}/events", {"stage": "signing", "date": "2023-12-25"})
    got = editor.get(f"/api/v1/agreements/{aid}").get_json()
    assert set(got["participation"].values()) == {"signed"}
    # a later change of parties leaves a flag the researcher set as it is
    patched = editor.patch(
        f"/api/v1/agreements/{aid}",
        json={"parties": parties[:-1]},
        headers={"If-Match": editor.get(f"/api/v1/agreements/{aid}").headers["ETag"]},
    )
    assert patched.status_code == 200, patched.get_json()
    assert patched.get_json()["bilateral"] is True


def test_changing_a_notification_to_another_step_drops_its_kind_of_instrument(editor):
    aid = _post(editor, "/api/v1/agreements", {"title": "T", "parties": ["RUS", "IRN"]})["id"]
    made = _deposit(editor, aid, "RUS", "2025-09-02")
    assert made["consent_type"] == "ratification"
    plain = _post(
        editor,
        f"/api/v1/agreements/{aid}/events",
        {"stage": "ratification", "step": "notification", "party": "IRN"},
    )
    assert plain["consent_type"] == "ratification"  # the default
    event = editor.get(f"/api/v1/events/{made['id']}")
    moved = editor.patch(
        f"/api/v1/events/{made['id']}",
        json={"step": "lower_house"},
        headers={"If-Match": event.headers["ETag"]},
    )
    assert moved.status_code == 200, moved.get_json()
    assert moved.get_json()["consent_type"] is None


def test_bad_multilateral_input_is_422_per_field_and_stores_nothing(editor):
    aid = _post(editor, "/api/v1/agreements", {"title": "T", "parties": ["RUS", "IRN"]})["id"]
    cases = [
        (
            {
                "entry_into_force_rule": {
                    "days_after_last_notification": 30,
                    "instruments_required": 3,
                }
            },
            "entry_into_force_rule._schema",
        ),
        (
            {"entry_into_force_rule": {"days_after_instrument": 30}},
            "entry_into_force_rule.instruments_required",
        ),
        (
            {"entry_into_force_rule": {"instruments_required": 0}},
            "entry_into_force_rule.instruments_required",
        ),
        (
            {"withdrawal_rule": {"days_after_notification": 1, "years_after_notification": 1}},
            "withdrawal_rule._schema",
        ),
        (
            {"withdrawal_rule": {"weeks_after_notification": 2}},
            "withdrawal_rule.weeks_after_notification",
        ),
        ({"depositary": "XXX"}, "depositary"),
        ({"signature_opens": "2025-09-20", "signature_closes": "2023-09-20"}, "signature_closes"),
        ({"signature_opens": "2025-13-01"}, "signature_opens"),
        ({"bilateral": "perhaps"}, "bilateral"),
    ]
    for fields, field in cases:
        assert_error(editor.post("/api/v1/agreements", json={"title": "X", **fields}), 422, field)
    assert_error(
        editor.post(
            f"/api/v1/agreements/{aid}/events",
            json={
                "stage": "ratification",
                "step": "lower_house",
                "party": "RUS",
                "consent_type": "accession",
            },
        ),
        422,
        "consent_type",
    )
    assert_error(
        editor.post(
            f"/api/v1/agreements/{aid}/events",
            json={
                "stage": "ratification",
                "step": "notification",
                "party": "RUS",
                "consent_type": "adhesion",
            },
        ),
        422,
        "consent_type",
    )
    assert_error(editor.get("/api/v1/agreements?participation=signed"), 422, "party")
    assert_error(
        editor.get("/api/v1/agreements?party=RUS&participation=ratified"), 422, "participation"
    )
    assert "X" not in [a["title"] for a in editor.get("/api/v1/agreements").get_json()]
    assert editor.get(f"/api/v1/agreements/{aid}/events").get_json() == []
