"""Every list page the API offers, at growing sizes: does a page cost the same at any size?

    python -m bench.lists [--database-url URL] [--sizes 1000,10000,100000] [--runs 100] [--cpu]

For each size, a fresh database with that many agreements (bench/dataset.py: 2-6 parties of
60 states, two topics each, about 6.7 events each, the lifecycle cache derived by the real
service; on PostgreSQL a database per size beside the one given, named after it and the
size). Then GET /api/v1/agreements with a viewer's token for the first page, each filter
(party, stage, status, topic, kind, participation, `q` with fixed words), each sort both
ways, two combinations, and a page deep in the list reached by cursor, every request timed
on all sizes together, in turn (so that what slows a stretch of the run falls on every
size alike). Prints p50 per request and size, the agreements on each page, and the growth
from each size to the next against the target (at most 1.3x: a page's cost must not follow
the number of rows). A growth from a page with fewer agreements (a rare filter at the
smaller size) compares two different pages: it is marked and not judged.

For each request not met it then says why, from measurements: each filtered request's count
(the service's, exact up to 10,000 matches) is timed alone at each size, and the report
gives how much the count grew and how much the rest of the request did.

With --cpu the figures are this process's CPU time instead of wall time: on SQLite, which
runs in the process, that is the whole cost of a request, and it moves far less than wall
time when other work shares the machine. (On PostgreSQL it leaves out the server's time.)
"""

from __future__ import annotations

import dataclasses
import json
import time
from contextlib import ExitStack
from datetime import date
from urllib.parse import parse_qsl

from werkzeug.test import TestResponse

from bench.api import timed_together
from bench.dataset import arguments, build, database_beside, fresh_database
from tracker import create_app
from tracker.db import get_session
from tracker.services.accounts.users import create_token, create_user
from tracker.services.agreements.listing import SORTS, AgreementFilters
from tracker.services.agreements.listing import count as count_matches

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

# Pages walked by cursor for the "deep" figure: page 11 (rows 501-550) is full at every size.
DEEP = 10


class Lister:
    """GET /api/v1/agreements on one database (already built), as a viewer."""

    def __init__(self, url: str) -> None:
        # Without the cache of list pages (tracker.api.page_cache): each page is built.
        self.app = create_app({"SECRET_KEY": "bench", "DATABASE_URL": url, "LIST_CACHE_SIZE": 0})
        with self.app.app_context():
            from tracker.db import get_session

            user = create_user(get_session(), f"lists{time.time_ns()}@example.org", role="viewer")
            token = create_token(get_session(), user)[1]
        self.client = self.app.test_client()
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, query: str) -> dict:
        """The page's X-Pagination."""
        return json.loads(self._page(query).headers["X-Pagination"])

    def rows(self, query: str) -> int:
        """How many agreements the page lists."""
        return len(self._page(query).get_json())

    def _page(self, query: str) -> TestResponse:
        response = self.client.get(f"/api/v1/agreements?page_size=50&{query}", headers=self.headers)
        assert response.status_code == 200, (query, response.status_code, response.get_json())
        return response

    def count(self, query: str) -> int:
        """How many agreements the page's filters select, counted by the service as the
        page counts them (exact up to 10,000), without the rest of the request."""
        with self.app.app_context():
            return count_matches(get_session(), filters_of(query))[0]

    def deep(self) -> str:
        """The query of the page after DEEP pages, by cursor."""
        query = ""
        for _ in range(DEEP):
            cursor = self.get(query).get("next_cursor")
            if cursor is None:
                break
            query = f"after={cursor}"
        return query

    def close(self) -> None:
        self.app.extensions["tracker.engine"].dispose()


def filters_of(query: str) -> AgreementFilters:
    """The filters of a list request's query string (its sort and page left out)."""
    names = {field.name for field in dataclasses.fields(AgreementFilters)}
    return AgreementFilters(**{k: v for k, v in parse_qsl(query) if k in names})


