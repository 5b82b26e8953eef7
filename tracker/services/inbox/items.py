"""Inbox items: a story (an article or its group of near-duplicates) waiting for triage.

A story comes in through `take` (the feed poller, or a pasted article): the extractor reads
it, `matching.match` ranks the agreements it may be about, and it waits as `new`, or as
`not_about_agreements` when it is about nothing of the kind (its articles hidden from
search). The researcher then accepts it for an agreement (recording the claims they ticked,
as the review form does), makes a new agreement of it, or dismisses it; any decision can be
reopened. States (SPEC §2c):

    new ──accept / new-agreement──> accepted
    new ──dismiss──> dismissed
    not_about_agreements ──accept / new-agreement / dismiss──> accepted / dismissed
    accepted, dismissed, not_about_agreements ──reopen──> new

A story rescued from the "not about agreements" pile is accepted in one action, as one in
the main list is. Dismissed and off-topic stories are purged after the retention period.

One module for one aggregate (the item and its group's articles): every change goes through
the same locking and state checks (`_locked`, `_undecided`, `_decide`), which would be spread
over files if split.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, delete, func, or_, select, update
from sqlalchemy.orm import Session

from tracker.db import utcnow
from tracker.models import (
    Agreement,
    AgreementParty,
    AgreementTopic,
    AuditEntry,
    EvidenceArticle,
    EvidenceLink,
    User,
)
from tracker.models.inbox import InboxItem, NewsFeed
from tracker.models.vocab import InboxState
from tracker.services import audit, fetch, transactional
from tracker.services.agreements.commands import create_agreement
from tracker.services.errors import Conflict, InvalidInput, NotFound
from tracker.services.evidence import review
from tracker.services.evidence.extraction import readable_part, suggest
from tracker.services.inbox.matching import match
from tracker.services.reminders import rules
from tracker.services.reminders.rules import RuleSettings
from tracker.text.dates import in_range
from tracker.text.extract import PRETICK_CONFIDENCE

# About this many characters of the story's text are shown in the list, cut at a word.
SNIPPET = 300
# The claims an accept records, as review.accept takes them.
CLAIM_KINDS = ("parties", "events", "principles", "relations", "declarations")
# The states a story can be accepted, made an agreement of or dismissed from.
UNDECIDED = (InboxState.NEW.value, InboxState.NOT_ABOUT_AGREEMENTS.value)
# The states whose articles are hidden from search (and purged after the retention period).
SET_ASIDE = (InboxState.DISMISSED.value, InboxState.NOT_ABOUT_AGREEMENTS.value)
DEFAULT_RETENTION_DAYS = 90


def snippet(text: str, limit: int = SNIPPET, *, title: str = "") -> str:
    """The first `limit` characters or so of `text`, cut after a whole word, in its own
    script (nothing is normalised); "…" when it goes on. A text that opens with its `title`
    (a page read whole) starts after it: the list shows the title already."""
    text = " ".join(text.split())
    title = " ".join(title.split())
    if title and text.startswith(title) and len(text) > len(title):
        text = text[len(title) :].lstrip(" .:—-")
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit + 1)
    return text[: cut if cut > limit // 2 else limit].rstrip() + "…"


def _readable(article: EvidenceArticle) -> tuple[str, str | None]:
    """The text the extractor reads and the publication date it reads it against, as the
    review form does (tracker.services.evidence.review.suggestions): the indexes of the
    suggestions kept with the item are the ones an accept's claims refer to."""
    usable = in_range(article.published_earliest) and in_range(article.published_latest)
    return readable_part(article.text), article.published if usable else None


def _extract(session: Session, article: EvidenceArticle) -> dict[str, Any] | None:
    """The extractor's answer for the article, or None for a text it refuses (empty, say)."""
    text, published = _readable(article)
    if not text.strip():
        return None
    try:
        return suggest(session, text, language=article.language, published=published)
    except InvalidInput:
        return None


def _group(root_id: int) -> ColumnElement[bool]:
    return or_(EvidenceArticle.id == root_id, EvidenceArticle.duplicate_of_id == root_id)


def _quoted(session: Session, ids: Sequence[int]) -> set[int]:
    """Those of these articles a claim quotes as evidence."""
    if not ids:
        return set()
    query = select(EvidenceLink.article_id).where(EvidenceLink.article_id.in_(ids)).distinct()
    return set(session.scalars(query))


