"""Agreement pages: the list, one agreement (timeline, evidence, principles, history), and
the forms to create and edit agreements, record events and state principles.

Longer than most modules: the forms of an agreement and of its claims share their choices,
their version checks and their error handling.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from tracker.db import get_session
from tracker.models.vocab import (
    AgreementKind,
    AgreementStatus,
    ConsentType,
    PeriodUnit,
    Role,
    Stage,
    Step,
)
from tracker.services import audit
from tracker.services.agreements import commands, listing, queries, reading
from tracker.services.claims import declarations, events, principles, relations, status_import
from tracker.services.claims.parties import names_of, party_options, resolve_names
from tracker.services.errors import Conflict, FieldErrors, InvalidInput
from tracker.services.evidence.articles import (
    deleted_article_count,
    deleted_articles,
    restore_article,
)
from tracker.web import family, timeline
from tracker.web.auth import actor, reader_required, role_required
from tracker.web.common import (
    EVIDENCE_FIELDS,
    article_choices,
    as_id,
    edited_version,
    form_status,
    saved,
    split_codes,
)
from tracker.web.forms import (
    AgreementForm,
    ButtonForm,
    EventForm,
    PrincipleForm,
    StatusImportForm,
    options,
)

blp = Blueprint("agreement_pages", __name__)


PAGE_SIZE = 50
# The sorts the list offers, as (value, label); the first is the default.
LIST_SORTS = [
    ("-updated", "Recently updated"),
    ("title", "Title, A to Z"),
    ("-signed", "Signed, newest first"),
    ("signed", "Signed, oldest first"),
    ("in_force", "In force or expected, earliest first"),
    ("-in_force", "In force or expected, latest first"),
    ("-stage", "Furthest stage first"),
    ("stage", "Earliest stage first"),
    ("-last_activity", "Last event, newest first"),
    ("last_activity", "Last event, oldest first"),
    ("next_expected", "Next expected, soonest first"),
    ("-created", "Newest records first"),
]


def _list_filters() -> tuple[dict[str, str], dict[str, str], listing.AgreementFilters]:
    """The list's GET form: the values as typed, an error per bad field, the filters to apply.

    A bad value is named beside its field and matches nothing (never a 500, never ignored
    silently).
    """
    typed = {
        name: request.args.get(name, "").strip()[:200]
        for name in ("party", "stage", "status", "topic", "kind", "q", "sort")
    }
    errors: dict[str, str] = {}
    choices = {"stage": Stage, "status": AgreementStatus, "kind": AgreementKind}
    for name, vocabulary in choices.items():
        if typed[name] and typed[name] not in {v.value for v in vocabulary}:
            errors[name] = f"‘{typed[name]}’ is not a {name}"
    if typed["sort"] not in {value for value, _ in LIST_SORTS}:
        typed["sort"] = LIST_SORTS[0][0]
    party = None
    if typed["party"]:
        found = FieldErrors()
        codes = resolve_names(get_session(), typed["party"], "party", found)
        if found.errors:
            errors["party"] = "; ".join(found.errors["party"])
        elif len(codes) > 1:
            errors["party"] = "one party at a time"
        elif codes:
            party = codes[0]
    filters = listing.AgreementFilters(
        party=party,
        stage=typed["stage"] or None,
        status=typed["status"] or None,
        topic=typed["topic"] or None,
        kind=typed["kind"] or None,
        q=typed["q"] or None,
    )
    return typed, errors, filters


@blp.get("/agreements")
@reader_required
def index() -> tuple[str, int]:
    """Agreements, filtered, sorted and paged by a GET form (works without JavaScript)."""
    typed, errors, filters = _list_filters()
    page = request.args.get("page", "1")
    page_number = int(page) if page.isdigit() and 0 < int(page) < 100_000 else 1
    session = get_session()
    rows: list[listing.AgreementRow] = []
    total, capped = 0, False
    if not errors:
        found = listing.page(
            session,
            filters,
            sort=typed["sort"],
            offset=(page_number - 1) * PAGE_SIZE,
            limit=PAGE_SIZE,
            dates=True,
        )
        rows, total, capped = found.rows, found.total, found.capped
    args = {k: v for k, v in typed.items() if v and not (k == "sort" and v == LIST_SORTS[0][0])}
    return render_template(
        "agreements/list.html",
        rows=rows,
        total=total,
        capped=capped,
        typed=typed,
        errors=errors,
        filtered=any(v for k, v in typed.items() if k != "sort"),
        page=page_number,
        pages=max(1, -(-total // PAGE_SIZE)),
        args=args,
        sorts=LIST_SORTS,
        stages=list(Stage),
        statuses=list(AgreementStatus),
        kinds=list(AgreementKind),
        party_options=party_options(session),
        topics=queries.topics_in_use(session),
    ), 422 if errors else 200


# The participants table's columns that sort, by the row's attribute they sort on.
PARTICIPANT_SORTS = (
    "participant",
    "signed",
    "consented",
    "bound_from",
    "withdrawal_notified",
    "suspended_since",
)


def participant_rows(view: reading.Overview, sort: str) -> list[reading.ParticipantRow]:
    """The participants table sorted by `sort` (a column, "-" before it for the reverse);
    rows without the date come last either way, ties in the order of the parties."""
    names = {party.code: party.name("en") for party in view.agreement.parties}
    rows = [
        reading.ParticipantRow(names.get(p.party, p.party), p) for p in view.lifecycle.participants
    ]
    column, reverse = sort.removeprefix("-"), sort.startswith("-")
    if column == "participant":
        return sorted(rows, key=lambda r: r.name.casefold(), reverse=reverse)
    if column not in PARTICIPANT_SORTS:
        return rows
    dated = [r for r in rows if getattr(r.row, column)]
    dated.sort(key=lambda r: getattr(r.row, column), reverse=reverse)
    return dated + [r for r in rows if not getattr(r.row, column)]


def _detail_page(agreement_id: int, import_form: StatusImportForm | None = None) -> str:
    view = reading.overview(get_session(), agreement_id)
    sort = request.args.get("participants", "")
    made = declarations.list_declarations(get_session(), agreement_id)
    declared: dict[str, list[Any]] = {}
    for d in made:
        declared.setdefault(d.party_code, []).append(d)
    related = relations.list_relations(get_session(), agreement_id)
    return render_template(
        "agreements/detail.html",
        view=view,
        timeline=timeline.build(view),
        relations=related,
        family=family.build(agreement_id, view.agreement.title, related),
        history=audit.describe(
            get_session(),
            audit.history(get_session(), agreement_id, limit=50),
            public=not current_user.is_authenticated,
        ),
        button_form=ButtonForm(),
        participants=participant_rows(view, sort),
        participants_sort=sort if sort.removeprefix("-") in PARTICIPANT_SORTS else "",
        import_form=import_form or StatusImportForm(formdata=None),
        declared=declared,
        declarations=[(group[0].party, group) for group in declared.values()],
    )


@blp.get("/agreements/<int:agreement_id>")
@reader_required
def detail(agreement_id: int) -> str:
    """One agreement; 404 when it does not exist or was deleted."""
    return _detail_page(agreement_id)


@blp.post("/agreements/<int:agreement_id>/status")
@role_required(Role.EDITOR.value)
def import_status(agreement_id: int) -> Any:
    """The UN's status table pasted in: its rows recorded as claims, the rows not read named."""
    queries.get_agreement(get_session(), agreement_id)  # 404
    form = StatusImportForm()
    if form.validate_on_submit():
        result = saved(
            form,
            lambda: status_import.import_status(
                get_session(), agreement_id, form.text.data or "", actor=actor()
            ),
        )
        if result is not None:
            flash(result.summary(), "success")
            return redirect(url_for(".detail", agreement_id=agreement_id) + "#participants")
    return _detail_page(agreement_id, form), form_status(form)


