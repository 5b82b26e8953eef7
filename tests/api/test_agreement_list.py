"""GET /api/v1/agreements: the kind filter and the sorts by signing, entry into force, stage
and last activity, on both engines."""

from __future__ import annotations

import pytest

from tests import factories
from tests.api.conftest import assert_error


@pytest.fixture
def three(session):  # type: ignore[no-untyped-def]
    """In force (signed 2024-06-19), expected in force by its rule (signed 2025-01-17, both
    instruments in), and one only announced; all titled "Sorting case"."""
    in_force = factories.agreement(
        session, title="Sorting case pyongyang", kind="treaty", parties=["RUS", "PRK"]
    )
    factories.event(session, in_force.id, "signing", "2024-06-19")
    factories.event(session, in_force.id, "entry_into_force", "2024-12-04")
    expected = factories.agreement(
        session,
        title="Sorting case tehran",
        kind="treaty",
        parties=["RUS", "IRN"],
        entry_into_force_rule={"days_after_last_notification": 30},
    )
    factories.event(session, expected.id, "signing", "2025-01-17")
    for party, day in (("RUS", "2025-04-16"), ("IRN", "2025-06-02")):
        factories.event(session, expected.id, "ratification", day, step="notification", party=party)
    announced = factories.agreement(
        session, title="Sorting case minsk", kind="memorandum", parties=["RUS", "BLR"]
    )
    factories.event(session, announced.id, "announcement", "2025-09-01")
    return in_force, expected, announced


def _ids(response) -> list[int]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.get_json()
    return [a["id"] for a in response.get_json()]


def _sorted(viewer, sort: str) -> list[int]:  # type: ignore[no-untyped-def]
    return _ids(viewer.get(f"/api/v1/agreements?q=sorting case&sort={sort}"))


def test_kind_filters_the_list(viewer, three):
    in_force, expected, announced = three
    assert _ids(viewer.get("/api/v1/agreements?q=sorting case&kind=memorandum")) == [announced.id]
    found = _ids(viewer.get("/api/v1/agreements?q=sorting case&kind=treaty&sort=title"))
    assert found == [in_force.id, expected.id]
    assert _ids(viewer.get("/api/v1/agreements?q=sorting case&kind=protocol")) == []
    assert_error(viewer.get("/api/v1/agreements?kind=pact"), 422, "kind")


def test_kind_combines_with_party(viewer, three):
    in_force, _, announced = three
    query = "/api/v1/agreements?q=sorting case&party=PRK&kind=treaty"
    assert _ids(viewer.get(query)) == [in_force.id]
    assert _ids(viewer.get("/api/v1/agreements?q=sorting case&party=PRK&kind=memorandum")) == []
    assert _ids(viewer.get("/api/v1/agreements?q=sorting case&party=blr&kind=memorandum")) == [
        announced.id
    ]


def test_sort_by_signing_date(viewer, three):
    in_force, expected, announced = three
    assert _sorted(viewer, "signed") == [in_force.id, expected.id, announced.id]
    # descending, and the unsigned one still last
    assert _sorted(viewer, "-signed") == [expected.id, in_force.id, announced.id]


def test_sort_by_entry_into_force_or_its_expected_date(viewer, three):
    in_force, expected, announced = three
    body = viewer.get(f"/api/v1/agreements/{expected.id}").get_json()
    assert body["next_expected"]["stage"] == "entry_into_force"
    assert body["next_expected"]["date"] == "2025-07-02"
    assert _sorted(viewer, "in_force") == [in_force.id, expected.id, announced.id]
    assert _sorted(viewer, "-in_force") == [expected.id, in_force.id, announced.id]


def test_sort_by_current_stage_follows_the_lifecycle(viewer, session, three):
    in_force, expected, announced = three
    assert _sorted(viewer, "-stage") == [in_force.id, expected.id, announced.id]
    assert _sorted(viewer, "stage") == [announced.id, expected.id, in_force.id]
    undecided = factories.agreement(session, title="Sorting case later")
    assert _sorted(viewer, "stage")[-1] == undecided.id  # no stage yet: last either way
    assert _sorted(viewer, "-stage")[-1] == undecided.id


def test_sort_by_last_activity(viewer, three):
    in_force, expected, announced = three
    assert _sorted(viewer, "-last_activity") == [announced.id, expected.id, in_force.id]
    assert _sorted(viewer, "last_activity") == [in_force.id, expected.id, announced.id]


def test_every_sort_and_kind_are_in_the_openapi_document(viewer):
    spec = viewer.get("/api/v1/openapi.json").get_json()
    listed = spec["paths"]["/api/v1/agreements"]["get"]["parameters"]
    parameters = {p["name"]: p for p in listed if "name" in p}  # If-None-Match is a $ref
    assert set(parameters["kind"]["schema"]["enum"]) >= {"treaty", "memorandum", "protocol"}
    sorts = set(parameters["sort"]["schema"]["enum"])
    for key in ("signed", "in_force", "stage", "last_activity", "title", "updated"):
        assert {key, f"-{key}"} <= sorts
    assert_error(viewer.get("/api/v1/agreements?sort=signing"), 422, "sort")


def test_parties_search_by_name_or_alias_in_any_language(viewer):
    def codes(q: str) -> list[str]:
        response = viewer.get("/api/v1/parties", query_string={"q": q})
        assert response.status_code == 200, response.get_json()
        return [p["code"] for p in response.get_json()]

    assert codes("DPRK") == ["PRK"]
    assert codes("North Korea") == ["PRK"]
    assert set(codes("Korea")) >= {"KOR", "PRK"}
    assert "IRN" in codes("ايران")  # Arabic yeh: the same name once normalised
    assert "RUS" in codes("Россия")
    assert codes("no such party at all") == []


@pytest.mark.parametrize(
    "filters",
    ["", "&party=RUS", "&kind=treaty", "&sort=title", "&sort=stage", "&party=RUS&sort=-signed"],
)
def test_a_page_far_past_the_end_is_empty_on_every_list(viewer, three, filters):  # type: ignore[no-untyped-def]
    """A page number whose offset is past what a 32-bit integer holds (the fuzzer's
    `page=…` in the billions) answers an empty page, not an error."""
    for page in (10**6, 10**17):
        response = viewer.get(f"/api/v1/agreements?page={page}&page_size=50{filters}")
        assert response.status_code == 200, response.get_json()
        assert response.get_json() == []
