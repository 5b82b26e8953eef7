"""Weekly digests: what moved, what is due and what stalled, one per subscriber per ISO week
in the subscriber's own time zone.

Built for many subscribers at once: what every time zone reads alike (the agreements' states,
the new articles) is read once per week, the rest of the week's facts once per time zone in
use (a constant number of queries each); each subscriber's digest is cut from those in Python,
and subscribers whose digests are bound to be identical share one cut and one rendering.
Sending is exactly-once in practice: the (subscriber, week) row is claimed before anything is
sent, and a sender takes a claimed-but-unsent row only when no other sender has it.

One module, longer than most: gathering, cutting, rendering and sending are one pipeline
whose steps pass the same facts along.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from tracker.db import begin_write, utcnow
from tracker.models import (
    Agreement,
    AgreementParty,
    AgreementRelation,
    AgreementState,
    AgreementTopic,
    Declaration,
    Digest,
    EvidenceArticle,
    EvidenceLink,
    PrincipleStatement,
    Reminder,
    StageEvent,
    User,
)
from tracker.models.vocab import DigestMode, ReminderStatus, Step
from tracker.services.agreements.lifecycle import STALLED_AFTER_DAYS, status_on
from tracker.services.claims.relations import sentence as relation_sentence
from tracker.services.errors import InvalidInput
from tracker.services.inbox import items as inbox_items
from tracker.services.infra.mail import MailError, MailSettings, message, send
from tracker.text.dates import MAX_YEAR, MIN_YEAR

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
SECTIONS = (
    "events",
    "relations",
    "declarations",
    "evidence",
    "conflicts",
    "reminders",
    "stalled",
    "upcoming",
)
# At most this many items of a section go into a digest; the rest are counted.
SHOWN = 50
TITLES = {
    "events": "Stage events recorded or dated this week",
    "relations": "Relations between agreements recorded this week",
    "declarations": "Reservations, declarations and objections recorded or withdrawn this week",
    "evidence": "New evidence",
    "conflicts": "Conflicts opened",
    "reminders": "Reminders due this week and overdue",
    "stalled": "Agreements that stalled this week",
    "upcoming": "Expected in the next four weeks",
}
# A claim older than this whose digest is still unsent was left by a sender that died.
CLAIM_TIMEOUT = timedelta(minutes=15)


def parse_week(text: str) -> tuple[int, int]:
    """'2025-W16' -> (2025, 16); raise InvalidInput naming `week` otherwise."""
    match = _WEEK.match((text or "").strip())
    if match and MIN_YEAR <= int(match[1]) <= MAX_YEAR:
        year, week = int(match[1]), int(match[2])
        try:
            date.fromisocalendar(year, week, 1)
            return year, week
        except ValueError:
            pass
    raise InvalidInput(
        {
            "week": f"{text!r} is not an ISO week such as 2025-W16 "
            f"(weeks 01-52 or 53, years {MIN_YEAR} to {MAX_YEAR})"
        }
    )


def week_label(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def last_complete_week(now: datetime, tz: str) -> str:
    """The ISO week that ended most recently in the time zone `tz` at instant `now`."""
    local = now.astimezone(ZoneInfo(tz)).date()
    return week_label(local - timedelta(days=7))


@dataclass(frozen=True)
class Window:
    week: str
    tz: str
    first_day: date  # Monday, local
    last_day: date  # Sunday, local
    start: datetime  # UTC instants of local Monday 00:00 and the next Monday 00:00
    end: datetime

    @classmethod
    def of(cls, week: str, tz: str) -> Window:
        year, number = parse_week(week)
        monday = date.fromisocalendar(year, number, 1)
        zone = ZoneInfo(tz)
        start = datetime.combine(monday, time(0), zone).astimezone(UTC)
        end = datetime.combine(monday + timedelta(days=7), time(0), zone).astimezone(UTC)
        return cls(week, tz, monday, monday + timedelta(days=6), start, end)


@dataclass
class WeekFacts:
    """The week's items for one time zone, each tagged with the agreements it concerns."""

    window: Window
    items: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))


