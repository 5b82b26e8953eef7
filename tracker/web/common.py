"""Helpers shared by the HTML pages: service errors beside their fields, template filters."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Flask, abort, request
from flask_wtf import FlaskForm
from markupsafe import Markup, escape

from tracker.services.errors import ValidationError
from tracker.text.dates import to_jalali


def put_errors(
    form: FlaskForm, exc: ValidationError, fields: Mapping[str, str] | None = None
) -> None:
    """Each service error beside its form field (`fields` renames); the rest above the form."""
    fields = fields or {}
    for name, messages in exc.errors.items():
        target = getattr(form, fields.get(name, name), None)
        if target is not None and hasattr(target, "errors"):
            target.errors = [*list(target.errors), *messages]
        else:
            form.form_errors.extend(f"{name}: {m}" for m in messages)


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


def register_filters(app: Flask) -> None:
    app.before_request(refuse_nul)

    @app.template_filter("jalali")
    def jalali(day: date | None) -> str:
        return to_jalali(day) if day else ""

    @app.template_filter("label")
    def label(value: Any) -> str:
        """preparation -> Preparation, entry_into_force -> Entry into force."""
        return str(value or "").replace("_", " ").capitalize()


def refuse_nul() -> None:
    """Pages: a query or form value with a NUL character is a 400 (nothing can store it)."""
    if request.path.startswith("/api/"):
        return  # the API's schemas answer 422 per field
    values = [*request.args.values(), *request.form.values()]
    if any("\x00" in value for value in values):
        abort(400, description="Text may not contain a NUL character.")