def _hide(session: Session, root_id: int, hidden: bool) -> None:
    """Hide the story's articles from search (or show them again). An article a claim
    quotes is never hidden: the evidence behind a claim stays findable, whatever became of
    the story (a story on record before a feed brought it, one accepted then dismissed)."""
    group = session.scalars(select(EvidenceArticle).where(_group(root_id))).all()
    keep = _quoted(session, [a.id for a in group]) if hidden else set()
    for article in group:
        wanted = hidden and article.id not in keep
        if article.hidden != wanted:
            article.hidden = wanted


@transactional
def take(
    session: Session,
    article: EvidenceArticle,
    *,
    feed: NewsFeed | None = None,
    now: datetime | None = None,
) -> InboxItem | None:
    """The inbox item of `article`'s story: a new one when the article starts a group, the
    group's item when it is a near-duplicate of one already in (its articles grow by one; a
    story dismissed or set aside stays so, and the newcomer is hidden with it). None for a
    near-duplicate of an article that came in otherwise (pasted by hand: it is on record)."""
    root_id = article.duplicate_of_id or article.id
    item = session.scalar(select(InboxItem).where(InboxItem.article_id == root_id))
    if item is not None:
        if item.state in SET_ASIDE and not article.hidden:
            _hide(session, root_id, True)
        return item
    if article.duplicate_of_id is not None:
        return None
    extracted = _extract(session, article)
    text, published = _readable(article)
    found = match(
        session,
        text=text,
        title=article.title,
        language=article.language,
        published=published,
        extracted=extracted,
    )
    suggestions = list(found.suggestions)[:5]
    top = suggestions[0] if suggestions else None
    item = InboxItem(
        article_id=article.id,
        feed_id=feed.id if feed is not None else None,
        language=article.language or (extracted or {}).get("language"),
        snippet=snippet(article.text or article.title, title=article.title),
        state=(InboxState.NEW if found.on_topic else InboxState.NOT_ABOUT_AGREEMENTS).value,
        suggestions=suggestions,
        extracted=extracted,
        top_agreement_id=top.get("agreement_id") if top else None,
        top_score=float(top["score"]) if top and top.get("score") is not None else None,
    )
    if now is not None:
        item.created_at = now
        item.updated_at = now
    session.add(item)
    session.flush()
    if not found.on_topic:
        _hide(session, article.id, True)
    return item


def get_item(session: Session, item_id: int) -> InboxItem:
    """The item, or NotFound (404)."""
    item = fetch(session, InboxItem, item_id)
    if item is None:
        raise NotFound(f"inbox item {item_id} does not exist")
    return item


def _locked(session: Session, item_id: int) -> InboxItem:
    """The item locked for a decision (PostgreSQL: two researchers deciding one story at once
    are taken one after the other, and the second sees the first's state)."""
    get_item(session, item_id)
    item = session.get(InboxItem, item_id, with_for_update=True, populate_existing=True)
    if item is None:
        raise NotFound(f"inbox item {item_id} does not exist")
    return item


# --- Presenting ----------------------------------------------------------------------------


def _article_view(article: EvidenceArticle) -> dict[str, Any]:
    return {
        "id": article.id,
        "outlet": article.outlet,
        "title": article.title,
        "url": article.url,
        "language": article.language,
        "published": article.published,
    }


