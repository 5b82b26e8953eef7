"""The news feeds watched for new stories: the list with how polling goes, add and edit
forms (editors), pause and resume, remove with confirmation (admins). Under /news-feeds:
/feeds/<secret>/… is the calendar's and digests' (tracker.web.feeds)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from tracker.db import get_session
from tracker.models.vocab import Role
from tracker.services.feeds import manage
from tracker.web.auth import actor, role_required
from tracker.web.common import edited_version, form_status, saved
from tracker.web.forms import ButtonForm, NewsFeedForm

blp = Blueprint("news_feeds", __name__, url_prefix="/news-feeds")

LISTED = 500  # feeds on the page: more than anyone watches


def _every(text: str | None) -> int | str | None:
    """The interval as the API takes it: a number, None when left empty, and what is no
    number as it came, for the schema to refuse beside the field."""
    text = (text or "").strip()
    if not text:
        return None
    return int(text) if text.isdecimal() and text.isascii() and len(text) < 10 else text


def _data(form: NewsFeedForm, *, editing: bool) -> dict[str, Any]:
    data: dict[str, Any] = {
        "url": (form.url.data or "").strip(),
        "title": form.title.data or "",
        "language": (form.language.data or "").strip() or None,
    }
    every = _every(form.poll_every_minutes.data)
    if every is not None:
        data["poll_every_minutes"] = every
    if editing:
        data["active"] = bool(form.active.data)
    return data


@blp.get("")
@role_required(Role.VIEWER.value)
def index() -> str:
    """Every feed, by title: its address, language, interval, last poll and last success,
    what went wrong last, and whether (and why) it is paused."""
    show = request.args.get("show", "all")
    active = {"active": True, "paused": False}.get(show)
    rows, total = manage.list_feeds(get_session(), active=active, limit=LISTED)
    return render_template(
        "news_feeds/list.html", rows=rows, total=total, show=show, button_form=ButtonForm()
    )


@blp.route("/new", methods=["GET", "POST"])
@role_required(Role.EDITOR.value)
def new() -> Any:
    form = NewsFeedForm()
    if request.method == "GET":
        form.poll_every_minutes.data = str(manage.DEFAULT_EVERY)
    if form.validate_on_submit():
        feed = saved(
            form, lambda: manage.add_feed(get_session(), _data(form, editing=False), actor=actor())
        )
        if feed is not None:
            flash(f"Now watching {feed.title}: it is polled at the next round.", "success")
            return redirect(url_for(".index") + f"#feed-{feed.id}")
    return render_template("news_feeds/form.html", form=form, feed=None), form_status(form)


@blp.route("/<int:feed_id>/edit", methods=["GET", "POST"])
@role_required(Role.EDITOR.value)
def edit(feed_id: int) -> Any:
    """The feed's form filled in; saved as PATCH /api/v1/feeds/{id} saves (same service,
    same version check, audited)."""
    session = get_session()
    feed = manage.get_feed(session, feed_id)
    form = NewsFeedForm()
    if request.method == "GET":
        form.url.data = feed.url
        form.title.data = feed.title
        form.language.data = feed.language or ""
        form.poll_every_minutes.data = str(feed.poll_every_minutes)
        form.active.data = feed.active
        form.version.data = str(feed.version)
    if form.validate_on_submit():
        changed = saved(
            form,
            lambda: manage.update_feed(
                session,
                feed_id,
                _data(form, editing=True),
                actor=actor(),
                version=edited_version(form),
            ),
            what="feed",
            current_version=lambda: manage.get_feed(session, feed_id).version,
        )
        if changed is not None:
            flash(f"{changed.title}: saved.", "success")
            return redirect(url_for(".index") + f"#feed-{feed_id}")
    return render_template("news_feeds/form.html", form=form, feed=feed), form_status(form)


def _switch(feed_id: int, active: bool) -> Any:
    form = ButtonForm()
    if form.validate_on_submit():
        feed = manage.update_feed(get_session(), feed_id, {"active": active}, actor=actor())
        flash(
            f"{feed.title}: resumed, polled at the next round."
            if active
            else f"{feed.title}: paused.",
            "success",
        )
    else:
        flash("The form expired; please press the button again.", "error")
    return redirect(url_for(".index") + f"#feed-{feed_id}")


@blp.post("/<int:feed_id>/resume")
@role_required(Role.EDITOR.value)
def resume(feed_id: int) -> Any:
    """Poll a paused feed again, its failures and back-off forgotten."""
    return _switch(feed_id, True)


@blp.post("/<int:feed_id>/pause")
@role_required(Role.EDITOR.value)
def pause(feed_id: int) -> Any:
    return _switch(feed_id, False)


@blp.route("/<int:feed_id>/remove", methods=["GET", "POST"])
@role_required(Role.ADMIN.value)
def remove(feed_id: int) -> Any:
    """GET asks for confirmation; POST stops watching the feed (its stories stay)."""
    session = get_session()
    feed = manage.get_feed(session, feed_id)
    form = ButtonForm()
    if request.method == "GET" or not form.validate_on_submit():
        return render_template("news_feeds/remove.html", feed=feed, button_form=form)
    title = feed.title
    manage.remove_feed(session, feed_id, actor=actor())
    flash(f"No longer watching {title}.", "success")
    return redirect(url_for(".index"))
