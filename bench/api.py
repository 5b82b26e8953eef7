"""API list and detail latency against hand-written SQL + json.dumps on the same data.

    python -m bench.api [--database-url URL] [--agreements N] [--runs N] [--repeat N] [--cpu]

Builds the dataset (bench/dataset.py) in a fresh database (a temporary SQLite file unless a
URL is given; a PostgreSQL database given here is emptied first), then measures in one
process, through the Flask test client with a viewer's bearer token: three list requests
(the first page; a filtered page further on; a page deep in a title sort) and the detail of
random agreements. Each is set against two baselines giving the same data, timed in turn
with them request by request (so that other work on the machine falls on all three): the
hand-written SQL and json.dumps called directly on an open connection ("bare"), and the same
code served by a plain Flask view in the same app, which checks the token with one SQL query
("endpoint"). Then the agreement page's HTML (/agreements/{id}, signed in), and the detail of
two agreements recorded through the services with 2 and with 50 events. The app runs without
its cache of list pages (TRACKER_LIST_CACHE_SIZE=0: tracker.api.page_cache), which would
answer every repeat of a list from the bytes built the first time: what is timed is the
building of each page, as the endpoint builds it. Prints Markdown,
and last API / endpoint of every run against the target (issue 19: at most 1.3 times, in five
consecutive runs: `--repeat 5`).
"""

from __future__ import annotations

import hashlib
import json
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from flask import Response, abort, request
from flask_login import FlaskLoginClient
from sqlalchemy import Engine, text

from bench.dataset import arguments, build, fresh_database
from tracker import create_app
from tracker.services.accounts.users import create_token, create_user
from tracker.services.agreements.commands import create_agreement
from tracker.services.claims.events import record_event
from tracker.web.auth import WebUser

STALLED_AFTER_DAYS = 180


@dataclass(frozen=True)
class ListCase:
    """A list request and the same selection in hand-written SQL."""

    name: str
    query: str  # of GET /api/v1/agreements
    where: str  # SQL conditions on a (agreement) and s (agreement_state)
    order: str
    offset: int


def list_cases(today: date) -> list[ListCase]:
    quiet_since = (today - timedelta(days=STALLED_AFTER_DAYS)).isoformat()
    return [
        ListCase("first page", "page_size=50", "", "a.updated_at DESC, a.id DESC", 0),
        ListCase(
            "topic + stage filter, page 2",
            "topic=energy&stage=ratification&page=2&page_size=50",
            "AND EXISTS (SELECT 1 FROM agreement_topic t WHERE t.agreement_id = a.id"
            " AND t.topic = 'energy') AND s.current_stage = 'ratification'",
            "a.updated_at DESC, a.id DESC",
            50,
        ),
        ListCase(
            "status filter, title sort, page 5",
            "status=stalled&sort=title&page=5&page_size=50",
            f"AND s.base_status = 'active' AND s.last_activity <= '{quiet_since}'",
            "a.title ASC, a.id ASC",
            200,
        ),
    ]