def present_many(session: Session, items: Sequence[InboxItem]) -> list[dict[str, Any]]:
    """Items as SPEC §2c shows them, with their groups' articles (first first), read in
    three queries for the whole page."""
    roots = [item.article_id for item in items]
    groups: dict[int, list[EvidenceArticle]] = {root: [] for root in roots}
    if roots:
        for article in session.scalars(
            select(EvidenceArticle)
            .where(
                or_(EvidenceArticle.id.in_(roots), EvidenceArticle.duplicate_of_id.in_(roots)),
                EvidenceArticle.deleted_at.is_(None),
            )
            .order_by(EvidenceArticle.id)
        ):
            root = article.id if article.id in groups else article.duplicate_of_id
            if root in groups:
                groups[root].append(article)
    for group in groups.values():
        group.sort(key=lambda a: (a.id not in groups, a.id))  # the item's own article first
    agreement_ids = {i.top_agreement_id for i in items} | {i.agreement_id for i in items}
    agreement_ids.discard(None)
    titles: dict[int, str] = {}
    if agreement_ids:
        query = select(Agreement.id, Agreement.title).where(Agreement.id.in_(agreement_ids))
        titles = {row.id: row.title for row in session.execute(query)}
    users = {i.decided_by_id for i in items if i.decided_by_id}
    emails: dict[int, str] = {}
    if users:
        query = select(User.id, User.email).where(User.id.in_(users))
        emails = {row.id: row.email for row in session.execute(query)}
    out = []
    for item in items:
        group = groups.get(item.article_id, [])
        first = group[0] if group else None
        top = item.top_agreement_id
        out.append(
            {
                "id": item.id,
                "state": item.state,
                "article_id": item.article_id,
                "articles": [_article_view(a) for a in group],
                "snippet": item.snippet,
                "feed_id": item.feed_id,
                "suggestions": item.suggestions or [],
                "extracted": item.extracted,
                "decided_by": emails.get(item.decided_by_id) if item.decided_by_id else None,
                "decided_at": item.decided_at,
                "agreement_id": item.agreement_id,
                "created_at": item.created_at,
                "language": item.language,
                "outlet": first.outlet if first else "",
                "title": first.title if first else "",
                "top_agreement": {"id": top, "title": titles[top]} if top in titles else None,
                "top_score": item.top_score,
                "version": item.version,
            }
        )
    return out


def present(session: Session, item: InboxItem) -> dict[str, Any]:
    """One item as SPEC §2c shows it (`articles`: the group, first first)."""
    return present_many(session, [item])[0]


# --- Lists and counts ----------------------------------------------------------------------


def watched_agreements(session: Session, user: User) -> set[int]:
    """The agreements the user's digest watchlist names: by id, by party and by topic (as
    the weekly digest reads it)."""
    watch = user.digest_watchlist or {}
    chosen = {i for i in watch.get("agreements", []) if isinstance(i, int)}
    parties = [p for p in watch.get("parties", []) if isinstance(p, str)]
    topics = [t for t in watch.get("topics", []) if isinstance(t, str)]
    if parties:
        chosen |= set(
            session.scalars(
                select(AgreementParty.agreement_id).where(AgreementParty.party_code.in_(parties))
            )
        )
    if topics:
        chosen |= set(
            session.scalars(
                select(AgreementTopic.agreement_id).where(AgreementTopic.topic.in_(topics))
            )
        )
    return chosen


def _about(ids: set[int] | list[int]) -> ColumnElement[bool]:
    """The story is about one of these agreements: its top suggestion or what it was
    accepted for."""
    return or_(InboxItem.top_agreement_id.in_(ids), InboxItem.agreement_id.in_(ids))


def list_items(
    session: Session,
    *,
    state: str | None = None,
    feed_id: int | None = None,
    language: str | None = None,
    agreement_id: int | None = None,
    watched_by: User | None = None,
    page: int = 1,
    per_page: int = 50,
) -> tuple[list[InboxItem], int]:
    """One page of items, newest first, and how many match. `state` defaults to new;
    `agreement_id` matches the top suggestion or the agreement decided; `watched_by`: about
    an agreement that user's watchlist names."""
    query = select(InboxItem).where(InboxItem.state == (state or InboxState.NEW.value))
    if feed_id is not None:
        query = query.where(InboxItem.feed_id == feed_id)
    if language:
        query = query.where(InboxItem.language == language)
    if agreement_id is not None:
        query = query.where(_about([agreement_id]))
    if watched_by is not None:
        query = query.where(_about(watched_agreements(session, watched_by)))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page, per_page = max(page, 1), max(per_page, 1)
    rows = session.scalars(
        query.order_by(InboxItem.created_at.desc(), InboxItem.id.desc())
        .offset(min((page - 1) * per_page, 2**62))
        .limit(per_page)
    ).all()
    return list(rows), total


def counts(session: Session, user: User | None) -> tuple[int, int]:
    """(new stories, new stories about agreements the user watches); without a user, or with
    nothing new, the first count alone is read (one indexed count)."""
    new = InboxItem.state == InboxState.NEW.value
    total = session.scalar(select(func.count()).select_from(InboxItem).where(new)) or 0
    watched = watched_agreements(session, user) if user is not None and total else set()
    about = (
        session.scalar(select(func.count()).select_from(InboxItem).where(new, _about(watched)))
        if watched
        else 0
    )
    return total, about or 0


