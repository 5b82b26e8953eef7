"""The audit log: every change a service makes is written here in the same transaction.

A service changes a row inside `audited(...)`: it snapshots the row before, and after the
change refreshes the agreement's cached lifecycle (`touch=`) and writes the entry, in that
order, so neither the entry nor the refresh can be left out of a change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, inspect, or_, select
from sqlalchemy.orm import Session, joinedload

from tracker.models import Agreement, AgreementRelation, AuditEntry, Principle, Reminder, User
from tracker.models.user import public_name
from tracker.services.agreements import state

# Never copied into the log: the log is readable by more people than the secrets are.
SECRET_COLUMNS = {"password_hash", "token_hash", "feed_token_hash"}
# Not copied either: the search index's text, the folded copy of the title and text beside
# it (an article's was half of its entry).
DERIVED_COLUMNS = {"search_text"}


def snapshot(obj: Any) -> dict[str, Any]:
    """The row's column values as JSON-ready data (dates as ISO strings, secrets redacted,
    derived text left out)."""
    values: dict[str, Any] = {}
    for attr in inspect(obj).mapper.column_attrs:
        if attr.key in DERIVED_COLUMNS:
            continue
        value = getattr(obj, attr.key)
        if attr.key in SECRET_COLUMNS:
            value = "[redacted]" if value else None
        if isinstance(value, datetime | date):
            value = value.isoformat()
        values[attr.key] = value
    return values


def record(
    session: Session,
    *,
    actor: User | None,
    action: str,
    obj: Any,
    before: dict[str, Any] | None,
    agreement_id: int | None = None,
    extra: dict[str, Any] | None = None,
    actor_label: str = "",
) -> AuditEntry:
    """Add an audit entry for `obj` (flushed, so it has its id) with its state now as `after`."""
    session.flush()
    after = snapshot(obj) if action != "purge" else None
    if extra:
        after = (after or {}) | extra
    entry = AuditEntry(
        user_id=actor.id if actor else None,
        actor=actor.email if actor else actor_label or "system",
        action=action,
        entity=obj.__tablename__,
        entity_id=str(inspect(obj).identity[0] if inspect(obj).identity else ""),
        agreement_id=agreement_id,
        before=before,
        after=after,
    )
    session.add(entry)
    return entry


@contextmanager
def audited(
    session: Session,
    obj: Any,
    *,
    actor: User | None,
    action: str,
    agreement_id: int | None = None,
    touch: Agreement | None = None,
    links: Callable[[Any], dict[str, Any]] | None = None,
) -> Iterator[None]:
    """Audit the change made to `obj` inside the block (nothing is written if it raises).

    `touch`: the agreement whose lifecycle the change can move; its cache is refreshed and
    the entry filed under it. `links`: what the row's columns do not hold (its parties, its
    quotes), kept beside them before and after.
    """
    before = None if action == "create" else snapshot(obj) | (links(obj) if links else {})
    yield
    if touch is not None:
        state.touch(session, touch)
        agreement_id = touch.id if agreement_id is None else agreement_id
    record(
        session,
        actor=actor,
        action=action,
        obj=obj,
        before=before,
        agreement_id=agreement_id,
        extra=links(obj) if links else None,
    )


def history(
    session: Session, agreement_id: int, *, offset: int = 0, limit: int = 100
) -> list[AuditEntry]:
    """The agreement's changes, newest first: its own, its events', statements', reminders',
    declarations' and relations' (those stored on another agreement too, whose target it is)."""
    return list(
        session.scalars(
            select(AuditEntry)
            .where(_concerning(session, agreement_id))
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            .options(joinedload(AuditEntry.user))
            .offset(offset)
            .limit(limit)
        )
    )


def _concerning(session: Session, agreement_id: int) -> ColumnElement[bool]:
    """An entry of the agreement's, or of a relation to it stored on another agreement ("B
    supersedes A" is written on B, and is A's history too). The relations are looked up first
    (by their indexed target), so an agreement that is no relation's target reads its history
    by its own index alone."""
    aimed_here = [
        str(i)
        for i in session.scalars(
            select(AgreementRelation.id).where(AgreementRelation.target_id == agreement_id)
        )
    ]
    if not aimed_here:
        return AuditEntry.agreement_id == agreement_id
    return or_(
        AuditEntry.agreement_id == agreement_id,
        and_(AuditEntry.entity == "agreement_relation", AuditEntry.entity_id.in_(aimed_here)),
    )


def history_count(session: Session, agreement_id: int) -> int:
    return (
        session.scalar(
            select(func.count()).select_from(AuditEntry).where(_concerning(session, agreement_id))
        )
        or 0
    )


def deleted_by(session: Session, entity: str, ids: list[int]) -> dict[int, str]:
    """Who deleted each of these rows of `entity` (its latest delete entry), by id."""
    if not ids:
        return {}
    entries = session.execute(
        select(AuditEntry.entity_id, AuditEntry.actor)
        .where(
            AuditEntry.entity == entity,
            AuditEntry.action == "delete",
            AuditEntry.entity_id.in_([str(i) for i in ids]),
        )
        .order_by(AuditEntry.id)
    )
    return {int(entity_id): actor for entity_id, actor in entries}


def system_row(
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: int,
    agreement_id: int | None,
    before: dict[str, Any] | None,
    after: dict[str, Any],
    at: datetime,
    user_id: int | None = None,
) -> dict[str, Any]:
    """An audit_entry row for a change made in bulk (insert them in one batch): by the
    system, or by the user `user_id` (an import `--as` a user)."""
    return {
        "at": at,
        "user_id": user_id,
        "actor": actor,
        "action": action,
        "entity": entity,
        "entity_id": str(entity_id),
        "agreement_id": agreement_id,
        "before": before,
        "after": {k: v.isoformat() if isinstance(v, date) else v for k, v in after.items()},
    }


# --- The history as sentences ------------------------------------------------------------

# Columns that change with every write and say nothing to a reader (search_text: in the
# entries written before snapshots left it out).
_NOISE = {"updated_at", "version", "search_text", "created_at", "computed_at"}


@dataclass(frozen=True)
class HistoryLine:
    """One change of an agreement's history, as a sentence a researcher reads."""

    at: datetime
    who: str
    sentence: str  # begins with `who`: "Admin recorded Ratification · lower house · RUS (…)"
    entry: AuditEntry