LIST_SQL = """
    SELECT a.id, a.title, a.titles, a.kind, a.summary, a.entry_into_force_days, a.duration_years,
           a.created_at, a.updated_at, s.derived
    FROM agreement a LEFT JOIN agreement_state s ON s.agreement_id = a.id
    WHERE a.deleted_at IS NULL {where}
    ORDER BY {order} LIMIT 50 OFFSET {offset}
"""
COUNT_SQL = "SELECT count(*) FROM agreement a WHERE a.deleted_at IS NULL {where}"
COUNT_JOINED_SQL = """
    SELECT count(*) FROM agreement a JOIN agreement_state s ON s.agreement_id = a.id
    WHERE a.deleted_at IS NULL {where}
"""
PARTIES_SQL = (
    "SELECT ap.agreement_id, p.code, p.names"
    " FROM agreement_party ap JOIN party p ON p.code = ap.party_code"
    " WHERE ap.agreement_id IN ({ids}) ORDER BY ap.agreement_id, ap.position"
)
TOPICS_SQL = (
    "SELECT agreement_id, topic FROM agreement_topic WHERE agreement_id IN ({ids}) ORDER BY topic"
)
ONE_SQL = text(
    """
    SELECT a.id, a.title, a.titles, a.kind, a.summary, a.entry_into_force_days, a.duration_years,
           a.created_at, a.updated_at, s.derived
    FROM agreement a LEFT JOIN agreement_state s ON s.agreement_id = a.id
    WHERE a.id = :id AND a.deleted_at IS NULL
    """
)
EVENTS_SQL = text(
    """
    SELECT e.id, e.agreement_id, e.stage, e.step, e.party_code, e.body, e.place, e.date,
           e.date_earliest, e.date_latest, e.status, e.preferred, e.note, u.email,
           e.created_at, e.updated_at
    FROM stage_event e LEFT JOIN user_account u ON u.id = e.recorded_by_id
    WHERE e.agreement_id = :id AND e.deleted_at IS NULL
    ORDER BY e.date_earliest, e.id
    """
)
STATEMENTS_SQL = text(
    """
    SELECT s.id, s.principle_code, p.labels, s.party_code, s.clause, s.note
    FROM principle_statement s JOIN principle p ON p.code = s.principle_code
    WHERE s.agreement_id = :id AND s.deleted_at IS NULL ORDER BY s.id
    """
)
LINKS_SQL = text(
    """
    SELECT l.event_id, l.statement_id, l.id, l.article_id, l.quote, l.quote_start, l.quote_end
    FROM evidence_link l
    LEFT JOIN stage_event e ON e.id = l.event_id
    LEFT JOIN principle_statement s ON s.id = l.statement_id
    WHERE e.agreement_id = :id OR s.agreement_id = :id ORDER BY l.id
    """
)
TOKEN_SQL = text(
    "SELECT u.role FROM api_token t JOIN user_account u ON u.id = t.user_id"
    " WHERE t.token_hash = :hash AND t.revoked_at IS NULL AND u.is_active"
)


def _loads(value):  # type: ignore[no-untyped-def]
    return json.loads(value) if isinstance(value, str) else value


def _summary(r, parties, topics, today: date) -> dict:  # type: ignore[no-untyped-def]
    derived = _loads(r.derived) or {}
    last = derived.get("last_activity")
    status = derived.get("base_status")
    if status == "active" and last and (today - date.fromisoformat(last)).days >= 180:
        status = "stalled"
    return {
        "id": r.id,
        "title": r.title,
        "titles": _loads(r.titles),
        "kind": r.kind,
        "bilateral": len(parties) == 2,
        "parties": parties,
        "topics": topics,
        "summary": r.summary,
        "entry_into_force_rule": r.entry_into_force_days,
        "duration_years": r.duration_years,
        "current_stage": derived.get("current_stage"),
        "status": status,
        "next_expected": derived.get("next_expected"),
        "ratification": derived.get("ratification"),
        "conflicts": derived.get("conflicts"),
        "flags": derived.get("flags"),
        "created_at": str(r.created_at),
        "updated_at": str(r.updated_at),
    }


def baseline_list(connection, case: ListCase, today: date) -> str:  # type: ignore[no-untyped-def]
    """The API's page by hand: the total (for paging), the page, its parties and topics."""
    counting = COUNT_JOINED_SQL if "s." in case.where else COUNT_SQL
    total = connection.execute(text(counting.format(where=case.where))).scalar()
    rows = connection.execute(
        text(LIST_SQL.format(where=case.where, order=case.order, offset=case.offset))
    ).all()
    ids = ",".join(str(r.id) for r in rows) or "0"
    parties: dict[int, list] = {}
    for agreement_id, code, names in connection.execute(text(PARTIES_SQL.format(ids=ids))):
        parties.setdefault(agreement_id, []).append({"code": code, "name": _loads(names)["en"]})
    topics: dict[int, list] = {}
    for agreement_id, topic in connection.execute(text(TOPICS_SQL.format(ids=ids))):
        topics.setdefault(agreement_id, []).append(topic)
    items = [_summary(r, parties.get(r.id, []), topics.get(r.id, []), today) for r in rows]
    return json.dumps({"total": total, "items": items}, ensure_ascii=False)


