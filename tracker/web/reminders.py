"""Reminders: mine and everyone's, made by hand, completed, snoozed or dismissed."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from tracker.db import get_session
from tracker.models.vocab import Role
from tracker.services.accounts.users import active_users
from tracker.services.agreements.queries import get_agreement
from tracker.services.errors import InvalidInput
from tracker.services.reminders import manual as reminders
from tracker.web.auth import actor, reader_required, role_required
from tracker.web.common import form_status, saved
from tracker.web.forms import ButtonForm, ReminderForm, SnoozeForm, options

blp = Blueprint("reminder_pages", __name__)


@blp.get("/reminders")
@reader_required
def index() -> str:
    session = get_session()
    me = actor()
    which = request.args.get("show", "mine" if me else "open")
    filters = reminders.ReminderFilters(
        for_user=me.email if which == "mine" and me else None,
        status=None if which == "all" else "open" if which != "mine" else None,
    )
    rows, _ = reminders.list_reminders(session, filters, limit=200)
    if which == "mine":
        rows = [r for r in rows if r.status in ("open", "snoozed")]
    return render_template(
        "reminders/list.html", rows=rows, which=which, button_form=ButtonForm(), snooze=SnoozeForm()
    )


@blp.route("/agreements/<int:agreement_id>/reminders/new", methods=["GET", "POST"])
@role_required(Role.EDITOR.value)
def new(agreement_id: int) -> Any:
    session = get_session()
    agreement = get_agreement(session, agreement_id)
    form = ReminderForm()
    users = active_users(session)
    form.assignee.choices = options(
        [("", "— nobody —")] + [(u.email, u.display_name or u.email) for u in users]
    )
    if request.method == "GET" and actor() is not None:
        form.assignee.data = actor().email
    if form.validate_on_submit():
        data = {
            "agreement_id": agreement_id,
            "reason": form.reason.data,
            "stage": form.stage.data or None,
            "assignee": form.assignee.data or None,
        }
        if form.due.data is not None:  # else the schema says it is missing
            data["due"] = form.due.data
        if saved(form, lambda: reminders.create_reminder(session, data, actor=actor())):
            flash("Reminder set.", "success")
            return redirect(url_for("agreement_pages.detail", agreement_id=agreement_id))
    status = form_status(form)
    return render_template("reminders/form.html", form=form, agreement=agreement), status


def _change(reminder_id: int, data: dict[str, Any], message: str) -> Any:
    try:
        reminders.update_reminder(get_session(), reminder_id, data, actor=actor())
    except InvalidInput as exc:
        flash("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.errors.items()), "error")
    else:
        flash(message, "success")
    return redirect(request.referrer or url_for(".index"))


@blp.post("/reminders/<int:reminder_id>/done")
@role_required(Role.EDITOR.value)
def done(reminder_id: int) -> Any:
    if not ButtonForm().validate_on_submit():
        abort(400)
    return _change(reminder_id, {"status": "done"}, "Marked done.")


@blp.post("/reminders/<int:reminder_id>/dismiss")
@role_required(Role.EDITOR.value)
def dismiss(reminder_id: int) -> Any:
    if not ButtonForm().validate_on_submit():
        abort(400)
    return _change(reminder_id, {"status": "dismissed"}, "Dismissed.")


@blp.post("/reminders/<int:reminder_id>/snooze")
@role_required(Role.EDITOR.value)
def snooze(reminder_id: int) -> Any:
    form = SnoozeForm()
    if not form.validate_on_submit():
        flash("Give the day the reminder should wake up.", "error")
        return redirect(request.referrer or url_for(".index"))
    return _change(
        reminder_id,
        {"status": "snoozed", "snoozed_until": form.until.data},
        f"Snoozed until {form.until.data.isoformat()}.",
    )
