"""Import of articles through the service, as `tracker import-articles` does it.

    python -m bench.imports [--database-url URL] [--articles 10000] [--workers 1]

Writes that many articles (fa/ru/ar/en, 150-900 words, from the vocabulary of the labelled test
articles) as a JSON Lines file, then runs the command on a database holding the seed case and
1,000 agreements. Every article is validated, canonicalised, indexed for search and signed for
near-duplicate detection, 200 to a transaction; lines are read, checked and signed by
`--workers` other processes (as the command's option). Prints articles per second, by the
clock and by CPU time: this process's (SQLite's work included, PostgreSQL's server not) and
that of the preparing processes it started, apart and summed, and the rate against its target
(500 a second on SQLite, 300 on PostgreSQL). On a machine busy with other work the CPU figures
move less.
"""

from __future__ import annotations

import json
import os
import random
import re
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from bench.dataset import _vocabulary, arguments, build, fresh_database
from tracker import create_app

# Articles a second by the clock (issue 19, target 5), on a machine running the import alone.
TARGET = {"sqlite": 500, "postgresql": 300}


def write_lines(path: Path, count: int, seed: int = 13) -> None:
    rng = random.Random(seed)
    vocabulary = _vocabulary()
    languages = ["fa", "ru", "ar", "en"]
    with path.open("w", encoding="utf-8") as out:
        for n in range(count):
            lang = languages[n % 4]
            words = rng.choices(vocabulary[lang], k=rng.randint(150, 900))
            sentences = [" ".join(words[i : i + 14]) + "." for i in range(0, len(words), 14)]
            body = "\n".join(" ".join(sentences[i : i + 5]) for i in range(0, len(sentences), 5))
            day = date(2019, 1, 1) + timedelta(days=rng.randint(0, 2500))
            article = {
                "url": f"https://import.example/{lang}/{n}",
                "title": " ".join(rng.choices(vocabulary[lang], k=8)),
                "language": lang,
                "published": day.isoformat(),
                "text": body,
            }
            out.write(json.dumps(article, ensure_ascii=False) + "\n")


def report(url: str, articles: int, workers: int = 1) -> list[str]:
    """Markdown: `articles` imported through `tracker import-articles --workers WORKERS` into
    the database at `url` (which it adds to)."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "articles.jsonl"
        write_lines(source, articles)
        size = source.stat().st_size
        app = create_app({"SECRET_KEY": "bench", "DATABASE_URL": url})
        started, cpu, before = time.perf_counter(), time.process_time(), os.times()
        result = app.test_cli_runner().invoke(
            args=["tracker", "import-articles", "--quiet", "--workers", str(workers), str(source)]
        )
        elapsed, cpu, after = time.perf_counter() - started, time.process_time() - cpu, os.times()
        # The preparing processes have ended and been waited for: their time is counted.
        children = (after.children_user + after.children_system) - (
            before.children_user + before.children_system
        )
        app.extensions["tracker.engine"].dispose()
    if result.exit_code != 0:
        raise SystemExit(f"import failed:\n{result.output}")
    imported = int(re.match(r"(\d+) article", result.stdout).group(1))  # type: ignore[union-attr]
    engine = "postgresql" if url.startswith("postgresql") else "sqlite"
    rate, target = imported / elapsed, TARGET[engine]
    return [
        f"{size / 1e6:.0f} MB of JSON Lines:",
        "",
        "| articles | workers | time (s) | articles/s | CPU time (s): this process "
        "| articles per CPU second | CPU time (s): workers | articles per CPU second, all |",
        "|---|---|---|---|---|---|---|---|",
        f"| {imported:,} | {workers} | {elapsed:.1f} | {imported / elapsed:.0f} | {cpu:.1f} "
        f"| {imported / cpu:.0f} | {children:.1f} | {imported / (cpu + children):.0f} |",
        "",
        f"Target (issue 19, target 5): ≥ {target} articles/s on {engine}, by the clock: "
        + ("met" if rate >= target else "not met"),
    ]


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    with fresh_database(args.database_url) as (url, engine):
        build(engine, agreements=1000)
        lines = report(url, args.articles, args.workers)
    print(f"Engine: {engine.dialect.name}")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
