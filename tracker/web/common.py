"""Helpers shared by the HTML pages: service errors beside their fields, template filters."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from flask import Flask, abort, has_request_context, request
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup, escape

from tracker.services.errors import ValidationError
from tracker.text.dates import to_jalali
from tracker.text.display import describe_date, runs_of, segments


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


def highlight(text: str, spans: list[tuple[int, int]] | list[list[int]]) -> Markup:
    """`text` escaped, with each [start, end) span in <mark> and its mixed-script runs
    isolated as `isolate_runs` does."""
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
        """preparation -> Preparation, entry_into_force -> Entry into force."""
        return str(value or "").replace("_", " ").capitalize()


def refuse_nul() -> None:
    """Pages: a query or form value with a NUL character is a 400 (nothing can store it)."""
    if request.path.startswith("/api/"):
        return  # the API's schemas answer 422 per field
    values = [*request.args.values(), *request.form.values()]
    if any("\x00" in value for value in values):
        abort(400, description="Text may not contain a NUL character.")
