"""Turning an article's suggested extraction into records, for the suggestions a researcher
accepts: parties join the agreement, stage cues become events, principle phrases become
statements, relation phrases become relations to other agreements and parties' reservations
become declarations, each with the sentence it was found in as its evidence quote."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from tracker.models import User
from tracker.services import transactional
from tracker.services.agreements.commands import update_agreement
from tracker.services.agreements.queries import get_agreement
from tracker.services.claims.declarations import record_declaration
from tracker.services.claims.events import record_event
from tracker.services.claims.principles import state_principle
from tracker.services.claims.relations import record_relation
from tracker.services.errors import FieldErrors, InvalidInput
from tracker.services.evidence.articles import get_article
from tracker.services.evidence.extraction import readable_part, suggest
from tracker.text.dates import in_range

_STOPS = ".!?؟;؛\n"
_SENTENCE_END = re.compile(f"[{re.escape(_STOPS)}]")


def sentence_around(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence of `text` holding [start, end): from after the last stop before it to
    the next stop after it (included), trimmed of white space."""
    # the last stop before `start`, looked for backwards (a walk from the start of a long
    # article for each suggestion made its review page slow)
    left = max(text.rfind(stop, 0, start) for stop in _STOPS) + 1
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
    read: int = 0  # characters of the article read (all but for a very long one)
    length: int = 0  # characters of the article
    # relations to other agreements, each with its candidates (never this agreement), and
    # parties' declarations, as POST /api/v1/extract gives them (docs/extraction.md)
    relations: list[dict[str, Any]] = field(default_factory=list)
    declarations: list[dict[str, Any]] = field(default_factory=list)


def suggestions(session: Session, agreement_id: int, article_id: int) -> Suggestions:
    """What the extractor finds in the article, grouped for review (NotFound 404 for either)."""
    agreement = get_agreement(session, agreement_id)
    article = get_article(session, article_id)
    # A far-off publication date stored before the supported range was enforced is not used
    # to read year-less dates (it would be refused as input).
    usable = in_range(article.published_earliest) and in_range(article.published_latest)
    published = article.published if usable else None
    text = readable_part(article.text)
    found = suggest(
        session, text, language=article.language, published=published, agreement_id=agreement.id
    )
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
        len(text),
        len(article.text),
        found["relations"],
        found["declarations"],
    )


def _index(value: Any, count: int) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < count:
        return None
    return value


@transactional
def accept(
    session: Session,
    agreement_id: int,
    article_id: int,
    *,
    parties: Sequence[str] = (),
    events: Sequence[Mapping[str, Any]] = (),
    principles: Sequence[str] = (),
    relations: Sequence[Mapping[str, Any]] = (),
    declarations: Sequence[Mapping[str, Any]] = (),
    actor: User | None = None,
) -> dict[str, int]:
    """Record the accepted suggestions: party codes, event claims as the researcher edited
    them, principle codes, relations and declarations. Returns how many of each were
    recorded.

    Each claim is a mapping with `index` (which suggestion it comes from) and the fields the
    researcher may change: stage, step, consent_type, party, body, date, status. Its
    evidence quote is the sentence around that suggestion, computed here from the stored
    text, so a form cannot put words in the article's mouth. A party must be the
    agreement's (or one added here). Every claim is checked; InvalidInput (422) names each
    problem as `events.<index>.<field>` and nothing at all is recorded.

    A relation is `{index, type, target_id, date?}` (this agreement is its subject); a
    declaration `{index, kind, party, made_at?, objects_to?, date?, text?}`, whose text is
    its quoted sentence unless one is given. Their problems are named
    `relations.<index>.<field>` and `declarations.<index>.<field>`, and are as fatal.
    """
    found = suggestions(session, agreement_id, article_id)
    article = get_article(session, article_id)
    agreement = get_agreement(session, agreement_id)
    made = {"parties": 0, "events": 0, "principles": 0, "relations": 0, "declarations": 0}
    errors = FieldErrors()

    new_parties = [
        p["code"]
        for p in found.parties
        if p["code"] in parties and p["code"] not in agreement.party_codes
    ]
    members = set(agreement.party_codes) | set(new_parties)
    if new_parties:
        update_agreement(
            session, agreement_id, {"parties": agreement.party_codes + new_parties}, actor=actor
        )
        made["parties"] = len(new_parties)

    def quote(item: dict[str, Any]) -> str:
        start, end = sentence_around(article.text, item["start"], item["end"])
        return article.text[start:end]

    seen: set[int] = set()
    for claim in events:
        index = _index(claim.get("index"), len(found.events))
        if index is None or index in seen:
            errors.add(f"events.{claim.get('index')}", "is not one of the article's suggestions")
            continue
        seen.add(index)
        data: dict[str, Any] = {key: claim[key] for key in EDITABLE if key in claim}
        data["evidence"] = [{"article_id": article.id, "quote": quote(found.events[index])}]
        party = data.get("party")
        if isinstance(party, str) and party.strip() and party.strip().upper() not in members:
            errors.add(
                f"events.{index}.party",
                f"{party.strip()} is not a party of this agreement: tick it under Parties "
                "to add it, or choose another",
            )
        try:
            record_event(session, agreement_id, data, actor=actor)
        except InvalidInput as exc:
            for field, messages in exc.errors.items():
                for message in messages:
                    errors.add(f"events.{index}.{field}", message)
        else:
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

    def evidence(item: dict[str, Any]) -> list[dict[str, Any]]:
        return [{"article_id": article.id, "quote": quote(item)}]

    for prefix, suggested, claims, record, editable in (
        ("relations", found.relations, relations, record_relation, RELATION_EDITABLE),
        (
            "declarations",
            found.declarations,
            declarations,
            record_declaration,
            DECLARATION_EDITABLE,
        ),
    ):
        seen = set()
        for claim in claims:
            index = _index(claim.get("index"), len(suggested))
            if index is None or index in seen:
                errors.add(
                    f"{prefix}.{claim.get('index')}", "is not one of the article's suggestions"
                )
                continue
            seen.add(index)
            data = {key: claim[key] for key in editable if key in claim}
            data["evidence"] = evidence(suggested[index])
            if prefix == "declarations":
                text = data.get("text")
                if not isinstance(text, str) or not text.strip():
                    data["text"] = quote(suggested[index])
                    if found.language:
                        data["language"] = found.language
            try:
                record(session, agreement_id, data, actor=actor)
            except InvalidInput as exc:
                for name, messages in exc.errors.items():
                    for message in messages:
                        errors.add(f"{prefix}.{index}.{name}", message)
            else:
                made[prefix] += 1
    errors.raise_if_any()  # the transaction is rolled back: nothing of this is kept
    return made


# What the researcher may change in a suggested claim before accepting it.
EDITABLE = ("stage", "step", "consent_type", "party", "body", "date", "status")
RELATION_EDITABLE = ("type", "target_id", "date")
DECLARATION_EDITABLE = ("kind", "party", "made_at", "objects_to", "date", "text")
