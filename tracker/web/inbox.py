"""The evidence inbox's pages: stories brought in by the news feeds, each with the agreement
it is likely about, triaged one action each (accept, dismiss, a new agreement, reopen).
Every action is a plain form; tracker/static/enhance.js adds the keys j/k/a/d/o on top.

One module: the list and the story page share the list's arguments (`back`), the step to the
next story and the action forms.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup
from sqlalchemy.exc import SQLAlchemyError
from wtforms import HiddenField, RadioField, SelectField, StringField

from tracker.db import get_session
from tracker.models.vocab import AgreementKind, InboxState, Role
from tracker.services.agreements import listing
from tracker.services.agreements.queries import get_agreement, titles
from tracker.services.errors import Conflict, InvalidInput, NotFound
from tracker.services.evidence.articles import get_article
from tracker.services.feeds.manage import list_feeds
from tracker.services.inbox import items as inbox
from tracker.services.inbox.matching import MATCH
from tracker.text.extract import LANGUAGES
from tracker.web.auth import actor, role_required
from tracker.web.common import split_codes
from tracker.web.evidence import AcceptForm, recorded_message, review_rows, story_name
from tracker.web.forms import options

blp = Blueprint("inbox", __name__, url_prefix="/inbox")
# A title search on a story's page: what is typed, and how many agreements it offers.
FIND_LENGTH = 200
FOUND = 20
# Feeds offered by the list's filter.
FEED_CHOICES = 500

PER_PAGE = 50
# The piles, in the order of their tabs.
PILES = (
    (InboxState.NEW.value, "New"),
    (InboxState.NOT_ABOUT_AGREEMENTS.value, "Not about agreements"),
    (InboxState.DISMISSED.value, "Dismissed"),
    (InboxState.ACCEPTED.value, "Accepted"),
)
LANGUAGE_NAMES = {"fa": "Persian", "ru": "Russian", "ar": "Arabic", "en": "English"}
# A suggestion's score in words: at least this much is "strong", then "likely" (the score at
# which the matcher prefers a known agreement to a new one), else "weak".
SCORE_WORDS = ((0.7, "strong"), (MATCH, "likely"), (0.0, "weak"))
# The list's query arguments an action carries back (hidden `back`), and no other.
LIST_ARGS = ("state", "language", "feed", "page")


def score_word(score: Any) -> str:
    """0.86 -> "strong", 0.6 -> "likely", 0.2 -> "weak"."""
    value = float(score) if isinstance(score, int | float) else 0.0
    return next(word for floor, word in SCORE_WORDS if value >= floor)


class ActionForm(FlaskForm):
    """A row's Accept, Dismiss or Reopen button: the list it was on (to come back to)."""

    back = HiddenField()
    agreement_id = HiddenField()


class ItemForm(AcceptForm):
    """The item page: which agreement the story is about (or a new one) and the claims to
    record, as the review page's rows."""

    back = HiddenField()
    agreement = RadioField("The agreement it is about", choices=[], validate_choice=False)
    title = StringField("Title of the new agreement")
    # (`parties` are the claims' party ticks, AcceptForm's; the new agreement's are these)
    new_parties = StringField(
        "Its parties", description="Party codes, separated by commas: RUS, IRN"
    )
    kind = SelectField(
        "Kind",
        choices=options([(k.value, k.value.capitalize()) for k in AgreementKind]),
        validate_choice=False,
    )


def _list_args(source: Any) -> dict[str, str]:
    """The list's own query arguments out of `source` (a mapping), checked: anything else
    (or a bad value) is dropped, so a `back` value can never lead off the inbox."""
    args: dict[str, str] = {}
    state = source.get("state") or ""
    if state in {value for value, _ in PILES} and state != InboxState.NEW.value:
        args["state"] = state
    language = source.get("language") or ""
    if language in LANGUAGES:
        args["language"] = language
    for key in ("feed", "page"):
        value = str(source.get(key) or "")
        if value.isdecimal() and value.isascii() and 0 < int(value) < 10**9:
            args[key] = value
    if args.get("page") == "1":
        del args["page"]
    return args


