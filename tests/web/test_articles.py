"""The article page: metadata, the text with each quoted span marked and linked to its claim
(overlapping quotes too), the claims and agreements resting on it, the `cites` chain both
ways, the near-duplicate group; 404s; and every source line, search result and dashboard
item leading there."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from sqlalchemy import select

from tests import factories
from tracker.models import Agreement, EvidenceArticle, PrincipleStatement, StageEvent
from tracker.services.claims.principles import state_principle
from tracker.services.errors import FieldErrors
from tracker.services.evidence.articles import delete_article, locate_quote
from tracker.web.common import Span, highlight

VOID = {"br", "img", "input", "meta", "link", "hr", "wbr"}


class _Tree(HTMLParser):
    """Checks that tags nest properly, and collects each <mark> with the link around it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict]] = []
        self.broken: list[str] = []
        self.marks: list[dict] = []  # {"text", "href", "title", "id"}
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        if tag in VOID:
            return
        values = dict(attrs)
        if tag == "mark":
            link = next((a for t, a in reversed(self.stack) if t == "a"), None)
            self.marks.append(
                {
                    "text": "",
                    "href": link.get("href") if link else None,
                    "title": link.get("title") if link else None,
                    "id": values.get("id"),
                }
            )
        if tag == "a" and any(t == "a" for t, _ in self.stack):
            self.broken.append("a link inside a link")
        self.stack.append((tag, values))

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        if tag in VOID:
            return
        if not self.stack or self.stack[-1][0] != tag:
            self.broken.append(f"</{tag}> closes {self.stack[-1][0] if self.stack else None}")
            return
        self.stack.pop()

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        self.text.append(data)
        if any(t == "mark" for t, _ in self.stack):
            self.marks[-1]["text"] += data


def _tree(fragment: str) -> _Tree:
    tree = _Tree()
    tree.feed(fragment)
    tree.close()
    return tree


def _body(html: str) -> str:
    """The article's text block."""
    return html.split('<div class="article-body"', 1)[1].split("</div>", 1)[0]


def _seed(session):  # type: ignore[no-untyped-def]
    treaty = session.scalar(
        select(Agreement).where(Agreement.ref == "rus-irn-comprehensive-strategic-partnership")
    )
    articles = {
        a.outlet: a
        for a in session.scalars(
            select(EvidenceArticle).where(
                EvidenceArticle.outlet.in_(["Jamaran", "Tasnim News Agency", "RIA Novosti"])
            )
        )
    }
    return treaty, articles


# ---------------------------------------------------------------- the highlight helper


def test_highlight_marks_overlapping_spans_once_and_links_the_most_specific():
    text = "Moscow and Tehran signed the treaty on sovereignty today."
    wide = Span(11, 50, href="/a#event-1", title="Signing", anchor="quote-1")
    inner = Span(18, 35, href="/a#event-2", title="Inner", anchor="quote-2")
    tail = Span(29, 57, href="/a#statement-3", title="Sovereignty", anchor="quote-3")
    tree = _tree(str(highlight(text, [wide, inner, tail])))
    assert tree.broken == [] and not tree.stack
    assert "".join(tree.text) == text  # nothing lost, nothing doubled
    pieces = [(m["text"], m["href"]) for m in tree.marks]
    assert pieces == [
        ("Tehran ", "/a#event-1"),
        ("signed the ", "/a#event-2"),
        ("treaty", "/a#event-2"),  # the shortest covering span wins
        (" on sovereignty", "/a#statement-3"),
        (" today.", "/a#statement-3"),
    ]
    titled = {m["text"]: m["title"] for m in tree.marks}
    assert titled["treaty"] == "Inner; Sovereignty; Signing"  # every claim covering it
    ids = [m["id"] for m in tree.marks if m["id"]]
    assert ids == ["quote-1", "quote-2", "quote-3"]  # each quote's start is an anchor


def test_highlight_escapes_and_merges_plain_overlaps():
    out = str(highlight("<b>x</b> Tehran & Moscow", [(9, 15), (12, 24), (100, 120)]))
    assert out == "&lt;b&gt;x&lt;/b&gt; <mark>Tehran &amp; Moscow</mark>"
    # Identical spans (two principles quoting one sentence): one mark, both anchors.
    same = str(highlight("abc", [Span(0, 3, "/x", "A", "q-1"), Span(0, 3, "/y", "B", "q-2")]))
    assert same.count("<mark") == 1 and 'id="q-1"' in same and 'id="q-2"' in same
    assert 'title="A; B"' in same and 'href="/x"' in same
    # A span crossing into the next paragraph is marked in each, anchored once.
    first = str(highlight("one two", [Span(4, 12, "/x", anchor="q")], offset=0))
    second = str(highlight("three", [Span(4, 12, "/x", anchor="q")], offset=8))
    assert 'id="q"' in first and "<mark" in second and 'id="q"' not in second


