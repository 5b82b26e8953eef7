"""Every list page the API offers, at growing sizes: does a page cost the same at any size?

    python -m bench.lists [--database-url URL] [--sizes 1000,10000,100000] [--runs 100] [--cpu]

For each size, a fresh database with that many agreements (bench/dataset.py: 2-6 parties of
60 states, two topics each, about 6.7 events each, the lifecycle cache derived by the real
service), then GET /api/v1/agreements with a viewer's token for the first page, each filter
(party, stage, status, topic, kind, participation, `q` with fixed words), each sort both
ways, two combinations, and a page deep in the list reached by cursor. Prints p50 per
request and size, and the growth from each size to the next against the target (at most
1.3x: a page's cost must not follow the number of rows).

With --cpu the figures are this process's CPU time instead of wall time: on SQLite, which
runs in the process, that is the whole cost of a request, and it moves far less than wall
time when other work shares the machine. (On PostgreSQL it leaves out the server's time.)
"""

from __future__ import annotations

import json
import time
from datetime import date

from bench.api import timed
from bench.dataset import arguments, build, fresh_database
from tracker import create_app
from tracker.services.accounts.users import create_token, create_user
from tracker.services.agreements.listing import SORTS

TARGET = 1.3

QUERIES: list[tuple[str, str]] = [
    ("first page", ""),
    ("party", "party=CHN"),
    ("stage", "stage=ratification"),
    ("status", "status=stalled"),
    ("topic", "topic=energy"),
    ("kind", "kind=treaty"),
    ("participation", "party=CHN&participation=in_progress"),
    ("q: one word", "q=transit"),
    ("q: two words", "q=strategic partnership"),
    ("q: prefix-like spelling", "q=COOPERATION"),
    ("topic + stage, page 2", "topic=energy&stage=ratification&page=2"),
    ("status + title sort, page 5", "status=stalled&sort=title&page=5"),
    ("party + kind + -updated", "party=BRA&kind=treaty&sort=-updated"),
] + [(f"sort {sign}{key}", f"sort={sign}{key}") for key in SORTS for sign in ("", "-")]

DEEP = 20  # pages walked by cursor for the "deep" figure


def measure(url: str, runs: int, cpu: bool = False) -> dict[str, float]:
    """p50 (ms) of each request on the database at `url` (already built)."""
    app = create_app({"SECRET_KEY": "bench", "DATABASE_URL": url})
    with app.app_context():
        from tracker.db import get_session

        user = create_user(get_session(), f"lists{time.time_ns()}@example.org", role="viewer")
        token = create_token(get_session(), user)[1]
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}

    def get(query: str) -> dict:
        response = client.get(f"/api/v1/agreements?page_size=50&{query}", headers=headers)
        assert response.status_code == 200, (query, response.status_code, response.get_json())
        return json.loads(response.headers["X-Pagination"])

    clock = time.process_time if cpu else time.perf_counter
    results = {}
    for name, query in QUERIES:
        results[name] = timed(lambda q=query: get(q), runs, clock)[0]
    # Deep in the list: the cursor after DEEP pages, against the same page by number.
    query = ""
    for _ in range(DEEP):
        cursor = get(query).get("next_cursor")
        if cursor is None:
            break
        query = f"after={cursor}"
    results[f"page {DEEP + 1} by cursor"] = timed(lambda q=query: get(q), runs, clock)[0]
    results[f"page {DEEP + 1} by number"] = timed(lambda: get(f"page={DEEP + 1}"), runs, clock)[0]
    app.extensions["tracker.engine"].dispose()
    return results


def report(sizes: list[int], figures: dict[int, dict[str, float]]) -> list[str]:
    """Markdown: p50 at each size, and each growth against the target."""
    head = " | ".join(f"{s:,} (ms)" for s in sizes)
    steps = list(zip(sizes, sizes[1:], strict=False))
    growth = " | ".join(f"{a // 1000}k → {b // 1000}k" for a, b in steps)
    lines = [
        f"| request | {head} | {growth} | ≤ {TARGET}× |",
        "|---" * (2 + len(sizes) + len(steps)) + "|",
    ]
    met_all = True
    for name in figures[sizes[0]]:
        values = [figures[s][name] for s in sizes]
        ratios = [figures[b][name] / figures[a][name] for a, b in steps]
        met = all(r <= TARGET for r in ratios)
        met_all &= met or name.endswith("by number")
        cells = " | ".join(f"{v:.2f}" for v in values)
        grown = " | ".join(f"{r:.2f}×" for r in ratios)
        verdict = "met" if met else "not met"
        if name.endswith("by number"):
            verdict = "(no target: a page number skips every row before it; use the cursor)"
        lines.append(f"| {name} | {cells} | {grown} | {verdict} |")
    lines.append("")
    lines.append(
        f"Target (every list page ≤ {TARGET}× from each size to the next): "
        f"{'met' if met_all else 'not met'}."
    )
    return lines


def run(database_url: str | None, sizes: list[int], runs: int, cpu: bool = False) -> list[str]:
    """Build each size in turn and time every list request on it; the report's lines."""
    figures = {}
    for size in sizes:
        with fresh_database(database_url) as (url, engine):
            started = time.perf_counter()
            made = build(engine, agreements=size)
            print(
                f"{engine.dialect.name}: {made['agreements']:,} agreements, "
                f"{made['events']:,} events (built in {time.perf_counter() - started:.0f} s, "
                f"{date.today()})",
                flush=True,
            )
            figures[size] = measure(url, runs, cpu)
    return report(sizes, figures)


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--sizes", default="1000,10000", help="agreements, comma-separated")
    parser.add_argument("--runs", type=int, default=100, help="timed requests per figure")
    parser.add_argument(
        "--cpu", action="store_true", help="time this process's CPU, not the wall clock"
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    lines = run(args.database_url, sizes, args.runs, args.cpu)
    print()
    print("\n".join(lines))


if __name__ == "__main__":
    main()