def baseline_detail(connection, agreement_id: int, today: date) -> str | None:  # type: ignore[no-untyped-def]
    """The API's agreement by hand: lifecycle, parties, topics, events, principles, evidence."""
    r = connection.execute(ONE_SQL, {"id": agreement_id}).one_or_none()
    if r is None:
        return None
    parties = [
        {"code": code, "name": _loads(names)["en"]}
        for _aid, code, names in connection.execute(text(PARTIES_SQL.format(ids=agreement_id)))
    ]
    topics = [t for _aid, t in connection.execute(text(TOPICS_SQL.format(ids=agreement_id)))]
    links: dict[tuple[str, int], list] = {}
    for event_id, statement_id, link_id, article_id, quote, start, end in connection.execute(
        LINKS_SQL, {"id": agreement_id}
    ):
        owner = ("event", event_id) if event_id else ("statement", statement_id)
        links.setdefault(owner, []).append(
            {"id": link_id, "article_id": article_id, "quote": quote, "start": start, "end": end}
        )
    events = [
        {
            "id": e.id,
            "agreement_id": e.agreement_id,
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
            "evidence": links.get(("event", e.id), []),
            "recorded_by": e.email,
            "created_at": str(e.created_at),
            "updated_at": str(e.updated_at),
        }
        for e in connection.execute(EVENTS_SQL, {"id": agreement_id})
    ]
    principles = [
        {
            "id": s.id,
            "principle": s.principle_code,
            "label": _loads(s.labels).get("en"),
            "party": s.party_code,
            "clause": s.clause,
            "note": s.note,
            "evidence": links.get(("statement", s.id), []),
        }
        for s in connection.execute(STATEMENTS_SQL, {"id": agreement_id})
    ]
    articles = {q["article_id"] for quotes in links.values() for q in quotes}
    return json.dumps(
        _summary(r, parties, topics, today)
        | {"events": events, "principles": principles, "evidence_count": len(articles)},
        ensure_ascii=False,
    )


def add_baseline_endpoints(app, engine: Engine, today: date) -> None:  # type: ignore[no-untyped-def]
    """The baselines as a hand-written endpoint would serve them: plain Flask views that check
    the bearer token with one query and answer the baseline's JSON."""
    cases = list_cases(today)

    def checked(connection) -> None:  # type: ignore[no-untyped-def]
        token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        digest = hashlib.sha256(token.encode()).hexdigest()
        if connection.execute(TOKEN_SQL, {"hash": digest}).first() is None:
            abort(401)

    def listing() -> Response:
        with engine.connect() as connection:
            checked(connection)
            body = baseline_list(connection, cases[int(request.args["case"])], today)
        return Response(body, mimetype="application/json")

    def one(agreement_id: int) -> Response:
        with engine.connect() as connection:
            checked(connection)
            body = baseline_detail(connection, agreement_id, today)
        if body is None:
            abort(404)
        return Response(body, mimetype="application/json")

    app.add_url_rule("/baseline/agreements", view_func=listing)
    app.add_url_rule("/baseline/agreements/<int:agreement_id>", view_func=one)


def timed(
    fn: Callable[[], object], runs: int, clock: Callable[[], float] = time.perf_counter
) -> tuple[float, float]:
    """p50 and p95 in milliseconds over `runs` calls (after 5 warm-up calls), by `clock`
    (wall time unless given: time.process_time for this process's CPU time)."""
    for _ in range(5):
        fn()
    samples = []
    for _ in range(runs):
        start = clock()
        fn()
        samples.append((clock() - start) * 1000)
    quantiles = statistics.quantiles(samples, n=20)
    return statistics.median(samples), quantiles[18]


Timing = tuple[float, float]  # p50, p95 in ms