# ---------------------------------------------------------------- the page


def test_the_seed_article_page(viewer_web, session):
    treaty, articles = _seed(session)
    jamaran = articles["Jamaran"]
    html = viewer_web.get(f"/articles/{jamaran.id}").get_data(as_text=True)
    assert "<dt>Outlet</dt>" in html and "Jamaran" in html
    assert "<dt>Language</dt><dd>fa</dd>" in html and "2024-01-15" in html
    assert f'<code title="sha256 of the normalised text: {jamaran.content_hash}">' in html
    assert f">{jamaran.content_hash[:12]}</code>" in html
    assert re.search(r'<div class="article-body" dir="auto" lang="fa">', html)
    body = _body(html)
    tree = _tree(body)
    assert tree.broken == []
    assert body.count("<p>") == len([line for line in jamaran.text.splitlines() if line.strip()])

    events = {
        e.stage: e
        for e in session.scalars(select(StageEvent).where(StageEvent.agreement_id == treaty.id))
    }
    statements = {
        s.principle_code: s
        for s in session.scalars(
            select(PrincipleStatement).where(PrincipleStatement.agreement_id == treaty.id)
        )
    }
    hrefs = {m["href"] for m in tree.marks}
    assert f"/agreements/{treaty.id}#event-{events['announcement'].id}" in hrefs
    assert f"/agreements/{treaty.id}#event-{events['signing'].id}" in hrefs
    assert f"/agreements/{treaty.id}#statement-{statements['un_charter'].id}" in hrefs
    # Sovereignty and territorial integrity quote the same words: one mark, titled with both.
    shared = [m for m in tree.marks if "حاکمیت و تمامیت ارضی یکدیگر" in m["text"]]
    assert len(shared) == 1
    assert "Sovereignty" in shared[0]["title"] and "Territorial integrity" in shared[0]["title"]
    for link in events["announcement"].evidence:
        assert link.quote in [m["text"] for m in tree.marks]

    claims = html.split('id="claims-title"', 1)[1].split("</section>", 1)[0]
    assert f'href="/agreements/{treaty.id}#event-{events["announcement"].id}">Announcement' in (
        claims
    )
    assert f'href="/agreements/{treaty.id}#statement-{statements["sovereignty"].id}"' in claims
    assert f'href="/agreements/{treaty.id}#statement-{statements["territorial_integrity"].id}"' in (
        claims
    )
    assert f'<a href="/agreements/{treaty.id}" dir="auto">{treaty.title}</a>' in claims
    # Each quote in the list leads back to its place in the text.
    for quote_id in re.findall(r'href="#(quote-\d+)"', claims):
        assert f'id="{quote_id}"' in body

    citations = html.split('id="cites-title"', 1)[1].split("</section>", 1)[0]
    tasnim, ria = articles["Tasnim News Agency"], articles["RIA Novosti"]
    assert citations.index(f'href="/articles/{tasnim.id}"') < citations.index(
        f'href="/articles/{ria.id}"'
    )  # Jamaran cites Tasnim, which cites RIA Novosti

    # The anchors the marks point at exist on the agreement page.
    agreement_html = viewer_web.get(f"/agreements/{treaty.id}").get_data(as_text=True)
    for href in hrefs:
        assert f'id="{href.split("#")[1]}"' in agreement_html


def test_the_cited_by_chain_goes_back_from_the_source(viewer_web, session):
    _, articles = _seed(session)
    ria = articles["RIA Novosti"]
    html = viewer_web.get(f"/articles/{ria.id}").get_data(as_text=True)
    cited_by = html.split("<h3>Cited by</h3>", 1)[1].split("</section>", 1)[0]
    assert f'href="/articles/{articles["Tasnim News Agency"].id}"' in cited_by
    assert f'href="/articles/{articles["Jamaran"].id}"' in cited_by
    assert "cites it through 1 other report" in cited_by
    assert "No text was stored for this article." in html
    assert "No claim quotes this article." in html


