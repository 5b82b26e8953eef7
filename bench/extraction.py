"""Extraction quality on the labelled articles in tests/data/extraction.json.

    python -m bench.extraction [--verbose]

Needs a database with the seed loaded (party names and aliases): builds a temporary SQLite
one. Prints micro-averaged precision and recall per field; an event counts when its stage,
step and status (expected or reported) are right.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from sqlalchemy.orm import Session

from tracker import migrate
from tracker.db import make_engine
from tracker.services.extraction import suggest
from tracker.services.seed import load_seed

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "extraction.json"
FIELDS = ("parties", "events", "dates", "principles")


def articles(which: str | None = None) -> list[dict]:
    """The labelled articles: all, or those of one set (development or held_out)."""
    every = json.loads(DATA.read_text(encoding="utf-8"))["articles"]
    return [a for a in every if which is None or a["set"] == which]


def found(result: dict) -> dict[str, set[str]]:
    return {
        "parties": {p["code"] for p in result["parties"]},
        "events": {f"{e['stage']}/{e['step'] or '-'}/{e['status']}" for e in result["events"]},
        "dates": {d["date"] for d in result["dates"]},
        "principles": {p["code"] for p in result["principles"]},
    }


def evaluate(
    session: Session, which: str | None = None, verbose: bool = False
) -> dict[str, tuple[float, float]]:
    """Per field: (precision, recall), micro-averaged over the labelled articles."""
    counts = {field: [0, 0, 0] for field in FIELDS}  # true positives, predicted, expected
    language_right = 0
    chosen = articles(which)
    for article in chosen:
        result = suggest(session, article["text"], published=article["published"])
        language_right += result["language"] == article["language"]
        got = found(result)
        for field in FIELDS:
            want = set(article[field])
            counts[field][0] += len(got[field] & want)
            counts[field][1] += len(got[field])
            counts[field][2] += len(want)
            if verbose and got[field] != want:
                missing, extra = sorted(want - got[field]), sorted(got[field] - want)
                print(f"{article['id']} {field}: missing {missing}, extra {extra}")
    scores = {
        field: (tp / predicted if predicted else 1.0, tp / expected if expected else 1.0)
        for field, (tp, predicted, expected) in counts.items()
    }
    scores["language"] = (language_right / len(chosen),) * 2
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--verbose", action="store_true", help="list every miss")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{folder}/extraction.sqlite3")
        migrate.upgrade(engine)
        with Session(engine) as session:
            load_seed(session)
            results = {
                which: evaluate(session, which, args.verbose)
                for which in ("development", "held_out")
            }
        engine.dispose()
    sizes = len(articles("development")), len(articles("held_out"))
    print(f"{sizes[0]} development and {sizes[1]} held-out articles")
    print("| field | development P | development R | held-out P | held-out R |")
    print("|---|---|---|---|---|")
    for field in results["development"]:
        (dp, dr), (hp, hr) = results["development"][field], results["held_out"][field]
        print(f"| {field} | {dp:.2f} | {dr:.2f} | {hp:.2f} | {hr:.2f} |")


if __name__ == "__main__":
    main()
