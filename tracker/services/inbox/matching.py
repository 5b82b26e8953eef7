"""Which agreement a story is about: ranked suggestions with their reasons.

Candidates come from two bounded queries: the agreements sharing a party the story names (the
extractor's party codes and the headline's), and those whose titles hold the story's rarer
words (the full-text index). Each candidate is scored from five signals, each 0..1:

- parties (P): how many of the agreement's parties the story names; for two parties the share
  named, for more `0.5 * min(1, named / 2) + 0.5 * named / all`; halved when the story is
  about another pair (its headline's states when it names two, else the one it names with
  those the story names twice, hold one that is not a party and fewer than two that are);
- title (T): distinct title words (any of its titles, any language; stop words and the words
  of party names out; compared by their first letters, so that inflected forms meet) the
  story holds: `min(1, words / 3)`;
- topic (K): 1 when the story names one of the agreement's topics (lexicons/matching.json);
- stage fits (S): what the story reports (the extractor's events) against the agreement's own
  record: 1 when it fits what the agreement awaits or repeats a recorded event of those days,
  0 for a signing reported long after the recorded one, 0.2 for a ratification or entry into
  force of an agreement in force, 0.5 when the story reports no stage;
- reminder (R): 1 when an open reminder of the agreement waits for the stage (and party) the
  story reports.

    score = 0.35 P + 0.30 T + 0.10 K + 0.15 S + 0.10 R

A story is on topic when it has an agreement cue (a word for a treaty or an agreement, not in
the sentence of a football transfer, a contract or an oil output cut, nor denied) or, without
one, when it reports a stage and names an agreement by two words of its title. The lexicons
hold the four languages together: a story is read whole whatever its language. docs/inbox.md
gives the thresholds and how they were chosen.

One module: the signals, their weights and the thresholds are tuned together against the
labelled sets (docs/inbox.md); apart, one would be changed without the others in view.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from tracker.models import Agreement, AgreementParty, Party, StageEvent
from tracker.models.agreement import AgreementState, AgreementTopic
from tracker.models.reminder import Reminder
from tracker.models.vocab import HAPPENED, AgreementStatus, PartyKind, ReminderStatus, Stage
from tracker.services.evidence.extraction import party_matcher
from tracker.text.extract import Text, lexicon
from tracker.text.normalise import normalise

# At most this many agreements are read from each candidate query.
PARTY_CANDIDATES = 200
TITLE_CANDIDATES = 50
# The story words (the longest first) the title query looks for.
TITLE_QUERY_WORDS = 24
# A shorter stem would find most titles: it is left to the scoring.
QUERY_STEM = 4
SUGGESTIONS = 5

WEIGHTS = {"parties": 0.35, "title": 0.30, "topic": 0.10, "stage_fits": 0.15, "reminder": 0.10}
# A known agreement at or above MATCH is suggested before a new agreement; below ABSTAIN no
# known agreement is suggested at all.
MATCH = 0.5
ABSTAIN = 0.3
# An event the extractor reports with at least this confidence counts as the story's stage.
EVENT_CONFIDENCE = 0.6
# A recorded event within this many days of the story's publication is "the same event".
SAME_DAYS = 10
# A signing reported more than this many days after the agreement's own signing does not fit.
LATE_DAYS = 180
# Without an agreement cue, a story is on topic when it reports a stage and its best
# candidate scores MATCH with at least this title signal (two title words of three).
FALLBACK_TITLE = 0.66
# A story with this many distinct words of clubs, players and contracts has no weak cue.
SPORT_WORDS = 2
IN_FORCE = (AgreementStatus.IN_FORCE.value, AgreementStatus.SUSPENDED.value)
# A stage signal this low says the story reports a step the agreement is past.
MISFIT = 0.2
STEM = 6
TITLE_WORDS_FULL = 3
NEW_TITLE = 120

_WORD = re.compile(r"\w[\w-]*")
_ARABIC = re.compile(r"[\u0600-\u06ff]")
_ARABIC_PREFIXES = ("وال", "بال", "فال", "لل", "ال", "و")


@dataclass
class Match:
    """`on_topic` false sends the story to the "not about agreements" pile."""

    on_topic: bool
    suggestions: list[dict[str, Any]] = field(default_factory=list)
    reasons: list[dict[str, str]] = field(default_factory=list)


# --- the lexicon ---------------------------------------------------------------------------


def _phrase(entry: str) -> str:
    folded = normalise(entry)
    prefix = r"(?:[وفبل]?(?:ال|لل)?)" if _ARABIC.search(folded) else ""
    parts = []
    for word in folded.split(" "):
        if word.endswith("*"):
            parts.append(re.escape(word[:-1]) + r"[\w-]*")
        else:
            parts.append(re.escape(word))
    return r"(?<!\w)" + prefix + r"\s+".join(parts) + r"(?!\w)"


def _compile(entries: Iterable[str]) -> re.Pattern[str] | None:
    patterns = [_phrase(e) for e in entries if e.strip()]
    return re.compile("|".join(patterns)) if patterns else None


@cache
def _words() -> dict[str, Any]:
    data = lexicon("matching")

    def every(by_language: dict[str, list[str]]) -> re.Pattern[str] | None:
        return _compile(w for words in by_language.values() for w in words)

    return {
        "strong": every(data["cues"]["strong"]),
        "weak": every(data["cues"]["weak"]),
        "not_treaty": every(data["not_treaty"]),
        "other_deals": every(data["other_deals"]),
        "negations": every(data["negations"]),
        "kinds": {kind: every(words) for kind, words in data["kinds"].items()},
        "topics": {topic: every(words) for topic, words in data["topics"].items()},
        "stop": {_stem(normalise(w)) for words in data["stop_words"].values() for w in words},
    }


def _stem(word: str) -> str:
    if _ARABIC.match(word):
        for prefix in _ARABIC_PREFIXES:
            if word.startswith(prefix) and len(word) - len(prefix) >= 3:
                word = word[len(prefix) :]
                break
    return word[:STEM]


def _stems(folded: str) -> set[str]:
    stop = _words()["stop"]
    out = set()
    for word in _WORD.findall(folded):
        if len(word) < 4 or word.isdigit():
            continue
        stem = _stem(word)
        if stem not in stop and len(stem) >= 3:
            out.add(stem)
    return out


# --- reading the story ---------------------------------------------------------------------


@dataclass
class Story:
    folded: str
    title: str
    published: date | None
    parties: list[str]  # codes, most named first
    title_parties: set[str]
    # whom the story is about: the headline's parties when it names two, else those named twice
    main_parties: set[str]
    events: list[dict[str, Any]]  # confident ones
    cue: str | None  # the cue word as written (normalised)
    strong_cue: bool
    kind: str
    stems: set[str]
    topics: set[str]


def _sentences(folded: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?؟;\n])\s+|\n+", folded) if s.strip()]


def _cue(folded: str) -> tuple[str | None, bool]:
    """The first treaty cue of the text not in a sentence of another kind of deal, and whether
    it is a strong one."""
    words = _words()
    found: tuple[str | None, bool] = (None, False)
    for sentence in _sentences(folded):
        if words["not_treaty"] and words["not_treaty"].search(sentence):
            continue
        if words["negations"] and words["negations"].search(sentence):
            continue
        strong = words["strong"].search(sentence) if words["strong"] else None
        if strong:
            return strong.group(0), True
        weak = words["weak"].search(sentence) if words["weak"] else None
        if weak and words["other_deals"] and words["other_deals"].search(sentence):
            weak = None
        if weak and found[0] is None:
            found = (weak.group(0), False)
    if found[0] is not None and words["not_treaty"] is not None:
        # a weak cue in a story of clubs and players ("the two sides reached agreement") is
        # a deal of that kind too
        kinds = {m.group(0) for m in words["not_treaty"].finditer(folded)}
        if len(kinds) >= SPORT_WORDS:
            return None, False
    return found


def _kind(folded: str) -> str:
    for kind, pattern in _words()["kinds"].items():
        if pattern is not None and pattern.search(folded):
            return kind
    return "agreement"


def _day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def read_story(
    *,
    text: str,
    title: str,
    published: str | None,
    extracted: dict[str, Any],
    title_parties: Iterable[str] = (),
) -> Story:
    """What matching reads in a story; `title_parties`, the codes of the parties its headline
    names (the extractor may have read the text without it)."""
    title_parties = list(title_parties)
    folded = normalise(f"{title}\n{text}")
    counts: Counter[str] = Counter()
    first: dict[str, int] = {}
    for n, party in enumerate(extracted.get("parties") or []):
        code = party.get("code")
        if not code:
            continue
        counts[code] += 1
        first.setdefault(code, n)
    parties = sorted(counts, key=lambda c: (-counts[c], first[c]))
    headline = set(title_parties)
    parties += [code for code in dict.fromkeys(title_parties) if code not in counts]
    events = [
        e
        for e in extracted.get("events") or []
        if (e.get("confidence") or 0) >= EVENT_CONFIDENCE and e.get("stage")
    ]
    # the words of the party names are the parties signal's, not the title's
    named = {
        _stem(word)
        for p in extracted.get("parties") or []
        for word in _WORD.findall(normalise(p.get("text") or ""))
    }
    cue, strong = _cue(folded)
    topics = {
        topic
        for topic, pattern in _words()["topics"].items()
        if pattern is not None and pattern.search(folded)
    }
    return Story(
        folded=folded,
        title=(title or "").strip(),
        published=_day(published),
        parties=parties,
        title_parties=headline,
        # the headline's two (or more) states; else the one it names with those named twice
        main_parties=(
            headline if len(headline) >= 2 else headline | {c for c in counts if counts[c] >= 2}
        ),
        events=events,
        cue=cue,
        strong_cue=strong,
        kind=_kind(folded),
        stems=_stems(folded) - named,
        topics=topics,
    )


# --- candidates ----------------------------------------------------------------------------


def _party_candidates(session: Session, codes: Sequence[str]) -> list[int]:
    if not codes:
        return []
    rows = session.execute(
        select(AgreementParty.agreement_id)
        .join(Agreement, Agreement.id == AgreementParty.agreement_id)
        .where(AgreementParty.party_code.in_(list(codes)), Agreement.deleted_at.is_(None))
        .group_by(AgreementParty.agreement_id)
        .order_by(func.count().desc(), AgreementParty.agreement_id.desc())
        .limit(PARTY_CANDIDATES)
    )
    return [row[0] for row in rows]


def _query_words(story: Story) -> list[str]:
    """The story's words for the title query: not stop words nor words of party names (the
    party query's), the longest first."""
    words = {
        w
        for w in _WORD.findall(story.folded)
        if len(w) >= 5 and "-" not in w and _stem(w) in story.stems
    }
    return sorted(words, key=lambda w: (-len(w), w))[:TITLE_QUERY_WORDS]