def _back_args() -> dict[str, str]:
    return _list_args(dict(parse_qsl(request.form.get("back") or "")))


def _query(args: dict[str, str]) -> dict[str, Any]:
    """The list's arguments as list_items takes them."""
    return {
        "state": args.get("state", InboxState.NEW.value),
        "language": args.get("language"),
        "feed_id": int(args["feed"]) if "feed" in args else None,
    }


def _page_ids(session: Any, args: dict[str, str]) -> list[int]:
    page = int(args.get("page", "1"))
    found, _total = inbox.list_items(session, **_query(args), page=page, per_page=PER_PAGE)
    return [item.id for item in found]


def _next_after(ids: list[int], item_id: int) -> int | None:
    """The row to go on with once `item_id` has left the list: the one after it, else the
    one before."""
    if item_id not in ids:
        return ids[0] if ids else None
    at = ids.index(item_id)
    rest = ids[at + 1 :] or ids[:at][-1:]
    return rest[0] if rest else None


def _back_to_list(args: dict[str, str], at: int | None) -> Any:
    target = url_for(".index", **args, **({"at": at} if at else {}))
    return redirect(target + (f"#item-{at}" if at else ""))


def _first_article(session: Any, item: Any) -> Any:
    return get_article(session, item.article_id)


def _agreement_title(session: Any, agreement_id: int | None) -> str:
    if agreement_id is None:
        return ""
    return titles(session, [agreement_id]).get(agreement_id, f"agreement {agreement_id}")


def _errors_text(exc: InvalidInput) -> str:
    return "; ".join(f"{key}: {' '.join(messages)}" for key, messages in exc.errors.items())


def _made(claims: dict[str, Any]) -> dict[str, int]:
    """What an accept recorded, by kind: everything it was given (it records all or nothing)."""
    return {kind: len(values) for kind, values in claims.items() if values}


def counts_for_nav() -> int | None:
    """The number of new stories for the header of every page, once a request (one indexed
    count: the watched ones are the dashboard's alone); None when the database cannot say
    (a page about the database being down still renders)."""
    if "inbox_new" not in g:
        try:
            g.inbox_new = inbox.counts(get_session(), None)[0]
        except SQLAlchemyError:
            g.inbox_new = None
    return g.inbox_new


@blp.app_context_processor
def _nav() -> dict[str, Any]:
    return {"inbox_counts": counts_for_nav}


