"""Reading news feeds: every format and language served by a local feed server, conditional
GET, 410, redirects, slow and broken feeds, web pages that are no feed, the SSRF guard, and
entries turned into articles (own text or the linked page)."""

from __future__ import annotations

import time
from ipaddress import ip_network

import pytest

from tests.feedserver import FEEDS, FeedServer
from tracker.schemas.articles import ArticleInSchema
from tracker.services.feeds.polite import HostGate, Robots
from tracker.services.feeds.reading import (
    FeedUnreadable,
    entry_article,
    fetch_feed,
    parse_feed,
)
from tracker.services.infra.fetching import FetchRefused, FetchSettings, fetch, fetch_page

LOOPBACK = FetchSettings(timeout=5, allowed_networks=(ip_network("127.0.0.0/8"),))


@pytest.fixture
def server():
    with FeedServer(slow_delay=2.0) as running:
        yield running


def read(server: FeedServer, path: str, settings: FetchSettings = LOOPBACK, **kwargs):
    gate = HostGate(0)
    return fetch_feed(server.url(path), settings, gate, Robots(settings, gate), **kwargs)


@pytest.mark.parametrize(
    ("name", "language", "title", "count", "first"),
    [
        ("mfa-fa.rss", "fa", "وزارت امور خارجه", 5, "امضای پیمان مشارکت راهبردی جامع"),
        ("tass-ru.rdf", "ru", "ТАСС", 5, "Госдума ратифицировала договор"),
        ("aljazeera-ar.atom", "ar", "الجزيرة", 5, "السعودية وباكستان توقعان"),
        ("fcdo-en.rss", "en", "treaties and diplomacy", 5, "UK and Mauritius sign treaty"),
    ],
)
def test_each_format_and_language_is_read(server, name, language, title, count, first):
    result = read(server, name)
    assert result.error is None and result.status == 200 and not result.not_modified
    feed = result.feed
    assert title in feed.title and feed.language == language
    assert len(feed.entries) == count
    entry = feed.entries[0]
    assert entry.title.startswith(first)
    assert entry.language == language
    assert entry.published and len(entry.published) == 10
    assert len(entry.key) == 64 and len({e.key for e in feed.entries}) == count
    assert all("<" not in e.text for e in feed.entries)


def test_entry_fields():
    raw = (FEEDS / "mfa-fa.rss").read_bytes()
    feed = parse_feed(raw, "https://mfa.ir/rss")
    first = feed.entries[0]
    # content:encoded wins over the short description, paragraphs become lines
    assert first.text.startswith("به گزارش خبرگزاری ایرنا")
    assert first.text.count("\n") == 2
    assert first.published == "2025-01-17"
    assert first.author == "اداره کل رسانه و دیپلماسی عمومی"
    assert first.link == "https://mfa.ir/portal/newsview/752101"
    # the same guid, the same key, whatever else changes
    again = parse_feed(raw.replace("امضای پیمان".encode(), "امضای معاهده".encode()), "x")
    assert again.entries[0].key == first.key
    ru = parse_feed((FEEDS / "tass-ru.rdf").read_bytes(), "https://tass.ru/rss")
    assert ru.entries[0].published == "2024-10-24" and ru.entries[0].author == "Мария Петрова"
    en = parse_feed((FEEDS / "fcdo-en.rss").read_bytes(), "https://news.example.org/rss")
    assert en.entries[0].author == "Amelia Hart"
    assert en.entries[0].text.startswith("LONDON, May 22 (Reuters)")


