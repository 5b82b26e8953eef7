"""Helpers shared by the HTML pages: service errors beside their fields, template filters."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from flask import Flask, abort, g, request
from flask_wtf import FlaskForm
from markupsafe import Markup, escape

from tracker.db import get_session
from tracker.services import principles
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


def highlight(text: str, spans: list[tuple[int, int]] | list[list[int]]) -> Markup:
    """`text` escaped, with each [start, end) span in <mark>."""
    out = []
    cursor = 0
    for start, end in sorted((s, e) for s, e in spans):
        if start < cursor:
            continue
        out.append(escape(text[cursor:start]))
        out.append(Markup("<mark>") + escape(text[start:end]) + Markup("</mark>"))
        cursor = end
    out.append(escape(text[cursor:]))
    return Markup("").join(out)


def register_filters(app: Flask) -> None:
    app.before_request(refuse_nul)

    @app.template_filter("jalali")
    def jalali(day: date | None) -> str:
        return to_jalali(day) if day else ""

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