def _who(entry: AuditEntry, public: bool = False) -> str:
    if entry.user is not None or (public and "@" in (entry.actor or "")):
        if public:  # an anonymous reader of a public instance sees no email
            name = public_name(entry.user.display_name if entry.user is not None else None)
            return name[:1].upper() + name[1:]
        return entry.user.display_name or entry.user.email
    actor = entry.actor or "system"
    return actor if "@" in actor else f"The {actor}"


def _changed(entry: AuditEntry) -> list[str]:
    """The fields an update changed, in alphabetical order: PostgreSQL's JSONB keeps a
    snapshot's keys in an order of its own (shorter first), SQLite's JSON as written."""
    before, after = entry.before or {}, entry.after or {}
    return [
        key.removesuffix("_code").replace("_", " ")
        for key, value in sorted(after.items())
        if key not in _NOISE and key in before and before.get(key) != value
    ]


def claim_words(values: dict[str, Any]) -> str:
    """A claim as a reader names it: "Ratification · lower house · RUS (2025-04-08)"."""
    parts = [str(values.get("stage") or "claim").replace("_", " ").capitalize()]
    if values.get("step"):
        parts.append(str(values["step"]).replace("_", " "))
    if values.get("party_code"):
        parts.append(str(values["party_code"]))
    return " · ".join(parts) + f" ({values.get('date') or 'undated'})"


def _event_sentence(entry: AuditEntry) -> str:
    before, after = entry.before or {}, entry.after or {}
    what = claim_words(after or before)
    if entry.action == "create":
        status = after.get("status")
        return f"recorded {what}" + (f" as {status}" if status and status != "reported" else "")
    if entry.action == "update":
        if after.get("status") != before.get("status") and after.get("status") == "retracted":
            return f"retracted {what}"
        if before.get("status") == "retracted" and after.get("status") not in (None, "retracted"):
            return f"undid the retraction of {what} (now {after['status']})"
        if after.get("preferred") and not before.get("preferred"):
            return f"preferred {what} over the claims that disagree with it"
        if before.get("preferred") and not after.get("preferred"):
            return f"set {what} aside: another claim is preferred"
        changed = _changed(entry)
        return f"amended {what}" + (f" ({', '.join(changed)})" if changed else "")
    return f"{_past(entry.action)} {what}"


def _past(action: str) -> str:
    return {
        "create": "created",
        "update": "changed",
        "delete": "deleted",
        "restore": "restored",
    }.get(action, f"{action}ed" if not action.endswith("e") else f"{action}d")


def _reminder_sentence(entry: AuditEntry, reasons: dict[str, str]) -> str:
    before, after = entry.before or {}, entry.after or {}
    reason = after.get("reason") or before.get("reason") or reasons.get(entry.entity_id, "")
    what = f"the reminder “{reason}”" if reason else "a reminder"
    if entry.action == "create":
        due = f" (due {after['due']})" if after.get("due") else ""
        return f"set {what}{due}"
    status, was = after.get("status"), before.get("status")
    if entry.action == "update" and status and status != was:
        if status == "done":
            note = after.get("closed_note")
            return f"closed {what}" + (f": {note}" if note else "")
        if status == "snoozed":
            until = after.get("snoozed_until")
            return f"snoozed {what}" + (f" until {until}" if until else "")
        if status == "dismissed":
            return f"dismissed {what}"
        if status == "open":
            return f"reopened {what}"
    changed = _changed(entry)
    return f"{_past(entry.action)} {what}" + (f" ({', '.join(changed)})" if changed else "")