def _agreement_titles(session: Session, ids: Iterable[int]) -> dict[int, str]:
    ids = sorted(set(ids))
    if not ids:
        return {}
    return dict(
        session.execute(select(Agreement.id, Agreement.title).where(Agreement.id.in_(ids))).all()
    )


def event_line(event: StageEvent) -> str:
    """A claim as the digest lists it: stage, step, body, place, party, date and status —
    "Ratification — lower house (State Duma), RUS, 2025-04-08, confirmed". The multilateral
    steps read in words: "Instrument of accession, PLW, …", "Revocation of ratification,
    RUS, …", "Adoption, …", "Resumption, RUS, …"."""
    what = event.stage.replace("_", " ").capitalize()
    if event.step == Step.REVOCATION:
        what = "Revocation of ratification"
    elif event.step == Step.NOTIFICATION and event.consent_type:
        what = f"Instrument of {event.consent_type.replace('_', ' ')}"
    elif event.step:
        what += f" — {event.step.replace('_', ' ')}"
    body, place = " ".join(event.body.split()), " ".join(event.place.split())
    if body:
        what += f" ({body})"
    if place:
        what += f" in {place}"
    parts = [what, event.party_code or "", event.date or "undated", event.status]
    return ", ".join(p for p in parts if p)


def declaration_line(declaration: Declaration, answers: Declaration | None) -> str:
    """A declaration as the digest lists it: "IRN made a reservation at consent, 2025-01-17",
    "RUS objected to IRN's reservation, 2026-03-01", "…, withdrawn 2026-05-04"."""
    party, kind = declaration.party_code, declaration.kind
    if answers is not None:
        said = f"{party} objected to {answers.party_code}'s {answers.kind}"
    else:
        article = "an" if kind[:1] in "aeiou" else "a"
        said = f"{party} made {article} {kind}"
        if declaration.made_at:
            said += f" at {declaration.made_at}"
    said += f", {declaration.date or 'undated'}"
    if declaration.withdrawn_on:
        said += f", withdrawn {declaration.withdrawn_on}"
    return said


def _instruments(derived: dict[str, Any], nxt: dict[str, Any]) -> str:
    """ " (60 of 60 instruments in)" after an entry into force the rule computes."""
    required = derived.get("instruments_required")
    if nxt.get("source") != "rule" or not required:
        return ""
    return f" ({derived.get('instruments_deposited', 0)} of {required} instruments in)"


@dataclass(frozen=True)
class _Article:
    id: int
    title: str | None
    opening: str  # the first 80 characters of the text
    url: str | None
    outlet: str | None
    created_at: datetime


