"""Article intake: pasted HTML, fetched URLs (from a local server the test starts), the
guards around fetching, canonical URLs and content hashes."""

from __future__ import annotations

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from ipaddress import ip_network

import pytest

from tests.api.conftest import assert_error
from tracker.services.errors import InvalidInput
from tracker.services.evidence.articles import add_article, find_by_url, intake
from tracker.services.infra.fetching import FetchRefused, FetchSettings, clean_text, fetch_page
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

    def _drip(self, head: bytes, body: bytes) -> None:
        """Send `head` at once, then `body` one byte every 0.3 s (until the reader leaves)."""
        try:
            self.wfile.write(head)
            for byte in body:
                time.sleep(0.3)
                self.wfile.write(bytes([byte]))
        except OSError:
            pass

    def do_GET(self):  # type: ignore[no-untyped-def]  # noqa: N802
        if self.path == "/drip":  # the body, a byte at a time
            body = b"Moscow and Tehran signed the treaty."
            head = f"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {len(body)}"
            return self._drip(head.encode() + b"\r\n\r\n", body)
        if self.path == "/drip-headers":  # the headers, a byte at a time
            return self._drip(b"", b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n" * 5)
        if self.path.startswith("/slow/"):  # a redirect every 0.4 s, then the article
            left = int(self.path.rsplit("/", 1)[1])
            time.sleep(0.4)
            if left:
                return self._send(302, b"", "text/html", {"Location": f"/slow/{left - 1}"})
            return self._send(200, ARTICLE.encode(), "text/html; charset=utf-8")
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
            "/rot13": (200, ARTICLE.encode(), "text/html; charset=rot13", None),
            "/backslash": (302, b"", "text/html", {"Location": "http:\\\\127.0.0.1/"}),
            "/bad-port": (302, b"", "text/html", {"Location": "http://[::1]:99999/"}),
            "/controls.txt": (
                200,
                "Line\x00one\x07\r\nتوافق\u200cنامه \u200fRLM\u202e\ufeff\tend\x0cnext".encode(),
                "text/plain; charset=utf-8",
                None,
            ),
        }
        path = self.path.split("?", 1)[0]
        status, body, content_type, extra = routes.get(path, (404, b"missing", "text/plain", None))
        self._send(status, body, content_type, extra)


@pytest.fixture(scope="module")
def server():  # type: ignore[no-untyped-def]
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Pages)
    httpd.daemon_threads = True  # a page still dripping does not hold up the end
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
    from tracker.services.accounts.users import create_token, create_user

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
        ("http://[2001:DB8::1]:8080/a", "http://[2001:db8::1]:8080/a"),  # brackets kept
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


FAST = FetchSettings(timeout=1, max_bytes=100_000, only_networks=(ip_network("127.0.0.0/8"),))


@pytest.mark.parametrize("path", ["/drip", "/drip-headers", "/slow/3"])
def test_the_timeout_is_one_deadline_for_the_whole_fetch(server, path):
    """A page that sends a byte every 0.3 s (body or headers), or redirects that each take
    0.4 s, never wait longer than one read timeout: the whole fetch has 1 s."""
    started = time.monotonic()
    with pytest.raises(FetchRefused, match="did not answer within 1 s"):
        fetch_page(f"{server}{path}", FAST)
    assert time.monotonic() - started < 1.5


def test_a_slow_but_timely_fetch_is_not_cut_short(server):
    page = fetch_page(
        f"{server}/slow/2", FetchSettings(timeout=3, only_networks=FAST.only_networks)
    )
    assert page.url.endswith("/slow/0") and "large interstate agreement" in page.body


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://[::1]:99999/", "not valid"),
        ("http://127.0.0.1:0/", "not valid"),
        ("{server}/bad-port", "redirected to http://[::1]:99999/: the address is not valid"),
        ("{server}/backslash", "redirects to an address that is not valid"),
        ("{server}/rot13", "'rot13', which is not a text encoding"),
    ],
)
def test_odd_addresses_redirects_and_encodings_are_refused_with_a_reason(server, url, reason):
    with pytest.raises(FetchRefused, match=reason.replace("[", r"\[").replace("]", r"\]")):
        fetch_page(url.format(server=server), LOOPBACK)