def _agreement_sentence(entry: AuditEntry) -> str:
    if entry.action == "update":
        changed = _changed(entry)
        return "edited the agreement" + (f" ({', '.join(changed)})" if changed else "")
    return f"{_past(entry.action)} the agreement"


def _statement_sentence(entry: AuditEntry, labels: dict[str, str]) -> str:
    values = entry.after or entry.before or {}
    code = values.get("principle_code") or ""
    label = labels.get(code) or code.replace("_", " ")
    party = values.get("party_code")
    by = f" for {party}" if party else " for the parties together"
    where = f" in {values['clause']}" if values.get("clause") else ""
    verb = "stated" if entry.action == "create" else _past(entry.action)
    return f"{verb} the principle “{label}”{by}{where}"


def _declaration_sentence(entry: AuditEntry) -> str:
    """ "recorded that RUS objected to IRN's reservation (2026-03-01)"."""
    before, after = entry.before or {}, entry.after or {}
    values = after or before
    party, kind = values.get("party_code") or "a party", values.get("kind") or "declaration"
    answers = values.get("answers") or {}
    if kind == "objection" and answers:
        what = f"{party}'s objection to {answers.get('party')}'s {answers.get('kind')}"
        made = f"{party} objected to {answers.get('party')}'s {answers.get('kind')}"
    else:
        what = f"{party}'s {kind}"
        article = "an" if kind[:1] in "aeiou" else "a"
        at = f" at {values['made_at']}" if values.get("made_at") else ""
        made = f"{party} made {article} {kind.replace('_', ' ')}{at}"
    if entry.action == "create":
        return f"recorded that {made} ({values.get('date') or 'undated'})"
    if entry.action == "delete":
        return f"removed {what}"
    if entry.action == "update" and after.get("withdrawn_on") != before.get("withdrawn_on"):
        if after.get("withdrawn_on"):
            return f"recorded that {party} withdrew its {kind} ({after['withdrawn_on']})"
        return f"recorded that {what} stands: no longer withdrawn"
    changed = [c for c in _changed(entry) if c != "answers"]
    return f"amended {what}" + (f" ({', '.join(changed)})" if changed else "")


def _relation_sentence(entry: AuditEntry) -> str:
    values = entry.after or entry.before or {}
    subject = values.get("subject_title") or f"agreement {values.get('subject_id')}"
    target = values.get("target_title") or f"agreement {values.get('target_id')}"
    kind = str(values.get("type") or "relates to")
    words = {"protocol_to": "is a protocol to"}.get(kind, kind.replace("_", " "))
    what = f"{subject} {words} {target}"
    if entry.action == "create":
        return f"recorded that {what}"
    if entry.action == "delete":
        return f"removed the relation “{what}”"
    changed = _changed(entry)
    return f"amended the relation “{what}”" + (f" ({', '.join(changed)})" if changed else "")


def _inbox_sentence(entry: AuditEntry) -> str:
    """ "accepted the story “…” (Tasnim) for <agreement>" (from the evidence inbox)."""
    values = entry.after or entry.before or {}
    story = f"the story “{values['story']}”" if values.get("story") else "a story"
    if entry.action == "accept" and values.get("agreement_title"):
        return f"accepted {story} for {values['agreement_title']}"
    return f"{_past(entry.action)} {story}"


def describe(
    session: Session, entries: list[AuditEntry], *, public: bool = False
) -> list[HistoryLine]:
    """Each entry as a sentence (two small queries at most: principle labels, reminder
    reasons the rules' entries leave out); `public`: for an anonymous reader, named
    without emails."""
    labels: dict[str, str] = {}
    if any(e.entity == "principle_statement" for e in entries):
        labels = {
            code: (names or {}).get("en") or code
            for code, names in session.execute(select(Principle.code, Principle.labels))
        }
    missing = [
        int(e.entity_id)
        for e in entries
        if e.entity == "reminder"
        and e.entity_id.isdigit()
        and not (e.after or {}).get("reason")
        and not (e.before or {}).get("reason")
    ]
    reasons: dict[str, str] = {}
    if missing:
        reasons = {
            str(i): reason
            for i, reason in session.execute(
                select(Reminder.id, Reminder.reason).where(Reminder.id.in_(missing))
            )
        }
    lines = []
    for entry in entries:
        if entry.entity == "stage_event":
            sentence = _event_sentence(entry)
        elif entry.entity == "agreement":
            sentence = _agreement_sentence(entry)
        elif entry.entity == "reminder":
            sentence = _reminder_sentence(entry, reasons)
        elif entry.entity == "principle_statement":
            sentence = _statement_sentence(entry, labels)
        elif entry.entity == "declaration":
            sentence = _declaration_sentence(entry)
        elif entry.entity == "agreement_relation":
            sentence = _relation_sentence(entry)
        elif entry.entity == "inbox_item":
            sentence = _inbox_sentence(entry)
        else:
            sentence = f"{_past(entry.action)} {entry.entity.replace('_', ' ')} {entry.entity_id}"
        who = _who(entry, public)
        lines.append(HistoryLine(entry.at, who, f"{who} {sentence}", entry))
    return lines
