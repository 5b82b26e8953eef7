"""API list and detail latency against hand-written SQL + json.dumps on the same data.

    python -m bench.api [--database-url URL] [--agreements N] [--runs N]

Builds the dataset (bench/dataset.py) in a fresh database (a temporary SQLite file unless a
URL is given; a PostgreSQL database given here is emptied first), then measures in one
process: GET /api/v1/agreements (50 a page, default sort) and GET /api/v1/agreements/{id}
through the Flask test client, and the same data fetched with plain SQL and json.dumps;
then the agreement page's HTML (/agreements/{id}, signed in as a viewer), and the detail of
two agreements recorded through the services with 2 and with 50 events. Prints Markdown
tables with p50, p95 and, for the API, the ratio to the baseline.
"""

from __future__ import annotations

import json
import random
import statistics
import time
from collections.abc import Callable
from datetime import date, timedelta

from flask_login import FlaskLoginClient
from sqlalchemy import text

from bench.dataset import arguments, build, fresh_database
from tracker import create_app
from tracker.services.agreements import create_agreement
from tracker.services.events import record_event
from tracker.services.users import create_token, create_user
from tracker.web.auth import WebUser

LIST_SQL = text(
    """
    SELECT a.id, a.title, a.titles, a.kind, a.summary, a.entry_into_force_days, a.duration_years,
           a.created_at, a.updated_at, s.current_stage, s.base_status, s.derived
    FROM agreement a LEFT JOIN agreement_state s ON s.agreement_id = a.id
    WHERE a.deleted_at IS NULL
    ORDER BY a.updated_at DESC, a.id DESC LIMIT 50
    """
)
PARTIES_SQL = text(
    "SELECT ap.agreement_id, p.code, p.names"
    " FROM agreement_party ap JOIN party p ON p.code = ap.party_code"
    " WHERE ap.agreement_id IN ({ids}) ORDER BY ap.agreement_id, ap.position"
)
TOPICS_SQL = text(
    "SELECT agreement_id, topic FROM agreement_topic WHERE agreement_id IN ({ids}) ORDER BY topic"
)
ONE_SQL = text(
    """
    SELECT a.id, a.title, a.titles, a.kind, a.summary, a.entry_into_force_days, a.duration_years,
           a.created_at, a.updated_at, s.current_stage, s.base_status, s.derived
    FROM agreement a LEFT JOIN agreement_state s ON s.agreement_id = a.id WHERE a.id = :id
    """
)
EVENTS_SQL = text(
    """
    SELECT e.id, e.stage, e.step, e.party_code, e.body, e.place, e.date, e.date_earliest,
           e.date_latest, e.status, e.preferred, e.note, e.created_at, e.updated_at
    FROM stage_event e WHERE e.agreement_id = :id AND e.deleted_at IS NULL
    ORDER BY e.date_earliest, e.id
    """
)
LINKS_SQL = text(
    "SELECT l.event_id, l.id, l.article_id, l.quote, l.quote_start, l.quote_end"
    " FROM evidence_link l JOIN stage_event e ON e.id = l.event_id WHERE e.agreement_id = :id"
)


def _loads(value):  # type: ignore[no-untyped-def]
    return json.loads(value) if isinstance(value, str) else value


COUNT_SQL = text("SELECT count(*) FROM agreement WHERE deleted_at IS NULL")


def baseline_list(connection) -> str:  # type: ignore[no-untyped-def]
    """The API's first page by hand: the total (for paging), the page, its parties, topics."""
    total = connection.execute(COUNT_SQL).scalar()
    rows = connection.execute(LIST_SQL).all()
    ids = ",".join(str(r.id) for r in rows) or "0"
    parties: dict[int, list] = {}
    for agreement_id, code, names in connection.execute(text(PARTIES_SQL.text.format(ids=ids))):
        parties.setdefault(agreement_id, []).append({"code": code, "name": _loads(names)["en"]})
    topics: dict[int, list] = {}
    for agreement_id, topic in connection.execute(text(TOPICS_SQL.text.format(ids=ids))):
        topics.setdefault(agreement_id, []).append(topic)
    out = []
    for r in rows:
        derived = _loads(r.derived) or {}
        out.append(
            {
                "id": r.id,
                "title": r.title,
                "titles": _loads(r.titles),
                "kind": r.kind,
                "parties": parties.get(r.id, []),
                "topics": topics.get(r.id, []),
                "summary": r.summary,
                "entry_into_force_rule": r.entry_into_force_days,
                "duration_years": r.duration_years,
                "current_stage": r.current_stage,
                "status": r.base_status,
                "next_expected": derived.get("next_expected"),
                "ratification": derived.get("ratification"),
                "conflicts": derived.get("conflicts"),
                "flags": derived.get("flags"),
                "created_at": str(r.created_at),
                "updated_at": str(r.updated_at),
            }
        )
    return json.dumps({"total": total, "items": out})