def test_near_duplicates_metadata_and_jalali(viewer_web, people, session):
    text = " ".join(f"word{n}" for n in range(40)) + " Moscow and Tehran signed the treaty."
    first = factories.article(
        session,
        text,
        title="First telling",
        outlet="Outlet A",
        author="A. Writer",
        published="2024-01-15",
        url="https://news.example/story?utm_source=x",
    )
    again = factories.article(session, text, title="Retold", outlet="Outlet B")
    assert again.duplicate_of_id == first.id
    people["viewer"].show_jalali = True
    session.commit()

    html = viewer_web.get(f"/articles/{again.id}").get_data(as_text=True)
    group = html.split('id="duplicates"', 1)[1].split("</section>", 1)[0]
    assert f'href="/articles/{first.id}"' in group and "Outlet A" in group
    assert "First telling" in group and "(first seen)" in group
    assert "1 other article(s)" in html

    html = viewer_web.get(f"/articles/{first.id}").get_data(as_text=True)
    assert f'href="/articles/{again.id}"' in html.split('id="duplicates"', 1)[1]
    assert "A. Writer" in html
    assert "25 Dey 1402" in html  # the Jalali day, as this reader asked
    assert (
        '<a href="https://news.example/story?utm_source=x" rel="noopener noreferrer nofollow"'
        in html
    )
    assert 'href="https://news.example/story" rel="noopener noreferrer nofollow"' in html


def test_unknown_and_deleted_articles(viewer_web, admin_web, people, session):
    assert viewer_web.get("/articles/999999").status_code == 404
    assert viewer_web.get("/articles/99999999999").status_code == 404
    article = factories.article(session, "A report deleted by mistake.", title="Mistaken report")
    delete_article(session, article.id, actor=people["editor"])
    assert viewer_web.get(f"/articles/{article.id}").status_code == 404
    response = admin_web.get(f"/articles/{article.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "This article is deleted" in html
    assert f'action="/articles/{article.id}/restore"' in html
    listing = admin_web.get("/deleted").get_data(as_text=True)
    assert f'href="/articles/{article.id}"' in listing


def test_the_page_escapes_what_researchers_typed(viewer_web, session):
    payload = "<script>alert(1)</script>"
    treaty = factories.agreement(session, title=f"Pact {payload}")
    article = factories.article(
        session,
        f"Lead {payload} line.\nMoscow and Tehran signed the <b>treaty</b> today.",
        title=f"Headline {payload}",
        outlet=f"Outlet {payload}",
    )
    factories.event(
        session,
        treaty.id,
        "signing",
        "2025-01-17",
        evidence=[{"article_id": article.id, "quote": "signed the <b>treaty</b>"}],
    )
    html = viewer_web.get(f"/articles/{article.id}").get_data(as_text=True)
    assert payload not in html and "<b>treaty</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<mark" in html and "signed the &lt;b&gt;treaty&lt;/b&gt;</mark>" in html
    assert _tree(_body(html)).broken == []


# ---------------------------------------------------------------- links into the page


def test_sources_search_results_and_recent_evidence_link_to_the_article(viewer_web, session):
    treaty, articles = _seed(session)
    jamaran, tasnim = articles["Jamaran"], articles["Tasnim News Agency"]
    html = viewer_web.get(f"/agreements/{treaty.id}").get_data(as_text=True)
    # the claims' sources (the 2001 treaty it supersedes rests on an article of its own)
    claims = re.sub(r'<section id="relations">.*?</section>', "", html, flags=re.S)
    sources = re.findall(r'<p class="source">(.*?)</p>', claims, re.S)
    assert sources and all(f'href="/articles/{jamaran.id}#quote-' in s for s in sources)
    assert all('<span class="outlet" dir="auto">Jamaran</span>' in s for s in sources)
    assert f'citing <a class="article-name" href="/articles/{tasnim.id}">' in html
    assert ">Tasnim News Agency</span></a>, citing" in html

    results = viewer_web.get("/search?q=شویگو&type=article").get_data(as_text=True)
    assert f'href="/articles/{jamaran.id}"' in results and 'href="#"' not in results
    assert '<span class="outlet" dir="auto">Jamaran</span>' in results

    dashboard = viewer_web.get("/").get_data(as_text=True)
    recent = dashboard.split('id="recent-title"', 1)[1].split("</section>", 1)[0]
    assert f'href="/articles/{jamaran.id}"' in recent


def test_messages_name_the_article_by_outlet_and_title(session):
    article = factories.article(session, "Moscow and Tehran met.", title="A meeting", outlet="Wire")
    errors = FieldErrors()
    assert locate_quote(session, article.id, "signed in Beijing", errors, "evidence") is None
    assert errors.errors["quote"] == ["is not in the text of Wire: A meeting"]
    treaty = factories.agreement(session)
    state_principle(
        session,
        treaty.id,
        {"principle": "sovereignty", "article_id": article.id, "quote": "Moscow and Tehran"},
    )
    from tracker.services.errors import Conflict

    try:
        delete_article(session, article.id)
    except Conflict as exc:
        assert str(exc).startswith("Wire: A meeting is quoted as evidence")
    else:  # pragma: no cover - the delete must be refused
        raise AssertionError("a quoted article was deleted")