def counts_for(session: Session, users: Sequence[User]) -> dict[int, tuple[int, int]]:
    """`counts` for many users at once, by user id, in at most four statements whatever
    their number (the weekly digest's inbox line for every subscriber)."""
    new = InboxItem.state == InboxState.NEW.value
    total = session.scalar(select(func.count()).select_from(InboxItem).where(new)) or 0
    if not total:
        return {u.id: (0, 0) for u in users}
    watches = {u.id: u.digest_watchlist or {} for u in users}
    parties = {p for w in watches.values() for p in w.get("parties", []) if isinstance(p, str)}
    topics = {t for w in watches.values() for t in w.get("topics", []) if isinstance(t, str)}
    by_party: dict[str, set[int]] = {}
    by_topic: dict[str, set[int]] = {}
    if parties:
        for agreement_id, code in session.execute(
            select(AgreementParty.agreement_id, AgreementParty.party_code).where(
                AgreementParty.party_code.in_(sorted(parties))
            )
        ):
            by_party.setdefault(code, set()).add(agreement_id)
    if topics:
        for agreement_id, topic in session.execute(
            select(AgreementTopic.agreement_id, AgreementTopic.topic).where(
                AgreementTopic.topic.in_(sorted(topics))
            )
        ):
            by_topic.setdefault(topic, set()).add(agreement_id)
    stories = session.execute(
        select(InboxItem.top_agreement_id, InboxItem.agreement_id).where(new)
    ).all()
    out: dict[int, tuple[int, int]] = {}
    about_of: dict[frozenset[int], int] = {}  # users watching the same agreements share a count
    for user_id, watch in watches.items():
        watched = {i for i in watch.get("agreements", []) if isinstance(i, int)}
        for code in watch.get("parties", []):
            if isinstance(code, str):
                watched |= by_party.get(code, set())
        for topic in watch.get("topics", []):
            if isinstance(topic, str):
                watched |= by_topic.get(topic, set())
        key = frozenset(watched)
        if key not in about_of:
            about_of[key] = (
                sum(1 for top, chosen in stories if top in key or chosen in key) if key else 0
            )
        out[user_id] = (total, about_of[key])
    return out


# --- Decisions -----------------------------------------------------------------------------


def _story(item: InboxItem) -> str:
    article = item.article
    name = article.title or snippet(article.text, 80) or f"article {article.id}"
    return f"{name} ({article.outlet})" if article.outlet else name


def _decide(
    session: Session,
    item: InboxItem,
    *,
    state: str,
    actor: User | None,
    action: str,
    agreement: Agreement | None = None,
) -> None:
    """Move the item to `state`, hiding or showing its articles, with an audit entry
    ("accepted the story … for <agreement>") filed under the agreement concerned."""
    concerned = agreement.id if agreement is not None else item.agreement_id
    extra = {"story": _story(item)}
    if agreement is not None:
        extra["agreement_title"] = agreement.title
    before = audit.snapshot(item)
    item.state = state
    item.version += 1
    if state == InboxState.NEW.value:
        item.decided_by_id = None
        item.decided_at = None
        if agreement is None:
            item.agreement_id = None
    else:
        item.decided_by_id = actor.id if actor else None
        item.decided_at = utcnow()
    if agreement is not None:
        item.agreement_id = agreement.id
    _hide(session, item.article_id, state in SET_ASIDE)
    audit.record(
        session,
        actor=actor,
        action=action,
        obj=item,
        before=before,
        agreement_id=concerned,
        extra=extra,
    )


def _undecided(item: InboxItem, what: str) -> None:
    if item.state not in UNDECIDED:
        raise Conflict(
            f"The story is {item.state.replace('_', ' ')}: it cannot be {what}. Reopen it first."
        )


def _claims(claims: Mapping[str, Any] | None) -> dict[str, Any]:
    claims = claims or {}
    unknown = sorted(set(claims) - set(CLAIM_KINDS))
    if unknown:
        raise InvalidInput({f"claims.{k}": "is not a kind of claim" for k in unknown})
    return {k: list(claims[k]) for k in CLAIM_KINDS if claims.get(k)}


def _as_suggested(
    claims: Sequence[Any], suggested: Sequence[dict[str, Any]], editable: Sequence[str]
) -> list[Any]:
    """Each claim with what it leaves out taken from the suggestion its `index` names (the
    review form's starting values): `{"index": 2}` accepts suggestion 2 as it was read. A
    claim whose index names no suggestion is passed on as it is, for review to refuse."""
    out = []
    for claim in claims:
        index = claim.get("index") if isinstance(claim, Mapping) else None
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(suggested):
            out.append(claim)
            continue
        found = suggested[index]
        filled = {key: found[key] for key in editable if found.get(key) not in (None, "")}
        if "type" in editable and "target_id" not in claim and found.get("candidates"):
            filled["target_id"] = found["candidates"][0]["id"]
        out.append(filled | dict(claim))
    return out