def test_entry_language_from_xml_lang_and_key_without_guid():
    digest = parse_feed((FEEDS / "digest-summaries.atom").read_bytes(), "http://h.test/d.atom")
    assert digest.language is None
    assert [e.language for e in digest.entries] == ["fa", "ru", "ar", "en"]
    # relative links are resolved against the feed's address
    assert digest.entries[0].link == "http://h.test/pages/majlis-fa.html"
    bare = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
    <item><title>One</title><pubDate>Mon, 03 Mar 2025 10:00:00 GMT</pubDate></item>
    <item><title>Two</title></item></channel></rss>"""
    feed = parse_feed(bare, "http://h.test/rss")
    assert feed.entries[0].link is None and feed.entries[0].language is None
    assert feed.entries[0].key != feed.entries[1].key


def test_broken_and_non_feed_documents_are_unreadable():
    with pytest.raises(FeedUnreadable, match="not well-formed XML \\(line 4"):
        parse_feed((FEEDS / "broken.xml").read_bytes(), "http://h.test/broken.xml")
    with pytest.raises(FeedUnreadable, match="web page"):
        parse_feed((FEEDS / "not-a-feed.html").read_bytes(), "http://h.test/")
    with pytest.raises(FeedUnreadable, match="not a feed"):
        parse_feed(b"just some words", "http://h.test/")


def test_conditional_get_is_answered_304(server):
    first = read(server, "tass-ru.rdf")
    assert first.status == 200 and first.etag and first.last_modified
    second = read(server, "tass-ru.rdf", etag=first.etag, last_modified=first.last_modified)
    assert second.status == 304 and second.not_modified and second.feed is None
    assert second.error is None and second.etag == first.etag
    sent = server.headers[-1]
    assert sent["if-none-match"] == first.etag
    assert sent["if-modified-since"] == first.last_modified
    # Last-Modified alone is enough too
    third = read(server, "tass-ru.rdf", last_modified=first.last_modified)
    assert third.not_modified and "if-none-match" not in server.headers[-1]
    feed_answers = [status for path, status in server.answers if path == "/tass-ru.rdf"]
    assert feed_answers == [200, 304, 304]
    # a changed document (another ETag) is sent again
    stale = read(server, "tass-ru.rdf", etag='"old"')
    assert stale.status == 200 and len(stale.feed.entries) == 5


def test_gone_moved_slow_broken_and_web_page(server):
    gone = read(server, "gone/feed.rss")
    assert gone.gone and gone.status == 410 and "gone" in gone.error and gone.feed is None
    moved = read(server, "moved/fcdo-en.rss")
    assert moved.error is None and moved.final_url == server.url("fcdo-en.rss")
    assert len(moved.feed.entries) == 5
    started = time.monotonic()
    slow = read(
        server,
        "slow/fcdo-en.rss",
        FetchSettings(timeout=0.5, allowed_networks=LOOPBACK.allowed_networks),
    )
    assert time.monotonic() - started < 1.5
    assert slow.error == "the page did not answer within 0.5 s" and not slow.gone
    broken = read(server, "broken.xml")
    assert broken.status == 200 and broken.feed is None and "not well-formed" in broken.error
    page = read(server, "not-a-feed.html")
    assert page.error.startswith("the address is a web page, not a feed")
    assert "/fcdo-en.rss" in page.error
    missing = read(server, "missing.rss")
    assert missing.status == 404 and missing.error == "the page answered 404" and not missing.gone


def test_loopback_is_refused_unless_allowed(server):
    result = read(server, "fcdo-en.rss", FetchSettings(timeout=2))
    assert result.feed is None and "private or local" in result.error
    assert server.hits("/fcdo-en.rss") == []
    configured = FetchSettings.from_config({"FETCH_ALLOW_NETWORKS": "127.0.0.0/8"})
    assert read(server, "fcdo-en.rss", configured).error is None
    assert len(server.hits("/fcdo-en.rss")) == 1


def test_every_redirect_is_checked(server):
    server.redirect("feed.rss", "http://10.1.2.3/feed.rss")
    server.redirect("local.rss", "http://[::1]/feed.rss")
    server.redirect("file.rss", "file:///etc/passwd")
    private = read(server, "feed.rss")
    assert private.feed is None and "private or local address (10.1.2.3)" in private.error
    assert "not allowed" in read(server, "local.rss").error
    assert "only http:// and https://" in read(server, "file.rss").error
    server.redirect("round.rss", "/round.rss")
    assert read(server, "round.rss").error == "more than 5 redirects"


def test_entry_language_falls_back_to_the_feeds_hint(server):
    bare = """<?xml version="1.0"?><rss version="2.0"><channel><title>Ministry</title>
    <item><guid isPermaLink="false">1</guid><title>موافقت‌نامه امضا شد</title>
    <description>موافقت‌نامه امنیتی مرزی امضا شد.</description></item></channel></rss>"""
    server.add("bare.rss", bare, "application/rss+xml")
    (story,) = read(server, "bare.rss").feed.entries
    assert story.language is None
    gate = HostGate(0)
    data = entry_article(
        story,
        feed_language="fa",
        outlet="",
        settings=LOOPBACK,
        gate=gate,
        robots=Robots(LOOPBACK, gate),
    )
    assert data["language"] == "fa" and data["url"] is None
    assert data["text"] == "موافقت‌نامه امنیتی مرزی امضا شد."


def test_fetch_variant_keeps_fetch_page_as_it_was(server):
    with pytest.raises(FetchRefused, match="not HTML or plain text"):
        fetch_page(server.url("fcdo-en.rss"), LOOPBACK)
    page = fetch(server.url("fcdo-en.rss"), LOOPBACK, accept=frozenset({"application/rss+xml"}))
    assert page.raw.startswith(b"<?xml") and page.body.startswith("<?xml")
    with pytest.raises(FetchRefused) as refused:
        fetch(server.url("gone/x"), LOOPBACK, accept=frozenset({"text/plain"}))
    assert refused.value.status == 410
    not_modified = fetch(
        server.url("fcdo-en.rss"),
        LOOPBACK,
        accept=frozenset(),
        headers={"If-None-Match": page.etag},
    )
    assert not_modified.status == 304 and not_modified.raw == b"" and not_modified.body == ""


def test_robots_txt_is_respected(server):
    server.robots = (
        "User-agent: *\nDisallow: /private/\n\nUser-agent: TreatyTracker\nDisallow: /tass-ru.rdf\n"
    )
    assert read(server, "fcdo-en.rss").error is None
    refused = read(server, "tass-ru.rdf")
    assert "robots.txt" in refused.error and refused.feed is None
    assert server.hits("/tass-ru.rdf") == []


def entry(server: FeedServer, feed: str, index: int):
    return read(server, feed).feed.entries[index]


def test_entry_article_uses_the_entrys_own_text_when_it_is_the_story(server):
    gate = HostGate(0)
    robots = Robots(LOOPBACK, gate)
    story = entry(server, "aljazeera-ar.atom", 0)
    before = len(server.log)
    data = entry_article(
        story, feed_language="ar", outlet="Al Jazeera", settings=LOOPBACK, gate=gate, robots=robots
    )
    assert len(server.log) == before  # nothing fetched
    assert data["url"] == "https://www.aljazeera.net/news/2025/9/17/saudi-pakistan-defence"
    assert data["text"] == story.text and data["language"] == "ar"
    assert data["published"] == "2025-09-17" and data["outlet"] == "Al Jazeera"
    assert data["title"].startswith("السعودية وباكستان")
    assert_takes(data)


def assert_takes(data: dict) -> None:
    """What add_article takes, field by field (it refuses what does not fit)."""
    loaded = ArticleInSchema().load({k: v for k, v in data.items() if v is not None})
    assert loaded["text"] == data["text"]


@pytest.mark.parametrize(
    ("index", "language", "words"),
    [
        (0, "fa", "۲۱۰ رأی موافق"),
        (1, "ru", "Совет Федерации на пленарном заседании"),
        (2, "ar", "لجانا عسكرية مشتركة"),
        (3, "en", "exchanged notifications"),
    ],
)
def test_entry_article_reads_the_linked_page(server, index, language, words):
    gate = HostGate(0)
    robots = Robots(LOOPBACK, gate)
    story = entry(server, "digest-summaries.atom", index)
    data = entry_article(
        story, feed_language=None, outlet="Digest", settings=LOOPBACK, gate=gate, robots=robots
    )
    assert words in data["text"] and len(data["text"].split()) > 40
    assert "حقوق" not in data["text"] and "All rights" not in data["text"]  # boilerplate gone
    assert data["language"] == language and data["url"] == story.link
    assert data["title"] == story.title and data["published"] == story.published
    assert_takes(data)


def test_entry_article_falls_back_and_refuses(server):
    gate = HostGate(0)
    robots = Robots(LOOPBACK, gate)
    short = entry(server, "digest-summaries.atom", 0)
    short.link = server.url("gone/story.html")
    data = entry_article(
        short, feed_language="fa", outlet="", settings=LOOPBACK, gate=gate, robots=robots
    )
    assert data["text"] == "مجلس شورای اسلامی پیمان را تصویب کرد."
    short.text = ""
    with pytest.raises(FetchRefused, match="410"):
        entry_article(
            short, feed_language="fa", outlet="", settings=LOOPBACK, gate=gate, robots=robots
        )
    server.robots = "User-agent: *\nDisallow: /pages/\n"
    barred = entry(server, "digest-summaries.atom", 3)
    barred.text = ""
    with pytest.raises(FetchRefused, match="robots.txt"):
        entry_article(
            barred,
            feed_language="en",
            outlet="",
            settings=LOOPBACK,
            gate=HostGate(0),
            robots=Robots(LOOPBACK, gate),
        )
    assert server.hits("/pages/") == []


RSS_091 = """<?xml version="1.0" encoding="windows-1251"?>
<rss version="0.91"><channel>
<title>Новости МИД России</title><link>https://mid.ru/</link><language>ru</language>
<description>Официальные сообщения</description>
<item><title>О ратификации Договора с Ираном</title><link>https://mid.ru/news/1</link>
<description>Федеральный закон о ратификации подписан.</description></item>
</channel></rss>"""


def test_rss_091_in_a_legacy_encoding(server):
    server.add("mid-ru.xml", RSS_091.encode("windows-1251"), "application/xml")
    result = read(server, "mid-ru.xml")
    assert result.error is None
    assert result.feed.title == "Новости МИД России" and result.feed.language == "ru"
    (only,) = result.feed.entries
    assert only.title == "О ратификации Договора с Ираном"
    assert only.text == "Федеральный закон о ратификации подписан."
    assert only.published is None and only.link == "https://mid.ru/news/1"


def test_dates_titles_and_limits(server):
    feed = parse_feed(
        b"""<?xml version="1.0"?><rss version="2.0"><channel><title>T &amp; co</title>
        <item><guid>a</guid><title>Growth &lt; 2% &amp; trade</title>
        <pubDate>Fri, 17 Jan 2025 01:30:00 +0330</pubDate></item>
        <item><guid>b</guid><title>&lt;b&gt;Treaty&lt;/b&gt; signed</title></item>
        </channel></rss>""",
        "http://h.test/rss",
    )
    assert feed.title == "T & co"
    # the date the outlet wrote (Tehran), not the UTC one (16 January)
    assert [(e.title, e.published) for e in feed.entries] == [
        ("Growth < 2% & trade", "2025-01-17"),
        ("Treaty signed", None),
    ]
    small = FetchSettings(timeout=5, max_bytes=1000, allowed_networks=LOOPBACK.allowed_networks)
    big = read(server, "fcdo-en.rss", small)
    assert big.feed is None and big.error == "the page is larger than 1,000 bytes"
    gate = HostGate(0)
    odd = fetch_feed("ftp://127.0.0.1/feed.rss", LOOPBACK, gate, Robots(LOOPBACK, gate))
    assert odd.error == "only http:// and https:// addresses can be fetched"
    assert odd.status == 0 and odd.feed is None


def test_entry_article_refuses_a_link_that_cannot_be_fetched(server):
    story = entry(server, "digest-summaries.atom", 0)
    story.text, story.link = "", "javascript:alert(1)"
    gate = HostGate(0)
    with pytest.raises(FetchRefused, match="only http"):
        entry_article(
            story,
            feed_language="fa",
            outlet="",
            settings=LOOPBACK,
            gate=gate,
            robots=Robots(LOOPBACK, gate),
        )


def test_entry_article_keeps_a_story_whose_link_is_no_web_address(server):
    words = " ".join(["договор"] * 70)
    story = entry(server, "tass-ru.rdf", 0)
    story.text, story.link, story.title = words, "javascript:alert(1)", "Т" * 1500
    gate = HostGate(0)
    data = entry_article(
        story,
        feed_language="ru",
        outlet="ТАСС",
        settings=LOOPBACK,
        gate=gate,
        robots=Robots(LOOPBACK, gate),
    )
    assert data["url"] is None and data["text"] == words and len(data["title"]) == 1000
    assert_takes(data)
