"""The search page: agreements and articles by their words, in any spelling."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from tracker.db import get_session
from tracker.services import fulltext as search
from tracker.web.auth import reader_required
from tracker.web.common import highlight_snippet
from tracker.web.forms import SearchForm

blp = Blueprint("search_pages", __name__)


@blp.get("/search")
@reader_required
def index() -> str:
    form = SearchForm(request.args)
    found = search.Found([], 0)
    if request.args.get("q") and form.validate():
        found = search.search(get_session(), form.q.data, kind=form.type.data or None, limit=50)
    results = [(hit, highlight_snippet(hit.snippet, hit.highlights)) for hit in found.hits]
    return render_template(
        "search/index.html", form=form, results=results, total=found.total, capped=found.capped
    )
