"""Turning an article's suggested extraction into records, for the suggestions a researcher
accepts: parties join the agreement, stage cues become events and principle phrases become
statements, each with the sentence it was found in as its evidence quote."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from tracker.models import User
from tracker.services import transactional
from tracker.services.agreements import get_agreement, update_agreement
from tracker.services.events import record_event
from tracker.services.evidence import get_article
from tracker.services.extraction import suggest
from tracker.services.principles import state_principle

_SENTENCE_END = re.compile(r"[.!?؟;؛\n]")


def sentence_around(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence of `text` holding [start, end): from after the last stop before it to
    the next stop after it (included), trimmed of white space."""
    left = max((m.end() for m in _SENTENCE_END.finditer(text, 0, start)), default=0)
    found = _SENTENCE_END.search(text, end)
    right = found.end() if found else len(text)
    while left < right and text[left].isspace():
        left += 1
    while right > left and text[right - 1].isspace():
        right -= 1
    return left, right


@dataclass(frozen=True)
class Suggestions:
    article_id: int
    language: str | None
    parties: list[dict[str, Any]]  # one per party code, with its first mention
    events: list[dict[str, Any]]
    principles: list[dict[str, Any]]  # one per code
    known_parties: list[str]


def suggestions(session: Session, agreement_id: int, article_id: int) -> Suggestions:
    """What the extractor finds in the article, grouped for review (NotFound 404 for either)."""
    agreement = get_agreement(session, agreement_id)
    article = get_article(session, article_id)
    found = suggest(session, article.text, language=article.language, published=article.published)
    first_party: dict[str, dict[str, Any]] = {}
    for item in found["parties"]:
        first_party.setdefault(item["code"], item)
    first_principle: dict[str, dict[str, Any]] = {}
    for item in found["principles"]:
        first_principle.setdefault(item["code"], item)
    return Suggestions(
        article.id,
        found["language"],
        list(first_party.values()),
        found["events"],
        list(first_principle.values()),
        agreement.party_codes,
    )


@transactional
def accept(
    session: Session,
    agreement_id: int,
    article_id: int,
    *,
    parties: Sequence[str] = (),
    events: Sequence[int] = (),
    principles: Sequence[str] = (),
    actor: User | None = None,
) -> dict[str, int]:
    """Record the accepted suggestions (party codes, event indexes, principle codes).

    Suggestions are computed again here, from the stored text, so what is recorded is what
    the extractor finds, not what a form claims. Returns how many of each were recorded.
    """
    found = suggestions(session, agreement_id, article_id)
    article = get_article(session, article_id)
    agreement = get_agreement(session, agreement_id)
    made = {"parties": 0, "events": 0, "principles": 0}

    new_parties = [
        p["code"]
        for p in found.parties
        if p["code"] in parties and p["code"] not in agreement.party_codes
    ]
    if new_parties:
        update_agreement(
            session, agreement_id, {"parties": agreement.party_codes + new_parties}, actor=actor
        )
        made["parties"] = len(new_parties)

    def quote(item: dict[str, Any]) -> str:
        start, end = sentence_around(article.text, item["start"], item["end"])
        return article.text[start:end]

    for index, item in enumerate(found.events):
        if index not in events:
            continue
        data = {
            "stage": item["stage"],
            "status": item["status"],
            "evidence": [{"article_id": article.id, "quote": quote(item)}],
        }
        for key in ("step", "party", "body", "date"):
            if item.get(key):
                data[key] = item[key]
        record_event(session, agreement_id, data, actor=actor)
        made["events"] += 1

    for item in found.principles:
        if item["code"] in principles:
            state_principle(
                session,
                agreement_id,
                {"principle": item["code"], "article_id": article.id, "quote": quote(item)},
                actor=actor,
            )
            made["principles"] += 1
    return made