def _filled(session: Session, agreement_id: int, article_id: int, claims: dict[str, Any]):  # type: ignore[no-untyped-def]
    """The claims with their suggestions' values where they give none (see _as_suggested)."""
    if not any(claims.get(k) for k in ("events", "relations", "declarations")):
        return claims
    found = review.suggestions(session, agreement_id, article_id)
    for name, suggested, editable in (
        ("events", found.events, review.EDITABLE),
        ("relations", found.relations, review.RELATION_EDITABLE),
        ("declarations", found.declarations, ("kind", "party", "made_at")),
    ):
        if claims.get(name):
            claims[name] = _as_suggested(claims[name], suggested, editable)
    return claims


@transactional
def accept(
    session: Session,
    item_id: int,
    *,
    agreement_id: int,
    claims: Mapping[str, Any] | None = None,
    actor: User | None = None,
    rule_settings: RuleSettings | None = None,
) -> InboxItem:
    """Accept the story for the agreement: record the ticked claims with their quotes
    (review.accept, in this transaction: all or nothing; its InvalidInput, 422, names the
    fields as the review form does), show its articles, and close at once the agreement's
    rule reminders the new claims settle (the rules run for that agreement alone). A claim
    takes what it leaves out from the suggestion its `index` names: `{"index": 0}` alone
    accepts the first suggested event as it was read.

    NotFound (404) for the item; Conflict (409) unless it is new or in the "not about
    agreements" pile; InvalidInput (422) on `agreement_id` for an agreement that does not
    exist.
    """
    item = _locked(session, item_id)
    _undecided(item, "accepted")
    agreement = fetch(session, Agreement, agreement_id)
    if agreement is None or agreement.is_deleted:
        raise InvalidInput({"agreement_id": f"agreement {agreement_id} does not exist"})
    recorded = _filled(session, agreement.id, item.article_id, _claims(claims))
    if recorded:
        review.accept(session, agreement.id, item.article_id, **recorded, actor=actor)
    _decide(
        session,
        item,
        state=InboxState.ACCEPTED.value,
        actor=actor,
        action="accept",
        agreement=agreement,
    )
    rules.run(session, settings=rule_settings, agreement_id=agreement.id)
    return item


@transactional
def dismiss(session: Session, item_id: int, *, actor: User | None = None) -> InboxItem:
    """Dismiss the story (its articles leave search; purged after the retention period).
    NotFound (404); Conflict (409) unless it is new or in the "not about agreements" pile."""
    item = _locked(session, item_id)
    _undecided(item, "dismissed")
    _decide(session, item, state=InboxState.DISMISSED.value, actor=actor, action="dismiss")
    return item


@transactional
def reopen(session: Session, item_id: int, *, actor: User | None = None) -> InboxItem:
    """Put a decided story (or one from the "not about agreements" pile) back among the new
    ones; claims recorded when it was accepted stay. NotFound (404); Conflict (409) for a
    story that is new already."""
    item = _locked(session, item_id)
    if item.state == InboxState.NEW.value:
        raise Conflict("The story is new already: there is nothing to reopen.")
    _decide(session, item, state=InboxState.NEW.value, actor=actor, action="reopen")
    return item


def suggested_agreement(item: InboxItem) -> dict[str, Any]:
    """The matcher's new-agreement suggestion for the story ({title, parties, kind}), or {}."""
    for suggestion in item.suggestions or []:
        proposed = suggestion.get("new_agreement") if isinstance(suggestion, dict) else None
        if proposed:
            return {k: proposed[k] for k in ("title", "parties", "kind") if k in proposed}
    return {}