def _title_candidates(session: Session, story: Story) -> list[int]:
    # each word's stem, and for an Arabic word with its article the word's own start too: the
    # index holds titles' words as written (الاستراتيجية)
    words = list(
        dict.fromkeys(
            t for w in _query_words(story) for t in (_stem(w), w[:STEM]) if len(t) >= QUERY_STEM
        )
    )
    if not words:
        return []
    if session.get_bind().dialect.name == "sqlite":
        query = " OR ".join(f'"{w}"*' for w in words)
        rows = session.execute(
            text(
                "SELECT rowid FROM agreement_fts WHERE agreement_fts MATCH :q "
                "ORDER BY rank LIMIT :limit"
            ),
            {"q": query, "limit": TITLE_CANDIDATES},
        )
    else:
        query = " | ".join(f"{w}:*" for w in words)
        rows = session.execute(
            text(
                "SELECT id FROM agreement WHERE deleted_at IS NULL AND search_vector @@ "
                "to_tsquery('simple', :q) ORDER BY ts_rank(search_vector, "
                "to_tsquery('simple', :q)) DESC, id DESC LIMIT :limit"
            ),
            {"q": query, "limit": TITLE_CANDIDATES},
        )
    return [row[0] for row in rows]


@dataclass
class Candidate:
    id: int
    title: str
    titles: dict[str, str]
    parties: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    events: list[StageEvent] = field(default_factory=list)
    reminders: list[Reminder] = field(default_factory=list)
    status: str | None = None  # the lifecycle's base status (agreement_state)