Figures = dict[int, dict[str, float]]  # {size: {request: p50 in ms}}
Rows = dict[int, dict[str, int]]  # {size: {request: agreements on the page}}
# {size: {request: (p50 in ms of counting its matches alone, how many it counted)}}
Counts = dict[int, dict[str, tuple[float, int]]]


def measure(urls: dict[int, str], runs: int, cpu: bool = False) -> tuple[Figures, Rows, Counts]:
    """p50 (ms) of each request at each size ({size: url}, databases already built), the
    number of agreements on each page, and for each filtered request the p50 of its count
    alone (the service's count, timed the same way) with the number it counted.

    The sizes are timed together, request by request (`timed_together`): whatever slows a
    stretch of the run (other work on the machine, the collector, a cold page cache) falls
    on every size alike, where timing one size after the other moved all of a size's
    figures together, by more than the target."""
    listers = {size: Lister(url) for size, url in urls.items()}
    clock = time.process_time if cpu else time.perf_counter
    results: Figures = {size: {} for size in urls}
    rows: Rows = {size: {} for size in urls}
    counts: Counts = {size: {} for size in urls}

    def timed(call: str, queries: dict[int, str]) -> dict[int, float]:
        timing = timed_together(
            {
                str(size): (lambda lister=listers[size], q=query: getattr(lister, call)(q))
                for size, query in queries.items()
            },
            runs,
            clock,
        )
        return {size: timing[str(size)][0] for size in queries}

    def together(name: str, queries: dict[int, str]) -> None:
        for size, p50 in timed("get", queries).items():
            results[size][name] = p50
            rows[size][name] = listers[size].rows(queries[size])

    for name, query in QUERIES:
        queries = dict.fromkeys(urls, query)
        together(name, queries)
        if filters_of(query) != AgreementFilters():
            for size, p50 in timed("count", queries).items():
                counts[size][name] = (p50, listers[size].count(query))
    # Deep in the list: the cursor after DEEP pages, against the same page by number.
    together(
        f"page {DEEP + 1} by cursor", {size: lister.deep() for size, lister in listers.items()}
    )
    together(f"page {DEEP + 1} by number", dict.fromkeys(urls, f"page={DEEP + 1}"))
    for lister in listers.values():
        lister.close()
    return results, rows, counts


def report(sizes: list[int], figures: Figures, rows: Rows, counts: Counts) -> list[str]:
    """Markdown: p50 and the page's rows at each size, and each growth against the target;
    then, for each request not met, why (`why`).

    A growth from a size whose page lists fewer agreements than the next size's (a rare
    filter at 1,000 agreements: 13 rows where 10,000 give 50) compares two different pages,
    most of the difference being the rows themselves: it is shown, marked, and left out of
    the verdict."""
    head = " | ".join(f"{s:,} (ms)" for s in sizes)
    steps = list(zip(sizes, sizes[1:], strict=False))
    growth = " | ".join(f"{a // 1000}k → {b // 1000}k" for a, b in steps)
    lines = [
        f"| request | {head} | rows | {growth} | ≤ {TARGET}× |",
        "|---" * (3 + len(sizes) + len(steps)) + "|",
    ]
    met_all, unequal, missed = True, [], []
    for name in figures[sizes[0]]:
        values = [figures[s][name] for s in sizes]
        listed = [rows[s][name] for s in sizes]
        ratios = [figures[b][name] / figures[a][name] for a, b in steps]
        same = [rows[a][name] >= rows[b][name] for a, b in steps]
        met = all(r <= TARGET for r, alike in zip(ratios, same, strict=True) if alike)
        cells = " | ".join(f"{v:.2f}" for v in values)
        grown = " | ".join(
            f"{r:.2f}×" + ("" if alike else " (fewer rows)")
            for r, alike in zip(ratios, same, strict=True)
        )
        if name.endswith("by number"):
            verdict = "(no target: a page number skips every row before it; use the cursor)"
        elif not any(same):
            verdict = "— (fewer rows at the smaller size)"
            unequal.append(name)
        else:
            verdict = ("met" if met else "not met") + ("" if all(same) else " where alike")
            met_all &= met
            if not met:
                missed.append(name)
        count_cells = " / ".join(str(c) for c in listed)
        lines.append(f"| {name} | {cells} | {count_cells} | {grown} | {verdict} |")
    lines.append("")
    lines.append(
        f"Target (every list page ≤ {TARGET}× from each size to the next): "
        f"{'met' if met_all else 'not met'}"
        + (
            f"; not judged where the smaller size's page lists fewer agreements: "
            f"{', '.join(unequal)}."
            if unequal
            else "."
        )
    )
    return lines + why(sizes, figures, rows, counts, missed)