def timed_together(
    fns: dict[str, Callable[[], object]],
    runs: int,
    clock: Callable[[], float] = time.perf_counter,
) -> dict[str, Timing]:
    """p50 and p95 in milliseconds of each of `fns` over `runs` rounds (after 5 warm-up
    rounds), by `clock`. Each round calls every one once, starting each time with the next:
    what the machine's other work costs them falls on all alike, so their ratio holds on a
    shared machine where timing one after the other did not."""
    names = list(fns)
    for _ in range(5):
        for name in names:
            fns[name]()
    samples: dict[str, list[float]] = {name: [] for name in names}
    for round_ in range(runs):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            start = clock()
            fns[name]()
            samples[name].append((clock() - start) * 1000)
    return {
        name: (statistics.median(found), statistics.quantiles(found, n=20)[18])
        for name, found in samples.items()
    }


def measure(
    url: str, engine: Engine, runs: int, clock: Callable[[], float] = time.perf_counter
) -> dict[str, dict[str, Timing]]:
    """Every request of this benchmark timed on the database at `url` (already built), by
    `clock`; each API request interleaved with its two baselines (`timed_together`).

    Returns {request: {"api"|"endpoint"|"bare"|"page"|..: (p50, p95)}}.
    """
    today = date.today()
    app = create_app({"SECRET_KEY": "bench", "DATABASE_URL": url, "LIST_CACHE_SIZE": 0})
    add_baseline_endpoints(app, engine, today)
    with app.app_context():
        from tracker.db import get_session

        user = create_user(get_session(), f"bench{time.time_ns()}@example.org", role="viewer")
        token = create_token(get_session(), user)[1]
        web_user = WebUser(user)
        small, large = _sized_agreements(get_session())
        top = get_session().execute(text("SELECT max(id) FROM agreement")).scalar()
    client = app.test_client()
    app.test_client_class = FlaskLoginClient
    browser = app.test_client(user=web_user)
    headers = {"Authorization": f"Bearer {token}"}

    def get(path: str) -> object:
        response = client.get(path, headers=headers)
        assert response.status_code == 200, (path, response.status_code)
        return response.get_json()

    results: dict[str, dict[str, Timing]] = {}
    with engine.connect() as connection:
        for number, case in enumerate(list_cases(today)):
            api = get(f"/api/v1/agreements?{case.query}")
            bare = json.loads(baseline_list(connection, case, today))
            assert [a["id"] for a in api] == [a["id"] for a in bare["items"]], case.name
            results[f"list: {case.name}"] = timed_together(
                {
                    "api": lambda c=case: get(f"/api/v1/agreements?{c.query}"),
                    "endpoint": lambda n=number: get(f"/baseline/agreements?case={n}"),
                    "bare": lambda c=case: baseline_list(connection, c, today),
                },
                runs,
                clock,
            )
        rng = random.Random(3)
        ids = [rng.randint(1, top - 2) for _ in range(runs + 5)]

        def each(fn: Callable[[int], object]) -> Callable[[], object]:
            picks = iter(ids)
            return lambda: fn(next(picks))

        results["detail"] = timed_together(
            {
                "api": each(lambda i: get(f"/api/v1/agreements/{i}")),
                "endpoint": each(lambda i: get(f"/baseline/agreements/{i}")),
                "bare": each(lambda i: baseline_detail(connection, i, today)),
            },
            runs,
            clock,
        )

    def page(agreement_id: int) -> None:
        response = browser.get(f"/agreements/{agreement_id}")
        assert response.status_code == 200 and b"</html>" in response.data

    results["page"] = {"html": timed(each(page), runs, clock)}
    for count, agreement_id in ((2, small), (50, large)):

        def detail_of(a: int = agreement_id, c: int = count) -> None:
            assert len(get(f"/api/v1/agreements/{a}")["events"]) == c  # type: ignore[index]

        results[f"detail with {count} events"] = {"api": timed(detail_of, runs, clock)}
    app.extensions["tracker.engine"].dispose()
    return results