def candidates(session: Session, story: Story) -> list[Candidate]:
    """The agreements the story may be about, with what scoring reads: a fixed number of
    queries, each bounded, whatever the number of agreements."""
    ids = list(dict.fromkeys(_party_candidates(session, story.parties)))
    ids += [i for i in _title_candidates(session, story) if i not in set(ids)]
    if not ids:
        return []
    found: dict[int, Candidate] = {}
    for ident, title, titles in session.execute(
        select(Agreement.id, Agreement.title, Agreement.titles).where(
            Agreement.id.in_(ids), Agreement.deleted_at.is_(None)
        )
    ):
        found[ident] = Candidate(ident, title, dict(titles or {}))
    for ident, code in session.execute(
        select(AgreementParty.agreement_id, AgreementParty.party_code)
        .where(AgreementParty.agreement_id.in_(found))
        .order_by(AgreementParty.agreement_id, AgreementParty.position)
    ):
        found[ident].parties.append(code)
    for ident, topic in session.execute(
        select(AgreementTopic.agreement_id, AgreementTopic.topic).where(
            AgreementTopic.agreement_id.in_(found)
        )
    ):
        found[ident].topics.append(topic)
    for event in session.scalars(
        select(StageEvent)
        .where(StageEvent.agreement_id.in_(found), StageEvent.deleted_at.is_(None))
        .order_by(StageEvent.id)
    ):
        found[event.agreement_id].events.append(event)
    for reminder in session.scalars(
        select(Reminder).where(
            Reminder.agreement_id.in_(found), Reminder.status == ReminderStatus.OPEN.value
        )
    ):
        found[reminder.agreement_id].reminders.append(reminder)
    for ident, status in session.execute(
        select(AgreementState.agreement_id, AgreementState.base_status).where(
            AgreementState.agreement_id.in_(found)
        )
    ):
        found[ident].status = status
    return [found[i] for i in ids if i in found]


