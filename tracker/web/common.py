"""Helpers shared by the HTML pages: service errors beside their fields, template filters."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from flask import Flask, abort, g, has_request_context, request
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup, escape

from tracker.db import get_session
from tracker.models import EvidenceArticle
from tracker.services.claims import principles
from tracker.services.errors import InvalidInput, Stale
from tracker.services.evidence.articles import list_articles
from tracker.text.dates import to_jalali
from tracker.text.display import describe_date, runs_of, segments

T = TypeVar("T")


# Where an evidence form (one article and its quote) shows the API's errors on `evidence`.
EVIDENCE_FIELDS = {
    "evidence": "article_id",
    "evidence.0.article_id": "article_id",
    "evidence.0.quote": "quote",
}


def put_errors(form: FlaskForm, exc: InvalidInput, fields: Mapping[str, str] | None = None) -> None:
    """Each service error beside its form field (`fields` renames; a nested field's error,
    `entry_into_force_rule.days_after_last_notification`, goes beside its top-level one);
    the rest above the form."""
    fields = fields or {}
    for name, messages in exc.errors.items():
        top = name.split(".", 1)[0]
        target = getattr(form, fields.get(name, fields.get(top, top)), None)
        if target is not None and hasattr(target, "errors"):
            target.errors = [*list(target.errors), *messages]
        else:
            form.form_errors.extend(f"{name}: {m}" for m in messages)


def saved(
    form: FlaskForm,
    save: Callable[[], T],
    *,
    fields: Mapping[str, str] | None = None,
    what: str = "",
    current_version: Callable[[], int] | None = None,
) -> T | None:
    """What `save` (the form's one service call) returned, or None when it was refused: its
    InvalidInput beside the fields (`fields` renames, see put_errors). On an edit form
    (`current_version` given) a Stale keeps what was typed, says that the `what` changed
    meanwhile, and takes its current version, so that saving again overwrites knowingly."""
    try:
        return save()
    except Stale:
        if current_version is None:
            raise
        form.form_errors.append(
            f"Someone changed this {what} while you were editing. Your changes are kept "
            "below; open the agreement in another tab to compare, then save again."
        )
        form.version.data = str(current_version())
    except InvalidInput as exc:
        put_errors(form, exc, fields)
    return None


def edited_version(form: FlaskForm) -> int | None:
    """The version an edit form was filled from (its hidden field), None if it holds none."""
    return int(form.version.data) if (form.version.data or "").isdigit() else None


def as_id(value: str | None) -> int | str | None:
    """A chosen row id as the API takes it: a number, None when none is chosen, and what
    is no number as it came, for the schema to refuse."""
    if not value:
        return None
    return int(value) if value.isdecimal() and value.isascii() else value


def form_status(form: FlaskForm) -> int:
    """The status of a page showing `form`: 422 when it holds errors, else 200."""
    return 422 if form.errors or form.form_errors else 200


def split_codes(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").replace(";", ",").split(",") if part.strip()]


@dataclass(frozen=True)
class Span:
    """A [start, end) span of a text to mark; with `href`, the mark links there.

    `anchor` gives the span's first mark an id (so a page can link back to the quote) and
    `title` says what the link leads to (shown on hover, joined when spans overlap).
    """

    start: int
    end: int
    href: str | None = None
    title: str = ""
    anchor: str | None = None


def highlight(
    text: str,
    spans: Iterable[Span | tuple[int, int] | list[int]],
    *,
    offset: int = 0,
) -> Markup:
    """`text` escaped, with each span in <mark>, a linked span's mark inside its <a>.

    Spans may overlap or nest: the text is cut at every span boundary and each piece is
    marked once, linked to the shortest span covering it (the most specific claim), titled
    with every claim covering it. Pieces that render alike are merged, so overlapping plain
    spans give one <mark>. Offsets are into a longer text when `offset` is the position of
    `text` in it (a paragraph of an article); parts of spans outside `text` are ignored.
    """
    items = [s if isinstance(s, Span) else Span(int(s[0]), int(s[1])) for s in spans]
    size = len(text)
    clipped = []
    for order, span in enumerate(items):
        start, end = max(span.start - offset, 0), min(span.end - offset, size)
        if start < end:
            clipped.append((start, end, order, span))
    cuts = sorted({0, size, *(s for s, *_ in clipped), *(e for _, e, *_ in clipped)})
    pieces: list[tuple[int, int, tuple | None, list[str]]] = []  # start, end, look, anchors
    for left, right in zip(cuts, cuts[1:], strict=False):
        covering = [(e - s, order, span) for s, e, order, span in clipped if s <= left < e]
        anchors = [
            span.anchor
            for s, _, _, span in clipped
            if span.anchor and s == left and span.start - offset == s
        ]
        look = None
        if covering:
            best = min(covering, key=lambda item: item[:2])[2]
            titles = list(dict.fromkeys(span.title for *_, span in sorted(covering) if span.title))
            look = (best.href, "; ".join(titles))
        if pieces and pieces[-1][2] == look and not anchors:
            pieces[-1] = (pieces[-1][0], right, look, pieces[-1][3])
        else:
            pieces.append((left, right, look, anchors))
    out = []
    for left, right, look, anchors in pieces:
        body = escape(text[left:right])
        if look is None:
            out.append(body)
            continue
        href, title = look
        mark_attrs = Markup("")
        if anchors:
            mark_attrs = Markup(' id="{}"').format(anchors[0])
        extra = Markup("").join(Markup('<span id="{}"></span>').format(a) for a in anchors[1:])
        mark = extra + Markup("<mark{}>{}</mark>").format(mark_attrs, body)
        if href:
            title_attr = Markup(' title="{}"').format(title) if title else Markup("")
            mark = Markup('<a class="quote" href="{}"{}>{}</a>').format(href, title_attr, mark)
        out.append(mark)
    return Markup("").join(out)


def highlight_snippet(text: str, spans: list[tuple[int, int]] | list[list[int]]) -> Markup:
    """A search snippet: `text` escaped, each [start, end) span in <mark> (overlaps merged)
    and its mixed-script runs isolated as `isolate_runs` does."""
    marks: list[tuple[int, int]] = []
    for start, end in sorted((s, e) for s, e in spans):
        if not marks or start >= marks[-1][1]:
            marks.append((start, end))
    return isolate_runs(text, marks)


def isolate_runs(text: str | None, marks: Iterable[tuple[int, int]] = ()) -> Markup:
    """`text` escaped, each run of its less used script direction in a <bdi> (and each of
    `marks` in a <mark>), for inside an element that has dir="auto" or its own paragraph.

    With the minority runs isolated, the first strong character the browser looks at
    belongs to the majority, so a mostly English note that opens with «به زودی» still
    reads left to right, and neutral characters (brackets, colons, dots) stay where they
    were typed."""
    if not text:
        return Markup("")
    text = str(text)
    out: list[Markup] = []
    in_run = in_mark = False
    for piece, run, mark in segments(text, runs_of(text), marks):
        if in_mark and (not mark or run != in_run):
            out.append(Markup("</mark>"))
            in_mark = False
        if run != in_run:
            out.append(Markup("<bdi>") if run else Markup("</bdi>"))
            in_run = run
        if mark and not in_mark:
            out.append(Markup("<mark>"))
            in_mark = True
        out.append(escape(piece))
    out.append(Markup("</mark>") if in_mark else Markup(""))
    out.append(Markup("</bdi>") if in_run else Markup(""))
    return Markup("").join(out)


def bdi(text: str | None) -> Markup:
    """User text as an isolated run, <bdi dir="auto">…</bdi> (escaped): its direction is
    its own, and nothing in it (a U+202E override, a trailing Persian word) can reorder
    the text around it. Empty (and false) for no text."""
    if text is None or text == "":
        return Markup("")
    return Markup('<bdi dir="auto">') + isolate_runs(str(text)) + Markup("</bdi>")


_MACHINE_DATE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")


def wants_jalali() -> bool:
    """The signed-in reader asked for Solar Hijri dates (account page)."""
    if not has_request_context():
        return False
    user = getattr(current_user, "user", None)
    return bool(current_user.is_authenticated and user is not None and user.show_jalali)


def show_date(value: str | date | datetime | None, jalali: bool | None = None) -> Markup:
    """A date, EDTF string or timestamp worded for the reader (`describe_date`), by their
    calendar setting unless `jalali` says; in a <time> when it is one plain day, month or
    year. Empty (and false) for no date."""
    jalali = wants_jalali() if jalali is None else jalali
    text = describe_date(value, jalali=jalali)
    if not text:
        return Markup("")
    if isinstance(value, datetime):
        machine = value.date().isoformat()
    elif isinstance(value, date):
        machine = value.isoformat()
    else:
        machine = str(value).strip()
    if _MACHINE_DATE.match(machine):
        return Markup('<time datetime="{}" dir="ltr">{}</time>').format(machine, text)
    return Markup('<span class="date" dir="ltr">{}</span>').format(text)


def register_filters(app: Flask) -> None:
    app.before_request(refuse_nul)

    @app.template_filter("jalali")
    def jalali(day: date | None) -> str:
        return to_jalali(day) if day else ""

    app.add_template_filter(show_date, "day")
    app.add_template_filter(bdi, "bdi")
    app.add_template_filter(isolate_runs, "isolate_runs")

    @app.template_filter("label")
    def label(value: Any) -> str:
        """preparation -> Preparation, entry_into_force -> Entry into force.

        For the closed vocabularies of stages, steps, statuses and kinds only: a principle's
        code is no label ("Un charter"); the `principle` filter gives the vocabulary's.
        """
        return str(value or "").replace("_", " ").capitalize()

    @app.template_filter("principle")
    def principle(code: Any, language: str = "en") -> str:
        """un_charter -> "Purposes and principles of the UN Charter" (the vocabulary's label;
        read once a request)."""
        if "principle_labels" not in g:
            g.principle_labels = {p.code: p.labels for p in principles.vocabulary(get_session())}
        labels = g.principle_labels.get(str(code)) or {}
        return labels.get(language) or labels.get("en") or label(code)


def refuse_nul() -> None:
    """Pages: a query or form value with a NUL character is a 400 (nothing can store it)."""
    if request.path.startswith("/api/"):
        return  # the API's schemas answer 422 per field
    values = [*request.args.values(), *request.form.values()]
    if any("\x00" in value for value in values):
        abort(400, description="Text may not contain a NUL character.")


def article_choices() -> list[tuple[str, str]]:
    """The latest 200 articles as a select's choices, "Outlet, date: title", none first."""
    rows, _ = list_articles(get_session(), limit=200)
    return [("", "— none —")] + [(str(a.id), _article_label(a)) for a in rows]


def _article_label(article: EvidenceArticle) -> str:
    name = article.title or article.text[:60] or article.url or "untitled"
    return f"{article.outlet or 'unknown outlet'}, {article.published or 'undated'}: {name}"
