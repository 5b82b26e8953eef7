"""The inbox's pages: the stories the feeds brought in, newest first in their piles, each
accepted, dismissed, turned into a new agreement or reopened with one plain form; the
dashboard's and the digest's line about it."""

from __future__ import annotations

import json
import re
from datetime import date
from html import unescape
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from tests.web.conftest import csrf
from tracker.models import Agreement, InboxItem, NewsFeed, StageEvent
from tracker.models.vocab import InboxState
from tracker.services.digests.weekly import preview, week_label
from tracker.services.evidence.articles import add_article
from tracker.services.inbox import items

JOURNEY = {
    report["language"]: report
    for report in json.loads(
        (Path(__file__).resolve().parents[1] / "data" / "journey.json").read_text("utf-8")
    )
}
SEED_REF = "rus-irn-comprehensive-strategic-partnership"
# The same English story as another outlet words it: a near-duplicate of the first.
REPRINT = (
    "Russia and Iran on Friday 17 January 2025 signed the Treaty on Comprehensive Strategic "
    "Partnership in Moscow during President Masoud Pezeshkian's first official visit to "
    "Russia. The twenty-year treaty covers cooperation in defence, trade, energy and "
    "transport, and commits both sides to respect each other's sovereignty and territorial "
    "integrity. Kremlin aide Yuri Ushakov said the document does not create a military "
    "alliance. The treaty must now be ratified by both countries' parliaments."
)
SPORT = (
    "Esteghlal beat Persepolis two goals to one in the Tehran derby on Friday evening at the "
    "Azadi stadium. The home side scored twice in the second half before a late penalty, and "
    "the coach praised the young defenders after the match in front of eighty thousand fans."
)


def _take(session, language: str, *, outlet: str | None = None, text: str | None = None):  # type: ignore[no-untyped-def]
    report = JOURNEY[language]
    article = add_article(
        session,
        {
            "text": text or report["text"],
            "title": report["title"],
            "outlet": outlet or report["outlet"],
            "language": report["language"],
            "published": report["published"],
        },
    )
    return items.take(session, article)


@pytest.fixture
def seed_treaty(session) -> Agreement:  # type: ignore[no-untyped-def]
    return session.scalar(select(Agreement).where(Agreement.ref == SEED_REF))


@pytest.fixture
def stories(session):  # type: ignore[no-untyped-def]
    """Four reports of the seed treaty's history (en, ru, fa, ar; the Arabic newest) and an
    English reprint of the first from another outlet."""
    taken = {language: _take(session, language) for language in ("en", "ru", "fa", "ar")}
    reprint = _take(session, "en", outlet="Second Wire", text=REPRINT)
    assert reprint is not None and reprint.id == taken["en"].id  # joined its story
    session.commit()
    return taken


def _html(response) -> str:  # type: ignore[no-untyped-def]
    return response.get_data(as_text=True)


def _row(html: str, item_id: int) -> str:
    match = re.search(rf'<li class="inbox-row[^"]*" id="item-{item_id}".*?</li>', html, re.S)
    return match.group(0) if match else ""


def _flash(client) -> str:  # type: ignore[no-untyped-def]
    html = _html(client.get("/inbox"))
    match = re.search(r'<div class="flash[^"]*" role="status">(.*?)</div>', html, re.S)
    return match.group(1) if match else ""


def test_the_list_shows_each_story_once_newest_first_with_its_suggestion(  # type: ignore[no-untyped-def]
    viewer_web, stories, seed_treaty
):
    response = viewer_web.get("/inbox")
    assert response.status_code == 200
    html = _html(response)
    order = [int(i) for i in re.findall(r'id="item-(\d+)" data-inbox-row', html)]
    ours = [stories[lang].id for lang in ("ar", "fa", "ru", "en")]
    assert [i for i in order if i in ours] == ours  # newest first
    english = _row(html, stories["en"].id)
    assert "2 sources" in english  # the reprint joined the story
    assert "Example Wire" in english
    persian = _row(html, stories["fa"].id)
    # The Persian title and snippet in their own script, isolated from the page's direction.
    assert re.search(r'<a href="/inbox/\d+" dir="auto" lang="fa">', persian)
    assert re.search(r'<p class="snippet" dir="auto" lang="fa">[^<]*مجلس شورای اسلامی', persian)
    assert "1 source" in persian
    # The top suggestion: the seed treaty, linked, its score in words, with its reasons.
    assert f'href="/agreements/{seed_treaty.id}"' in persian
    assert re.search(r'class="score score-(strong|likely|weak)"', persian)
    # A reader sees, but has no buttons to act with.
    assert "Accept</button>" not in html and "Dismiss</button>" not in html
    tabs = re.search(r'<nav class="tabs".*?</nav>', html, re.S)
    assert tabs and re.search(r'aria-current="page">New <span class="count">\d+</span>', tabs[0])


