"""The article page: an evidence article's metadata and full text, each quoted span marked
and linked to its claim, the claims and agreements resting on it, its `cites` chain both
ways and its near-duplicate group."""

from __future__ import annotations

import re

from flask import Blueprint, render_template, url_for
from flask_login import current_user
from markupsafe import Markup

from tracker.db import get_session
from tracker.models.vocab import Role
from tracker.services.claims import relations
from tracker.services.evidence import reading
from tracker.services.evidence.reading import article_name, article_title
from tracker.web.auth import reader_required
from tracker.web.common import Span, highlight
from tracker.web.forms import ButtonForm

blp = Blueprint("article_pages", __name__)

blp.add_app_template_filter(article_name, "article_name")
blp.add_app_template_filter(article_title, "article_title")


def claim_href(quote: reading.Quote) -> str:
    """The claim's row on its agreement's page (the agreement itself for an agreement quote)."""
    anchor = None
    if quote.event is not None:
        anchor = f"event-{quote.event.id}"
    elif quote.statement is not None:
        anchor = f"statement-{quote.statement.id}"
    elif quote.link.relation is not None:
        anchor = f"relation-{quote.link.relation.id}"
    return url_for("agreement_pages.detail", agreement_id=quote.agreement.id, _anchor=anchor)


def claim_label(quote: reading.Quote) -> str:
    """What the quote backs, in words: "Announcement, 2024-01-15 (reported)", "Sovereignty"."""
    if quote.event is not None:
        event = quote.event
        what = event.stage.replace("_", " ").capitalize()
        if event.step:
            what += " · " + event.step.replace("_", " ")
        if event.party_code:
            what += f" ({event.party_code})"
        return f"{what}, {event.date or 'undated'} ({event.status})"
    if quote.statement is not None:
        return quote.statement.principle.label("en")
    if quote.link.relation is not None:
        relation = quote.link.relation
        return relations.sentence(relation.subject.title, relation.type, relation.target.title)
    return "the agreement"


def paragraphs(text: str) -> list[tuple[int, str]]:
    """Each non-blank line of the text with its offset: the text's own paragraphs."""
    return [
        (match.start(), match.group())
        for match in re.finditer(r"[^\r\n]+", text or "")
        if match.group().strip()
    ]


@blp.get("/articles/<int:article_id>")
@reader_required
def detail(article_id: int) -> str:
    """One article; 404 when it does not exist, or is deleted and the reader is no admin."""
    admin = current_user.is_authenticated and current_user.can(Role.ADMIN.value)
    page = reading.read(get_session(), article_id, include_deleted=admin)
    spans = [
        Span(
            quote.link.quote_start,
            quote.link.quote_end,
            href=claim_href(quote),
            title=f"{claim_label(quote)} — {quote.agreement.title}",
            anchor=f"quote-{quote.link.id}",
        )
        for quote in page.quotes
    ]
    text: list[Markup] = [
        highlight(paragraph, spans, offset=start)
        for start, paragraph in paragraphs(page.article.text)
    ]
    return render_template(
        "articles/detail.html",
        page=page,
        a=page.article,
        text=text,
        claim_href=claim_href,
        claim_label=claim_label,
        button_form=ButtonForm(),
    )