@transactional
def new_agreement(
    session: Session,
    item_id: int,
    data: Mapping[str, Any] | None = None,
    *,
    claims: Mapping[str, Any] | str | None = None,
    actor: User | None = None,
    rule_settings: RuleSettings | None = None,
) -> tuple[InboxItem, Agreement]:
    """Create an agreement from the story and accept the story for it, with the ticked
    `claims` (as accept takes them) recorded on the new agreement in the same transaction.
    `data` (title, parties, kind) changes the matcher's suggestion; without a suggestion the
    title is required. InvalidInput (422) names the fields as creating an agreement does, and
    the claims' as accept does; Conflict (409) as for accept. `claims="confident"` records
    what the review page would open ticked for the new agreement (see confident_claims)."""
    item = _locked(session, item_id)
    _undecided(item, "made an agreement of")
    values = suggested_agreement(item) | {
        k: v for k, v in (data or {}).items() if k in ("title", "parties", "kind") and v
    }
    if not values.get("title"):
        raise InvalidInput(
            {"title": "name the agreement: the story suggests none (give title, parties, kind)"}
        )
    agreement = create_agreement(session, values, actor=actor)
    session.flush()
    if claims == CONFIDENT:
        claims = confident_claims(session, agreement, item.article_id)
    elif isinstance(claims, str):
        raise InvalidInput({"claims": f"give the claims, or {CONFIDENT!r}"})
    accept(
        session,
        item.id,
        agreement_id=agreement.id,
        claims=claims,
        actor=actor,
        rule_settings=rule_settings,
    )
    return item, agreement


CONFIDENT = "confident"


def confident_claims(session: Session, agreement: Agreement, article_id: int) -> dict[str, Any]:
    """The claims the review page opens ticked for `agreement` (events the extractor is
    confident of, PRETICK_CONFIDENCE, of a party of the agreement or of none; the principles
    it names), as accept takes them: one action records what a researcher would accept
    unread, and nothing a party check would refuse."""
    found = review.suggestions(session, agreement.id, article_id)
    members = set(agreement.party_codes)
    events = [
        {"index": index}
        for index, event in enumerate(found.events)
        if isinstance(event.get("confidence"), int | float)
        and event["confidence"] >= PRETICK_CONFIDENCE
        and (not event.get("party") or event["party"] in members)
    ]
    return {"events": events, "principles": [p["code"] for p in found.principles]}


# --- Retention -----------------------------------------------------------------------------


@transactional
def purge(session: Session, *, now: datetime | None = None, retention_days: int) -> int:
    """Remove the dismissed and off-topic stories decided (or, never decided, brought in)
    more than `retention_days` ago, with their articles; returns how many stories went.

    Articles are deleted for good, not soft-deleted: what is purged is noise nobody chose
    to keep, and a soft-deleted copy would keep its text, search index and place in the
    admins' list of deleted articles for ever. The feed's record of the entry stays (its
    article emptied), so the next poll does not bring the story back. A story is kept
    whole while any article of its group is quoted as evidence (a claim rests on it), is
    cited by an article outside the group, or was not hidden by the inbox (stored by hand).
    """
    now = now or utcnow()
    cutoff = now - timedelta(days=retention_days)
    candidates = session.scalars(
        select(InboxItem)
        .where(
            InboxItem.state.in_(SET_ASIDE),
            func.coalesce(InboxItem.decided_at, InboxItem.created_at) < cutoff,
        )
        .order_by(InboxItem.id)
    ).all()
    purged = 0
    audit_rows = []
    for item in candidates:
        group = session.scalars(select(EvidenceArticle).where(_group(item.article_id))).all()
        ids = [a.id for a in group]
        if any(not a.hidden for a in group):
            continue
        quoted = session.scalar(
            select(func.count()).select_from(EvidenceLink).where(EvidenceLink.article_id.in_(ids))
        )
        cited = session.scalar(
            select(func.count())
            .select_from(EvidenceArticle)
            .where(EvidenceArticle.cites_id.in_(ids), EvidenceArticle.id.not_in(ids))
        )
        if quoted or cited:
            continue
        audit_rows.append(
            audit.system_row(
                actor="inbox retention",
                action="purge",
                entity="inbox_item",
                entity_id=item.id,
                agreement_id=None,
                before={"state": item.state, "story": _story(item), "articles": ids},
                after={},
                at=now,
            )
        )
        session.delete(item)
        session.flush()
        session.execute(
            update(EvidenceArticle)
            .where(EvidenceArticle.id.in_(ids))
            .values(duplicate_of_id=None, cites_id=None)
            .execution_options(synchronize_session=False)
        )
        session.execute(
            delete(EvidenceArticle)
            .where(EvidenceArticle.id.in_(ids))
            .execution_options(synchronize_session=False)
        )
        for article in group:
            session.expunge(article)
        purged += 1
    if audit_rows:
        session.execute(AuditEntry.__table__.insert(), audit_rows)
    return purged