@blp.get("")
@role_required(Role.VIEWER.value)
def index() -> Any:
    """The list, newest first, one pile at a time, with the filters."""
    session = get_session()
    args = _list_args(request.args)
    query = _query(args)
    page = int(args.get("page", "1"))
    found, total = inbox.list_items(session, **query, page=page, per_page=PER_PAGE)
    rows = [
        _row(item, shown)
        for item, shown in zip(found, inbox.present_many(session, found), strict=True)
    ]
    names = titles(
        session, (r["top"]["agreement_id"] for r in rows if r["top"] and r["top"]["agreement_id"])
    )
    filters = {k: v for k, v in args.items() if k in ("language", "feed")}
    others = {k: v for k, v in args.items() if k != "page"}
    tabs = []
    for value, label in PILES:
        _, count = inbox.list_items(
            session,
            state=value,
            language=query["language"],
            feed_id=query["feed_id"],
            page=1,
            per_page=1,
        )
        pile = {} if value == InboxState.NEW.value else {"state": value}
        tabs.append((value, label, count, url_for(".index", **filters, **pile)))
    # every watched feed, for the filter (the first FEED_CHOICES by title)
    watched, _ = list_feeds(session, limit=FEED_CHOICES)
    feeds = {feed.id: feed for feed in watched}
    at = request.args.get("at", "")
    return render_template(
        "inbox/list.html",
        rows=rows,
        names=names,
        total=total,
        tabs=tabs,
        state=query["state"],
        args=args,
        back=urlencode(args),
        languages=[(code, LANGUAGE_NAMES.get(code, code)) for code in LANGUAGES],
        feeds=list(feeds.items()),
        page=page,
        pages=max(1, -(-total // PER_PAGE)),
        at=int(at) if at.isdecimal() and at.isascii() else None,
        previous_url=url_for(".index", **others, page=page - 1) if page > 1 else None,
        next_url=url_for(".index", **others, page=page + 1),
        can_act=current_user.can(Role.EDITOR.value),
        form=ActionForm(),
        score_word=score_word,
    )


def _row(item: Any, shown: dict[str, Any]) -> dict[str, Any]:
    articles = shown.get("articles") or []
    first = articles[0] if articles else {}
    suggestions = shown.get("suggestions") or []
    return {
        "item": item,
        "id": item.id,
        "state": item.state,
        "first": first,
        "sources": len(articles) or 1,
        "snippet": shown.get("snippet") or item.snippet,
        "language": item.language or first.get("language"),
        "top": suggestions[0] if suggestions else None,
        "feed": item.feed,
    }


@blp.post("/<int:item_id>/accept")
@role_required(Role.EDITOR.value)
def accept(item_id: int) -> Any:
    """The list's Accept: the top suggestion, with the claims the review page ticks for it
    (those the extractor is confident of); refused ones are shown on the item page."""
    act = _acting(item_id)
    chosen = act.form.agreement_id.data or ""
    agreement_id = int(chosen) if chosen.isdecimal() and chosen.isascii() else None
    if agreement_id is None:
        flash("This story has no agreement suggested: open it to choose one.", "error")
        return redirect(url_for(".item", item_id=item_id, **act.args))
    agreement = get_agreement(act.session, agreement_id)
    shown = review_rows(act.session, agreement, act.article, submitted=False)
    claims = shown.claims()
    _, refused = act.run(
        lambda: inbox.accept(
            act.session, item_id, agreement_id=agreement_id, claims=claims, actor=actor()
        ),
        refused_as="recorded",
        correct_at=str(agreement_id),
    )
    if refused is not None:
        return refused
    flash(
        recorded_message(_made(claims), act.article, shown.kinds(claims), agreement.title),
        "success",
    )
    return act.next()


@blp.post("/<int:item_id>/new-agreement")
@role_required(Role.EDITOR.value)
def create_agreement(item_id: int) -> Any:
    """The list's "Create agreement" (a story the matcher reads as about an agreement not on
    record): the agreement it suggests, made with the claims the extractor is sure of, in one
    action; a refusal is shown on the item page, where the title and parties can be changed."""
    act = _acting(item_id)
    made, refused = act.run(
        lambda: inbox.new_agreement(
            act.session, item_id, None, claims=inbox.CONFIDENT, actor=actor()
        ),
        refused_as="created",
        correct_at="new",
    )
    if refused is not None:
        return refused
    _flash_created(made[1], act.article)
    return act.next()


def _flash_created(created: Any, article: Any) -> None:
    review = url_for("evidence_pages.review_page", agreement_id=created.id, article_id=article.id)
    flash(
        Markup(
            "Created “{}” from {} with {} claim(s) the extractor is sure of: "
            '<a href="{}">review the others</a>.'
        ).format(created.title, story_name(article), len(created.events), review),
        "success",
    )


@blp.post("/<int:item_id>/dismiss")
@role_required(Role.EDITOR.value)
def dismiss(item_id: int) -> Any:
    return _decide(item_id, inbox.dismiss, "Dismissed {story}.")


@blp.post("/<int:item_id>/reopen")
@role_required(Role.EDITOR.value)
def reopen(item_id: int) -> Any:
    return _decide(item_id, inbox.reopen, "Reopened {story}: it is back among the new stories.")


def _decide(item_id: int, action: Any, message: str) -> Any:
    act = _acting(item_id)
    _, refused = act.run(lambda: action(act.session, item_id, actor=actor()))
    if refused is not None:
        return refused
    flash(message.format(story=story_name(act.article)), "success")
    return act.next()


@dataclass
class _Acting:
    """What each of the list's one-click actions needs: the checked form, where the list
    was (`back`), the story's first article and the ids of the page, to go on to the next."""

    item_id: int
    form: Any
    session: Any
    args: dict[str, str]
    article: Any
    ids: list[int]

    def run(
        self, action: Any, *, refused_as: str = "", correct_at: str | None = None
    ) -> tuple[Any, Any]:
        """Run the service call: (its result, None) when it went through, else (None, the
        answer that says why):
        back to the list for a story decided meanwhile (409), to the story's page, read for
        `correct_at`, for claims refused (422: "Nothing was <refused_as> from …")."""
        try:
            return action(), None
        except Conflict as exc:
            flash(f"{story_name(self.article)}: {exc}", "error")
            return None, _back_to_list(self.args, self.item_id)
        except InvalidInput as exc:
            if correct_at is None:
                raise
            flash(
                f"Nothing was {refused_as} from {story_name(self.article)}: "
                f"{_errors_text(exc)}. Correct it here.",
                "error",
            )
            return None, redirect(
                url_for(".item", item_id=self.item_id, agreement=correct_at, **self.args)
            )

    def next(self) -> Any:
        """Back to the list, at the story after this one."""
        return _back_to_list(self.args, _next_after(self.ids, self.item_id))


def _acting(item_id: int) -> _Acting:
    """The common start of the list's actions; 400 for an expired form, 404 for no story."""
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400, description="The form expired; please go back and submit it again.")
    session = get_session()
    args = _back_args()
    item = inbox.get_item(session, item_id)
    return _Acting(
        item_id, form, session, args, _first_article(session, item), _page_ids(session, args)
    )


@blp.route("/<int:item_id>", methods=["GET", "POST"])
@role_required(Role.VIEWER.value)
def item(item_id: int) -> Any:
    """One story: its articles, the agreements it may be about (or a new one), and the
    claims to record, as the review page shows them."""
    session = get_session()
    found = inbox.get_item(session, item_id)
    shown_item = inbox.present(session, found)
    suggestions = shown_item.get("suggestions") or []
    article = _first_article(session, found)
    posted = request.method == "POST"
    if posted and not current_user.can(Role.EDITOR.value):
        abort(403, description=f"This needs the editor role; you are {current_user.user.role}.")
    args = _list_args(request.args) if not posted else _back_args()
    known = [s["agreement_id"] for s in suggestions if s.get("agreement_id")]
    new_suggested = next((s["new_agreement"] for s in suggestions if s.get("new_agreement")), None)
    names = titles(session, known + ([found.agreement_id] if found.agreement_id else []))
    # Which agreement the claims are read for: the one chosen, else the best suggested.
    wanted = (request.form.get("agreement") if posted else request.args.get("agreement")) or ""
    if wanted.isdecimal() and wanted.isascii():
        reading = int(wanted)
    elif wanted == "new":
        reading = None
    else:
        # the agreement decided, else the best suggestion when it is a known agreement
        top = suggestions[0].get("agreement_id") if suggestions else None
        reading = found.agreement_id or top
    if reading is not None and reading not in names:
        names.update(titles(session, [reading]))
        if reading not in names:
            reading = None
    agreement = None
    if reading is not None:
        try:
            agreement = get_agreement(session, reading)
        except NotFound:  # deleted meanwhile: read for none
            reading = None
    rows = None
    if agreement is not None:
        rows = review_rows(session, agreement, article, submitted=posted, form_class=ItemForm)
    form: Any = (
        rows.form if rows is not None else ItemForm(formdata=request.form if posted else None)
    )
    # The suggestions in their order, a new agreement where the matcher ranks it (else last).
    choices = [
        (str(s["agreement_id"]), names.get(s["agreement_id"], f"agreement {s['agreement_id']}"))
        if s.get("agreement_id")
        else ("new", "A new agreement")
        for s in suggestions
        if s.get("agreement_id") or s.get("new_agreement")
    ]
    choices = list(dict(choices).items())
    if reading is not None and reading not in known:
        choices.insert(0, (str(reading), names.get(reading, f"agreement {reading}")))
    if "new" not in dict(choices):
        choices.append(("new", "A new agreement"))
    form.agreement.choices = choices
    if not posted:
        form.agreement.data = str(reading) if reading is not None else "new"
        form.back.data = urlencode(args)
        if new_suggested:
            form.title.data = new_suggested.get("title") or ""
            form.new_parties.data = ", ".join(new_suggested.get("parties") or [])
            form.kind.data = new_suggested.get("kind") or AgreementKind.AGREEMENT.value
    status = 200
    if posted:
        if not form.validate_on_submit():
            status = 422
        else:
            done = _item_action(session, found, article, form, rows, agreement, args)
            if done is not None:
                return done
            status = 422
    find_text = "" if posted else request.args.get("find", "").strip()[:FIND_LENGTH]
    context = rows.context() if rows is not None else {"form": form, "found": None}
    return render_template(
        "inbox/item.html",
        **context,
        item=found,
        shown=shown_item,
        suggestions=suggestions,
        names=names,
        article=article,
        agreement=agreement,
        args=args,
        back=urlencode(args),
        action_form=ActionForm(),
        score_word=score_word,
        language_names=LANGUAGE_NAMES,
        find_text=find_text,
        other_matches=_other_agreements(session, find_text),
    ), status


def _other_agreements(session: Any, text: str) -> list[tuple[int, str]]:
    """The agreements whose titles hold what was typed, in any language and spelling (the
    list's search), for a story about one the matcher did not suggest."""
    if not text:
        return []
    rows, _ = listing.search(session, listing.AgreementFilters(q=text), limit=FOUND)
    return [
        (
            row.id,
            " · ".join([row.title, *(t for t in (row.titles or {}).values() if t != row.title)]),
        )
        for row in rows
    ]


def _item_action(
    session: Any, found: Any, article: Any, form: ItemForm, rows: Any, agreement: Any, args: Any
) -> Any:
    """The item page's Accept or New agreement; None when refused (errors put on `form`)."""
    ids = _page_ids(session, args)
    if request.form.get("action") == "new" or form.agreement.data == "new":
        data = {
            "title": form.title.data or "",
            "parties": split_codes(form.new_parties.data),
            "kind": form.kind.data or "",
        }
        try:
            _item, created = inbox.new_agreement(
                session, found.id, data, claims=inbox.CONFIDENT, actor=actor()
            )
        except InvalidInput as exc:
            for key, messages in exc.errors.items():
                target = {"title": form.title, "parties": form.new_parties, "kind": form.kind}.get(
                    key.split(".", 1)[0]
                )
                if target is not None:
                    target.errors = [*list(target.errors), *messages]
                else:
                    form.form_errors.extend(f"{key}: {m}" for m in messages)
            return None
        except Conflict as exc:
            form.form_errors.append(str(exc))
            return None
        _flash_created(created, article)
        return _back_to_list(args, _next_after(ids, found.id))
    if rows is None or agreement is None:
        form.agreement.errors = [*list(form.agreement.errors), "Choose the agreement it is about."]
        return None
    claims = rows.claims()
    try:
        inbox.accept(session, found.id, agreement_id=agreement.id, claims=claims, actor=actor())
    except InvalidInput as exc:
        rows.put_errors(exc)
        return None
    except Conflict as exc:
        form.form_errors.append(str(exc))
        return None
    flash(recorded_message(_made(claims), article, rows.kinds(claims), agreement.title), "success")
    return _back_to_list(args, _next_after(ids, found.id))
