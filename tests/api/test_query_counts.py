"""No N+1: the number of SQL statements does not grow with the page or with the events."""

from __future__ import annotations

from tests import factories
from tests.statements import counted


def _list(viewer, connection) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    viewer.get("/api/v1/me")  # the token's first use writes its last-used time: not counted
    with counted(connection) as statements:
        response = viewer.get("/api/v1/agreements?q=countme&page_size=50")
    assert response.status_code == 200
    return len(response.get_json()), len(statements)


def test_listing_50_agreements_takes_as_many_statements_as_listing_5(viewer, session, connection):
    article = factories.article(session, "Countme report.")
    for n in range(50):
        treaty = factories.agreement(
            session, title=f"Countme {n}", topics=["trade"], parties=["RUS", "IRN", "CHN"]
        )
        factories.event(
            session,
            treaty.id,
            "signing",
            "2025-01-17",
            evidence=[{"article_id": article.id, "quote": "report"}],
        )
        if n == 4:
            few = _list(viewer, connection)
    many = _list(viewer, connection)
    assert (few[0], many[0]) == (5, 50)
    assert many[1] == few[1], f"{few[1]} statements for 5, {many[1]} for 50"
    print(f"list: {many[1]} statements")


def _detail(viewer, connection, agreement_id: int) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    viewer.get("/api/v1/me")
    with counted(connection) as statements:
        response = viewer.get(f"/api/v1/agreements/{agreement_id}")
    assert response.status_code == 200
    return len(response.get_json()["events"]), len(statements)


def test_one_agreement_with_50_events_takes_as_many_statements_as_with_2(
    viewer, accounts, session, connection
):
    treaty = factories.agreement(session)
    articles = [factories.article(session, f"Report number {n} on the treaty.") for n in range(5)]
    for n in range(50):
        article = articles[n % 5]
        factories.event(
            session,
            treaty.id,
            "ratification",
            f"2025-04-{n % 28 + 1:02d}",
            party="RUS" if n % 2 else "IRN",
            step="committee",
            evidence=[{"article_id": article.id, "quote": "on the treaty"}],
            actor=accounts["editor" if n % 3 else "admin"][0],
        )
        if n == 1:
            few = _detail(viewer, connection, treaty.id)
    many = _detail(viewer, connection, treaty.id)
    assert (few[0], many[0]) == (2, 50)
    assert many[1] == few[1], f"{few[1]} statements for 2 events, {many[1]} for 50"
    print(f"detail: {many[1]} statements")