class Shared:
    """What the digests of every time zone read alike, read once: the agreements' derived
    states (with the claims' recording times for their conflicts) and the new articles of a
    span of instants covering every window (with the agreements they back), and the stalled
    and upcoming items per week. `gather` cuts its window from these."""

    def __init__(self, session: Session, start: datetime, end: datetime) -> None:
        self.session, self.start, self.end = session, start, end
        self._states: list[Any] | None = None
        self._recorded_at: dict[int, datetime] | None = None
        self._articles: list[tuple[_Article, list[int], str]] | None = None
        self._quiet: dict[tuple[date, str], tuple[list[Any], list[Any]]] = {}

    def states(self) -> list[Any]:
        """(agreement id, derived, title) of every live agreement."""
        if self._states is None:
            self._states = self.session.execute(
                select(AgreementState.agreement_id, AgreementState.derived, Agreement.title)
                .join(Agreement, Agreement.id == AgreementState.agreement_id)
                .where(Agreement.deleted_at.is_(None))
            ).all()
        return self._states

    def recorded_at(self) -> dict[int, datetime]:
        """When each claim of a conflicted agreement was recorded."""
        if self._recorded_at is None:
            conflicted = [i for i, d, _title in self.states() if d["conflicts"]]
            self._recorded_at = (
                dict(
                    self.session.execute(
                        select(StageEvent.id, StageEvent.created_at).where(
                            StageEvent.agreement_id.in_(conflicted)
                        )
                    ).all()
                )
                if conflicted
                else {}
            )
        return self._recorded_at

    def articles(self) -> list[tuple[_Article, list[int], str]]:
        """(article, the agreements it backs, their titles) for the articles recorded in the
        span, in the order they were recorded (by id)."""
        if self._articles is not None:
            return self._articles
        session = self.session
        articles = [
            _Article(*row)
            for row in session.execute(
                select(
                    EvidenceArticle.id,
                    EvidenceArticle.title,
                    func.substr(EvidenceArticle.text, 1, 80),
                    EvidenceArticle.url,
                    EvidenceArticle.outlet,
                    EvidenceArticle.created_at,
                )
                .where(
                    EvidenceArticle.deleted_at.is_(None),
                    EvidenceArticle.created_at >= self.start,
                    EvidenceArticle.created_at < self.end,
                )
                .order_by(EvidenceArticle.id)
            )
        ]
        backs: dict[int, set[int]] = defaultdict(set)
        if articles:
            ids = [a.id for a in articles]
            for article_id, *agreement_ids in session.execute(
                select(
                    EvidenceLink.article_id,
                    StageEvent.agreement_id,
                    PrincipleStatement.agreement_id,
                    EvidenceLink.agreement_id,
                    AgreementRelation.subject_id,
                    Declaration.agreement_id,
                )
                .outerjoin(StageEvent, StageEvent.id == EvidenceLink.event_id)
                .outerjoin(PrincipleStatement, PrincipleStatement.id == EvidenceLink.statement_id)
                .outerjoin(AgreementRelation, AgreementRelation.id == EvidenceLink.relation_id)
                .outerjoin(Declaration, Declaration.id == EvidenceLink.declaration_id)
                .where(EvidenceLink.article_id.in_(ids))
            ):
                backs[article_id].update(i for i in agreement_ids if i)
        titles = _agreement_titles(session, (i for group in backs.values() for i in group))
        self._articles = []
        for article in articles:
            concerned = sorted(backs[article.id])
            self._articles.append((article, concerned, ", ".join(titles[i] for i in concerned)))
        return self._articles

    def quiet(self, last_day: date, base_url: str) -> tuple[list[Any], list[Any]]:
        """The stalled and the upcoming items of a week ending on `last_day`."""
        key = (last_day, base_url)
        if key not in self._quiet:
            self._quiet[key] = _stalled_and_upcoming(self.states(), last_day, base_url)
        return self._quiet[key]


def _aware(instant: datetime) -> datetime:
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)


def _stalled_and_upcoming(
    states: list[Any], last_day: date, base_url: str
) -> tuple[list[Any], list[Any]]:
    stalled, upcoming = [], []
    horizon = last_day + timedelta(days=28)
    for agreement_id, derived, title in states:
        last = date.fromisoformat(derived["last_activity"]) if derived["last_activity"] else None
        if status_on(derived["base_status"], last, last_day, STALLED_AFTER_DAYS) == "stalled":
            stalled.append(
                {
                    "agreements": [agreement_id],
                    "agreement": title,
                    "text": f"nothing on record since {last}",
                    "url": f"{base_url}/agreements/{agreement_id}",
                }
            )
        nxt = derived.get("next_expected")
        if nxt and nxt.get("date"):
            first = nxt["date"].split("/")[0]
            try:
                first_day = date.fromisoformat(first[:10]) if len(first) >= 10 else None
            except ValueError:
                first_day = None
            if first_day and last_day < first_day <= horizon:
                upcoming.append(
                    {
                        "agreements": [agreement_id],
                        "agreement": title,
                        "text": f"{nxt['stage'].replace('_', ' ')} expected {nxt['date']}"
                        + _instruments(derived, nxt),
                        "url": f"{base_url}/agreements/{agreement_id}",
                    }
                )
    return stalled, upcoming


