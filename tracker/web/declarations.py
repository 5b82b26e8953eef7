"""Parties' declarations on the agreement page: the forms to record, edit and remove them."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from tracker.db import get_session
from tracker.models import Agreement, Declaration
from tracker.models.vocab import DeclarationKind, Role
from tracker.services.agreements import queries
from tracker.services.claims import declarations
from tracker.services.errors import Conflict
from tracker.web.auth import actor, role_required
from tracker.web.common import (
    EVIDENCE_FIELDS,
    article_choices,
    as_id,
    edited_version,
    form_status,
    saved,
)
from tracker.web.forms import ButtonForm, DeclarationForm, options

blp = Blueprint("declaration_pages", __name__)


def _choices(form: DeclarationForm, agreement: Agreement, current: Declaration | None) -> None:
    parties = [(p.code, f"{p.code} — {p.name('en')}") for p in agreement.parties]
    form.party.choices = options([("", "— choose a party —"), *parties])
    answerable = [
        d
        for d in declarations.list_declarations(get_session(), agreement.id)
        if d.kind != DeclarationKind.OBJECTION and (current is None or d.id != current.id)
    ]
    form.objects_to.choices = options(
        [("", "— none —")]
        + [
            (str(d.id), f"#{d.id} {d.party_code}'s {d.kind} ({d.date or 'undated'})")
            for d in answerable
        ]
    )
    form.article_id.choices = options(article_choices())


def _data(form: DeclarationForm) -> dict[str, Any]:
    data: dict[str, Any] = {
        "party": form.party.data or "",
        "kind": form.kind.data or "",
        "made_at": form.made_at.data or None,
        "date": form.date.data or None,
        "text": form.text.data or "",
        "language": (form.language.data or "").strip() or None,
        "objects_to": as_id(form.objects_to.data),
        "withdrawn_on": form.withdrawn_on.data or None,
        "note": form.note.data or "",
    }
    if form.article_id.data or form.quote.data:
        data["evidence"] = [{"article_id": as_id(form.article_id.data), "quote": form.quote.data}]
    return data


def _page(agreement_id: int, declaration_id: int | None = None) -> str:
    anchor = f"#declaration-{declaration_id}" if declaration_id else "#declarations"
    return url_for("agreement_pages.detail", agreement_id=agreement_id) + anchor


@blp.route("/agreements/<int:agreement_id>/declarations/new", methods=["GET", "POST"])
@role_required(Role.EDITOR.value)
def new(agreement_id: int) -> Any:
    agreement = queries.get_agreement(get_session(), agreement_id)
    form = DeclarationForm()
    _choices(form, agreement, None)
    if request.method == "GET":
        form.party.data = request.args.get("party", "")
        form.kind.data = request.args.get("kind", "")
        form.objects_to.data = request.args.get("objects_to", "")
    if form.validate_on_submit():
        made = saved(
            form,
            lambda: declarations.record_declaration(
                get_session(), agreement_id, _data(form), actor=actor()
            ),
            fields=EVIDENCE_FIELDS,
        )
        if made is not None:
            flash(f"The {made.kind} is recorded.", "success")
            return redirect(_page(agreement_id, made.id))
    return render_template(
        "declarations/form.html", form=form, agreement=agreement, declaration=None
    ), form_status(form)


@blp.route("/declarations/<int:declaration_id>/edit", methods=["GET", "POST"])
@role_required(Role.EDITOR.value)
def edit(declaration_id: int) -> Any:
    """Saved as PATCH /api/v1/declarations/{id} saves; withdrawing is giving the day."""
    session = get_session()
    declaration = declarations.get_declaration(session, declaration_id)
    agreement = queries.get_agreement(session, declaration.agreement_id)
    form = DeclarationForm()
    _choices(form, agreement, declaration)
    if request.method == "GET":
        form.party.data = declaration.party_code
        form.kind.data = declaration.kind
        form.made_at.data = declaration.made_at or ""
        form.date.data = declaration.date or ""
        form.text.data = declaration.text
        form.language.data = declaration.language or ""
        form.objects_to.data = str(declaration.objects_to_id or "")
        form.withdrawn_on.data = declaration.withdrawn_on or ""
        form.note.data = declaration.note
        form.version.data = str(declaration.version)
    elif form.validate_on_submit() and saved(
        form,
        lambda: declarations.amend_declaration(
            session, declaration_id, _data(form), actor=actor(), version=edited_version(form)
        ),
        fields=EVIDENCE_FIELDS,
        what="declaration",
        current_version=lambda: declarations.get_declaration(session, declaration_id).version,
    ):
        flash("The declaration is saved.", "success")
        return redirect(_page(agreement.id, declaration_id))
    return render_template(
        "declarations/form.html", form=form, agreement=agreement, declaration=declaration
    ), form_status(form)


@blp.route("/declarations/<int:declaration_id>/remove", methods=["GET", "POST"])
@role_required(Role.EDITOR.value)
def remove(declaration_id: int) -> Any:
    """GET asks for confirmation; POST removes it (kept in the history)."""
    session = get_session()
    declaration = declarations.get_declaration(session, declaration_id)
    agreement_id = declaration.agreement_id
    form = ButtonForm()
    if request.method == "GET":
        return render_template(
            "declarations/remove.html",
            declaration=declaration,
            objections=declarations.objected_by(declaration),
            agreement=declaration.agreement,
            button_form=form,
        )
    if form.validate_on_submit():
        try:
            declarations.remove_declaration(session, declaration_id, actor=actor())
        except Conflict as exc:
            flash(f"Not removed: {exc}.", "error")
            return redirect(_page(agreement_id, declaration_id))
        flash(f"The {declaration.kind} is removed; the history keeps it.", "success")
    return redirect(_page(agreement_id))