def test_a_reader_cannot_act(viewer_web, stories, seed_treaty):  # type: ignore[no-untyped-def]
    token = csrf(viewer_web, "/account")
    response = viewer_web.post(
        f"/inbox/{stories['en'].id}/accept",
        data={"csrf_token": token, "agreement_id": seed_treaty.id},
    )
    assert response.status_code == 403


def test_accept_from_the_list_records_the_confident_claims_and_goes_on_to_the_next(  # type: ignore[no-untyped-def]
    editor_web, session, stories, seed_treaty
):
    html = _html(editor_web.get("/inbox"))
    assert "j/k move · a accept · d dismiss · o open" in re.sub(r"</?kbd>", "", html)
    row = _row(html, stories["ru"].id)
    form = re.search(r'<form[^>]*action="(/inbox/\d+/accept)"(.*?)</form>', row, re.S)
    assert form, row
    fields = dict(
        re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form.group(2))
    )
    assert fields["agreement_id"] == str(seed_treaty.id)

    response = editor_web.post(form.group(1), data=fields)
    assert response.status_code == 302
    target = urlsplit(response.headers["Location"])
    assert target.path == "/inbox"
    # The next story down the list (the English one, older) is the one marked.
    assert f"at={stories['en'].id}" in target.query
    assert target.fragment == f"item-{stories['en'].id}"
    message = _flash(editor_web)
    assert "Recorded 3 events from Пример-Новости" in message
    assert f"on “{seed_treaty.title[:60]}" in message

    session.expire_all()
    item = session.get(InboxItem, stories["ru"].id)
    assert item.state == InboxState.ACCEPTED.value
    assert item.agreement_id == seed_treaty.id
    steps = {
        (e.step, e.party_code, e.date)
        for e in session.scalars(
            select(StageEvent).where(StageEvent.agreement_id == seed_treaty.id)
        )
    }
    assert {
        ("lower_house", "RUS", "2025-04-08"),
        ("upper_house", "RUS", "2025-04-16"),
        ("head_of_state", "RUS", "2025-04-21"),
    } <= steps
    # Gone from the new stories, found under Accepted.
    assert f'id="item-{item.id}"' not in _html(editor_web.get("/inbox"))
    assert f'id="item-{item.id}"' in _html(editor_web.get("/inbox?state=accepted"))
    # Accepting it again is refused in words, not with an error page.
    again = editor_web.post(
        form.group(1), data={**fields, "csrf_token": csrf(editor_web, "/inbox")}
    )
    assert again.status_code == 302
    assert "Пример-Новости" in _flash(editor_web)


def test_dismiss_then_reopen(editor_web, session, stories):  # type: ignore[no-untyped-def]
    item_id = stories["fa"].id
    token = csrf(editor_web, "/inbox")
    response = editor_web.post(
        f"/inbox/{item_id}/dismiss", data={"csrf_token": token, "back": "language=fa"}
    )
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/inbox" and "language=fa" in location.query
    assert "Dismissed خبرگزاری نمونه" in _flash(editor_web)
    session.expire_all()
    assert session.get(InboxItem, item_id).state == InboxState.DISMISSED.value
    dismissed = _html(editor_web.get("/inbox?state=dismissed"))
    assert f'id="item-{item_id}"' in dismissed
    assert "Reopen</button>" in _row(dismissed, item_id)

    response = editor_web.post(
        f"/inbox/{item_id}/reopen",
        data={"csrf_token": token, "back": "state=dismissed"},
    )
    assert response.status_code == 302
    assert "Reopened" in _flash(editor_web)
    session.expire_all()
    assert session.get(InboxItem, item_id).state == InboxState.NEW.value