def _agreement_data(form: AgreementForm) -> dict[str, Any]:
    titles = {
        lang: (getattr(form, f"title_{lang}").data or "").strip() for lang in ("fa", "ru", "ar")
    }
    data = {
        "title": form.title.data,
        "titles": {lang: title for lang, title in titles.items() if title},
        "kind": form.kind.data,
        "parties": form.parties.data or "",
        "topics": split_codes(form.topics.data),
        "summary": form.summary.data or "",
        "entry_into_force_rule": _rule_data(form),
        "withdrawal_rule": (
            None
            if form.withdrawal_period.data is None
            else {f"{form.withdrawal_unit.data}_after_notification": form.withdrawal_period.data}
        ),
        "depositary": (form.depositary.data or "").strip() or None,
        "signature_opens": (form.signature_opens.data or "").strip() or None,
        "signature_closes": (form.signature_closes.data or "").strip() or None,
        "duration_years": form.duration_years.data,
    }
    if form.bilateral.data in ("yes", "no"):
        data["bilateral"] = form.bilateral.data == "yes"
    return data


def _rule_data(form: AgreementForm) -> dict[str, int] | None:
    """The rule of the fields filled in: both kinds filled is the schema's to refuse."""
    rule = {
        "days_after_last_notification": form.entry_into_force_days.data,
        "instruments_required": form.instruments_required.data,
        "days_after_instrument": form.days_after_instrument.data,
        "days_after_own_instrument": form.days_after_own_instrument.data,
    }
    return {key: value for key, value in rule.items() if value is not None} or None


