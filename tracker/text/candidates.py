"""Which agreement a relation found in a text speaks of: given agreements ranked against what
the text says of the other one (tracker.text.relations' `target_hint`: its year, its kind, its
words) and the parties they share with the agreement reported. Pure: the candidates come in
from the database (tracker.services.evidence.extraction)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tracker.text.normalise import normalise

_WORD = re.compile(r"\w+(?:-\w+)*")


@dataclass(frozen=True)
class Candidate:
    """An agreement that a relation's other end may be."""

    id: int
    title: str
    titles: Mapping[str, str] = field(default_factory=dict)
    parties: Sequence[str] = ()
    signed_year: int | None = None
    kind: str | None = None


# Words too common in titles to tell one from another (and a description's dangling end).
TITLE_STOPS = frozenset(
    normalise(w)
    for w in (
        "the of and on in between a an to for with об о и между в на по с the بین و به از در "
        "با برای میان في بين و على من الى مع"
    ).split()
)
_YEAR_SCORE = 3.0
_NEAR_YEAR_SCORE = 1.0  # a Solar Hijri year read as its Gregorian one may be off by one
_OTHER_YEAR = -2.0
_PARTIES_SCORE = 2.0
_SAME_PARTIES = 0.5
_KIND_SCORE = 1.0
_WORD_SCORE = 0.5
_WORDS_AT_MOST = 2.0
_STEM = 5  # letters two words must share to be one word in two grammatical cases


def _title_words(text: str) -> set[str]:
    return {
        w[:_STEM] if len(w) > _STEM else w
        for w in _WORD.findall(normalise(text))
        if w not in TITLE_STOPS and not w.isdigit() and len(w) > 1
    }


def rank_candidates(
    hint: Mapping[str, Any], agreements: Iterable[Candidate], *, parties: Iterable[str] = ()
) -> list[tuple[Candidate, float]]:
    """`agreements` with a score for being the one `hint` (a relation's target_hint) speaks
    of, best first (ties by id): its year of signature, or a year in its title, against the
    hint's year; the parties it shares with `parties` (those of the agreement reported); its
    kind against the hint's; the words of its titles (in any language) against the hint's.
    """
    year = hint.get("year")
    kind = hint.get("kind")
    wanted = _title_words(str(hint.get("words") or ""))
    ours = set(parties)
    ranked = []
    for agreement in agreements:
        titles = [agreement.title, *agreement.titles.values()]
        score = 0.0
        if year is not None:
            in_title = any(str(year) in t for t in titles)
            if agreement.signed_year == year or in_title:
                score += _YEAR_SCORE
            elif agreement.signed_year is not None and abs(agreement.signed_year - year) == 1:
                score += _NEAR_YEAR_SCORE
            elif agreement.signed_year is not None:
                score += _OTHER_YEAR
        if ours:
            shared = ours & set(agreement.parties)
            score += _PARTIES_SCORE * len(shared) / len(ours)
            if shared and set(agreement.parties) == ours:
                score += _SAME_PARTIES
        if kind is not None and agreement.kind == kind:
            score += _KIND_SCORE
        if wanted:
            have: set[str] = set()
            for title in titles:
                have |= _title_words(title)
            score += min(_WORDS_AT_MOST, _WORD_SCORE * len(wanted & have))
        ranked.append((agreement, round(score, 2)))
    ranked.sort(key=lambda pair: (-pair[1], pair[0].id))
    return ranked
