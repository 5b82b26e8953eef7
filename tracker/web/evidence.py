"""Adding evidence to an agreement: paste text or HTML, or give a URL; then review what the
extractor suggests and accept or reject each suggestion."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from tracker.db import get_session
from tracker.models.vocab import Role
from tracker.services.agreements.queries import get_agreement
from tracker.services.errors import InvalidInput
from tracker.services.evidence import articles as evidence
from tracker.services.evidence import review
from tracker.services.infra.fetching import FetchSettings
from tracker.text.extract import MAX_CHARACTERS, PRETICK_CONFIDENCE
from tracker.web.auth import actor, role_required
from tracker.web.common import form_status, saved
from tracker.web.forms import RATIFIED_HINT, AcceptForm, EvidenceForm, options

blp = Blueprint("evidence_pages", __name__)


@blp.route("/agreements/<int:agreement_id>/evidence/new", methods=["GET", "POST"])
@role_required(Role.EDITOR.value)
def new(agreement_id: int) -> Any:
    session = get_session()
    agreement = get_agreement(session, agreement_id)
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
        stored = saved(
            form,
            lambda: evidence.intake(
                session,
                data,
                actor=actor(),
                fetch_settings=FetchSettings.from_config(current_app.config),
            ),
        )
        if stored is not None:
            article, created = stored
            if not created:
                flash("This URL is stored already: here is what it holds.", "info")
            return redirect(
                url_for(".review_page", agreement_id=agreement_id, article_id=article.id)
            )
    status = form_status(form)
    return render_template("evidence/form.html", form=form, agreement=agreement), status


@blp.route(
    "/agreements/<int:agreement_id>/evidence/<int:article_id>/review", methods=["GET", "POST"]
)
@role_required(Role.EDITOR.value)
def review_page(agreement_id: int, article_id: int) -> Any:
    """The extractor's suggestions as editable rows; one submission records the ticked ones
    (all or nothing: an error is shown beside its row and nothing is recorded)."""
    session = get_session()
    found = review.suggestions(session, agreement_id, article_id)
    agreement = get_agreement(session, agreement_id)
    article = evidence.get_article(session, article_id)
    if request.method == "POST":
        form = AcceptForm()
    else:
        form = AcceptForm(data={"events": [_initial(i, e) for i, e in enumerate(found.events)]})
    party_choices = options(
        [("", "— none —")]
        + [(p.code, f"{p.code} — {p.name('en')}") for p in agreement.parties]
        + [
            (p["code"], f"{p['code']} (found in the article: tick it under Parties)")
            for p in found.parties
            if p["code"] not in found.known_parties
        ]
    )
    rows = []
    for entry in form.events:
        entry.form.party.choices = party_choices
        index = _index(entry.form.index.data, len(found.events))
        if index is not None:
            rows.append((entry.form, found.events[index], index))
    if request.method == "POST" and form.validate_on_submit():
        claims = [{"index": index, **_claim(row)} for row, _, index in rows if row.accept.data]
        try:
            made = review.accept(
                session,
                agreement_id,
                article_id,
                parties=form.parties.data,
                events=claims,
                principles=form.principles.data,
                actor=actor(),
            )
        except InvalidInput as exc:
            _put_row_errors(form, rows, exc)
        else:
            flash(recorded_message(made, article), "success" if any(made.values()) else "info")
            return redirect(url_for("agreement_pages.detail", agreement_id=agreement_id))
    quotes = {
        index: article.text[slice(*review.sentence_around(article.text, e["start"], e["end"]))]
        for index, e in enumerate(found.events)
    }
    status = 422 if request.method == "POST" else 200  # a POST shown again was refused
    return render_template(
        "evidence/review.html",
        form=form,
        rows=rows,
        agreement=agreement,
        article=article,
        found=found,
        quotes=quotes,
        submitted=request.method == "POST",
        ratified_hint=RATIFIED_HINT,
        max_characters=MAX_CHARACTERS,
    ), status


def _initial(index: int, item: dict[str, Any]) -> dict[str, Any]:
    """A suggestion as the row's starting values: ticked only when the extractor is confident."""
    confidence = item.get("confidence")
    return {
        "accept": isinstance(confidence, int | float) and confidence >= PRETICK_CONFIDENCE,
        "index": str(index),
        "stage": item.get("stage") or "",
        "step": item.get("step") or "",
        "consent_type": item.get("consent_type") or "",
        "party": item.get("party") or "",
        "body": item.get("body") or "",
        "date": item.get("date") or "",
        "status": item.get("status") or "reported",
    }


def _index(value: Any, count: int) -> int | None:
    text = str(value or "")
    return int(text) if text.isdigit() and int(text) < count else None


def _claim(row: Any) -> dict[str, Any]:
    claim = {
        "stage": row.stage.data or "",
        "step": row.step.data or None,
        "party": row.party.data or None,
        "body": row.body.data or "",
        "date": row.date.data or None,
    }
    if row.consent_type.data:  # the notification step's only; refused beside it elsewhere
        claim["consent_type"] = row.consent_type.data
    if row.status.data:  # else the schema's default (reported)
        claim["status"] = row.status.data
    return claim


def _put_row_errors(form: AcceptForm, rows: list[tuple[Any, Any, int]], exc: InvalidInput) -> None:
    """`events.<index>.<field>` errors beside that row's field; any other above the form."""
    by_index = {index: row for row, _, index in rows}
    for key, messages in exc.errors.items():
        parts = key.split(".")
        row = by_index.get(int(parts[1])) if len(parts) > 1 and parts[1].isdigit() else None
        if parts[0] != "events" or row is None:
            form.form_errors.extend(f"{key}: {m}" for m in messages)
            continue
        name = parts[2] if len(parts) > 2 else ""
        target = getattr(row, name, None) if name in review.EDITABLE else row.accept
        if name not in review.EDITABLE:
            messages = [f"{name}: {m}" if name else m for m in messages]
        target.errors = [*list(target.errors), *messages]


def recorded_message(made: dict[str, int], article: Any) -> str:
    """'Recorded 3 events and 1 principle from TASS: “title”' (nothing is said of none)."""
    nouns = (("parties", "party"), ("events", "event"), ("principles", "principle"))
    counts = [
        f"{made[plural]} {singular if made[plural] == 1 else plural}"
        for plural, singular in nouns
        if made.get(plural)
    ]
    source = article.outlet or "an unknown outlet"
    if article.title:
        title = article.title if len(article.title) <= 80 else article.title[:79] + "…"
        source += f": “{title}”"
    elif article.published:
        source += f", {article.published}"
    if not counts:
        return f"Nothing was recorded from {source}; the article is kept as evidence."
    listed = counts[0] if len(counts) == 1 else ", ".join(counts[:-1]) + " and " + counts[-1]
    return f"Recorded {listed} from {source}."