def gather(
    session: Session,
    window: Window,
    base_url: str,
    today: date | None = None,
    *,
    shared: Shared | None = None,
) -> WeekFacts:
    """Every item of the week for subscribers of `window.tz` (about ten queries; fewer for
    the second window that passes the same `shared`, whose span must cover its own)."""
    facts = WeekFacts(window)
    live = Agreement.deleted_at.is_(None)
    shared = shared or Shared(session, window.start, window.end)

    # Events recorded in the week (local) or dated in it.
    dated = and_(
        StageEvent.date_earliest <= window.last_day, StageEvent.date_latest >= window.first_day
    )
    recorded = and_(StageEvent.created_at >= window.start, StageEvent.created_at < window.end)
    events = session.execute(
        select(StageEvent, Agreement.title)
        .join(Agreement, Agreement.id == StageEvent.agreement_id)
        .where(live, StageEvent.deleted_at.is_(None), or_(dated, recorded))
        .order_by(StageEvent.date_earliest, StageEvent.id)
    ).all()
    for event, title in events:
        facts.items["events"].append(
            {
                "agreements": [event.agreement_id],
                "agreement": title,
                "text": event_line(event),
                "url": f"{base_url}/agreements/{event.agreement_id}#event-{event.id}",
            }
        )

    # Relations recorded in the week, for the watchers of either agreement.
    target = aliased(Agreement)
    for relation, subject_title, target_title in session.execute(
        select(AgreementRelation, Agreement.title, target.title)
        .join(Agreement, Agreement.id == AgreementRelation.subject_id)
        .join(target, target.id == AgreementRelation.target_id)
        .where(
            live,
            target.deleted_at.is_(None),
            AgreementRelation.deleted_at.is_(None),
            AgreementRelation.created_at >= window.start,
            AgreementRelation.created_at < window.end,
        )
        .order_by(AgreementRelation.created_at, AgreementRelation.id)
    ):
        made = relation.created_at
        made = made if made.tzinfo else made.replace(tzinfo=UTC)
        recorded_on = made.astimezone(ZoneInfo(window.tz)).date()
        what = relation_sentence(subject_title, relation.type, target_title)
        dated = f", dated {relation.date}" if relation.date else ""
        facts.items["relations"].append(
            {
                "agreements": [relation.subject_id, relation.target_id],
                "agreement": subject_title,
                "text": f"{what}{dated}, recorded {recorded_on.isoformat()}",
                "url": f"{base_url}/agreements/{relation.subject_id}#relation-{relation.id}",
            }
        )

    # Declarations recorded in the week, or withdrawn on a day of it.
    made = and_(Declaration.created_at >= window.start, Declaration.created_at < window.end)
    withdrawn = and_(
        Declaration.withdrawn_earliest >= window.first_day,
        Declaration.withdrawn_earliest <= window.last_day,
    )
    declared = session.execute(
        select(Declaration, Agreement.title)
        .join(Agreement, Agreement.id == Declaration.agreement_id)
        .where(live, Declaration.deleted_at.is_(None), or_(made, withdrawn))
        .order_by(Declaration.created_at, Declaration.id)
    ).all()
    answered = {
        d.id: d
        for d in session.scalars(
            select(Declaration).where(
                Declaration.id.in_([d.objects_to_id for d, _ in declared if d.objects_to_id])
            )
        )
    }
    for declaration, title in declared:
        facts.items["declarations"].append(
            {
                "agreements": [declaration.agreement_id],
                "agreement": title,
                "text": declaration_line(declaration, answered.get(declaration.objects_to_id)),
                "url": f"{base_url}/agreements/{declaration.agreement_id}"
                f"#declaration-{declaration.id}",
            }
        )

    # New evidence, with the agreements it backs.
    for article, concerned, titles in shared.articles():
        if not window.start <= _aware(article.created_at) < window.end:
            continue
        facts.items["evidence"].append(
            {
                "agreements": concerned,
                "agreement": titles,
                "text": f"{article.title or article.opening or article.url or 'untitled'} — "
                f"{article.outlet or 'unknown outlet'}",
                "url": f"{base_url}/agreements/{concerned[0]}"
                if concerned
                else f"{base_url}/search?q={article.id}",
            }
        )

    # Conflicts opened: a conflict whose latest claim was recorded this week.
    conflicted = {i: (title, d["conflicts"]) for i, d, title in shared.states() if d["conflicts"]}
    if conflicted:
        recorded_at = shared.recorded_at()
        for agreement_id, (title, groups) in conflicted.items():
            for group in groups:
                newest = max(recorded_at[i] for i in group if i in recorded_at)
                if window.start <= newest < window.end:
                    facts.items["conflicts"].append(
                        {
                            "agreements": [agreement_id],
                            "agreement": title,
                            "text": f"{len(group)} claims disagree "
                            f"(events {', '.join(map(str, group))})",
                            "url": f"{base_url}/agreements/{agreement_id}#event-{group[0]}",
                        }
                    )

    # Stalled as of the week's end, and expected in the four weeks after it.
    stalled, upcoming = shared.quiet(window.last_day, base_url)
    facts.items["stalled"].extend(stalled)
    facts.items["upcoming"].extend(upcoming)

    # Reminders due by the week's end that are still open (the subscriber's or nobody's).
    reminders = session.execute(
        select(Reminder, Agreement.title)
        .join(Agreement, Agreement.id == Reminder.agreement_id)
        .where(
            live,
            Reminder.status.in_([ReminderStatus.OPEN.value, ReminderStatus.SNOOZED.value]),
            Reminder.due <= window.last_day,
        )
        .order_by(Reminder.due, Reminder.id)
    ).all()
    for reminder, title in reminders:
        overdue = reminder.due < window.first_day
        facts.items["reminders"].append(
            {
                "agreements": [reminder.agreement_id],
                "agreement": title,
                "assignee": reminder.assignee_id,
                "text": f"{reminder.reason} (due {reminder.due}{', overdue' if overdue else ''})",
                "url": f"{base_url}/agreements/{reminder.agreement_id}",
            }
        )
    return facts