# --- scoring -------------------------------------------------------------------------------


def _reason(code: str, message: str) -> dict[str, str]:
    return {"code": code, "text": message}


def _parties(story: Story, c: Candidate) -> tuple[float, dict[str, str] | None]:
    named = [p for p in c.parties if p in story.parties]
    if not named or not c.parties:
        return 0.0, None
    whole = len(c.parties)
    if whole <= 2:
        value = len(named) / whole
    else:
        value = 0.5 * min(1.0, len(named) / 2) + 0.5 * len(named) / whole
    codes = ", ".join(named)
    # a story about another pair: "Iran and Venezuela sign..." is not about Russia and Iran
    outside = sorted(story.main_parties - set(c.parties))
    if _other_pair(story, c):
        value *= 0.5
        codes += f"; it is about {', '.join(outside)} too, not a party"
    if whole == 2 and len(named) == 2:
        message = f"names both parties ({codes})"
    elif whole == 1 or len(named) == whole:
        message = f"names its parties ({codes})"
    else:
        message = f"names {len(named)} of {whole} parties ({codes})"
    return value, _reason("parties", message)


def _other_pair(story: Story, c: Candidate) -> bool:
    """Whether the story is about states of which the agreement holds fewer than two (all of
    its parties, when it has fewer) and one that is not its party."""
    outside = story.main_parties - set(c.parties)
    return bool(outside) and len(story.main_parties & set(c.parties)) < min(2, len(c.parties))


def _title(story: Story, c: Candidate) -> tuple[float, dict[str, str] | None]:
    best: list[str] = []
    for title in [c.title, *c.titles.values()]:
        if not title:
            continue
        words: dict[str, str] = {}
        for word in _WORD.findall(normalise(title)):
            stem = _stem(word)
            if len(word) >= 4 and stem in story.stems and stem not in words:
                words[stem] = word
        if len(words) > len(best):
            best = list(words.values())
    if not best:
        return 0.0, None
    value = min(1.0, len(best) / TITLE_WORDS_FULL)
    return value, _reason("title", "title words: " + ", ".join(best))


def _topic(story: Story, c: Candidate) -> tuple[float, dict[str, str] | None]:
    named = [t for t in c.topics if t in story.topics]
    if not named:
        return 0.0, None
    return 1.0, _reason("topic", "its topics named: " + ", ".join(named))


def _happened(events: Iterable[StageEvent], stage: str) -> list[StageEvent]:
    statuses = {s.value for s in HAPPENED}
    return [e for e in events if e.stage == stage and e.status in statuses]


def _near(event: StageEvent, day: date | None) -> bool:
    if day is None or event.date_earliest is None:
        return False
    latest = event.date_latest or event.date_earliest
    return (event.date_earliest - day).days <= SAME_DAYS and (day - latest).days <= SAME_DAYS


def _by(event: StageEvent, day: date | None) -> bool:
    """Whether a recorded event had happened by `day` (give or take SAME_DAYS)."""
    if day is None or event.date_earliest is None:
        return True
    return (event.date_earliest - day).days <= SAME_DAYS