def report(results: dict[str, dict[str, Timing]]) -> list[str]:
    """Markdown tables of one measure() result."""
    lines = [
        "| request | API p50 | API p95 | endpoint p50 | endpoint p95 | bare p50 | bare p95 "
        "| API / endpoint | API / bare |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, timing in results.items():
        if "bare" not in timing:
            continue
        (a50, a95), (e50, e95), (b50, b95) = timing["api"], timing["endpoint"], timing["bare"]
        lines.append(
            f"| {name} | {a50:.2f} | {a95:.2f} | {e50:.2f} | {e95:.2f} | {b50:.2f} | {b95:.2f} "
            f"| {a50 / e50:.2f}x | {a50 / b50:.2f}x |"
        )
    (h50, h95) = results["page"]["html"]
    (s50, s95), (l50, l95) = (
        results["detail with 2 events"]["api"],
        results["detail with 50 events"]["api"],
    )
    return lines + [
        "",
        "| request | p50 (ms) | p95 (ms) |",
        "|---|---|---|",
        f"| GET /agreements/{{id}} (HTML page, signed in) | {h50:.2f} | {h95:.2f} |",
        f"| GET /api/v1/agreements/{{id}}, 2 events | {s50:.2f} | {s95:.2f} |",
        f"| GET /api/v1/agreements/{{id}}, 50 events | {l50:.2f} | {l95:.2f} |",
    ]


def growth(small: dict[str, dict[str, Timing]], large: dict[str, dict[str, Timing]]) -> list[str]:
    """Markdown: p50 of the same requests on the small and on the large database."""
    lines = ["| request | small p50 (ms) | large p50 (ms) | growth |", "|---|---|---|---|"]
    for name, kind in (
        ("list: first page", "api"),
        ("list: topic + stage filter, page 2", "api"),
        ("list: status filter, title sort, page 5", "api"),
        ("detail", "api"),
        ("page", "html"),
    ):
        before, after = small[name][kind][0], large[name][kind][0]
        lines.append(f"| {name} | {before:.2f} | {after:.2f} | {after / before:.2f}x |")
    (s50, _), (l50, _) = (
        large["detail with 2 events"]["api"],
        large["detail with 50 events"]["api"],
    )
    lines.append(f"| detail: 2 against 50 events | {s50:.2f} | {l50:.2f} | {l50 / s50:.2f}x |")
    return lines


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


# Target (issue 19, 3): API list and detail at most 1.3 times the hand-written endpoint, in
# five consecutive runs.
TARGET_RATIO = 1.3


def verdict(runs: list[dict[str, dict[str, Timing]]]) -> list[str]:
    """Markdown: API / endpoint (p50) of each list request and the detail in each of `runs`,
    and whether every one is within TARGET_RATIO."""
    names = [name for name, timing in runs[0].items() if "endpoint" in timing]
    lines = [
        "| request | " + " | ".join(f"run {n}" for n in range(1, len(runs) + 1)) + " | met? |",
        "|---|" + "---|" * (len(runs) + 1),
    ]
    for name in names:
        ratios = [run[name]["api"][0] / run[name]["endpoint"][0] for run in runs]
        met = "yes" if max(ratios) <= TARGET_RATIO else "no"
        lines.append(f"| {name} | " + " | ".join(f"{r:.2f}x" for r in ratios) + f" | {met} |")
    return lines


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--agreements", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="measure this many times in a row (the target asks for five consecutive runs)",
    )
    parser.add_argument(
        "--cpu",
        action="store_true",
        help="time by this process's CPU time, not the clock: steadier on a shared machine; "
        "on SQLite it holds the database's work too, on PostgreSQL it leaves the server's out",
    )
    args = parser.parse_args()
    clock = time.process_time if args.cpu else time.perf_counter
    with fresh_database(args.database_url) as (url, engine):
        started = time.perf_counter()
        made = build(engine, agreements=args.agreements)
        print(
            f"Engine: {engine.dialect.name}; {made['agreements']:,} agreements, "
            f"{made['events']:,} events (built in {time.perf_counter() - started:.0f} s); "
            f"{args.runs} timed requests each; times in ms "
            f"({'CPU time of the process' if args.cpu else 'wall clock'})."
        )
        runs = []
        for number in range(1, args.repeat + 1):
            runs.append(measure(url, engine, args.runs, clock))
            if args.repeat > 1:
                print(f"\nRun {number} of {args.repeat}:")
            print("\n".join(report(runs[-1])))
        print(f"\nAPI / endpoint (p50) against the target of {TARGET_RATIO}x in every run:")
        print("\n".join(verdict(runs)))


if __name__ == "__main__":
    main()
