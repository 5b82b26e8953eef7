"""Which agreement a story is about: ranked suggestions with their reasons."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session


@dataclass
class Match:
    """`on_topic` false sends the story to the "not about agreements" pile."""

    on_topic: bool
    suggestions: list[dict[str, Any]] = field(default_factory=list)
    reasons: list[dict[str, str]] = field(default_factory=list)


def match(
    session: Session,
    *,
    text: str,
    title: str,
    language: str | None,
    published: str | None,
    extracted: dict[str, Any] | None,
) -> Match:
    """Suggestions for a story, best first (at most five)."""
    found = extracted or {}
    return Match(on_topic=bool(found.get("events") or found.get("parties")))
