"""Adding evidence to an agreement: paste text or HTML, or give a URL; then review what the
extractor suggests and accept or reject each suggestion."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from tracker.db import get_session
from tracker.models.vocab import Role
from tracker.services import evidence, review
from tracker.services.agreements import get_agreement
from tracker.services.errors import NotFound, ValidationError
from tracker.services.intake import FetchSettings
from tracker.web.auth import actor, role_required
from tracker.web.common import put_errors
from tracker.web.forms import AcceptForm, EvidenceForm, options

blp = Blueprint("evidence_pages", __name__)


@blp.route("/agreements/<int:agreement_id>/evidence/new", methods=["GET", "POST"])
@role_required(Role.EDITOR.value)
def new(agreement_id: int) -> Any:
    session = get_session()
    try:
        agreement = get_agreement(session, agreement_id)
    except NotFound:
        abort(404)
    form = EvidenceForm()
    recent, _ = evidence.list_articles(session, limit=100)
    form.cites.choices = options(
        [("", "— no —")]
        + [
            (str(a.id), f"{a.outlet or 'unknown outlet'}, {a.published or 'undated'}")
            for a in recent
        ]
    )
    if form.validate_on_submit():
        data: dict[str, Any] = {
            key: getattr(form, key).data
            for key in ("url", "text", "html", "title", "outlet", "language", "published")
            if getattr(form, key).data
        }
        if form.cites.data:
            data["cites"] = int(form.cites.data)
        try:
            article, created = evidence.intake(
                session,
                data,
                actor=actor(),
                fetch_settings=FetchSettings.from_config(current_app.config),
            )
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            if not created:
                flash("This URL is stored already: here is what it holds.", "info")
            return redirect(
                url_for(".review_page", agreement_id=agreement_id, article_id=article.id)
            )
    status = 422 if form.errors or form.form_errors else 200
    return render_template("evidence/form.html", form=form, agreement=agreement), status


@blp.route(
    "/agreements/<int:agreement_id>/evidence/<int:article_id>/review", methods=["GET", "POST"]
)
@role_required(Role.EDITOR.value)
def review_page(agreement_id: int, article_id: int) -> Any:
    session = get_session()
    try:
        found = review.suggestions(session, agreement_id, article_id)
        agreement = get_agreement(session, agreement_id)
        article = evidence.get_article(session, article_id)
    except NotFound:
        abort(404)
    form = AcceptForm()
    if request.method == "POST" and form.validate_on_submit():
        events = [int(i) for i in form.events.data if str(i).isdigit()]
        try:
            made = review.accept(
                session,
                agreement_id,
                article_id,
                parties=form.parties.data,
                events=events,
                principles=form.principles.data,
                actor=actor(),
            )
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            flash(
                f"Recorded {made['parties']} part(ies), {made['events']} stage event(s) and "
                f"{made['principles']} principle(s) from this article.",
                "success",
            )
            return redirect(url_for("agreement_pages.detail", agreement_id=agreement_id))
    quotes = {
        index: article.text[slice(*review.sentence_around(article.text, e["start"], e["end"]))]
        for index, e in enumerate(found.events)
    }
    return render_template(
        "evidence/review.html",
        form=form,
        agreement=agreement,
        article=article,
        found=found,
        quotes=quotes,
    )
