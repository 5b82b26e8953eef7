"""A corpus of script-injection payloads, put in every text field a researcher can fill, must
come out inert everywhere it is shown: the pages, the search results, the weekly digest (HTML
and text), the digest feed (Atom) and the calendar feed (iCalendar).

"Inert": parsing the output finds no element, attribute or URL that the payloads would have
added: no script but the app's own, no event-handler attribute, no javascript: or data: URL,
no iframe, object, embed, base, meta refresh or form. The payloads' text is still there,
shown as text.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

from icalendar import Calendar
from sqlalchemy import select

from tests import factories
from tracker.db import utcnow
from tracker.models import Digest, EvidenceArticle
from tracker.services.accounts.users import issue_feed_token
from tracker.services.claims.principles import state_principle
from tracker.services.digests.weekly import Window, gather, render, scopes, sections_for
from tracker.services.reminders.manual import create_reminder

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    "<svg onload=alert(3)>",
    "<iframe src=javascript:alert(4)></iframe>",
    '"><script>alert(5)</script>',
    "'><img src=x onerror=alert(6)>",
    '" onmouseover="alert(7)" x="',
    "</title><script>alert(8)</script>",
    "</textarea><script>alert(9)</script>",
    '<a href="javascript:alert(10)">click</a>',
    '<a href="data:text/html,<script>alert(11)</script>">x</a>',
    "<body onload=alert(12)>",
    "<object data=javascript:alert(13)>",
    "<embed src=javascript:alert(14)>",
    '<base href="https://evil.example/">',
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    "<form action=https://evil.example><input name=p></form>",
    "<details open ontoggle=alert(15)>",
    "<math><mtext><script>alert(16)</script></mtext></math>",
    "<style>body{background:url(javascript:alert(17))}</style>",
    "{{ 7*7 }} {% raw %}",
    "]]><script>alert(18)</script><![CDATA[",
    "&lt;script&gt;alert(19)&lt;/script&gt;",
    "\u202e<script>alert(20)</script>",
    "<scr<script>ipt>alert(21)</script>",
    "<input autofocus onfocus=alert(22)>",
]
ACTIVE_TAGS = {"script", "iframe", "object", "embed", "base", "form", "meta", "style"}


class _Scan(HTMLParser):
    """Everything active in a document."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        own_script = tag == "script" and (values.get("src") or "").startswith("/static/")
        own_meta = tag == "meta" and "http-equiv" not in values
        own_style = False
        own_form = tag == "form" and not (values.get("action") or "/").startswith(("http", "//"))
        if tag in ACTIVE_TAGS and not (own_script or own_meta or own_style or own_form):
            self.found.append(f"<{tag} {values}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}={value}>")
            if name in {"href", "src", "action", "data", "formaction"} and value:
                if value.strip().lower().startswith(("javascript:", "data:", "vbscript:")):
                    self.found.append(f"<{tag} {name}={value}>")


def active(html: str) -> list[str]:
    scan = _Scan()
    scan.feed(html)
    scan.close()
    return scan.found


def _fill(session, people) -> dict[int, int]:  # type: ignore[no-untyped-def]
    """Every payload in every field: {payload index: agreement id}."""
    made = {}
    for n, payload in enumerate(PAYLOADS):
        treaty = factories.agreement(
            session,
            title=f"Pact {n} {payload}",
            titles={"fa": f"پیمان {payload}"},
            summary=f"Summary {payload}",
        )
        article = factories.article(
            session,
            f"Report {n}: the treaty text {payload} was signed.",
            title=f"Headline {payload}",
            outlet=f"Outlet {payload}",
            author=f"Author {payload}",
        )
        factories.event(
            session,
            treaty.id,
            "signing",
            utcnow().date().isoformat(),
            note=f"Note {payload}",
            body=f"Body {payload}",
            place=f"Place {payload}",
            evidence=[{"article_id": article.id, "quote": "the treaty text"}],
            actor=people["editor"],
        )
        state_principle(
            session, treaty.id, {"principle": "sovereignty", "clause": f"Art {payload}"[:200]}
        )
        create_reminder(
            session,
            {
                "agreement_id": treaty.id,
                "due": utcnow().date().isoformat(),
                "reason": f"Check {payload}",
                "assignee": "editor@example.org",
            },
        )
        made[n] = treaty.id
    return made


def test_payloads_are_inert_in_pages_digests_and_feeds(
    viewer_web, editor_web, client, people, session
):
    made = _fill(session, people)
    pages = {
        "dashboard": editor_web.get("/"),
        "list": viewer_web.get("/agreements"),
        "reminders": editor_web.get("/reminders?show=all"),
        "search": viewer_web.get("/search?q=Pact"),
        "search for a payload": viewer_web.get("/search", query_string={"q": PAYLOADS[0]}),
        "deleted list": viewer_web.get("/agreements"),
    }
    pages |= {f"agreement {n}": editor_web.get(f"/agreements/{i}") for n, i in made.items()}
    pages |= {
        f"edit {n}": editor_web.get(f"/agreements/{i}/edit") for n, i in list(made.items())[:5]
    }
    articles = session.scalars(
        select(EvidenceArticle.id).where(EvidenceArticle.title.like("Headline %"))
    ).all()
    assert len(articles) == len(PAYLOADS)
    pages |= {f"article {i}": viewer_web.get(f"/articles/{i}") for i in articles}
    pages["article search"] = viewer_web.get("/search?q=Report&type=article")
    checked = 0
    for name, response in pages.items():
        assert response.status_code == 200, name
        html = response.get_data(as_text=True)
        assert active(html) == [], name
        checked += 1
    detail = pages["agreement 0"].get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in detail  # shown, as text
    article = pages[f"article {articles[0]}"].get_data(as_text=True)
    assert re.search(r"<mark[^>]*>the treaty text</mark>", article)  # marked, payloads inert

    # The weekly digest of this week, as mailed, and in the Atom feed of stored digests.
    editor = people["editor"]
    year, week, _ = utcnow().isocalendar()
    window = Window.of(f"{year}-W{week:02d}", editor.timezone)
    sections = sections_for(
        gather(session, window, "https://tracker.example"),
        editor,
        scopes(session, [editor])[editor.id],
    )
    html, text = render(editor, window, sections, "https://tracker.example")
    assert len(sections["events"]) >= len(PAYLOADS)
    assert active(html) == [] and "<script>alert(1)</script>" in text  # plain text is text
    checked += 1
    session.add(
        Digest(
            user_id=editor.id,
            week=window.week,
            sections=sections,
            html=html,
            text=text,
            sent_at=utcnow(),  # the feed lists sent digests
        )
    )
    session.commit()
    token = issue_feed_token(session, editor)
    atom = client.get(f"/feeds/{token}/digests.atom")
    assert atom.status_code == 200
    root = ET.fromstring(atom.data)  # the payloads did not break the XML
    contents = [e.text or "" for e in root.iter("{http://www.w3.org/2005/Atom}content")]
    assert contents and all(active(c) == [] for c in contents)
    checked += 1

    calendar = Calendar.from_ical(client.get(f"/feeds/{token}/reminders.ics").data)
    summaries = [str(e["summary"]) for e in calendar.walk("VEVENT")]
    assert any(PAYLOADS[0] in s for s in summaries)  # text in a calendar, never markup
    checked += 1
    print(f"XSS corpus: {len(PAYLOADS)} payloads x 8 fields, {checked} documents checked")
