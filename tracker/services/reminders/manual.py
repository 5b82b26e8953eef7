"""Reminders made by people: create, list, complete, snooze, dismiss (rules: reminders.rules)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from tracker.db import utcnow
from tracker.models import Reminder, User
from tracker.models.vocab import ReminderStatus
from tracker.schemas.misc import ReminderInSchema, ReminderPatchSchema
from tracker.services import is_id, require, transactional
from tracker.services.accounts.users import find_user
from tracker.services.agreements.queries import get_agreement
from tracker.services.audit import audited
from tracker.services.claims.parties import check_codes
from tracker.services.errors import FieldErrors, NotFound

CLOSED = (ReminderStatus.DONE, ReminderStatus.DISMISSED)


def get_reminder(session: Session, reminder_id: int) -> Reminder:
    """The reminder, or NotFound (404)."""
    return require(session, Reminder, reminder_id, "reminder")


def _clean(session: Session, data: Mapping[str, Any], current: Reminder | None) -> dict[str, Any]:
    """Load the input through its schema (shape), then check what it means: the agreement
    exists and stays, the party and the assignee are known, a snooze has its day."""
    errors = FieldErrors()
    values = errors.load(ReminderInSchema() if current is None else ReminderPatchSchema(), data)
    if current is None and "agreement_id" in values:
        try:
            get_agreement(session, values["agreement_id"])
        except NotFound as exc:
            errors.add("agreement_id", str(exc))
    elif current is not None and "agreement_id" in values:
        if values.pop("agreement_id") != current.agreement_id:
            errors.add("agreement_id", "a reminder cannot move to another agreement")
    if "party" in values:
        party = values.pop("party")
        codes = check_codes(session, [party], "party", errors) if party else []
        values["party_code"] = codes[0] if codes else None
    if "assignee" in values:
        email = values.pop("assignee")
        if not email:
            values["assignee_id"] = None
        elif (user := find_user(session, email)) is None:
            errors.add("assignee", f"no user with email {email!r}")
        else:
            values["assignee_id"] = user.id
    status = values.get("status") or (current.status if current else ReminderStatus.OPEN)
    snoozed_until = values.get("snoozed_until", current.snoozed_until if current else None)
    if (
        status == ReminderStatus.SNOOZED
        and snoozed_until is None
        and "snoozed_until" not in errors.errors
    ):
        errors.add("snoozed_until", "a snoozed reminder needs the day it wakes up")
    errors.raise_if_any()
    return values


def _apply(reminder: Reminder, values: dict[str, Any]) -> None:
    was_closed = reminder.status in CLOSED
    for name, value in values.items():
        setattr(reminder, name, value)
    if reminder.status != ReminderStatus.SNOOZED:
        reminder.snoozed_until = None
    if reminder.status in CLOSED and not was_closed:
        reminder.closed_at = utcnow()
    elif reminder.status not in CLOSED:
        reminder.closed_at = None


@transactional
def create_reminder(
    session: Session, data: Mapping[str, Any], *, actor: User | None = None
) -> Reminder:
    """A reminder made by a person; raise InvalidInput (422) naming each bad field."""
    values = _clean(session, data, None)
    reminder = Reminder(status=ReminderStatus.OPEN.value, created_by_id=actor.id if actor else None)
    _apply(reminder, values)
    with audited(
        session, reminder, actor=actor, action="create", agreement_id=reminder.agreement_id
    ):
        session.add(reminder)
    return reminder


@transactional
def update_reminder(
    session: Session, reminder_id: int, data: Mapping[str, Any], *, actor: User | None = None
) -> Reminder:
    """Change a reminder: done, snoozed until a day, dismissed, reassigned, re-dated."""
    reminder = get_reminder(session, reminder_id)
    values = _clean(session, data, reminder)
    with audited(
        session, reminder, actor=actor, action="update", agreement_id=reminder.agreement_id
    ):
        _apply(reminder, values)
    return reminder


@dataclass(frozen=True)
class ReminderFilters:
    agreement: int | None = None
    status: str | None = None
    due_before: date | None = None
    assignee: str | None = None
    overdue: bool | None = None
    # This user's reminders and those assigned to nobody (rule-made ones, mostly).
    for_user: str | None = None


def list_reminders(
    session: Session,
    filters: ReminderFilters,
    *,
    today: date | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[Reminder], int]:
    """One page of reminders by due day, and how many match.

    `overdue`: open (or snoozed past its day) and due before today.
    """
    today = today or utcnow().date()
    query = select(Reminder)
    if filters.agreement is not None:
        query = query.where(
            Reminder.agreement_id == (filters.agreement if is_id(filters.agreement) else -1)
        )
    if filters.status:
        query = query.where(Reminder.status == filters.status)
    if filters.due_before:
        query = query.where(Reminder.due < filters.due_before)
    if filters.assignee:
        user = find_user(session, filters.assignee)
        query = query.where(Reminder.assignee_id == (user.id if user else -1))
    if filters.for_user:
        user = find_user(session, filters.for_user)
        query = query.where(
            or_(Reminder.assignee_id == (user.id if user else -1), Reminder.assignee_id.is_(None))
        )
    if filters.overdue is not None:
        awake = or_(
            Reminder.status == ReminderStatus.OPEN.value,
            (Reminder.status == ReminderStatus.SNOOZED.value) & (Reminder.snoozed_until <= today),
        )
        overdue = awake & (Reminder.due < today)
        query = query.where(overdue if filters.overdue else ~overdue)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = session.scalars(
        query.order_by(Reminder.due, Reminder.id)
        .offset(offset)
        .limit(limit)
        .options(selectinload(Reminder.assignee))
    ).all()
    return list(page), total