def test_back_never_leads_off_the_inbox(editor_web, stories):  # type: ignore[no-untyped-def]
    token = csrf(editor_web, "/inbox")
    response = editor_web.post(
        f"/inbox/{stories['ar'].id}/dismiss",
        data={"csrf_token": token, "back": "next=https://example.com/&state=nonsense&page=x"},
    )
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.netloc in ("", "localhost") and location.path == "/inbox"
    assert "example.com" not in response.headers["Location"]
    assert "nonsense" not in location.query


def test_the_item_page_shows_the_group_the_choices_and_the_claims(  # type: ignore[no-untyped-def]
    editor_web, stories, seed_treaty
):
    item = stories["en"]
    response = editor_web.get(f"/inbox/{item.id}")
    assert response.status_code == 200
    html = _html(response)
    assert "2 sources" in html
    assert html.count('href="/articles/') >= 2  # each article's page
    assert "Second Wire" in html
    # The agreements offered: the seed treaty chosen, and a new agreement.
    radio = re.search(rf'<input[^>]*name="agreement"[^>]*value="{seed_treaty.id}"[^>]*>', html)
    assert radio and "checked" in radio.group(0)
    assert re.search(r'<input[^>]*name="agreement"[^>]*value="new"', html)
    # The claims as the review page shows them: the signing ticked, its sentence quoted.
    assert "Stages" in html and "events-0-accept" in html
    signing = re.search(r'<select[^>]*id="events-(\d+)-stage".*?</select>', html, re.S)
    assert signing
    assert re.search(r"<blockquote[^>]*>[^<]*signed the Treaty on Comprehensive", html)


def test_the_item_page_accepts_what_is_ticked_and_refuses_a_bad_row(  # type: ignore[no-untyped-def]
    editor_web, session, stories, seed_treaty
):
    item = stories["en"]
    page = f"/inbox/{item.id}"
    html = _html(editor_web.get(page))
    fields = _form_fields(html)
    signing = next(
        key.removesuffix("-stage")
        for key, value in fields.items()
        if key.endswith("-stage") and value == "signing"
    )
    fields[f"{signing}-date"] = "the day after"  # no date
    fields["action"] = "accept"
    response = editor_web.post(page, data=fields)
    assert response.status_code == 422
    refused = _html(response)
    assert re.search(rf'id="field-{signing}-date".*?class="errors"', refused, re.S)
    session.expire_all()
    assert session.get(InboxItem, item.id).state == InboxState.NEW.value

    fields[f"{signing}-date"] = "2025-01-17"
    response = editor_web.post(page, data=fields)
    assert response.status_code == 302, _html(response)
    assert re.search(r"Recorded 1 event\b[^<]* from Example Wire", _flash(editor_web))
    session.expire_all()
    assert session.get(InboxItem, item.id).state == InboxState.ACCEPTED.value


def test_a_new_agreement_from_a_story(editor_web, session, stories):  # type: ignore[no-untyped-def]
    item = stories["ar"]
    page = f"/inbox/{item.id}"
    fields = _form_fields(_html(editor_web.get(page)))
    _set(
        fields,
        agreement="new",
        title="Protocol on Caspian fisheries",
        new_parties="RUS, IRN",
        kind="protocol",
        action="new",
    )
    response = editor_web.post(page, data=fields)
    assert response.status_code == 302, _html(response)
    message = _flash(editor_web)
    assert "Created “Protocol on Caspian fisheries” from وكالة المثال" in message
    created = session.scalar(
        select(Agreement).where(Agreement.title == "Protocol on Caspian fisheries")
    )
    assert created is not None
    review = f"/agreements/{created.id}/evidence/{item.article_id}/review"
    # the claims the extractor is sure of are recorded in the same action; the rest wait
    session.refresh(created)
    assert f"with {len(created.events)} claim(s) the extractor is sure of" in message
    assert all(e.evidence[0].article_id == item.article_id for e in created.events)
    assert f'<a href="{review}">review the others</a>' in message
    assert editor_web.get(review).status_code == 200
    session.expire_all()
    assert session.get(InboxItem, item.id).agreement_id == created.id

    # A new agreement without a title is refused beside the field.
    other = stories["fa"]
    fields = _form_fields(_html(editor_web.get(f"/inbox/{other.id}")))
    _set(fields, agreement="new", title="", new_parties="RUS, IRN", action="new")
    response = editor_web.post(f"/inbox/{other.id}", data=fields)
    assert response.status_code == 422
    assert re.search(r'id="field-title".*?class="errors"', _html(response), re.S)


