"""Relations between agreements on the agreement page: record one by finding the other
agreement by part of its title (in any language), edit it, remove it."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from tracker.db import get_session
from tracker.models import Agreement
from tracker.models.vocab import Role
from tracker.services.agreements import listing, queries
from tracker.services.claims import relations
from tracker.web.auth import actor, role_required
from tracker.web.common import (
    EVIDENCE_FIELDS,
    article_choices,
    as_id,
    edited_version,
    form_status,
    saved,
)
from tracker.web.forms import ButtonForm, RelationForm, options

blp = Blueprint("relation_pages", __name__)

# The evidence of the API is one article and its quote on the form.
FOUND = 20  # agreements offered for one search


def _candidates(form: RelationForm, agreement: Agreement, keep: Agreement | None) -> list[Any]:
    """The agreements whose titles match what was typed (any language, any spelling, through
    the list's search), this one left out; the one chosen before is kept."""
    found: list[tuple[int, str]] = []
    if keep is not None:
        found.append((keep.id, keep.title))
    text = (form.find.data or "").strip()
    if text:
        rows, _ = listing.search(get_session(), listing.AgreementFilters(q=text), limit=FOUND)
        for row in rows:
            if row.id != agreement.id and all(row.id != i for i, _ in found):
                others = [t for t in (row.titles or {}).values() if t and t != row.title]
                found.append((row.id, " · ".join([row.title, *others])))
    form.target_id.choices = options([(str(i), title) for i, title in found])
    return found


def _data(form: RelationForm) -> dict[str, Any]:
    data: dict[str, Any] = {
        "type": form.type.data or None,
        "target_id": as_id(form.target_id.data),
        "date": form.date.data or None,
        "note": form.note.data or "",
    }
    if data["type"] is None:
        data.pop("type")
    if data["target_id"] is None:
        data.pop("target_id")
    if form.article_id.data or form.quote.data:
        data["evidence"] = [{"article_id": as_id(form.article_id.data), "quote": form.quote.data}]
    return data


def _finding() -> bool:
    """The researcher pressed "Find" (or came with ?find=…): show the matches, save nothing."""
    return "find_button" in request.form or (request.method == "GET" and "find" in request.args)


@blp.route("/agreements/<int:agreement_id>/relations/new", methods=["GET", "POST"])
@role_required(Role.EDITOR.value)
def new(agreement_id: int) -> Any:
    agreement = queries.get_agreement(get_session(), agreement_id)
    form = RelationForm(formdata=request.form if request.method == "POST" else request.args)
    form.article_id.choices = options(article_choices())
    found = _candidates(form, agreement, None)
    if len(found) == 1 and not form.target_id.data:
        form.target_id.data = str(found[0][0])
    if (
        request.method == "POST"
        and not _finding()
        and form.validate()
        and saved(
            form,
            lambda: relations.record_relation(
                get_session(), agreement_id, _data(form), actor=actor()
            ),
            fields=EVIDENCE_FIELDS,
        )
    ):
        flash("Relation recorded.", "success")
        return redirect(url_for("agreement_pages.detail", agreement_id=agreement_id) + "#relations")
    status = form_status(form)
    return render_template(
        "relations/form.html", form=form, agreement=agreement, relation=None, found=found
    ), status


@blp.route("/relations/<int:relation_id>/edit", methods=["GET", "POST"])
@role_required(Role.EDITOR.value)
def edit(relation_id: int) -> Any:
    """The relation's form filled in; saved as PATCH /api/v1/relations/{id} saves (same
    service, same version check, audited)."""
    session = get_session()
    relation = relations.get_relation(session, relation_id)
    agreement = relation.subject
    form = RelationForm()
    form.article_id.choices = options(article_choices())
    if request.method == "GET":
        form.type.data = relation.type
        form.target_id.data = str(relation.target_id)
        form.date.data = relation.date or ""
        form.note.data = relation.note
        form.version.data = str(relation.version)
    found = _candidates(form, agreement, relation.target)
    if (
        request.method == "POST"
        and not _finding()
        and form.validate()
        and saved(
            form,
            lambda: relations.amend_relation(
                session, relation_id, _data(form), actor=actor(), version=edited_version(form)
            ),
            fields=EVIDENCE_FIELDS,
            what="relation",
            current_version=lambda: relations.get_relation(session, relation_id).version,
        )
    ):
        flash("Relation saved.", "success")
        return redirect(url_for("agreement_pages.detail", agreement_id=agreement.id) + "#relations")
    status = form_status(form)
    return render_template(
        "relations/form.html", form=form, agreement=agreement, relation=relation, found=found
    ), status


@blp.route("/relations/<int:relation_id>/remove", methods=["GET", "POST"])
@role_required(Role.EDITOR.value)
def remove(relation_id: int) -> Any:
    """GET asks for confirmation; POST removes it (kept in the history)."""
    session = get_session()
    relation = relations.get_relation(session, relation_id)
    agreement_id = relation.subject_id
    form = ButtonForm()
    if request.method == "GET" or not form.validate_on_submit():
        return render_template(
            "relations/remove.html", relation=relations.view(relation), button_form=form
        )
    relations.remove_relation(session, relation_id, actor=actor())
    flash("Relation removed.", "success")
    return redirect(url_for("agreement_pages.detail", agreement_id=agreement_id) + "#relations")