@dataclass(frozen=True)
class Scope:
    """What a subscriber watches: None means everything."""

    agreements: frozenset[int] | None


def scopes(session: Session, users: list[User]) -> dict[int, Scope]:
    """Each subscriber's watchlist as a set of agreement ids (at most two queries for
    everyone)."""
    watching = [u for u in users if u.digest_mode == DigestMode.WATCHLIST]
    out = {u.id: Scope(None) for u in users if u.digest_mode == DigestMode.EVERYTHING}
    if not watching:
        return out
    # Only the parties and topics some watchlist names.
    watches = [u.digest_watchlist or {} for u in watching]
    by_party: dict[str, set[int]] = defaultdict(set)
    parties = sorted({str(p) for w in watches for p in w.get("parties", [])})
    if parties:
        for agreement_id, code in session.execute(
            select(AgreementParty.agreement_id, AgreementParty.party_code).where(
                AgreementParty.party_code.in_(parties)
            )
        ):
            by_party[code].add(agreement_id)
    by_topic: dict[str, set[int]] = defaultdict(set)
    topics = sorted({str(t) for w in watches for t in w.get("topics", [])})
    if topics:
        for agreement_id, topic in session.execute(
            select(AgreementTopic.agreement_id, AgreementTopic.topic).where(
                AgreementTopic.topic.in_(topics)
            )
        ):
            by_topic[topic].add(agreement_id)
    for user in watching:
        watch = user.digest_watchlist or {}
        chosen = set(watch.get("agreements", []))
        for code in watch.get("parties", []):
            chosen |= by_party.get(code, set())
        for topic in watch.get("topics", []):
            chosen |= by_topic.get(topic, set())
        out[user.id] = Scope(frozenset(chosen))
    return out


def sections_for(facts: WeekFacts, user: User, scope: Scope) -> dict[str, list[dict[str, Any]]]:
    watched = scope.agreements
    out: dict[str, Any] = {}
    totals: dict[str, int] = {}
    for name in SECTIONS:
        items = facts.items.get(name, [])
        if watched is not None:
            items = [i for i in items if not watched.isdisjoint(i["agreements"])]
        if name == "reminders":
            items = [i for i in items if i["assignee"] in (None, user.id)]
        totals[name] = len(items)
        out[name] = [{k: v for k, v in i.items() if k != "assignee"} for i in items[:SHOWN]]
    out["totals"] = totals
    return out


def is_empty(sections: dict[str, Any]) -> bool:
    return not any(sections[name] for name in SECTIONS) and not sections.get("inbox")


def inbox_sentence(new: int, watched: int) -> str:
    """ "5 new stories in your inbox, 2 about agreements you watch" (the dashboard's and the
    digest's words)."""
    return (
        f"{new} new {'story' if new == 1 else 'stories'} in your inbox, "
        f"{watched} about agreements you watch"
    )


