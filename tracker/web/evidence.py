"""Adding evidence to an agreement: paste text or HTML, or give a URL; then review what the
extractor suggests and accept or reject each suggestion."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from tracker.db import get_session
from tracker.models.vocab import Role
from tracker.services.agreements.queries import get_agreement
from tracker.services.claims.declarations import OBJECTION, list_declarations
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
    agreement = get_agreement(session, agreement_id)
    article = evidence.get_article(session, article_id)
    shown = review_rows(session, agreement, article, submitted=request.method == "POST")
    form = shown.form
    if request.method == "POST" and form.validate_on_submit():
        claims = shown.claims()
        try:
            made = review.accept(session, agreement_id, article_id, **claims, actor=actor())
        except InvalidInput as exc:
            shown.put_errors(exc)
        else:
            flash(
                recorded_message(made, article, shown.kinds(claims)),
                "success" if any(made.values()) else "info",
            )
            return redirect(url_for("agreement_pages.detail", agreement_id=agreement_id))
    status = 422 if request.method == "POST" else 200  # a POST shown again was refused
    return render_template(
        "evidence/review.html",
        **shown.context(),
        agreement=agreement,
        article=article,
        max_characters=MAX_CHARACTERS,
    ), status


@dataclass
class ReviewRows:
    """The review form of an article read for an agreement: the extractor's suggestions as
    editable rows (evidence/_claims.html shows them), what is ticked as `review.accept`'s
    arguments, and a refusal's errors put back beside their rows. The inbox's item page
    shows and reads the same rows."""

    form: AcceptForm
    found: review.Suggestions
    article: Any
    rows: list[tuple[Any, dict[str, Any], int]]
    relation_rows: list[tuple[Any, dict[str, Any], int]]
    declaration_rows: list[tuple[Any, dict[str, Any], int]]
    submitted: bool

    def claims(self) -> dict[str, Any]:
        """The ticked rows as `review.accept` (and the inbox's accept) take them: parties,
        events, principles, relations and declarations."""
        return {
            "parties": list(self.form.parties.data or []),
            "events": [
                {"index": index, **_claim(row)} for row, _, index in self.rows if row.accept.data
            ],
            "principles": list(self.form.principles.data or []),
            "relations": [
                {"index": index, **_relation_claim(row)}
                for row, _, index in self.relation_rows
                if row.accept.data
            ],
            "declarations": [
                {"index": index, **_declaration_claim(row)}
                for row, _, index in self.declaration_rows
                if row.accept.data
            ],
        }

    @staticmethod
    def kinds(claims: Mapping[str, Any]) -> Counter[str]:
        """How many declarations of each kind `claims` records (for recorded_message)."""
        return Counter(d["kind"] for d in claims.get("declarations") or [])

    def put_errors(self, exc: InvalidInput) -> None:
        """A refusal's `events.<index>.<field>` (…) errors beside that row's field."""
        _put_row_errors(
            self.form,
            {
                "events": self.rows,
                "relations": self.relation_rows,
                "declarations": self.declaration_rows,
            },
            exc,
        )

    def context(self) -> dict[str, Any]:
        """What evidence/_claims.html needs to show the rows."""
        text = self.article.text

        def quote(item: dict[str, Any]) -> str:
            return text[slice(*review.sentence_around(text, item["start"], item["end"]))]

        return {
            "form": self.form,
            "found": self.found,
            "rows": self.rows,
            "relation_rows": self.relation_rows,
            "declaration_rows": self.declaration_rows,
            "quotes": {index: quote(e) for index, e in enumerate(self.found.events)},
            "relation_quotes": [quote(r) for r in self.found.relations],
            "declaration_quotes": [quote(d) for d in self.found.declarations],
            "objection": OBJECTION,
            "submitted": self.submitted,
            "ratified_hint": RATIFIED_HINT,
        }


def review_rows(
    session: Any,
    agreement: Any,
    article: Any,
    *,
    submitted: bool,
    form_class: type[AcceptForm] = AcceptForm,
) -> ReviewRows:
    """The review rows of `article` read for `agreement`: filled from the request when
    `submitted`, else from the suggestions, ticked where the extractor is confident (as the
    review page opens; `ReviewRows.claims()` of an unsubmitted one is what one click on its
    Accept would record). NotFound (404) for a missing agreement or article."""
    found = review.suggestions(session, agreement.id, article.id)
    # an objection answers one of the agreement's standing declarations by another party
    standing = [d for d in list_declarations(session, agreement.id) if d.kind != OBJECTION]
    answerable = {
        index: _answerable(standing, item) for index, item in enumerate(found.declarations)
    }
    if submitted:
        form = form_class()
    else:
        form = form_class(
            formdata=None,
            data={
                "parties": [
                    p["code"] for p in found.parties if p["code"] not in found.known_parties
                ],
                "principles": [p["code"] for p in found.principles],
                "events": [_initial(i, e) for i, e in enumerate(found.events)],
                "relations": [_initial_relation(i, r) for i, r in enumerate(found.relations)],
                "declarations": [
                    _initial_declaration(i, d, answerable[i])
                    for i, d in enumerate(found.declarations)
                ],
            },
        )
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
    relation_rows = []
    for entry in form.relations:
        index = _index(entry.form.index.data, len(found.relations))
        if index is not None:
            item = found.relations[index]
            entry.form.target_id.choices = options(
                [(str(c["id"]), c["title"]) for c in item.get("candidates") or []]
            )
            relation_rows.append((entry.form, item, index))
    declaration_rows = []
    for entry in form.declarations:
        index = _index(entry.form.index.data, len(found.declarations))
        if index is not None:
            entry.form.party.choices = party_choices
            entry.form.objects_to.choices = options(
                [(str(d.id), _declaration_option(d)) for d in answerable[index]]
            )
            declaration_rows.append((entry.form, found.declarations[index], index))
    return ReviewRows(
        form, found, article, rows, relation_rows, declaration_rows, submitted=submitted
    )


def _initial_relation(index: int, item: dict[str, Any]) -> dict[str, Any]:
    """Ticked only when the extractor is confident and found an agreement it may name (the
    first of them chosen)."""
    candidates = item.get("candidates") or []
    confidence = item.get("confidence")
    return {
        "accept": bool(candidates)
        and isinstance(confidence, int | float)
        and confidence >= PRETICK_CONFIDENCE,
        "index": str(index),
        "type": item.get("type") or "",
        "target_id": str(candidates[0]["id"]) if candidates else "",
        "date": "",
    }


def _answerable(standing: list[Any], item: dict[str, Any]) -> list[Any]:
    """The agreement's live declarations an objection suggested by `item` may answer: those
    of other parties, the party it names as objected to first."""
    party, target = item.get("party"), item.get("objects_to_party")
    others = [d for d in standing if d.party_code != party]
    return sorted(others, key=lambda d: d.party_code != target)


def _declaration_option(declaration: Any) -> str:
    words = declaration.text if len(declaration.text) <= 80 else declaration.text[:79] + "…"
    when = f", {declaration.date}" if declaration.date else ""
    return f"{declaration.party_code}'s {declaration.kind}{when}: {words}"


def _initial_declaration(index: int, item: dict[str, Any], answerable: list[Any]) -> dict[str, Any]:
    """Ticked only when the extractor is confident, and for an objection only when there is
    a declaration for it to answer (the likeliest chosen)."""
    confidence = item.get("confidence")
    objection = item.get("kind") == OBJECTION
    return {
        "accept": isinstance(confidence, int | float)
        and confidence >= PRETICK_CONFIDENCE
        and (not objection or bool(answerable)),
        "index": str(index),
        "kind": item.get("kind") or "",
        "party": item.get("party") or "",
        "made_at": item.get("made_at") or "",
        "objects_to": str(answerable[0].id) if objection and answerable else "",
        "date": "",
        "text": "",
    }


def _relation_claim(row: Any) -> dict[str, Any]:
    target = row.target_id.data or ""
    return {
        "type": row.type.data or "",
        "target_id": int(target) if target.isdigit() else target or None,
        "date": row.date.data or None,
    }


def _declaration_claim(row: Any) -> dict[str, Any]:
    claim: dict[str, Any] = {
        "kind": row.kind.data or "",
        "party": row.party.data or "",
        "made_at": row.made_at.data or None,
        "date": row.date.data or None,
    }
    if row.text.data and row.text.data.strip():
        claim["text"] = row.text.data
    if claim["kind"] == OBJECTION:
        target = row.objects_to.data or ""
        claim["objects_to"] = int(target) if target.isdigit() else None
    return claim


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


# The fields of each kind of row an error may be shown beside (any other: beside its tick box).
_ROW_FIELDS = {
    "events": review.EDITABLE,
    "relations": review.RELATION_EDITABLE,
    "declarations": review.DECLARATION_EDITABLE,
}


def _put_row_errors(
    form: AcceptForm, rows: dict[str, list[tuple[Any, Any, int]]], exc: InvalidInput
) -> None:
    """`events.<index>.<field>` (and `relations.…`, `declarations.…`) errors beside that
    row's field; any other above the form."""
    for key, messages in exc.errors.items():
        parts = key.split(".")
        by_index = {index: (row, item) for row, item, index in rows.get(parts[0], [])}
        found = by_index.get(int(parts[1])) if len(parts) > 1 and parts[1].isdigit() else None
        if found is None:
            form.form_errors.extend(f"{key}: {m}" for m in messages)
            continue
        row, item = found
        name = parts[2] if len(parts) > 2 else ""
        shown = name in _ROW_FIELDS[parts[0]] and _rendered(parts[0], item, name)
        target = getattr(row, name) if shown else row.accept
        if not shown:
            messages = [f"{name}: {m}" if name else m for m in messages]
        target.errors = [*list(target.errors), *messages]


def _rendered(kind: str, item: dict[str, Any], name: str) -> bool:
    """Whether the review page shows that field on the row of that suggestion (as
    evidence/review.html decides)."""
    if kind == "relations":
        return bool(item.get("candidates"))
    if kind == "declarations" and name == "objects_to":
        return item.get("kind") == OBJECTION
    return True


def story_name(article: Any) -> str:
    """An article as a flash message names it: 'TASS: “title”' (else its date)."""
    source = article.outlet or "an unknown outlet"
    if article.title:
        title = article.title if len(article.title) <= 80 else article.title[:79] + "…"
        source += f": “{title}”"
    elif article.published:
        source += f", {article.published}"
    return source


def recorded_message(
    made: dict[str, int],
    article: Any,
    kinds: Mapping[str, int] | None = None,
    agreement: str | None = None,
) -> str:
    """'Recorded 3 events, 1 relation and 1 reservation from TASS: “title”' (nothing is said
    of none), ' on “agreement”' when its title is given; declarations are named by their
    `kinds` when given."""
    nouns = (
        ("parties", "party"),
        ("events", "event"),
        ("principles", "principle"),
        ("relations", "relation"),
    )
    counts = [
        f"{made[plural]} {singular if made[plural] == 1 else plural}"
        for plural, singular in nouns
        if made.get(plural)
    ]
    if made.get("declarations"):
        by_kind = kinds if kinds and sum(kinds.values()) == made["declarations"] else None
        for kind, count in (by_kind or {"declaration": made["declarations"]}).items():
            if count:
                counts.append(f"{count} {kind}{'' if count == 1 else 's'}")
    source = story_name(article)
    if agreement:
        short = agreement if len(agreement) <= 80 else agreement[:79] + "…"
        source += f" on “{short}”"
    if not counts:
        return f"Nothing was recorded from {source}; the article is kept as evidence."
    listed = counts[0] if len(counts) == 1 else ", ".join(counts[:-1]) + " and " + counts[-1]
    return f"Recorded {listed} from {source}."