# Errors of the API's nested rules, beside the fields that hold them.
AGREEMENT_FIELDS = {
    "entry_into_force_rule": "entry_into_force_days",
    "entry_into_force_rule.days_after_last_notification": "entry_into_force_days",
    "entry_into_force_rule.instruments_required": "instruments_required",
    "entry_into_force_rule.days_after_instrument": "days_after_instrument",
    "entry_into_force_rule.days_after_own_instrument": "days_after_own_instrument",
    "withdrawal_rule": "withdrawal_period",
}


@blp.route("/agreements/new", methods=["GET", "POST"])
@role_required(Role.EDITOR.value)
def create() -> Any:
    form = AgreementForm()
    if form.validate_on_submit():
        made = saved(
            form,
            lambda: commands.create_agreement(
                get_session(), _agreement_data(form), actor=actor(), parties_by_name=True
            ),
            fields=AGREEMENT_FIELDS,
        )
        if made is not None:
            flash("Agreement created.", "success")
            return redirect(url_for(".detail", agreement_id=made.id))
    return render_template(
        "agreements/form.html",
        form=form,
        agreement=None,
        party_options=party_options(get_session()),
    ), form_status(form)


@blp.route("/agreements/<int:agreement_id>/edit", methods=["GET", "POST"])
@role_required(Role.EDITOR.value)
def edit(agreement_id: int) -> Any:
    agreement = queries.get_agreement(get_session(), agreement_id)
    form = AgreementForm()
    if request.method == "GET":
        form.title.data = agreement.title
        for lang in ("fa", "ru", "ar"):
            getattr(form, f"title_{lang}").data = agreement.titles.get(lang, "")
        form.kind.data = agreement.kind
        form.parties.data = names_of(get_session(), agreement.party_codes)
        form.topics.data = ", ".join(agreement.topics)
        form.summary.data = agreement.summary
        form.entry_into_force_days.data = agreement.entry_into_force_days
        form.instruments_required.data = agreement.instruments_required
        form.days_after_instrument.data = agreement.days_after_instrument
        form.days_after_own_instrument.data = agreement.days_after_own_instrument
        form.withdrawal_period.data = agreement.withdrawal_period
        form.withdrawal_unit.data = agreement.withdrawal_unit or PeriodUnit.MONTHS.value
        # as the count says while it says so: a change of parties then moves it too
        if agreement.bilateral != (len(agreement.party_codes) == 2):
            form.bilateral.data = "yes" if agreement.bilateral else "no"
        form.depositary.data = (
            names_of(get_session(), [agreement.depositary_code])
            if agreement.depositary_code
            else ""
        )
        form.signature_opens.data = agreement.signature_opens or ""
        form.signature_closes.data = agreement.signature_closes or ""
        form.duration_years.data = agreement.duration_years
        form.version.data = str(agreement.version)
    elif form.validate_on_submit() and saved(
        form,
        lambda: commands.update_agreement(
            get_session(),
            agreement_id,
            _agreement_data(form),
            actor=actor(),
            expected_version=edited_version(form),
            parties_by_name=True,
        ),
        fields=AGREEMENT_FIELDS,
        what="agreement",
        current_version=lambda: queries.get_agreement(get_session(), agreement_id).version,
    ):
        flash("Agreement saved.", "success")
        return redirect(url_for(".detail", agreement_id=agreement_id))
    status = form_status(form)
    return render_template(
        "agreements/form.html",
        form=form,
        agreement=agreement,
        party_options=party_options(get_session()),
    ), status