def inbox_section(session: Session, user: User, base_url: str) -> dict[str, Any] | None:
    """The digest's inbox line for `user`: the new stories waiting in the inbox now (None
    when there are none)."""
    return _inbox_line(*inbox_items.counts(session, user), base_url)


def _inbox_line(new: int, watched: int, base_url: str) -> dict[str, Any] | None:
    if not new:
        return None
    return {
        "new": new,
        "watched": watched,
        "text": inbox_sentence(new, watched),
        "url": f"{base_url}/inbox",
    }


# Its own Jinja environment: digests are made in the scheduler too, with no Flask app context.
_TEMPLATES = Environment(
    loader=PackageLoader("tracker", "templates"),
    autoescape=select_autoescape(["html", "xml"]),
    keep_trailing_newline=True,
)


def render_template(name: str, **context: Any) -> str:
    return _TEMPLATES.get_template(name).render(**context)


def render(user: User, window: Window, sections: dict[str, Any], base_url: str) -> tuple[str, str]:
    """The digest as HTML (inline styles, right-to-left safe) and as plain text."""
    context = {
        "user": user,
        "window": window,
        "sections": sections,
        "titles": TITLES,
        "order": SECTIONS,
        # nothing moved (the inbox's line may still be said)
        "empty": not any(sections[name] for name in SECTIONS),
        "base_url": base_url,
    }
    return render_template("digest/email.html", **context), render_template(
        "digest/email.txt", **context
    )


@dataclass
class SendReport:
    built: int = 0
    sent: int = 0
    skipped: int = 0  # already sent, claimed by another sender, or nothing to say

    def summary(self) -> str:
        return f"{self.built} digest(s) built, {self.sent} sent, {self.skipped} skipped."


def subscribers(session: Session, email: str | None = None) -> list[User]:
    query = select(User).where(User.is_active.is_(True), User.digest_mode != DigestMode.NONE.value)
    if email:
        query = query.where(User.email == email.strip().lower())
    return list(session.scalars(query.order_by(User.id)))


def build(
    session: Session, users: list[User], week_for: dict[int, str], base_url: str
) -> list[tuple[User, Window, dict[str, Any], str, str]]:
    """(user, window, sections, html, text) for each user with something to send.

    The statements do not grow with the number of users: the week's facts are gathered once
    per (week, time zone), watchlists and inbox lines are read for everyone at once. Users
    whose digests are bound to be identical (same window, same watched agreements, no
    reminder of their own, same inbox line and mode) share one cut and one rendering; they
    get equal, separate `sections` dicts (the lists inside are shared: do not mutate them).
    """
    if not users:
        return []
    windows = {key: Window.of(*key) for key in {(week_for[u.id], u.timezone) for u in users}}
    # One set of shared reads per week, over a span covering the week in every time zone.
    shared: dict[str, Shared] = {}
    for week in {w.week for w in windows.values()}:
        spans = [w for w in windows.values() if w.week == week]
        shared[week] = Shared(session, min(w.start for w in spans), max(w.end for w in spans))
    facts_by: dict[tuple[str, str], WeekFacts] = {}
    assigned_by: dict[tuple[str, str], set[int]] = {}
    scope_of = scopes(session, users)
    inbox_of = inbox_items.counts_for(session, users)
    cut: dict[tuple[Any, ...], dict[str, Any]] = {}
    rendered: dict[tuple[Any, ...], tuple[str, str]] = {}
    out = []
    for user in users:
        key = (week_for[user.id], user.timezone)
        if key not in facts_by:
            facts_by[key] = gather(session, windows[key], base_url, shared=shared[key[0]])
            assigned_by[key] = {i["assignee"] for i in facts_by[key].items.get("reminders", [])}
        facts = facts_by[key]
        window = facts.window
        scope = scope_of[user.id]
        # A user with a reminder assigned to them sees it: their cut is their own.
        cut_key = (key, scope.agreements, user.id if user.id in assigned_by[key] else None)
        if cut_key not in cut:
            cut[cut_key] = sections_for(facts, user, scope)
        sections = dict(cut[cut_key])
        new, watched = inbox_of[user.id]
        sections["inbox"] = _inbox_line(new, watched, base_url)
        if is_empty(sections) and not user.digest_send_empty:
            continue
        # The templates read nothing of the user but the digest mode.
        render_key = (cut_key, new, watched, user.digest_mode)
        if render_key not in rendered:
            rendered[render_key] = render(user, window, sections, base_url)
        html, text = rendered[render_key]
        out.append((user, window, sections, html, text))
    return out


