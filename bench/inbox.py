"""Inbox matching on the labelled stories of tests/data/inbox/ (dev.json, held_out.json).

    python -m bench.inbox [--set dev|held_out] [--verbose]

Builds a fresh SQLite database in a temporary folder (migrated, the seed loaded, and the five
agreements of tests/data/inbox/agreements.json created through the services: with the seed's
six cases, the eleven agreements the stories are labelled against), reads every story with
the extractor and the matcher, and prints:

- the right agreement first, for on-topic stories (abstaining counts as wrong; for a story
  about a new agreement, right is a first suggestion of a new agreement with those parties);
- the noise kept out of the main list (`on_topic` false);
- the on-topic stories sent to the noise pile;

in all and per language, the misses, and the time per story. Targets: >= 0.9, >= 0.9, <= 0.05.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker import migrate
from tracker.db import make_engine
from tracker.models import Agreement
from tracker.services.agreements.commands import create_agreement
from tracker.services.claims.events import record_event
from tracker.services.data.seed import load_seed
from tracker.services.evidence.extraction import suggest
from tracker.services.inbox.matching import match

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "inbox"
SETS = {"dev": "dev.json", "held_out": "held_out.json"}
LANGUAGES = ("fa", "ru", "ar", "en")
TARGETS = {"right_first": 0.9, "noise_kept_out": 0.9, "on_topic_lost": 0.05}


def stories(which: str = "dev") -> list[dict[str, Any]]:
    """The labelled stories of one set."""
    return json.loads((DATA / SETS[which]).read_text(encoding="utf-8"))["stories"]


def load_agreements(session: Session) -> dict[str, int]:
    """Create the agreements of agreements.json (unless there) with their events, through the
    services; return every labelled ref (these and the seed's cases) -> agreement id."""
    cases = json.loads((DATA / "agreements.json").read_text(encoding="utf-8"))["agreements"]
    for case in cases:
        if session.scalar(select(Agreement.id).where(Agreement.ref == case["ref"])) is not None:
            continue
        agreement = create_agreement(session, case["agreement"], ref=case["ref"])
        for event in case.get("events", []):
            record_event(session, agreement.id, event)
    return {
        ref: ident
        for ident, ref in session.execute(select(Agreement.id, Agreement.ref))
        if ref is not None
    }


@dataclass
class Outcome:
    story: dict[str, Any]
    on_topic: bool
    first: dict[str, Any] | None
    right: bool
    seconds: float


@dataclass
class Figures:
    """Counts over a set of stories (all, or one language)."""

    on_topic: int = 0
    right_first: int = 0
    on_topic_lost: int = 0
    noise: int = 0
    noise_kept_out: int = 0
    misses: list[str] = field(default_factory=list)

    def rates(self) -> dict[str, float]:
        return {
            "right_first": self.right_first / self.on_topic if self.on_topic else 1.0,
            "noise_kept_out": self.noise_kept_out / self.noise if self.noise else 1.0,
            "on_topic_lost": self.on_topic_lost / self.on_topic if self.on_topic else 0.0,
        }


def judge(story: dict[str, Any], on_topic: bool, first: dict[str, Any] | None, refs: dict) -> bool:
    """Whether the matcher's answer is the label's."""
    label = story["label"]
    if label["about"] == "noise":
        return not on_topic
    if not on_topic or first is None:
        return False
    if label["about"] == "new_agreement":
        proposed = first.get("new_agreement")
        return proposed is not None and set(label["new_agreement_parties"]) <= set(
            proposed["parties"]
        )
    return first.get("agreement_id") == refs[label["agreement"]]


def run(session: Session, which: str = "dev") -> list[Outcome]:
    """Read and match every story of the set (the agreements loaded first)."""
    refs = load_agreements(session)
    outcomes = []
    for story in stories(which):
        text = f"{story['title']}\n\n{story['text']}"
        started = time.perf_counter()
        extracted = suggest(session, text, language=story["language"], published=story["published"])
        found = match(
            session,
            text=story["text"],
            title=story["title"],
            language=story["language"],
            published=story["published"],
            extracted=extracted,
        )
        seconds = time.perf_counter() - started
        first = found.suggestions[0] if found.suggestions else None
        outcomes.append(
            Outcome(
                story, found.on_topic, first, judge(story, found.on_topic, first, refs), seconds
            )
        )
    return outcomes


def figures(outcomes: list[Outcome], language: str | None = None) -> Figures:
    out = Figures()
    for o in outcomes:
        if language is not None and o.story["language"] != language:
            continue
        if o.story["label"]["about"] == "noise":
            out.noise += 1
            out.noise_kept_out += o.right
        else:
            out.on_topic += 1
            out.right_first += o.right
            out.on_topic_lost += not o.on_topic
        if not o.right:
            out.misses.append(o.story["key"])
    return out


@contextmanager
def fresh_session() -> Iterator[Session]:
    """A session on a new, migrated and seeded SQLite database in a temporary folder."""
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{folder}/inbox.sqlite3")
        migrate.upgrade(engine)
        try:
            with Session(engine) as session:
                load_seed(session)
                yield session
        finally:
            engine.dispose()


def _describe(o: Outcome, names: dict[int, str]) -> str:
    label = o.story["label"]
    wanted = label["agreement"] or (
        f"new {label.get('new_agreement_parties')}"
        if label["about"] == "new_agreement"
        else "noise"
    )
    if not o.on_topic:
        got = "off topic"
    elif o.first is None:
        got = "abstained"
    elif o.first["agreement_id"] is None:
        got = f"new {o.first['new_agreement']['parties']}"
    else:
        got = names.get(o.first["agreement_id"], str(o.first["agreement_id"]))
    score = f" ({o.first['score']:.2f})" if o.first else ""
    return f"- {o.story['key']}: wanted {wanted}, got {got}{score}"


def report(outcomes: list[Outcome], session: Session, which: str) -> list[str]:
    names = {i: ref for ref, i in load_agreements(session).items()}
    lines = [
        f"Set: {which}, {len(outcomes)} stories",
        "",
        "| stories | right agreement first | noise kept out | on-topic lost to noise |",
        "|---|---|---|---|",
    ]
    for language in (None, *LANGUAGES):
        f = figures(outcomes, language)
        r = f.rates()
        lines.append(
            f"| {language or 'all'} ({f.on_topic} on topic, {f.noise} noise) "
            f"| {r['right_first']:.2f} | {r['noise_kept_out']:.2f} | {r['on_topic_lost']:.2f} |"
        )
    rates = figures(outcomes).rates()
    met = (
        rates["right_first"] >= TARGETS["right_first"]
        and rates["noise_kept_out"] >= TARGETS["noise_kept_out"]
        and rates["on_topic_lost"] <= TARGETS["on_topic_lost"]
    )
    seconds = [o.seconds for o in outcomes]
    lines += [
        "",
        f"Targets (>= 0.9, >= 0.9, <= 0.05): {'met' if met else 'NOT met'}",
        f"Time per story (extraction and matching): mean "
        f"{sum(seconds) / len(seconds) * 1000:.1f} ms, slowest {max(seconds) * 1000:.1f} ms",
        "",
        "Misses:" if any(not o.right for o in outcomes) else "Misses: none",
    ]
    lines += [_describe(o, names) for o in outcomes if not o.right]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--set", choices=sorted(SETS), default="dev")
    parser.add_argument("--verbose", action="store_true", help="print every story's answer")
    args = parser.parse_args()
    with fresh_session() as session:
        outcomes = run(session, args.set)
        print("\n".join(report(outcomes, session, args.set)))
        if args.verbose:
            names = {i: ref for ref, i in load_agreements(session).items()}
            print("\nEvery story:")
            for o in outcomes:
                print(_describe(o, names), "right" if o.right else "WRONG")
                for s in [o.first] if o.first else []:
                    for reason in s["reasons"]:
                        print(f"    {reason['code']}: {reason['text']}")


if __name__ == "__main__":
    main()