def _fit(story: Story, c: Candidate, event: dict[str, Any]) -> tuple[float, str]:
    """How one reported stage fits the agreement's record: (0..1, why in words)."""
    stage, status = event["stage"], event.get("status") or "reported"
    day = story.published
    label = stage.replace("_", " ")
    same = [e for e in c.events if e.stage == stage and _near(e, day)]
    if same:
        return 1.0, f"reports the {label} on record for those days"
    # the record as it stood when the story was published (an undated claim counts)
    known = [e for e in c.events if _by(e, day)]
    signed = _happened(known, Stage.SIGNING.value)
    in_force: list[Any] = _happened(known, Stage.ENTRY_INTO_FORCE.value)
    if not in_force and not _happened(c.events, Stage.ENTRY_INTO_FORCE.value):
        # in force by its rule, with no entry into force claimed: the lifecycle says so
        in_force = [c.status] if c.status in IN_FORCE else []
    exits = [
        e
        for s in (Stage.SUSPENSION, Stage.WITHDRAWAL, Stage.TERMINATION)
        for e in _happened(known, s.value)
    ]
    if stage in (Stage.ANNOUNCEMENT.value, Stage.PREPARATION.value, Stage.ADOPTION.value):
        return (
            (1.0, f"reports {label}; not signed yet")
            if not signed
            else (0.2, f"reports {label}; signed already")
        )
    if stage == Stage.SIGNING.value:
        if not signed:
            return 1.0, "reports a signing; the agreement awaits it"
        last = max(
            (e.date_latest or e.date_earliest for e in signed if e.date_earliest), default=None
        )
        if day is not None and last is not None and (day - last).days > LATE_DAYS:
            if status == "reported":
                return 0.0, f"reports a signing; it was signed in {last.year}"
            return 0.3, f"expects a signing; it was signed in {last.year}"
        return 0.6, "reports a signing; its signing is on record"
    if stage == Stage.RATIFICATION.value:
        if in_force:
            return 0.2, "reports a ratification; in force already"
        if signed:
            return 1.0, "reports a ratification; signed, not yet in force"
        return 0.5, "reports a ratification"
    if stage == Stage.ENTRY_INTO_FORCE.value:
        if in_force:
            return 0.2, "reports the entry into force; in force already"
        if signed:
            return 1.0, "reports the entry into force; signed, not yet in force"
        return 0.5, "reports the entry into force"
    if stage in (Stage.SUSPENSION.value, Stage.WITHDRAWAL.value, Stage.TERMINATION.value):
        if in_force and not exits:
            return 1.0, f"reports a {label}; in force"
        if exits:
            return 0.6, f"reports a {label}; an exit is on record"
        return 0.2, f"reports a {label}; not in force"
    if stage == Stage.RESUMPTION.value:
        return (
            (1.0, "reports a resumption; suspended")
            if exits
            else (0.3, "reports a resumption; not suspended")
        )
    return 0.5, label


def _stage(story: Story, c: Candidate) -> tuple[float, dict[str, str] | None]:
    if not story.events:
        return 0.5, None
    best = max((_fit(story, c, e) for e in story.events), key=lambda f: f[0])
    if best[0] >= 0.6:
        return best[0], _reason("stage_fits", best[1])
    if best[0] <= 0.2:
        return best[0], _reason("stage_misfit", best[1])
    return best[0], None


def _reminder(story: Story, c: Candidate) -> tuple[float, dict[str, str] | None]:
    for reminder in c.reminders:
        for event in story.events:
            if reminder.stage and reminder.stage != event["stage"]:
                continue
            if reminder.party_code and reminder.party_code not in (
                {event.get("party")} | set(story.parties)
            ):
                continue
            if not reminder.stage:
                continue
            what = reminder.stage.replace("_", " ")
            if reminder.party_code:
                what += f" by {reminder.party_code}"
            return 1.0, _reason("reminder", f"an open reminder waits for its {what}")
    return 0.0, None


SIGNALS = (
    ("parties", _parties),
    ("title", _title),
    ("topic", _topic),
    ("stage_fits", _stage),
    ("reminder", _reminder),
)


def score(story: Story, c: Candidate) -> tuple[float, list[dict[str, str]], dict[str, float]]:
    values: dict[str, float] = {}
    reasons: list[dict[str, str]] = []
    for name, signal in SIGNALS:
        value, reason = signal(story, c)
        values[name] = value
        if reason is not None:
            reasons.append(reason)
    total = sum(WEIGHTS[name] * value for name, value in values.items())
    return round(min(1.0, max(0.0, total)), 3), reasons, values


# --- the answer ----------------------------------------------------------------------------