def deliver(
    session: Session,
    users: list[User],
    week_for: dict[int, str],
    *,
    mail: MailSettings,
    base_url: str,
    now: datetime | None = None,
    crash_after: int | None = None,
    stale_before: datetime | None = None,
) -> SendReport:
    """Build, store and send each user's digest for their week, each exactly once.

    The (user, week) row is inserted (claimed) and committed before sending; a row already
    sent is skipped, one claimed by a live sender is left to it, one left unsent by a sender
    that died is taken over. When the mail server refuses one, its claim is released and
    MailError raised: the next run sends it and the rest, none twice. `crash_after` (tests)
    stops after that many sends, as a crash.
    """
    now = now or utcnow()
    # A claim older than this is a sender's that died: taken over.
    stale_before = stale_before or now - CLAIM_TIMEOUT
    report = SendReport()
    done = {
        (d.user_id, d.week): d
        for d in session.scalars(select(Digest).where(Digest.user_id.in_([u.id for u in users])))
    }
    todo = [
        u
        for u in users
        if (u.id, week_for[u.id]) not in done or done[(u.id, week_for[u.id])].sent_at is None
    ]
    report.skipped += len(users) - len(todo)
    built = build(session, todo, week_for, base_url)
    # End the reading transaction: each claim below begins one that writes (on SQLite a
    # read transaction cannot become a writer once another writer has committed).
    session.commit()
    for user, window, sections, html, text in built:
        existing = done.get((user.id, window.week))
        begin_write(session)
        if existing is None:
            digest = Digest(
                user_id=user.id,
                week=window.week,
                sections=sections,
                html=html,
                text=text,
                send_claimed_at=now,
            )
            session.add(digest)
            try:
                session.commit()
            except IntegrityError:  # another sender claimed it first
                session.rollback()
                report.skipped += 1
                continue
            report.built += 1
        else:
            taken = session.execute(
                update(Digest)
                .where(
                    Digest.id == existing.id,
                    Digest.sent_at.is_(None),
                    or_(
                        Digest.send_claimed_at.is_(None),
                        Digest.send_claimed_at < stale_before,
                    ),
                )
                .values(send_claimed_at=now)
            )
            session.commit()
            if not taken.rowcount:
                report.skipped += 1
                continue
            digest = existing
        if crash_after is not None and report.sent >= crash_after:
            raise RuntimeError("simulated crash while sending digests")
        subject = (
            f"Treaty Tracker — week {window.week}: nothing moved"
            if is_empty(sections)
            else f"Treaty Tracker — week {window.week}"
        )
        try:
            send(mail, [message(mail, user.email, subject, digest.text, digest.html)])
        except MailError:
            # Not sent, and this sender is alive: release the claim, so that the next run
            # sends it at once rather than leave it to a sender that has given up.
            begin_write(session)
            session.execute(
                update(Digest)
                .where(Digest.id == digest.id, Digest.sent_at.is_(None))
                .values(send_claimed_at=None)
            )
            session.commit()
            raise
        begin_write(session)
        digest.sent_at = utcnow()
        session.commit()
        report.sent += 1
    return report


def preview(session: Session, user: User, week: str, base_url: str) -> tuple[str, str]:
    """The digest `user` would get for `week` (nothing stored); empty strings if none."""
    built = build(session, [user], {user.id: week}, base_url)
    if not built:
        return "", ""
    _user, _window, _sections, html, text = built[0]
    return html, text


def due_weeks(users: list[User], now: datetime) -> dict[int, str]:
    """For the scheduler: each subscriber's last complete week in their own time zone. A week
    missed while the scheduler was down is the one sent when it is back — one digest, not one
    per missed run."""
    return {u.id: last_complete_week(now, u.timezone) for u in users}
