"""Agreement pages: the list, one agreement (timeline, evidence, principles, history), and
the forms to create and edit agreements, record events and state principles."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from tracker.db import get_session
from tracker.models import EvidenceArticle
from tracker.models.vocab import Role
from tracker.services import agreements, audit, events, principles
from tracker.services.errors import Conflict, NotFound, Stale, ValidationError
from tracker.services.evidence import (
    deleted_article_count,
    deleted_articles,
    list_articles,
    restore_article,
)
from tracker.web import timeline
from tracker.web.auth import actor, reader_required, role_required
from tracker.web.common import put_errors, split_codes
from tracker.web.forms import AgreementForm, ButtonForm, EventForm, PrincipleForm, options

blp = Blueprint("agreement_pages", __name__)


def _overview(agreement_id: int) -> agreements.Overview:
    try:
        return agreements.overview(get_session(), agreement_id)
    except NotFound:
        abort(404)


@blp.get("/agreements")
@reader_required
def index() -> str:
    return render_template("agreements/list.html", rows=agreements.board(get_session(), limit=500))


@blp.get("/agreements/<int:agreement_id>")
@reader_required
def detail(agreement_id: int) -> str:
    """One agreement; 404 when it does not exist or was deleted."""
    view = _overview(agreement_id)
    return render_template(
        "agreements/detail.html",
        view=view,
        timeline=timeline.build(view),
        history=audit.describe(get_session(), audit.history(get_session(), agreement_id, limit=50)),
        button_form=ButtonForm(),
    )


def _agreement_data(form: AgreementForm) -> dict[str, Any]:
    titles = {
        lang: (getattr(form, f"title_{lang}").data or "").strip() for lang in ("fa", "ru", "ar")
    }
    rule = form.entry_into_force_days.data
    return {
        "title": form.title.data,
        "titles": {lang: title for lang, title in titles.items() if title},
        "kind": form.kind.data,
        "parties": split_codes(form.parties.data),
        "topics": split_codes(form.topics.data),
        "summary": form.summary.data or "",
        "entry_into_force_rule": None if rule is None else {"days_after_last_notification": rule},
        "duration_years": form.duration_years.data,
    }


AGREEMENT_FIELDS = {"entry_into_force_rule": "entry_into_force_days"}


@blp.route("/agreements/new", methods=["GET", "POST"])
@role_required(Role.EDITOR.value)
def create() -> Any:
    form = AgreementForm()
    if form.validate_on_submit():
        try:
            made = agreements.create_agreement(get_session(), _agreement_data(form), actor=actor())
        except ValidationError as exc:
            put_errors(form, exc, AGREEMENT_FIELDS)
        else:
            flash("Agreement created.", "success")
            return redirect(url_for(".detail", agreement_id=made.id))
    return render_template(
        "agreements/form.html", form=form, agreement=None
    ), 422 if form.errors or form.form_errors else 200


@blp.route("/agreements/<int:agreement_id>/edit", methods=["GET", "POST"])
@role_required(Role.EDITOR.value)
def edit(agreement_id: int) -> Any:
    agreement = _overview(agreement_id).agreement
    form = AgreementForm()
    if request.method == "GET":
        form.title.data = agreement.title
        for lang in ("fa", "ru", "ar"):
            getattr(form, f"title_{lang}").data = agreement.titles.get(lang, "")
        form.kind.data = agreement.kind
        form.parties.data = ", ".join(agreement.party_codes)
        form.topics.data = ", ".join(agreement.topics)
        form.summary.data = agreement.summary
        form.entry_into_force_days.data = agreement.entry_into_force_days
        form.duration_years.data = agreement.duration_years
        form.version.data = str(agreement.version)
    elif form.validate_on_submit():
        version = int(form.version.data) if (form.version.data or "").isdigit() else None
        try:
            agreements.update_agreement(
                get_session(),
                agreement_id,
                _agreement_data(form),
                actor=actor(),
                expected_version=version,
            )
        except Stale:
            form.form_errors.append(
                "Someone changed this agreement while you were editing. Your changes are kept "
                "below; open the agreement in another tab to compare, then save again."
            )
            form.version.data = str(_overview(agreement_id).agreement.version)
        except ValidationError as exc:
            put_errors(form, exc, AGREEMENT_FIELDS)
        else:
            flash("Agreement saved.", "success")
            return redirect(url_for(".detail", agreement_id=agreement_id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("agreements/form.html", form=form, agreement=agreement), status


def _articles() -> list[tuple[str, str]]:
    rows, _ = list_articles(get_session(), limit=200)
    return [("", "— none —")] + [(str(a.id), _article_label(a)) for a in rows]


def _article_label(article: EvidenceArticle) -> str:
    name = article.title or article.text[:60] or article.url or "untitled"
    return f"{article.outlet or 'unknown outlet'}, {article.published or 'undated'}: {name}"


@blp.route("/agreements/<int:agreement_id>/events/new", methods=["GET", "POST"])
@role_required(Role.EDITOR.value)
def new_event(agreement_id: int) -> Any:
    agreement = _overview(agreement_id).agreement
    form = EventForm()
    form.party.choices = options(
        [("", "— none —")] + [(p.code, f"{p.code} — {p.name('en')}") for p in agreement.parties]
    )
    form.article_id.choices = options(_articles())
    if request.method == "GET" and request.args.get("stage"):
        form.stage.data = request.args["stage"]
    if form.validate_on_submit():
        data: dict[str, Any] = {
            "stage": form.stage.data,
            "step": form.step.data or None,
            "party": form.party.data or None,
            "body": form.body.data or "",
            "place": form.place.data or "",
            "date": form.date.data or None,
            "status": form.status.data,
            "note": form.note.data or "",
        }
        if form.article_id.data or form.quote.data:
            data["evidence"] = [
                {
                    "article_id": int(form.article_id.data) if form.article_id.data else None,
                    "quote": form.quote.data,
                }
            ]
        try:
            events.record_event(get_session(), agreement_id, data, actor=actor())
        except ValidationError as exc:
            put_errors(form, exc, {"evidence": "article_id"})
        else:
            flash("Stage event recorded.", "success")
            return redirect(url_for(".detail", agreement_id=agreement_id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("events/form.html", form=form, agreement=agreement), status


def _event_agreement(event_id: int) -> int:
    try:
        return events.get_event(get_session(), event_id).agreement_id
    except NotFound:
        abort(404)


@blp.post("/events/<int:event_id>/prefer")
@role_required(Role.EDITOR.value)
def prefer(event_id: int) -> Any:
    agreement_id = _event_agreement(event_id)
    if ButtonForm().validate_on_submit():
        events.prefer_event(get_session(), event_id, actor=actor())
        flash("The preferred claim is marked; the conflict is settled.", "success")
    return redirect(url_for(".detail", agreement_id=agreement_id) + f"#event-{event_id}")


@blp.post("/agreements/<int:agreement_id>/delete")
@role_required(Role.EDITOR.value)
def delete(agreement_id: int) -> Any:
    """Soft delete: hidden everywhere; an admin can restore it from the deleted list."""
    _overview(agreement_id)
    if ButtonForm().validate_on_submit():
        agreements.delete_agreement(get_session(), agreement_id, actor=actor())
        flash(
            "The agreement is deleted. An admin can restore it with everything it had.", "success"
        )
        return redirect(url_for(".index"))
    return redirect(url_for(".detail", agreement_id=agreement_id))


@blp.get("/deleted")
@role_required(Role.ADMIN.value)
def deleted() -> str:
    """The soft-deleted agreements, most recently deleted first, each with a Restore button."""
    session = get_session()
    return render_template(
        "agreements/deleted.html",
        rows=agreements.deleted_agreements(session, limit=500),
        total=agreements.deleted_count(session),
        articles=deleted_articles(session, limit=500),
        article_total=deleted_article_count(session),
        button_form=ButtonForm(),
    )


@blp.post("/articles/<int:article_id>/restore")
@role_required(Role.ADMIN.value)
def restore_article_page(article_id: int) -> Any:
    if ButtonForm().validate_on_submit():
        try:
            restore_article(get_session(), article_id, actor=actor())
        except NotFound:
            abort(404)
        except Conflict:
            flash("That article is not deleted.", "error")
            return redirect(url_for(".deleted"))
        flash("The article is restored.", "success")
    return redirect(url_for(".deleted"))


@blp.post("/agreements/<int:agreement_id>/restore")
@role_required(Role.ADMIN.value)
def restore(agreement_id: int) -> Any:
    if ButtonForm().validate_on_submit():
        try:
            agreements.restore_agreement(get_session(), agreement_id, actor=actor())
        except NotFound:
            abort(404)
        except Conflict:
            flash("That agreement is not deleted.", "error")
            return redirect(url_for(".deleted"))
        flash("The agreement is restored, with its events, principles and evidence.", "success")
        return redirect(url_for(".detail", agreement_id=agreement_id))
    return redirect(url_for(".deleted"))


@blp.post("/events/<int:event_id>/retract")
@role_required(Role.EDITOR.value)
def retract(event_id: int) -> Any:
    agreement_id = _event_agreement(event_id)
    if ButtonForm().validate_on_submit():
        events.retract_event(get_session(), event_id, actor=actor())
        flash("The claim is retracted: it stays on the record and counts for nothing.", "success")
    return redirect(url_for(".detail", agreement_id=agreement_id) + f"#event-{event_id}")


@blp.route("/agreements/<int:agreement_id>/principles/new", methods=["GET", "POST"])
@role_required(Role.EDITOR.value)
def new_principle(agreement_id: int) -> Any:
    agreement = _overview(agreement_id).agreement
    form = PrincipleForm()
    form.principle.choices = options(
        [(p.code, p.label("en")) for p in principles.vocabulary(get_session())]
    )
    form.party.choices = options(
        [("", "the parties together")] + [(p.code, p.name("en")) for p in agreement.parties]
    )
    form.article_id.choices = options(_articles())
    if form.validate_on_submit():
        data: dict[str, Any] = {"principle": form.principle.data, "party": form.party.data or None}
        if form.clause.data:
            data["clause"] = form.clause.data
        if form.article_id.data or form.quote.data:
            data["article_id"] = int(form.article_id.data) if form.article_id.data else None
            data["quote"] = form.quote.data
        try:
            principles.state_principle(get_session(), agreement_id, data, actor=actor())
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            flash("Principle recorded.", "success")
            return redirect(url_for(".detail", agreement_id=agreement_id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("principles/form.html", form=form, agreement=agreement), status