def _event_choices(form: EventForm, agreement: Any, keep: str | None = None) -> None:
    parties = [(p.code, f"{p.code} — {p.name('en')}") for p in agreement.parties]
    if keep and keep not in agreement.party_codes:
        parties.append((keep, keep))  # recorded through the API for a non-party: kept
    form.party.choices = options([("", "— none —")] + parties)
    form.article_id.choices = options(article_choices())


# The evidence of the API is one article and its quote on the form.


def _event_data(form: EventForm) -> dict[str, Any]:
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
    if data["step"] == Step.NOTIFICATION:
        data["consent_type"] = form.consent_type.data or None
    if form.article_id.data or form.quote.data:
        data["evidence"] = [
            {
                "article_id": as_id(form.article_id.data),
                "quote": form.quote.data,
            }
        ]
    return data


@blp.route("/agreements/<int:agreement_id>/events/new", methods=["GET", "POST"])
@role_required(Role.EDITOR.value)
def new_event(agreement_id: int) -> Any:
    agreement = queries.get_agreement(get_session(), agreement_id)
    form = EventForm()
    _event_choices(form, agreement)
    if request.method == "GET" and request.args.get("stage"):
        form.stage.data = request.args["stage"]
    if form.validate_on_submit() and saved(
        form,
        lambda: events.record_event(
            get_session(),
            agreement_id,
            _event_data(form),
            actor=actor(),
            evidence_waived=form.without_evidence.data,
        ),
        fields=EVIDENCE_FIELDS,
    ):
        flash("Stage event recorded.", "success")
        return redirect(url_for(".detail", agreement_id=agreement_id))
    status = form_status(form)
    return render_template("events/form.html", form=form, agreement=agreement, event=None), status


@blp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
@role_required(Role.EDITOR.value)
def edit_event(event_id: int) -> Any:
    """The event form filled in; saved as PATCH /api/v1/events/{id} saves (same service, same
    version check, audited). A change made meanwhile is refused, keeping what was typed."""
    session = get_session()
    event = events.get_event(session, event_id)
    agreement = queries.get_agreement(session, event.agreement_id)
    form = EventForm()
    _event_choices(form, agreement, keep=event.party_code)
    if request.method == "GET":
        form.stage.data = event.stage
        form.step.data = event.step or ""
        form.party.data = event.party_code or ""
        form.body.data = event.body
        form.place.data = event.place
        form.date.data = event.date or ""
        form.status.data = event.status
        form.consent_type.data = event.consent_type or ConsentType.RATIFICATION.value
        form.note.data = event.note
        form.version.data = str(event.version)
    elif form.validate_on_submit() and saved(
        form,
        lambda: events.edit_event(
            session,
            event_id,
            _event_data(form),
            actor=actor(),
            expected_version=edited_version(form),
            evidence_waived=form.without_evidence.data,
        ),
        fields=EVIDENCE_FIELDS,
        what="claim",
        current_version=lambda: events.get_event(session, event_id).version,
    ):
        flash("Stage event saved.", "success")
        return redirect(url_for(".detail", agreement_id=agreement.id) + f"#event-{event_id}")
    status = form_status(form)
    return render_template("events/form.html", form=form, agreement=agreement, event=event), status


def _event_agreement(event_id: int) -> int:
    return events.get_event(get_session(), event_id).agreement_id


@blp.post("/events/<int:event_id>/prefer")
@role_required(Role.EDITOR.value)
def prefer(event_id: int) -> Any:
    agreement_id = _event_agreement(event_id)
    if ButtonForm().validate_on_submit():
        try:
            events.prefer_event(get_session(), event_id, actor=actor())
        except InvalidInput:
            flash("A retracted claim cannot be preferred: undo its retraction first.", "error")
        else:
            flash("The preferred claim is marked; the conflict is settled.", "success")
    return redirect(url_for(".detail", agreement_id=agreement_id) + f"#event-{event_id}")


