"""My account: time zone, Jalali dates, digest subscription, API tokens."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import login_required

from tracker.db import get_session
from tracker.security import no_store
from tracker.services.accounts import users
from tracker.services.errors import NotFound
from tracker.web.auth import actor
from tracker.web.common import form_status, saved, split_codes
from tracker.web.forms import AccountForm, ButtonForm, TokenForm

blp = Blueprint("account", __name__)


def _page(
    form: AccountForm,
    token_form: TokenForm,
    new_token: str | None = None,
    status: int = 200,
    calendar_url: str | None = None,
) -> Any:
    me = actor()
    return (
        render_template(
            "account/index.html",
            form=form,
            token_form=token_form,
            tokens=users.list_tokens(get_session(), me),
            new_token=new_token,
            calendar_url=calendar_url,
            has_calendar=me.feed_token_hash is not None,
            button_form=ButtonForm(),
        ),
        status,
    )


@blp.route("/account", methods=["GET", "POST"])
@login_required
def index() -> Any:
    me = actor()
    form = AccountForm()
    if request.method == "GET":
        form.display_name.data = me.display_name
        form.timezone.data = me.timezone
        form.show_jalali.data = me.show_jalali
        form.digest_mode.data = me.digest_mode
        form.watch_parties.data = ", ".join(me.digest_watchlist.get("parties", []))
        form.watch_topics.data = ", ".join(me.digest_watchlist.get("topics", []))
        form.digest_send_empty.data = me.digest_send_empty
    elif form.validate_on_submit():
        data = {
            "display_name": form.display_name.data or "",
            "timezone": (form.timezone.data or "").strip(),
            "show_jalali": bool(form.show_jalali.data),
            "digest_mode": form.digest_mode.data,
            "digest_send_empty": bool(form.digest_send_empty.data),
            "digest_watchlist": {
                "agreements": me.digest_watchlist.get("agreements", []),
                "parties": split_codes(form.watch_parties.data),
                "topics": split_codes(form.watch_topics.data),
            },
        }
        if saved(
            form,
            lambda: users.update_user(get_session(), me.id, data, actor=me),
            fields={"digest_watchlist": "watch_parties"},
        ):
            flash("Settings saved.", "success")
            return redirect(url_for(".index"))
    return _page(form, TokenForm(formdata=None), status=form_status(form))


@blp.post("/account/tokens")
@login_required
def new_token() -> Any:
    form = TokenForm()
    if not form.validate_on_submit():
        abort(400)
    made = saved(
        form,
        lambda: users.create_token(
            get_session(), actor(), name=form.name.data or "", actor=actor()
        ),
    )
    if made is None:
        return _page(AccountForm(formdata=None, obj=None), form, status=form_status(form))
    _row, token = made
    return no_store(
        make_response(
            _page(AccountForm(formdata=None, obj=None), TokenForm(formdata=None), new_token=token)
        )
    )


@blp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke(token_id: int) -> Any:
    if not ButtonForm().validate_on_submit():
        abort(400)
    session = get_session()
    row = users.get_token(session, token_id)  # NotFound: 404
    if row.user_id != actor().id:  # someone else's token: as if it did not exist
        raise NotFound(f"token {token_id} does not exist")
    users.revoke_token(session, token_id, actor=actor())
    flash("Token revoked: it stops working at once.", "success")
    return redirect(url_for(".index"))


@blp.post("/account/calendar")
@login_required
def calendar() -> Any:
    """A new secret calendar link (the old one stops working), shown once."""
    if not ButtonForm().validate_on_submit():
        abort(400)
    token = users.issue_feed_token(get_session(), actor(), actor=actor())
    url = url_for("feeds.reminders", token=token, _external=True)
    return no_store(
        make_response(_page(AccountForm(formdata=None), TokenForm(formdata=None), calendar_url=url))
    )


@blp.post("/account/calendar/stop")
@login_required
def stop_calendar() -> Any:
    if not ButtonForm().validate_on_submit():
        abort(400)
    users.revoke_feed_token(get_session(), actor(), actor=actor())
    flash("The calendar link stopped working.", "success")
    return redirect(url_for(".index"))
