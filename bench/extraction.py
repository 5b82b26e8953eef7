"""Extraction quality on the labelled articles in tests/data/extraction*.json.

    python -m bench.extraction [--verbose]

The files are DEVELOPMENT_FILES and HELD_OUT_FILES below; a set without articles is
printed as "to be measured".

Needs a database with the seed loaded (party names and aliases): builds a temporary SQLite
one. Prints, for the development and the held-out articles, micro-averaged precision and
recall per field (an event counts when its stage, step and status are right; a stage when
the stage is), the status accuracy, the date attribution, the precision of the pre-ticked
suggestions, and the time the extractor takes on 100,000 characters of the articles run
together (the target: 0.5 s) and on one 900-word article.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from tracker import migrate
from tracker.db import make_engine
from tracker.services.data.seed import load_seed
from tracker.services.evidence.extraction import party_matcher, suggest
from tracker.text.extract import PRETICK_CONFIDENCE, extract
from tracker.text.relations import read as read_relations

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"
# Articles tuned on (each article's "set" is "development") ...
DEVELOPMENT_FILES = (
    "extraction.json",
    "extraction_held_out.json",
    "extraction_held_out_2.json",
    "extraction_held_out_3.json",
    "extraction_held_out_4.json",
    "extraction_held_out_5.json",
    "extraction_held_out_6.json",
    "extraction_held_out_7.json",
    "extraction_held_out_8.json",
)
# ... and articles never seen before they are measured ("set": "held_out"), one file a line.
HELD_OUT_FILES: tuple[str, ...] = ("extraction_held_out_9.json",)
FILES = DEVELOPMENT_FILES + HELD_OUT_FILES
FIELDS = ("parties", "stages", "events", "dates", "principles")
SETS = ("development", "held_out")
THRESHOLDS = (0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9)
MIXED_CHARACTERS = 100_000
MIXED_TARGET = 0.5  # seconds, on the machine of docs/benchmarks.md


def articles(which: str | None = None) -> list[dict]:
    """The labelled articles: all, or those of one set (development or held_out)."""
    every = []
    for name in FILES:
        every += json.loads((DATA / name).read_text(encoding="utf-8"))["articles"]
    return [a for a in every if which is None or a["set"] == which]


def labelled_events(article: dict) -> list[dict[str, Any]]:
    """Events as objects; an older label "stage/step/status" has no party or date to check."""
    out = []
    for event in article["events"]:
        if isinstance(event, str):
            stage, step, status = event.split("/")
            out.append({"stage": stage, "step": None if step == "-" else step, "status": status})
        else:
            out.append(event)
    return out


def _key(event: dict) -> str:
    return f"{event['stage']}/{event['step'] or '-'}/{event['status']}"


def found(result: dict) -> dict[str, set[str]]:
    return {
        "parties": {p["code"] for p in result["parties"]},
        "stages": {e["stage"] for e in result["events"]},
        "events": {_key(e) for e in result["events"]},
        "dates": {d["date"] for d in result["dates"]},
        "principles": {p["code"] for p in result["principles"]},
    }


def wanted(article: dict) -> dict[str, set[str]]:
    events = labelled_events(article)
    return {
        "parties": set(article["parties"]),
        "stages": {e["stage"] for e in events},
        "events": {_key(e) for e in events},
        "dates": set(article["dates"]),
        "principles": set(article["principles"]),
    }


def _same_claim(label: dict, event: dict) -> bool:
    """The suggestion is the labelled claim: stage and step, and the party when labelled."""
    if (label["stage"], label["step"]) != (event["stage"], event["step"]):
        return False
    return label.get("party") is None or label["party"] == event["party"]


def _right(label: dict, event: dict) -> bool:
    """Everything labelled is right: claim, status, and the date when labelled."""
    if not _same_claim(label, event) or label["status"] != event["status"]:
        return False
    return "date" not in label or label["date"] == event["date"]


def evaluate(session: Session, which: str | None = None, verbose: bool = False) -> dict[str, Any]:
    """Per field: (precision, recall), micro-averaged; and the figures of docs/extraction.md."""
    counts = {field: [0, 0, 0] for field in FIELDS}  # true positives, predicted, expected
    language_right = 0
    status = [0, 0]  # right, labelled events
    dated = [0, 0]  # right, labelled events with a date
    ticked = [0, 0]  # right, pre-ticked suggestions
    by_threshold = {t: [0, 0] for t in THRESHOLDS}  # the same at other thresholds
    chosen = articles(which)
    for article in chosen:
        result = suggest(session, article["text"], published=article["published"])
        language_right += result["language"] == article["language"]
        got, want = found(result), wanted(article)
        for field in FIELDS:
            counts[field][0] += len(got[field] & want[field])
            counts[field][1] += len(got[field])
            counts[field][2] += len(want[field])
            if verbose and got[field] != want[field]:
                missing, extra = sorted(want[field] - got[field]), sorted(got[field] - want[field])
                print(f"{article['id']} {field}: missing {missing}, extra {extra}")
        labels = labelled_events(article)
        for label in labels:
            same = [e for e in result["events"] if _same_claim(label, e)]
            ok = any(e["status"] == label["status"] for e in same)
            status[0] += ok
            status[1] += 1
            if label.get("date"):
                dated_ok = any(
                    e["date"] == label["date"] and e["status"] == label["status"] for e in same
                )
                dated[0] += dated_ok
                dated[1] += 1
                if verbose and not dated_ok:
                    print(f"{article['id']} date of {label}: got {[e['date'] for e in same]}")
            if verbose and not ok:
                print(f"{article['id']} status of {label}: got {[e['status'] for e in same]}")
        for event in result["events"]:
            ok = any(_right(label, event) for label in labels)
            for threshold, tally in by_threshold.items():
                if event["confidence"] >= threshold:
                    tally[0] += ok
                    tally[1] += 1
            if event["confidence"] >= PRETICK_CONFIDENCE:
                ticked[0] += ok
                ticked[1] += 1
                if verbose and not ok:
                    print(f"{article['id']} ticked wrongly: {event}")
    scores: dict[str, Any] = {
        field: (tp / predicted if predicted else 1.0, tp / expected if expected else 1.0)
        for field, (tp, predicted, expected) in counts.items()
    }
    scores["language"] = (language_right / len(chosen),) * 2
    scores["status accuracy"] = status[0] / status[1] if status[1] else 1.0
    scores["date attribution"] = dated[0] / dated[1] if dated[1] else 1.0
    scores["pre-ticked precision"] = ticked[0] / ticked[1] if ticked[1] else 1.0
    scores["pre-ticked"] = ticked[1]
    scores["thresholds"] = {t: (right, n) for t, (right, n) in by_threshold.items()}
    return scores


def mixed_text(characters: int) -> str:
    """The labelled articles (fa, ru, ar, en) run together, over and over, to `characters`."""
    text = "\n\n".join(a["text"] for a in articles())
    out = text
    while len(out) < characters:
        out += "\n\n" + text
    return out[:characters]


def long_article() -> str:
    """About 900 words of treaty news in the four languages, for the timing."""
    text = " ".join(a["text"] for a in articles())
    words = text.split()
    return " ".join(words[:900])


def seconds_per_article(session: Session, runs: int = 20) -> float:
    """The extractor itself on a 900-word article (not suggest: it keeps what it read)."""
    text = long_article()
    matcher, day = party_matcher(session), date(2025, 6, 12)
    extract(text, matcher, published=day)  # compiled tables are cached
    started = time.perf_counter()
    for _ in range(runs):
        extract(text, matcher, published=day)
    return (time.perf_counter() - started) / runs


def seconds_for_mixed(session: Session, characters: int = MIXED_CHARACTERS) -> tuple[float, float]:
    """A long mixed text: its first reading (the words of the text not yet looked up in the
    tables of first words), and the median of three more."""
    text = mixed_text(characters)
    matcher, day = party_matcher(session), date(2025, 6, 12)
    extract(long_article(), matcher, published=day)
    times = []
    for _ in range(4):
        started = time.perf_counter()
        extract(text, matcher, published=day)
        times.append(time.perf_counter() - started)
    return times[0], statistics.median(times[1:])


def seconds_for_relations(session: Session, characters: int = MIXED_CHARACTERS) -> float:
    """Relations and declarations (tracker.text.relations) read from the same long text, as
    the service reads them after the extractor: the median of three readings."""
    text = mixed_text(characters)
    matcher = party_matcher(session)
    read_relations(text, matcher)
    times = []
    for _ in range(3):
        started = time.perf_counter()
        read_relations(text, matcher)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _cell(results: dict[str, dict[str, Any]], which: str, figure: str) -> str:
    if which not in results:
        return "to be measured"
    value = results[which][figure]
    return str(value) if isinstance(value, int) else f"{value:.2f}"


def _pair(results: dict[str, dict[str, Any]], which: str, field: str) -> str:
    if which not in results:
        return "to be measured | to be measured"
    p, r = results[which][field]
    return f"{p:.2f} | {r:.2f}"


def table(results: dict[str, dict[str, Any]]) -> list[str]:
    """The tables of docs/extraction.md; a set without articles is "to be measured"."""
    dev, held = (len(articles(which)) for which in SETS)
    lines = [
        f"{dev} development and {held} held-out articles",
        "| field | development P | development R | held-out P | held-out R |",
        "|---|---|---|---|---|",
    ]
    for field in (*FIELDS, "language"):
        cells = " | ".join(_pair(results, which, field) for which in SETS)
        lines.append(f"| {field} | {cells} |")
    lines += ["", "| figure | development | held-out |", "|---|---|---|"]
    for figure in ("status accuracy", "date attribution", "pre-ticked precision"):
        cells = " | ".join(_cell(results, which, figure) for which in SETS)
        lines.append(f"| {figure} | {cells} |")
    cells = " | ".join(_cell(results, which, "pre-ticked") for which in SETS)
    lines.append(f"| pre-ticked suggestions | {cells} |")
    lines += [
        "",
        "| ticked from | development: precision (ticked) | held-out: precision (ticked) |",
        "|---|---|---|",
    ]
    for threshold in THRESHOLDS:
        cells = []
        for which in SETS:
            if which not in results:
                cells.append("to be measured")
                continue
            right, n = results[which]["thresholds"][threshold]
            cells.append(f"{right / n if n else 1.0:.2f} ({n})")
        lines.append(f"| {threshold:.2f} | {cells[0]} | {cells[1]} |")
    return lines


def timings(session: Session) -> list[str]:
    """The speed figures, against the target."""
    first, usual = seconds_for_mixed(session)
    met = "met" if usual <= MIXED_TARGET else "not met"
    relations = seconds_for_relations(session)
    both = usual + relations
    return [
        "| figure | seconds | target | met? |",
        "|---|---|---|---|",
        f"| {MIXED_CHARACTERS:,} characters of mixed fa/ru/ar/en (median of 3) | {usual:.3f} "
        f"| ≤ {MIXED_TARGET} | {met} |",
        f"| the same, the first of the four readings | {first:.3f} | — | — |",
        f"| relations and declarations of the same text (median of 3) | {relations:.3f} | — | — |",
        f"| the two together | {both:.3f} | ≤ {MIXED_TARGET} "
        f"| {'met' if both <= MIXED_TARGET else 'not met'} |",
        f"| a 900-word article | {seconds_per_article(session):.3f} | — | — |",
    ]


def report() -> list[str]:
    """The speed figures on a temporary SQLite database with the seed (for python -m bench)."""
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{folder}/extraction.sqlite3")
        migrate.upgrade(engine)
        with Session(engine) as session:
            load_seed(session)
            lines = timings(session)
        engine.dispose()
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--verbose", action="store_true", help="list every miss")
    parser.add_argument("--only", choices=SETS, help="list the misses of one set only")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{folder}/extraction.sqlite3")
        migrate.upgrade(engine)
        with Session(engine) as session:
            load_seed(session)
            results = {
                which: evaluate(session, which, args.verbose and args.only in (None, which))
                for which in SETS
                if articles(which)
            }
            speed = timings(session)
        engine.dispose()
    print("\n".join(table(results)))
    print(f"\npre-tick threshold {PRETICK_CONFIDENCE}\n")
    print("\n".join(speed))


if __name__ == "__main__":
    main()
