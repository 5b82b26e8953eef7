"""Every benchmark on one dataset per engine, side by side: `make bench` runs this.

    python -m bench [--database-url URL] [--only sqlite|postgresql] [--runs 200] [--seconds 20]

On SQLite (a temporary file), and then on PostgreSQL when a URL is given (or
TRACKER_BENCH_DATABASE_URL is set; that database is emptied first):

1. 1,000 agreements: the API and page requests of bench.api, for the growth table.
2. The full dataset: 10,000 agreements with about 62,000 events, 100,000 articles in
   fa/ru/ar/en, 1,000 users. On it: the API against its baselines (bench.api), growth from
   the 1,000-agreement run, search (bench.search), the digest for 1,000 subscribers
   (bench.digests), the reminder rules (bench.rules), concurrent load on gunicorn with 4
   workers (bench.load; PostgreSQL), Datasette as a peer (bench.load; SQLite), and last the
   import of 10,000 more articles through the CLI (bench.imports).
3. Every list page the API offers (first page, each filter and sort, a page deep by cursor)
   at 1,000 and 10,000 agreements, and 100,000 on PostgreSQL, with its growth against the
   target of 1.3x from one size to the next, and for each request not met whether its count
   (exact up to 10,000) or the rest of the request grew (bench.lists).
4. On PostgreSQL: this tree against commit 848f5c4 under the same mixed load, each served
   by its own gunicorn from its own tree and database, against the target of twice its
   throughput (bench.versus).

First, once: the extractor on 100,000 characters of mixed fa/ru/ar/en text against its
target of 0.5 s (bench.extraction), and two polling rounds over 200 news feeds served from
loopback against their target of 30 s (bench.feeds, SQLite). Prints Markdown as it goes;
docs/benchmarks.md holds a run's figures.
"""

from __future__ import annotations

import os
import platform
import sqlite3
import time

from bench import api, digests, extraction, feeds, imports, lists, load, rules, search, versus
from bench.dataset import arguments, build, fresh_database


def section(title: str, lines: list[str]) -> None:
    print(f"\n### {title}\n", flush=True)
    print("\n".join(lines), flush=True)


def run_engine(database_url: str | None, args) -> None:  # type: ignore[no-untyped-def]
    with fresh_database(database_url) as (url, engine):
        print(f"\n## {engine.dialect.name}", flush=True)
        build(engine, agreements=1000)
        small = api.measure(url, engine, args.runs)
    with fresh_database(database_url) as (url, engine):
        started = time.perf_counter()
        made = build(engine, agreements=10_000, articles=100_000, users=1000)
        print(
            f"\nDataset: {made['agreements']:,} agreements, {made['events']:,} events, "
            f"{made['articles']:,} articles, {made['users']:,} users "
            f"(built in {time.perf_counter() - started:.0f} s)",
            flush=True,
        )
        large = api.measure(url, engine, args.runs)
        section(
            f"API against hand-written SQL ({args.runs} timed requests each, ms)",
            api.report(large) + ["", *api.verdict([large])],
        )
        section("Growth: 1,000 against 10,000 agreements (p50, ms)", api.growth(small, large))
        section(f"Search over {made['articles']:,} articles", search.report(engine, args.runs // 4))
        section("Weekly digests", digests.report(engine, 1000))
        section("Reminder rules", rules.report(engine))
        if engine.dialect.name == "postgresql":
            section(
                "Concurrent load",
                load.report_load(url, engine, seconds=args.seconds, connections=16),
            )
        else:
            section(
                "Peer: Datasette on the same file", load.report_peer(url, seconds=args.seconds / 2)
            )
        section("Import through `tracker import-articles`", imports.report(url, 10_000))
    # Every list page at growing sizes (a database per size; 100,000 on PostgreSQL only).
    sizes = [1000, 10_000] + ([100_000] if database_url else [])
    section(
        f"List pages at {', '.join(f'{s:,}' for s in sizes)} agreements (p50, ms)",
        lists.run(database_url, sizes, args.runs // 2),
    )
    if database_url:  # this tree against commit 848f5c4, each on a database of its own
        section(
            "Throughput against commit 848f5c4, side by side",
            versus.compare(database_url, seconds=args.seconds),
        )


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--runs", type=int, default=200, help="timed requests per API figure")
    parser.add_argument("--seconds", type=float, default=20, help="length of the load run")
    parser.add_argument("--only", choices=["sqlite", "postgresql"], help="run on one engine only")
    args = parser.parse_args()
    database_url = args.database_url or os.environ.get("TRACKER_BENCH_DATABASE_URL")
    print(
        f"# Treaty Tracker benchmarks\n\n{os.cpu_count()} CPUs, {platform.machine()}, "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"
    )
    section("Extraction (no database work: the same on both engines)", extraction.report())
    section("Polling news feeds (SQLite, feeds served on loopback)", feeds.report())
    if args.only != "postgresql":
        run_engine(None, args)
    if args.only != "sqlite":
        if database_url:
            run_engine(database_url, args)
        elif args.only:
            parser.error("--only postgresql needs --database-url or TRACKER_BENCH_DATABASE_URL")


if __name__ == "__main__":
    main()
