"""Article intake: pasted HTML, fetched URLs (from a local server the test starts), the
guards around fetching, canonical URLs and content hashes."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from ipaddress import ip_network

import pytest

from tests.api.conftest import assert_error
from tracker.services.evidence import add_article, find_by_url, intake
from tracker.services.intake import FetchRefused, FetchSettings, fetch_page
from tracker.text.urls import canonical_url

ARTICLE = """<html><head><title>Russia and Iran to sign a treaty</title>
<meta name="author" content="Maria Petrova">
<meta property="article:published_time" content="2024-01-15T10:00:00Z"></head>
<body><nav>Home | World | Sport | Contact us</nav>
<article><h1>Russia and Iran to sign a treaty</h1>
<p>Moscow and Tehran will soon sign a large interstate agreement, the Russian defence ministry
said on Monday after a telephone call between the two defence ministers.</p>
<p>The parties stressed unconditional respect for each other's sovereignty and territorial
integrity, and said the treaty would cover defence, trade and transport.</p></article>
<footer>© 2024 Example News. All rights reserved. Cookie settings.</footer></body></html>"""


class Pages(BaseHTTPRequestHandler):
    def log_message(self, *args):  # type: ignore[no-untyped-def]
        pass

    def _send(self, status: int, body: bytes, content_type: str, extra: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):  # type: ignore[no-untyped-def]  # noqa: N802
        routes = {
            "/article.html": (200, ARTICLE.encode(), "text/html; charset=utf-8", None),
            "/plain.txt": (
                200,
                "Москва и Тегеран подписали договор.".encode(),
                "text/plain; charset=utf-8",
                None,
            ),
            "/photo.png": (200, b"\x89PNG....", "image/png", None),
            "/huge.html": (200, b"<p>" + b"x" * 300_000 + b"</p>", "text/html", None),
            "/moved": (302, b"", "text/html", {"Location": "/article.html"}),
            "/to-private": (302, b"", "text/html", {"Location": "http://10.1.2.3/secret"}),
            "/loop": (302, b"", "text/html", {"Location": "/loop"}),
        }
        path = self.path.split("?", 1)[0]
        status, body, content_type, extra = routes.get(path, (404, b"missing", "text/plain", None))
        self._send(status, body, content_type, extra)


@pytest.fixture(scope="module")
def server():  # type: ignore[no-untyped-def]
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Pages)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


LOOPBACK = FetchSettings(timeout=3, max_bytes=100_000, only_networks=(ip_network("127.0.0.0/8"),))


def test_a_fetched_page_gives_its_main_text_and_metadata(server, session):
    article, created = intake(
        session, {"url": f"{server}/article.html?utm_source=x#top"}, fetch_settings=LOOPBACK
    )
    assert created
    assert article.title == "Russia and Iran to sign a treaty"
    assert article.author == "Maria Petrova"
    assert article.published == "2024-01-15"
    assert "Moscow and Tehran will soon sign" in article.text
    assert "Cookie settings" not in article.text and "Contact us" not in article.text
    assert article.url_canonical == f"{server}/article.html"
    # The same page again, spelled otherwise: the stored article, not a second one.
    again, created = intake(
        session,
        {"url": f"{server.upper().replace('HTTP', 'http')}/article.html#other"},
        fetch_settings=LOOPBACK,
    )
    assert (again.id, created) == (article.id, False)


def test_redirects_are_followed_and_plain_text_is_taken_as_is(server, session):
    moved = add_article(session, {"url": f"{server}/moved"}, fetch_settings=LOOPBACK)
    assert "large interstate agreement" in moved.text
    plain = add_article(session, {"url": f"{server}/plain.txt"}, fetch_settings=LOOPBACK)
    assert plain.text == "Москва и Тегеран подписали договор."


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/photo.png", "image/png"),
        ("/huge.html", "larger than"),
        ("/nowhere", "answered 404"),
        ("/to-private", "not allowed"),
        ("/loop", "redirects"),
    ],
)
def test_pages_that_cannot_be_taken_are_refused_with_a_reason(server, path, reason):
    with pytest.raises(FetchRefused, match=reason):
        fetch_page(f"{server}{path}", LOOPBACK)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/",
        "http://localhost:9/",
        "http://10.0.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://192.168.1.1/",
        "file:///etc/passwd",
        "ftp://example.org/",
    ],
)
def test_private_loopback_and_link_local_addresses_are_refused_by_default(url):
    """Without configuration nothing private is fetched: the check runs before any connection."""
    with pytest.raises(FetchRefused):
        fetch_page(url, FetchSettings(timeout=1))


def test_loopback_is_fetched_only_when_explicitly_allowed(server):
    with pytest.raises(FetchRefused, match="private or local"):
        fetch_page(f"{server}/article.html", FetchSettings(timeout=1))
    allowed = FetchSettings(timeout=3, allowed_networks=(ip_network("127.0.0.1/32"),))
    assert fetch_page(f"{server}/article.html", allowed).content_type == "text/html"


def test_pasted_html_is_reduced_to_its_text(session):
    article = add_article(session, {"html": ARTICLE, "outlet": "Example News"})
    assert article.title == "Russia and Iran to sign a treaty"
    assert article.outlet == "Example News"  # what the researcher typed wins
    assert article.text.startswith("Russia and Iran to sign a treaty")


def test_api_intake_errors_name_the_field(client, session, app, server):
    from tests.api.conftest import Api
    from tracker.services.users import create_token, create_user

    editor = Api(
        client, create_token(session, create_user(session, "e@example.org", role="editor"))[1]
    )
    assert_error(editor.post("/api/v1/articles", json={"url": f"{server}/photo.png"}), 422, "url")
    assert_error(
        editor.post("/api/v1/articles", json={"url": "http://intranet.example/x"}), 422, "url"
    )
    assert_error(
        editor.post("/api/v1/articles", json={"html": "<html><body></body></html>"}), 422, "html"
    )
    made = editor.post("/api/v1/articles", json={"url": f"{server}/article.html"})
    assert made.status_code == 201, made.get_json()
    again = editor.post("/api/v1/articles", json={"url": f"{server}/article.html?fbclid=abc"})
    assert again.status_code == 200 and again.get_json()["id"] == made.get_json()["id"]


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        (
            "HTTPS://WWW.Tasnim.ir:443/fa/news/1?utm_source=t&b=2&a=1#top",
            "https://tasnim.ir/fa/news/1?a=1&b=2",
        ),
        ("http://example.org", "http://example.org/"),
        ("https://example.org/a?fbclid=1&gclid=2", "https://example.org/a"),
        ("https://example.org:8443/a?id=5&utm_medium=x", "https://example.org:8443/a?id=5"),
    ],
)
def test_canonical_urls(raw, canonical):
    assert canonical_url(raw) == canonical


def test_find_by_url_ignores_tracking_and_fragment(session):
    article = add_article(session, {"url": "https://example.org/news/7", "text": "Text."})
    assert (
        find_by_url(session, "https://www.example.org/news/7?utm_campaign=x#para").id == article.id
    )
    assert find_by_url(session, "https://example.org/news/8") is None


def test_the_content_hash_ignores_spelling_variants(session):
    one = add_article(session, {"text": "مسکو و تهران توافق‌نامه را امضا می‌کنند"})
    two = add_article(session, {"text": "مسكو و تهران توافقنامه را امضا ميكنند"})
    assert one.content_hash == two.content_hash
    assert two.duplicate_of_id == one.id  # the same text, grouped with the first seen


def test_the_connection_goes_to_the_checked_address_not_to_a_second_lookup(server, monkeypatch):
    """DNS rebinding: a name that answers an allowed address to the check and a forbidden one
    a moment later must not reach the forbidden one."""
    port = int(server.rsplit(":", 1)[1])
    answers = iter(["127.0.0.2"] + ["127.0.0.1"] * 10)  # only 127.0.0.2 is allowed
    real = socket.getaddrinfo

    def rebinding(host, *args, **kwargs):  # type: ignore[no-untyped-def]
        if host == "rebind.example":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    settings = FetchSettings(timeout=2, allowed_networks=(ip_network("127.0.0.2/32"),))
    # The page server listens on 127.0.0.1 only: reaching it would return the article.
    with pytest.raises(FetchRefused, match="could not be fetched"):
        fetch_page(f"http://rebind.example:{port}/article.html", settings)


def test_a_host_name_in_another_script_is_fetched_by_its_ascii_form(server, monkeypatch):
    """An internationalised name goes into the Host header as IDNA, never as a 500."""
    port = int(server.rsplit(":", 1)[1])
    real = socket.getaddrinfo
    asked = []

    def resolve(host, *args, **kwargs):  # type: ignore[no-untyped-def]
        if "xn--" in str(host) or "ü" in str(host):
            asked.append(host)
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    settings = FetchSettings(timeout=2, allowed_networks=(ip_network("127.0.0.1/32"),))
    page = fetch_page(f"http://bücher.example:{port}/article.html", settings)
    assert page.content_type == "text/html" and asked