def baseline_detail(connection, agreement_id: int) -> str:  # type: ignore[no-untyped-def]
    r = connection.execute(ONE_SQL, {"id": agreement_id}).one()
    links: dict[int, list] = {}
    for event_id, link_id, article_id, quote, start, end in connection.execute(
        LINKS_SQL, {"id": agreement_id}
    ):
        links.setdefault(event_id, []).append(
            {"id": link_id, "article_id": article_id, "quote": quote, "start": start, "end": end}
        )
    events = [
        {
            "id": e.id,
            "stage": e.stage,
            "step": e.step,
            "party": e.party_code,
            "body": e.body,
            "place": e.place,
            "date": e.date,
            "date_earliest": str(e.date_earliest),
            "date_latest": str(e.date_latest),
            "status": e.status,
            "preferred": e.preferred,
            "note": e.note,
            "evidence": links.get(e.id, []),
            "created_at": str(e.created_at),
            "updated_at": str(e.updated_at),
        }
        for e in connection.execute(EVENTS_SQL, {"id": agreement_id})
    ]
    parties = [
        {"code": code, "name": _loads(names)["en"]}
        for _aid, code, names in connection.execute(text(PARTIES_SQL.text.format(ids=agreement_id)))
    ]
    derived = _loads(r.derived) or {}
    return json.dumps(
        {
            "id": r.id,
            "title": r.title,
            "titles": _loads(r.titles),
            "kind": r.kind,
            "parties": parties,
            "summary": r.summary,
            "current_stage": r.current_stage,
            "status": r.base_status,
            "next_expected": derived.get("next_expected"),
            "ratification": derived.get("ratification"),
            "conflicts": derived.get("conflicts"),
            "flags": derived.get("flags"),
            "events": events,
            "created_at": str(r.created_at),
            "updated_at": str(r.updated_at),
        }
    )


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    """p50 and p95 in milliseconds over `runs` calls (after 5 warm-up calls)."""
    for _ in range(5):
        fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    quantiles = statistics.quantiles(samples, n=20)
    return statistics.median(samples), quantiles[18]


def run(database_url: str | None, agreements: int, runs: int) -> str:
    with fresh_database(database_url) as (url, engine):
        started = time.perf_counter()
        made = build(engine, agreements=agreements)
        if engine.dialect.name == "postgresql":
            with engine.begin() as connection:  # fresh statistics, as autovacuum would give
                connection.execute(text("ANALYZE"))
        built_in = time.perf_counter() - started
        app = create_app({"SECRET_KEY": "bench", "DATABASE_URL": url})
        with app.app_context():
            from tracker.db import get_session

            user = create_user(get_session(), "bench@example.org", role="viewer")
            token = create_token(get_session(), user)[1]
            web_user = WebUser(user)
            small, large = _sized_agreements(get_session())
        client = app.test_client()
        app.test_client_class = FlaskLoginClient
        browser = app.test_client(user=web_user)
        headers = {"Authorization": f"Bearer {token}"}
        rng = random.Random(3)
        ids = [rng.randint(1, made["agreements"]) for _ in range(runs + 5)]
        picks = iter(ids * 2)

        def api_list() -> None:
            response = client.get("/api/v1/agreements?page_size=50", headers=headers)
            assert response.status_code == 200 and len(response.get_json()) == 50

        def api_detail() -> None:
            response = client.get(f"/api/v1/agreements/{next(picks)}", headers=headers)
            assert response.status_code == 200

        def detail_of(agreement_id: int, events: int) -> None:
            response = client.get(f"/api/v1/agreements/{agreement_id}", headers=headers)
            assert response.status_code == 200 and len(response.get_json()["events"]) == events

        def page() -> None:
            response = browser.get(f"/agreements/{next(picks)}")
            assert response.status_code == 200 and b"</html>" in response.data

        with engine.connect() as connection:
            results = {
                "list": (timed(api_list, runs), timed(lambda: baseline_list(connection), runs)),
            }
            picks = iter(ids * 2)
            api = timed(api_detail, runs)
            base_picks = iter(ids * 2)
            results["detail"] = (
                api,
                timed(lambda: baseline_detail(connection, next(base_picks)), runs),
            )
            picks = iter(ids * 2)
            page_timing = timed(page, runs)
            by_events = {
                str(count): timed(lambda a=agreement_id, c=count: detail_of(a, c), runs)
                for count, agreement_id in ((2, small), (50, large))
            }
        app.extensions["tracker.engine"].dispose()
    lines = [
        f"Engine: {engine.dialect.name}; {made['agreements']:,} agreements, "
        f"{made['events']:,} events (built in {built_in:.0f} s); {runs} timed requests each.",
        "",
        "| endpoint | API p50 (ms) | API p95 (ms) | baseline p50 (ms) | baseline p95 (ms) "
        "| p50 ratio |",
        "|---|---|---|---|---|---|",
    ]
    for name, ((p50, p95), (b50, b95)) in results.items():
        path = (
            "GET /api/v1/agreements (50 a page)"
            if name == "list"
            else "GET /api/v1/agreements/{id}"
        )
        lines.append(
            f"| {path} | {p50:.2f} | {p95:.2f} | {b50:.2f} | {b95:.2f} | {p50 / b50:.2f}x |"
        )
    lines += [
        "",
        "| page | p50 (ms) | p95 (ms) |",
        "|---|---|---|",
        f"| GET /agreements/{{id}} (HTML, signed in) | {page_timing[0]:.2f} "
        f"| {page_timing[1]:.2f} |",
    ]
    lines += [
        "",
        "| detail of an agreement with | p50 (ms) | p95 (ms) |",
        "|---|---|---|",
        *(f"| {n} events | {p50:.2f} | {p95:.2f} |" for n, (p50, p95) in by_events.items()),
    ]
    return "\n".join(lines)


def _sized_agreements(session) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """Two agreements made through the services: one with 2 events, one with 50."""
    made = []
    for count in (2, 50):
        treaty = create_agreement(
            session,
            {
                "title": f"Bench agreement with {count} events",
                "kind": "treaty",
                "parties": ["RUS", "IRN"],
            },
        )
        start = date(2020, 1, 1)
        for n in range(count):
            stage = "announcement" if n == 0 else "preparation"
            day = (start + timedelta(days=7 * n)).isoformat()
            record_event(session, treaty.id, {"stage": stage, "date": day, "note": f"report {n}"})
        made.append(treaty.id)
    return made[0], made[1]


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--agreements", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    print(run(args.database_url, args.agreements, args.runs))


if __name__ == "__main__":
    main()