def test_odd_addresses_and_encodings_are_a_422_on_url_and_a_form_error(app, server, session):
    from flask_login import FlaskLoginClient

    from tests import factories
    from tests.api.conftest import Api
    from tests.web.conftest import csrf, errors_beside
    from tracker.services.accounts.users import create_token, create_user
    from tracker.web.auth import WebUser

    user = create_user(session, "odd@example.org", role="editor")
    api = Api(app.test_client(), create_token(session, user)[1])
    app.test_client_class = FlaskLoginClient
    web = app.test_client(user=WebUser(user))
    form = f"/agreements/{factories.agreement(session).id}/evidence/new"
    for url in (
        "http://[::1]:99999/",
        f"{server}/rot13",
        f"{server}/backslash",
        f"{server}/bad-port",
    ):
        assert_error(api.post("/api/v1/articles", json={"url": url}), 422, "url")
        page = web.post(
            form, data={"csrf_token": csrf(web, form), "url": url, "language": "", "cites": ""}
        )
        assert page.status_code == 422, url
        assert "not" in errors_beside(page.get_data(as_text=True), "url"), url


@pytest.mark.parametrize(
    "url",
    [
        "http://2130706433/",  # 127.0.0.1 in decimal
        "http://0x7f.1/",  # in hexadecimal, short form
        "http://017700000001/",  # in octal
        "http://0/",
        "http://0.1.2.3/",
        "http://100.64.0.1/",  # shared address space (CGNAT)
        "http://169.254.169.254/",
        "http://192.0.0.170/",
        "http://198.18.0.1/",
        "http://224.0.0.1/",  # multicast
        "http://239.255.255.250:1900/",
        "http://240.0.0.1/",
        "http://255.255.255.255/",
        "http://[::ffff:127.0.0.1]/",  # IPv4-mapped
        "http://[::ffff:10.0.0.1]/",
        "http://[::127.0.0.1]/",  # IPv4-compatible
        "http://[::8.8.8.8]/",
        "http://[64:ff9b::7f00:1]/",  # NAT64 of 127.0.0.1
        "http://[64:ff9b::808:808]/",
        "http://[2002:7f00:1::1]/",  # 6to4
        "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/",  # Teredo
        "http://[fe80::1]/",
        "http://[fec0::1]/",  # site-local
        "http://[ff0e::1]/",  # multicast
        "http://[ff02::1]/",
    ],
)
def test_addresses_that_are_not_public_are_refused_before_connecting(url):
    with pytest.raises(FetchRefused, match="private or local address"):
        fetch_page(url, FetchSettings(timeout=1))


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True),
        ("2606:4700::1111", True),
        ("::ffff:8.8.8.8", True),  # judged as the IPv4 address it maps to
        ("::ffff:192.168.0.1", False),
        ("64:ff9b::808:808", False),
        ("ff0e::1", False),
        ("224.0.1.1", False),
        ("fec0::1", False),
    ],
)
def test_which_addresses_are_public(address, public):
    from ipaddress import ip_address

    from tracker.services.infra.fetching import is_public

    assert is_public(ip_address(address)) is public


def test_control_characters_are_stripped_from_fetched_text_on_both_engines(server, session):
    """NUL made PostgreSQL fail (500) and SQLite store what no export could bring back."""
    article = add_article(session, {"url": f"{server}/controls.txt"}, fetch_settings=LOOPBACK)
    session.expire_all()
    assert article.text == "Lineone\nتوافق\u200cنامه \u200fRLM\tend\nnext"


def test_clean_text_keeps_what_persian_needs():
    kept = "می\u200cخواهم \u200d \u200e \u200f \u061c \u00ad\tline\n"
    assert clean_text(kept) == kept
    assert clean_text("a\x00b\x1bc\x7fd\x9fe\ufefff\u202ag\u2066h\ud800i") == "abcdefghi"
    assert clean_text("one\r\ntwo\rthree\x0bfour\x0cfive\x85six") == (
        "one\ntwo\nthree\nfour\nfive\nsix"
    )


def test_a_url_too_long_once_percent_encoded_is_refused_on_both_engines(session):
    """The canonical URL percent-encodes the query (ا is %D8%A7): 1,530 characters became
    9,030, stored on SQLite and a 500 on PostgreSQL."""
    url = "https://news.example/search?q=" + "توافق" * 300
    with pytest.raises(InvalidInput) as refused:
        add_article(session, {"url": url, "text": "Text."})
    assert "once its query is percent-encoded" in refused.value.errors["url"][0]
    with pytest.raises(InvalidInput, match="not a valid address"):
        add_article(session, {"url": "https://news.example:99999/a", "text": "Text."})


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/\u202egnp.exe",
        "https://news.example/a\x07b",
        "https://n.example/\ufeff",
    ],
)
def test_a_url_with_control_or_direction_characters_is_refused(client, session, url):
    """A URL is shown as a link: a right-to-left override would show its end reversed."""
    from tests.api.conftest import Api
    from tracker.services.accounts.users import create_token, create_user

    editor = Api(
        client, create_token(session, create_user(session, "u@example.org", role="editor"))[1]
    )
    body = assert_error(
        editor.post("/api/v1/articles", json={"url": url, "fetch": False}), 422, "url"
    )
    assert "control or text-direction" in body["errors"]["url"][0]