def why(
    sizes: list[int], figures: Figures, rows: Rows, counts: Counts, missed: list[str]
) -> list[str]:
    """Markdown: for each request of `missed`, its count alone at each size (p50 and how
    many it counted) and the growth of the count and of the rest of the request (its p50
    less the count's), at each step where the page lists as many agreements; and which of
    the two grew past the target. The total is exact up to 10,000 matches: a filter that
    selects 1,000 of 10,000 agreements and 10,000 of 100,000 counts ten times as many."""
    if not missed:
        return []
    steps = list(zip(sizes, sizes[1:], strict=False))
    lines = [
        "",
        "Why not met: the count alone (p50 ms, and the matches it counted) and what grew",
        "",
        "| request | count at " + " | ".join(f"{s:,}" for s in sizes) + " | count grew "
        "| the rest grew | past the target |",
        "|---" * (len(sizes) + 4) + "|",
    ]
    by_count = 0
    for name in missed:
        alike = [(a, b) for a, b in steps if rows[a][name] >= rows[b][name]]
        if name not in counts[sizes[0]]:
            grown = ", ".join(f"{figures[b][name] / figures[a][name]:.2f}×" for a, b in alike)
            cells = " | ".join("—" for _ in sizes)
            lines.append(f"| {name} | {cells} | — (no filter) | {grown} | the page |")
            continue
        cells = " | ".join(f"{counts[s][name][0]:.2f} ({counts[s][name][1]:,})" for s in sizes)
        count_grew, rest_grew, culprits = [], [], set()
        for a, b in alike:
            counted = counts[b][name][0] / max(counts[a][name][0], 1e-9)
            rest = (figures[b][name] - counts[b][name][0]) / max(
                figures[a][name] - counts[a][name][0], 1e-9
            )
            count_grew.append(f"{counted:.2f}×")
            rest_grew.append(f"{rest:.2f}×")
            if figures[b][name] / figures[a][name] > TARGET:
                culprits.add("the count" if rest <= TARGET else "the page")
                if rest > TARGET and counted > TARGET:
                    culprits.add("the count")
        past = " and ".join(sorted(culprits))
        by_count += past == "the count"
        lines.append(
            f"| {name} | {cells} | {', '.join(count_grew)} | {', '.join(rest_grew)} | {past} |"
        )
    lines += [
        "",
        f"{by_count} of the {len(missed)} requests not met are within {TARGET}× without "
        "their count: what grows is the count, exact up to 10,000 matches, of a filter whose "
        "matches grow with the table. Where the page grows too, it reads every match to sort "
        "or test them: docs/benchmarks.md has what each reads.",
    ]
    return lines


def run(database_url: str | None, sizes: list[int], runs: int, cpu: bool = False) -> list[str]:
    """Build a database of each size, then time every list request on all of them together;
    the report's lines. On PostgreSQL each size has its own database beside the one given
    (its name and the size: made when missing, emptied first)."""
    with ExitStack() as stack:
        urls = {}
        for size in sizes:
            url, engine = stack.enter_context(
                fresh_database(database_url and database_beside(database_url, str(size)))
            )
            started = time.perf_counter()
            made = build(engine, agreements=size)
            print(
                f"{engine.dialect.name}: {made['agreements']:,} agreements, "
                f"{made['events']:,} events (built in {time.perf_counter() - started:.0f} s, "
                f"{date.today()})",
                flush=True,
            )
            urls[size] = url
        figures, rows, counts = measure(urls, runs, cpu)
    return report(sizes, figures, rows, counts)


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
