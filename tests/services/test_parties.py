"""Parties typed by name: names, aliases and codes in English, Persian, Russian and Arabic,
through the normaliser; unknown names get a "did you mean", ambiguous ones are reported."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tracker.models import Agreement, PartyAlias
from tracker.services.agreements.commands import create_agreement, update_agreement
from tracker.services.claims.parties import names_of, party_options, resolve_names
from tracker.services.errors import FieldErrors, InvalidInput
from tracker.text.normalise import normalise


def resolve(session, text: str) -> tuple[list[str], list[str]]:  # type: ignore[no-untyped-def]
    errors = FieldErrors()
    codes = resolve_names(session, text, "parties", errors)
    return codes, errors.errors.get("parties", [])


@pytest.mark.parametrize(
    ("typed", "codes"),
    [
        ("Russia, North Korea", ["RUS", "PRK"]),
        ("Russia, DPRK", ["RUS", "PRK"]),
        ("russian federation; iran", ["RUS", "IRN"]),  # case and semicolons
        ("rus, prk, eu", ["RUS", "PRK", "EU"]),  # codes in any case, organisations
        ("ایران، روسیه", ["IRN", "RUS"]),  # Persian names and the Persian comma
        ("ايران", ["IRN"]),  # Arabic yeh for Persian ی
        ("Россия, Иран", ["RUS", "IRN"]),  # Russian
        ("Северная Корея", ["PRK"]),
        ("Соединённое Королевство", ["GBR"]),
        ("Соединенное Королевство", ["GBR"]),  # е for ё
        ("روسيا، إيران", ["RUS", "IRN"]),  # Arabic
        ("الاتحاد الروسي", ["RUS"]),
        ("Korea, Republic of", ["KOR"]),  # pycountry's name, its own comma and all
        ("Democratic People's Republic of Korea", ["PRK"]),  # official name
        ("Russia, Russian Federation, RUS", ["RUS"]),  # once each
        ("Russian Federation (RUS), Iran (IRN)", ["RUS", "IRN"]),  # as the edit form shows them
        ("  ", []),
    ],
)
def test_names_aliases_and_codes_in_four_languages(session, typed, codes):
    assert resolve(session, typed) == (codes, [])


def test_an_unknown_name_is_named_with_what_it_might_be(session):
    codes, errors = resolve(session, "Rusia, Iran")
    assert codes == ["IRN"]
    assert errors == ["‘Rusia’ is not a party we know — did you mean Russia (RUS)?"]
    _, errors = resolve(session, "Korea")
    assert errors[0].startswith("‘Korea’ is not a party we know — did you mean ")
    assert "North Korea (PRK)" in errors[0] and "South Korea (KOR)" in errors[0]
    _, errors = resolve(session, "Росия")  # close to the stem of the alias Росси*
    assert errors == ["‘Росия’ is not a party we know — did you mean Российская Федерация (RUS)?"]
    _, errors = resolve(session, "ایرن")
    assert "did you mean ایران (IRN)" in errors[0]  # the Persian spelling, not the Arabic
    _, errors = resolve(session, "Iarn")
    assert errors == ["‘Iarn’ is not a party we know — did you mean Iran (IRN)?"]
    _, errors = resolve(session, "Atlantis")
    assert errors == [
        "‘Atlantis’ is not a party we know; type a name (Russia, ایران, Россия) or a code "
        "(RUS, IRN, EU)"
    ]


def test_an_ambiguous_alias_is_reported_not_guessed(session):
    for code, language in (("PRK", "en"), ("KOR", "ru")):
        session.add(
            PartyAlias(party_code=code, language=language, alias="Korea", normalised="korea")
        )
    session.flush()
    codes, errors = resolve(session, "Korea, Iran")
    assert codes == ["IRN"]
    assert errors == [
        "‘Korea’ could be South Korea (KOR) or North Korea (PRK); type the one you mean, "
        "or its code"
    ]


def test_forms_show_parties_by_name_and_code_and_read_them_back(session):
    shown = names_of(session, ["RUS", "PRK", "COD", "EU"])
    assert shown == (
        "Russian Federation (RUS), North Korea (PRK), The Democratic Republic of the Congo (COD), "
        "European Union (EU)"
    )
    assert resolve(session, shown) == (["RUS", "PRK", "COD", "EU"], [])
    options = {o.code: o for o in party_options(session)}
    assert options["IRN"].value == "Iran (IRN)" and "Иран" in options["IRN"].others
    assert all("," not in o.value for o in options.values())  # a list splits on commas


def test_the_service_stores_codes_and_refuses_unknown_names_whole(session):
    made = create_agreement(
        session, {"title": "By name", "parties": "Россия, ایران"}, parties_by_name=True
    )
    assert made.party_codes == ["RUS", "IRN"]
    count = session.scalar(select(func.count()).select_from(Agreement))
    with pytest.raises(InvalidInput) as caught:
        create_agreement(
            session, {"title": "Refused", "parties": "Russia, Rusia"}, parties_by_name=True
        )
    assert caught.value.errors["parties"] == [
        "‘Rusia’ is not a party we know — did you mean Russia (RUS)?"
    ]
    assert session.scalar(select(func.count()).select_from(Agreement)) == count
    update_agreement(session, made.id, {"parties": "North Korea"}, parties_by_name=True)
    assert made.party_codes == ["PRK"]
    # Without parties_by_name (the API) parties stay codes.
    with pytest.raises(InvalidInput) as caught:
        create_agreement(session, {"title": "API", "parties": ["Russia"]})
    assert caught.value.errors["parties"] == ["unknown party code 'RUSSIA'"]


def test_spelling_variants_match_through_the_normaliser(session):
    assert normalise("ايران") == normalise("ایران")
    assert resolve(session, "اي\u200cران") == (["IRN"], [])  # a stray joiner is dropped
    assert resolve(session, "«ایران»") == (["IRN"], [])  # quotes around a name
    assert resolve(session, "الكرملين") == (["RUS"], [])  # an Arabic metonym from the aliases