def test_an_off_topic_story_waits_in_its_own_pile(editor_web, session):  # type: ignore[no-untyped-def]
    article = add_article(
        session,
        {"text": SPORT, "title": "Derby", "outlet": "Sports Desk", "language": "en"},
    )
    item = items.take(session, article)
    session.commit()
    assert item.state == InboxState.NOT_ABOUT_AGREEMENTS.value
    assert f'id="item-{item.id}"' not in _html(editor_web.get("/inbox"))
    pile = _html(editor_web.get("/inbox?state=not_about_agreements"))
    assert f'id="item-{item.id}"' in pile
    assert "Accept</button>" not in _row(pile, item.id)


def test_filters_by_language(viewer_web, stories):  # type: ignore[no-untyped-def]
    html = _html(viewer_web.get("/inbox?language=ru"))
    assert f'id="item-{stories["ru"].id}"' in html
    assert f'id="item-{stories["fa"].id}"' not in html
    # A value that is no language is ignored, not an error.
    assert viewer_web.get("/inbox?language=xx&state=nope&page=-1").status_code == 200


def test_the_dashboard_and_the_nav_count_the_new_stories(editor_web, stories):  # type: ignore[no-untyped-def]
    html = _html(editor_web.get("/"))
    line = re.search(r'<p class="inbox-line" id="inbox-line"><a href="/inbox">(.*?)</a>', html)
    assert line, "no inbox line on the dashboard"
    new = int(
        re.match(r"(\d+) new stor(y|ies) in your inbox, \d+ about agreements you watch", line[1])[1]
    )
    assert new >= 4
    assert re.search(rf'id="nav-inbox">Inbox \({new}\)</a>', html)


def test_the_digest_says_it_with_a_link(app, session, people, stories):  # type: ignore[no-untyped-def]
    user = people["editor"]
    user.digest_mode = "everything"
    user.digest_send_empty = True
    session.commit()
    with app.app_context():
        html, text = preview(session, user, week_label(date(2025, 6, 2)), "https://tracker.example")
    assert re.search(
        r'<a href="https://tracker.example/inbox"[^>]*>\d+ new stories in your inbox, \d+ '
        r"about agreements you watch</a>",
        html,
    )
    assert "https://tracker.example/inbox" in text


def _set(fields: MultiDict, **values: str) -> None:
    for key, value in values.items():
        fields[key] = value  # replaces every value of the key