@blp.post("/agreements/<int:agreement_id>/delete")
@role_required(Role.EDITOR.value)
def delete(agreement_id: int) -> Any:
    """Soft delete: hidden everywhere; an admin can restore it from the deleted list."""
    queries.get_agreement(get_session(), agreement_id)  # 404
    if ButtonForm().validate_on_submit():
        commands.delete_agreement(get_session(), agreement_id, actor=actor())
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
        rows=queries.deleted_agreements(session, limit=500),
        total=queries.deleted_count(session),
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
            commands.restore_agreement(get_session(), agreement_id, actor=actor())
        except Conflict:
            flash("That agreement is not deleted.", "error")
            return redirect(url_for(".deleted"))
        flash("The agreement is restored, with its events, principles and evidence.", "success")
        return redirect(url_for(".detail", agreement_id=agreement_id))
    return redirect(url_for(".deleted"))


@blp.route("/events/<int:event_id>/retract", methods=["GET", "POST"])
@role_required(Role.EDITOR.value)
def retract(event_id: int) -> Any:
    """GET asks for confirmation; POST retracts, and the message offers Undo."""
    session = get_session()
    event = events.get_event(session, event_id)
    agreement_id = event.agreement_id
    form = ButtonForm()
    if request.method == "GET" or not form.validate_on_submit():
        if request.method == "POST":
            return redirect(url_for(".detail", agreement_id=agreement_id) + f"#event-{event_id}")
        return render_template(
            "events/retract.html", event=event, agreement=event.agreement, button_form=form
        )
    if event.status != "retracted":
        events.retract_event(session, event_id, actor=actor())
    undo = url_for(".undo_retract", event_id=event_id)
    flash(
        Markup(
            "The claim is retracted: it stays on the record and counts for nothing. "
            '<form class="inline" method="post" action="{}">'
            '<input type="hidden" name="csrf_token" value="{}">'
            '<button type="submit">Undo</button></form>'
        ).format(undo, generate_csrf()),
        "success",
    )
    return redirect(url_for(".detail", agreement_id=agreement_id) + f"#event-{event_id}")


@blp.post("/events/<int:event_id>/undo-retract")
@role_required(Role.EDITOR.value)
def undo_retract(event_id: int) -> Any:
    """Give a retracted claim back the status it had before (audited)."""
    agreement_id = _event_agreement(event_id)
    if ButtonForm().validate_on_submit():
        try:
            event = events.undo_retraction(get_session(), event_id, actor=actor())
        except Conflict:
            flash("That claim is not retracted.", "error")
        else:
            flash(f"The claim is back, as {event.status}.", "success")
    return redirect(url_for(".detail", agreement_id=agreement_id) + f"#event-{event_id}")


@blp.route("/agreements/<int:agreement_id>/principles/new", methods=["GET", "POST"])
@role_required(Role.EDITOR.value)
def new_principle(agreement_id: int) -> Any:
    agreement = queries.get_agreement(get_session(), agreement_id)
    form = PrincipleForm()
    form.principle.choices = options(
        [(p.code, p.label("en")) for p in principles.vocabulary(get_session())]
    )
    form.party.choices = options(
        [("", "the parties together")] + [(p.code, p.name("en")) for p in agreement.parties]
    )
    form.article_id.choices = options(article_choices())
    if form.validate_on_submit():
        data: dict[str, Any] = {"principle": form.principle.data, "party": form.party.data or None}
        if form.clause.data:
            data["clause"] = form.clause.data
        if form.article_id.data or form.quote.data:
            data["article_id"] = int(form.article_id.data) if form.article_id.data else None
            data["quote"] = form.quote.data
        if saved(
            form,
            lambda: principles.state_principle(get_session(), agreement_id, data, actor=actor()),
        ):
            flash("Principle recorded.", "success")
            return redirect(url_for(".detail", agreement_id=agreement_id))
    status = form_status(form)
    return render_template("principles/form.html", form=form, agreement=agreement), status