def _new_agreement(story: Story, parties: list[str]) -> dict[str, Any]:
    title = story.title
    if len(title) > NEW_TITLE:
        title = title[:NEW_TITLE].rsplit(" ", 1)[0] + "…"
    if not title:
        title = f"Agreement between {' and '.join(parties)}"
    return {"title": title, "parties": parties, "kind": story.kind}


def _states(session: Session, story: Story) -> list[str]:
    """The states the story names, most named first (organisations out)."""
    states = set(
        session.scalars(
            select(Party.code).where(
                Party.code.in_(story.parties), Party.kind == PartyKind.STATE.value
            )
        )
    )
    return [p for p in story.parties if p in states]


def _new_parties(story: Story, states: list[str]) -> list[str]:
    """The states a new agreement would be between: those of the headline, then the most
    named, two at least when the story names two, at most four."""
    chosen = [p for p in states if p in story.title_parties]
    rest = [p for p in states if p not in chosen]
    chosen += rest[: max(0, 2 - len(chosen))]
    return chosen[:4]


def _unmatched(story: Story, parties: list[str], ranked: list[tuple[Any, ...]]) -> bool:
    """Whether the states a story names make a new agreement. Not when the best agreement is
    named by its title in full, scores MATCH and is between the states the story is about
    (two treaties of one name, Russia's with Iran and with North Korea, are told apart by
    their parties); else when no agreement suggested is between
    two of them (all of its parties, when it has fewer); else only when the story reports a
    stage that does not fit the first agreement between them (a signing of partners whose
    agreement was signed years ago) and names at most one of its title words."""
    if (
        ranked
        and ranked[0][0] >= MATCH
        and ranked[0][3]["title"] >= 1.0
        and not _other_pair(story, ranked[0][4])
    ):
        return False
    between = [
        (values, candidate)
        for value, _, _, values, candidate in ranked
        if value >= ABSTAIN
        and len(set(parties) & set(candidate.parties)) >= min(2, len(candidate.parties))
    ]
    if not between:
        return True
    values, _ = between[0]
    return values["stage_fits"] <= MISFIT and values["title"] < FALLBACK_TITLE


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
    story = read_story(
        text=text or "",
        title=title or "",
        published=published,
        extracted=extracted or {},
        title_parties=[s.value for s in party_matcher(session).find(Text(title or ""))],
    )
    reasons: list[dict[str, str]] = []
    if story.cue:
        reasons.append(_reason("cue", f"agreement word: {story.cue}"))
    else:
        reasons.append(_reason("no_cue", "no word for a treaty or an agreement"))
    ranked = []
    for c in candidates(session, story):
        value, why, parts = score(story, c)
        ranked.append((value, c.id, why, parts, c))
    ranked.sort(key=lambda r: (-r[0], r[1]))
    known = [
        {"agreement_id": ident, "new_agreement": None, "score": value, "reasons": why}
        for value, ident, why, _, _ in ranked
        if value >= ABSTAIN
    ]
    on_topic = story.cue is not None
    if on_topic and not story.strong_cue and not story.parties and not known:
        # "a deal", "reached agreement" with no state named and nothing on record: a deal of
        # another kind (companies, unions)
        on_topic = False
        reasons = [_reason("no_cue", "a word for a deal, with no state or agreement named")]
    if not on_topic and story.events and ranked:
        best = ranked[0]
        if best[3]["title"] >= FALLBACK_TITLE and best[0] >= MATCH:
            on_topic = True
            reasons.append(_reason("stage", "reports a stage of an agreement named by its title"))
    if not on_topic:
        return Match(on_topic=False, suggestions=[], reasons=reasons)
    suggestions = known
    states = _states(session, story)
    new_parties = _new_parties(story, states)
    # whether a known agreement is between the story's states: those of its headline when
    # it names two, else every state it names
    headline = [p for p in states if p in story.title_parties]
    if len(new_parties) >= 2 and _unmatched(
        story, headline if len(headline) >= 2 else states, ranked
    ):
        # MATCH, more when the headline names them, and never below a known one it goes before
        value = min(0.9, MATCH + 0.1 * len(story.title_parties & set(new_parties)))
        if known:
            value = max(value, min(1.0, known[0]["score"] + 0.01))
        names = ", ".join(new_parties)
        new = {
            "agreement_id": None,
            "new_agreement": _new_agreement(story, new_parties),
            "score": value,
            "reasons": [
                _reason("new_agreement", f"names {names} and an agreement word; matches none"),
            ],
        }
        suggestions = [new, *known]
    return Match(on_topic=True, suggestions=suggestions[:SUGGESTIONS], reasons=reasons)