def _form_fields(html: str) -> MultiDict:
    """What the item page's main form sends as it stands (ticked boxes, chosen options)."""
    form = re.search(r'<form method="post" action="/inbox/\d+" novalidate>(.*?)</form>', html, re.S)
    assert form, "no item form"
    body = form.group(1)
    fields: MultiDict = MultiDict()
    for tag in re.findall(r"<input[^>]*>", body):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or "disabled" in tag:
            continue
        kind = re.search(r'type="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if kind and kind.group(1) in ("checkbox", "radio") and "checked" not in tag:
            continue
        default = "y" if kind and kind.group(1) == "checkbox" else ""
        fields.add(name.group(1), unescape(value.group(1)) if value else default)
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', body, re.S):
        chosen = re.search(
            r'<option selected value="([^"]*)"|<option value="([^"]*)" selected', options
        )
        first = re.search(r'<option[^>]*value="([^"]*)"', options)
        value = (
            (chosen.group(1) or chosen.group(2)) if chosen else (first.group(1) if first else "")
        )
        fields.add(name, unescape(value or ""))
    for name, value in re.findall(
        r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', body, re.S
    ):
        fields.add(name, unescape(value.strip("\n")))
    return fields


def test_a_story_taken_for_a_new_agreement_opens_on_it(editor_web, stories, seed_treaty):  # type: ignore[no-untyped-def]
    """The Arabic report reads to the matcher as a new agreement: its page opens with that
    chosen and no claims; the seed treaty's claims are one link away."""
    item = stories["ar"]
    top = item.suggestions[0]
    html = _html(editor_web.get(f"/inbox/{item.id}"))
    new = re.search(r'<input[^>]*name="agreement"[^>]*value="new"[^>]*>', html)
    assert new
    if top.get("new_agreement"):
        assert "checked" in new.group(0)
        assert "events-0-accept" not in html
        assert top["new_agreement"]["title"] in unescape(html)  # the title field, filled in
    link = f"/inbox/{item.id}?agreement={seed_treaty.id}"
    assert f'href="{link}"' in html.replace("&amp;", "&")
    chosen = _html(editor_web.get(link))
    radio = re.search(rf'<input[^>]*name="agreement"[^>]*value="{seed_treaty.id}"[^>]*>', chosen)
    assert radio and "checked" in radio.group(0)
    assert "events-0-accept" in chosen


def test_user_text_is_escaped_and_isolated(editor_web, session):  # type: ignore[no-untyped-def]
    article = add_article(
        session,
        {
            "text": JOURNEY["en"]["text"] + " <script>alert(1)</script>",
            "title": "<img src=x onerror=alert(1)> \u202etreaty",
            "outlet": "<b>Wire</b>",
            "language": "en",
        },
    )
    item = items.take(session, article)
    session.commit()
    for page in ("/inbox", f"/inbox/{item.id}"):
        html = _html(editor_web.get(page))
        assert "<img src=x" not in html and "<script>alert" not in html and "<b>Wire" not in html
        assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_no_line_without_new_stories(editor_web, session):  # type: ignore[no-untyped-def]
    for item in session.scalars(select(InboxItem).where(InboxItem.state == "new")):
        items.dismiss(session, item.id)
    html = _html(editor_web.get("/"))
    assert 'id="inbox-line"' not in html
    assert 'id="nav-inbox">Inbox (0)</a>' in html
    assert "No new stories" in _html(editor_web.get("/inbox"))


def test_a_missing_story_is_a_404(viewer_web, editor_web):  # type: ignore[no-untyped-def]
    assert viewer_web.get("/inbox/999999999").status_code == 404
    token = csrf(editor_web, "/inbox")
    for action in ("accept", "dismiss", "reopen"):
        response = editor_web.post(
            f"/inbox/999999999/{action}", data={"csrf_token": token, "agreement_id": "1"}
        )
        assert response.status_code == 404, action


def test_filters_by_feed(viewer_web, session):  # type: ignore[no-untyped-def]
    feed = NewsFeed(url="http://127.0.0.1/feed.xml", url_canonical="http://127.0.0.1/feed.xml")
    feed.title = "Example agency (ru)"
    session.add(feed)
    session.flush()
    report = JOURNEY["ru"]
    article = add_article(
        session, {k: report[k] for k in ("text", "title", "outlet", "language", "published")}
    )
    fed = items.take(session, article, feed=feed)
    pasted = _take(session, "fa")
    session.commit()
    everything = _html(viewer_web.get("/inbox"))
    assert f'<option value="{feed.id}">Example agency (ru)</option>' in everything
    assert "from <bdi" in _row(everything, fed.id)
    only = _html(viewer_web.get(f"/inbox?feed={feed.id}"))
    assert f'id="item-{fed.id}"' in only and f'id="item-{pasted.id}"' not in only
    assert f'<option value="{feed.id}" selected>' in only
    # a feed whose stories are all elsewhere (or none yet) is offered too
    quiet = NewsFeed(url="http://127.0.0.1/quiet.xml", url_canonical="http://127.0.0.1/quiet.xml")
    quiet.title = "Quiet ministry"
    session.add(quiet)
    session.commit()
    assert f'<option value="{quiet.id}">Quiet ministry</option>' in _html(viewer_web.get("/inbox"))


def test_the_new_agreements_message_escapes_its_title(editor_web, stories):  # type: ignore[no-untyped-def]
    item = stories["fa"]
    fields = _form_fields(_html(editor_web.get(f"/inbox/{item.id}")))
    _set(fields, agreement="new", title="<i>Caspian</i> protocol", new_parties="RUS, IRN")
    _set(fields, action="new")
    response = editor_web.post(f"/inbox/{item.id}", data=fields)
    assert response.status_code == 302, _html(response)
    message = _flash(editor_web)
    assert "&lt;i&gt;Caspian&lt;/i&gt; protocol" in message and "<i>" not in message


def test_a_story_is_accepted_for_an_agreement_found_by_its_title(  # type: ignore[no-untyped-def]
    editor_web, session, stories
):
    """The matcher did not suggest it: typing words of its title on the
    story's page lists it, its link reads the claims for it, and one Accept records them."""
    item = stories["en"]
    new_start = session.scalar(select(Agreement).where(Agreement.ref == "new-start"))
    assert new_start.id not in {s.get("agreement_id") for s in item.suggestions}
    page = f"/inbox/{item.id}"
    found = _html(editor_web.get(page, query_string={"find": "reduction strategic offensive"}))
    link = f"/inbox/{item.id}?agreement={new_start.id}"
    assert f'href="{link}"' in found.replace("&amp;", "&")
    nothing = _html(editor_web.get(page, query_string={"find": "zzzz"}))
    assert "No agreement has a title with “<bdi>zzzz</bdi>”" in nothing
    chosen = _html(editor_web.get(link))
    radio = re.search(rf'<input[^>]*name="agreement"[^>]*value="{new_start.id}"[^>]*>', chosen)
    assert radio and "checked" in radio.group(0)
    fields = _form_fields(chosen)
    fields["action"] = "accept"
    response = editor_web.post(page, data=fields)
    assert response.status_code == 302, _html(response)
    session.expire_all()
    decided = session.get(InboxItem, item.id)
    assert (decided.state, decided.agreement_id) == (InboxState.ACCEPTED.value, new_start.id)


def test_create_agreement_from_the_list_makes_the_suggested_one_with_its_sure_claims(  # type: ignore[no-untyped-def]
    editor_web, session, stories
):
    """A story whose best suggestion is a new agreement has "Create agreement" on the list
    (the key a presses it): one action makes the agreement with the claims the extractor is
    sure of, and the list goes on to the next story."""
    item = stories["ru"]
    item.suggestions = [
        {
            "agreement_id": None,
            "new_agreement": {
                "title": "Caspian fisheries protocol",
                "parties": ["RUS", "IRN"],
                "kind": "protocol",
            },
            "score": 0.7,
            "reasons": [{"code": "new_agreement", "text": "names RUS, IRN; matches none"}],
        }
    ]
    session.commit()
    row = _row(_html(editor_web.get("/inbox")), item.id)
    form = re.search(r'<form[^>]*action="(/inbox/\d+/new-agreement)"(.*?)</form>', row, re.S)
    assert form and 'data-key="a">Create agreement</button>' in form.group(2), row
    assert f'action="/inbox/{item.id}/accept"' not in row
    fields = dict(
        re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form.group(2))
    )
    response = editor_web.post(form.group(1), data=fields)
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/inbox"
    created = session.scalar(
        select(Agreement).where(Agreement.title == "Caspian fisheries protocol")
    )
    assert created is not None and created.party_codes == ["RUS", "IRN"]
    assert created.kind == "protocol"
    recorded = list(created.events)
    assert recorded and all(e.evidence[0].article_id == item.article_id for e in recorded)
    assert f"with {len(recorded)} claim(s) the extractor is sure of" in _flash(editor_web)
    session.expire_all()
    assert session.get(InboxItem, item.id).agreement_id == created.id
    # a second press finds it decided: said, nothing made twice
    editor_web.post(form.group(1), data=fields)
    assert "accepted" in _flash(editor_web)
