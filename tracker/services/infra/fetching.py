"""Getting an article's text: from pasted HTML (trafilatura finds the main text) or from a
URL the server fetches, with the guards a server that fetches for its users needs.

Fetching refuses, unless configured: schemes other than http(s), hosts that resolve to
private, loopback, link-local or otherwise non-public addresses (also after each
redirect), bodies over the size cap, content types that are not HTML or plain text,
encodings that are not text encodings, and pages that take longer than the timeout: one
deadline for the whole fetch (connections, every redirect, headers and body; the name
look-up is the resolver's, and nothing more is done once it has used the deadline up), not a
limit per read, so a page that drips a byte at a time is cut off too.

An article's text is cleaned of control characters (`clean_text`, applied by the evidence
service whichever way the text came), so that what is stored is the same on SQLite and
PostgreSQL.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
import trafilatura

from tracker.services.infra.deadline import Deadline, DeadlineTransport
from tracker.text.dates import DateError, parse_edtf_date
from tracker.text.normalise import clean_text as clean_text  # importable from here too
from tracker.text.urls import url_problem as url_problem  # importable from here too

ACCEPTED_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain"})
USER_AGENT = "TreatyTracker/0.1 (evidence intake)"


class FetchRefused(Exception):
    """The URL cannot or may not be fetched; the message says why, for the user.

    `status` is the HTTP status the server answered with (4xx, 5xx), None when the fetch
    was refused or failed before an answer came.
    """

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class FetchSettings:
    timeout: float = 10.0
    max_bytes: int = 5_000_000
    max_redirects: int = 5
    # Networks let through although not public (tests serve pages on loopback).
    allowed_networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = field(
        default_factory=tuple
    )
    # When set, nothing outside these networks is fetched, and host names other than
    # localhost are not even looked up (the test suite never reaches past the machine).
    only_networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = field(
        default_factory=tuple
    )

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> FetchSettings:
        def networks(key: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
            return tuple(
                ipaddress.ip_network(item.strip(), strict=False)
                for item in str(config.get(key, "")).split(",")
                if item.strip()
            )

        return cls(
            timeout=float(config.get("FETCH_TIMEOUT", 10.0)),
            max_bytes=int(config.get("FETCH_MAX_BYTES", 5_000_000)),
            allowed_networks=networks("FETCH_ALLOW_NETWORKS"),
            only_networks=networks("FETCH_ONLY_NETWORKS"),
        )


@dataclass(frozen=True)
class Page:
    """A fetched page: `url` is the final one (after redirects), `body` the decoded text,
    `raw` the bytes as sent (an XML feed declares its own encoding). A 304 answer to a
    conditional request is a Page with status 304 and an empty body."""

    url: str
    content_type: str
    body: str
    status: int = 200
    etag: str | None = None
    last_modified: str | None = None
    raw: bytes = b""


# Not public although Python's `is_global` (3.11) may say so: "this network", shared
# address space (CGNAT), IETF protocol assignments, the old 6to4 relay anycast, multicast,
# reserved; IPv4-compatible IPv6, NAT64 (both prefixes), 6to4 and Teredo, whose embedded
# IPv4 address may be a private one; site-local and multicast IPv6.
NOT_PUBLIC = tuple(
    ipaddress.ip_network(network)
    for network in (
        "0.0.0.0/8",
        "100.64.0.0/10",
        "192.0.0.0/24",
        "192.88.99.0/24",
        "224.0.0.0/4",
        "240.0.0.0/4",
        "::/96",
        "64:ff9b::/96",
        "64:ff9b:1::/48",
        "2001::/32",
        "2002::/16",
        "fec0::/10",
        "ff00::/8",
    )
)


def is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether a server may fetch from this address for its users (SSRF guard).

    An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is judged as the IPv4 address it maps to.
    """
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or any(address in network for network in NOT_PUBLIC)
    ):
        return False
    return address.is_global


def _check_address(host: str, port: int, settings: FetchSettings) -> str:
    """The address to connect to; FetchRefused unless every address of `host` may be fetched.

    The connection then goes to that very address, not to a second lookup of the name: a
    name that answers a public address to the check and a private one to the connection (DNS
    rebinding) cannot reach inside. Host names written as numbers (2130706433, 0x7f.1,
    017700000001) are looked up like any other and judged by the address they stand for.
    """
    if settings.only_networks and host != "localhost":
        try:
            ipaddress.ip_address(host)
        except ValueError:
            raise FetchRefused(f"fetching from {host!r} is not allowed here") from None
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError):
        raise FetchRefused(f"the host {host!r} could not be found") from None
    for info in infos:
        found = ipaddress.ip_address(info[4][0].split("%")[0])
        mapped = getattr(found, "ipv4_mapped", None)
        address = mapped if mapped is not None else found
        if settings.only_networks:
            if any(address in network for network in settings.only_networks):
                continue
            raise FetchRefused(f"fetching from {address} is not allowed here")
        if is_public(address):
            continue
        if any(address in network for network in settings.allowed_networks):
            continue
        raise FetchRefused(
            f"the host {host!r} is at a private or local address ({address}); "
            "fetching it is not allowed"
        )
    return infos[0][4][0]


def _pinned(url: str, address: str) -> tuple[str, dict[str, str], dict[str, str]]:
    """The URL with its host replaced by the checked address, the Host header, and (https)
    the name TLS must verify the certificate for."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        ascii_host = host.encode("idna").decode("ascii") if ":" not in host else f"[{host}]"
    except UnicodeError:
        raise FetchRefused(f"the host name {host!r} is not valid") from None
    literal = f"[{address}]" if ":" in address else address
    netloc = literal + (f":{parts.port}" if parts.port else "")
    headers = {"Host": ascii_host + (f":{parts.port}" if parts.port else "")}
    extensions = {"sni_hostname": ascii_host} if parts.scheme == "https" else {}
    return parts._replace(netloc=netloc).geturl(), headers, extensions


def fetch_page(url: str, settings: FetchSettings) -> Page:
    """GET the page, following redirects by hand so that every hop is checked, all within
    one deadline of `settings.timeout` seconds."""
    page = fetch(url, settings, accept=ACCEPTED_TYPES)
    if page.status == 304:  # never asked for: no conditional header was sent
        raise FetchRefused("the page answered 304", status=304)
    return page


def fetch(
    url: str,
    settings: FetchSettings,
    *,
    accept: frozenset[str] | set[str],
    headers: Mapping[str, str] | None = None,
) -> Page:
    """GET `url` with every guard of `fetch_page` (addresses checked at each redirect, one
    deadline, the size cap), accepting the content types in `accept` and sending `headers`
    too (If-None-Match, If-Modified-Since, Accept, User-Agent; never Host).

    A 304 answer is returned as a Page with status 304 and an empty body; a 4xx or 5xx
    answer raises FetchRefused with its `status`.
    """
    deadline = Deadline(settings.timeout)
    too_slow = f"the page did not answer within {settings.timeout:g} s"
    extra = {k: v for k, v in (headers or {}).items() if k.lower() != "host"}
    try:
        with httpx.Client(
            transport=DeadlineTransport(deadline),
            timeout=settings.timeout,
            follow_redirects=False,
            headers={"User-Agent": USER_AGENT},
            trust_env=False,
        ) as client:
            return _fetch(client, url, settings, deadline, frozenset(accept), extra)
    except httpx.TimeoutException:
        raise FetchRefused(too_slow) from None
    except httpx.InvalidURL as exc:
        raise FetchRefused(f"the address is not valid ({exc})") from None
    except httpx.HTTPError as exc:
        if deadline.end <= time.monotonic():
            raise FetchRefused(too_slow) from None
        raise FetchRefused(f"the page could not be fetched ({type(exc).__name__})") from None


def _fetch(
    client: httpx.Client,
    url: str,
    settings: FetchSettings,
    deadline: Deadline,
    accept: frozenset[str],
    headers: dict[str, str],
) -> Page:
    for hop in range(settings.max_redirects + 1):
        problem = url_problem(url)
        if problem:
            raise FetchRefused(f"the page redirected to {url[:200]}: {problem}" if hop else problem)
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        address = _check_address(parts.hostname or "", port, settings)
        deadline.left(None, httpx.ConnectTimeout)  # the look-up may have used it all
        target, host_header, extensions = _pinned(url, address)
        try:
            httpx.URL(target)
        except httpx.InvalidURL as exc:  # a path httpx will not send (a backslash first)
            problem = f"the address is not valid ({exc})"
            raise FetchRefused(
                f"the page redirected to {url[:200]}: {problem}" if hop else problem
            ) from None
        try:
            page, url = _get(
                client, url, target, {**headers, **host_header}, extensions, settings, accept
            )
        except httpx.InvalidURL as exc:
            # The address itself was checked above: httpx refused the one it redirects to
            # (it reads the Location header even when it does not follow it).
            raise FetchRefused(
                f"the page redirects to an address that is not valid ({exc})"
            ) from None
        if page is not None:
            return page
    raise FetchRefused(f"more than {settings.max_redirects} redirects")


def _get(
    client: httpx.Client,
    url: str,
    target: str,
    host_header: dict[str, str],
    extensions: dict[str, str],
    settings: FetchSettings,
    accept: frozenset[str],
) -> tuple[Page | None, str]:
    """One hop: the page, or None and the URL it redirects to."""
    with client.stream("GET", target, headers=host_header, extensions=extensions) as response:
        if response.is_redirect and "location" in response.headers:
            return None, urljoin(url, response.headers["location"])
        if response.status_code >= 400:
            raise FetchRefused(
                f"the page answered {response.status_code}", status=response.status_code
            )
        etag = response.headers.get("etag")
        last_modified = response.headers.get("last-modified")
        if response.status_code == 304:
            return Page(url, "", "", 304, etag, last_modified, b""), url
        content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type not in accept:
            wanted = (
                "HTML or plain text"
                if accept == ACCEPTED_TYPES
                else "one of " + ", ".join(sorted(t for t in accept if t))
            )
            raise FetchRefused(f"the page is {content_type or 'of no declared type'}, not {wanted}")
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > settings.max_bytes:
            raise FetchRefused(f"the page is larger than {settings.max_bytes:,} bytes")
        body = bytearray()
        for chunk in response.iter_bytes():
            body += chunk
            if len(body) > settings.max_bytes:
                raise FetchRefused(f"the page is larger than {settings.max_bytes:,} bytes")
        raw = bytes(body)
        page = Page(
            url,
            content_type,
            _decode(raw, response),
            response.status_code,
            etag,
            last_modified,
            raw,
        )
        return page, url


def _decode(body: bytes, response: httpx.Response) -> str:
    """The body as text in the encoding the page declares (UTF-8 if it declares none or
    one unknown); a declared codec that is no text encoding (rot13, base64) is refused."""
    encoding = response.encoding or "utf-8"
    try:
        return body.decode(encoding, errors="replace")
    except (LookupError, UnicodeError, ValueError, TypeError):
        raise FetchRefused(
            f"the page declares the encoding {response.charset_encoding!r}, which is not a "
            "text encoding"
        ) from None


def from_html(html: str, url: str | None = None) -> dict[str, Any]:
    """The main text and what metadata the page declares, as article fields (may be empty)."""
    document = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False
    )
    if document is None:
        return {}
    fields: dict[str, Any] = {"text": (document.text or "").strip()}
    if document.title:
        fields["title"] = document.title.strip()[:1000]
    if document.author:
        fields["author"] = document.author.strip()[:200]
    if document.sitename:
        fields["outlet"] = document.sitename.strip()[:200]
    if document.date:
        try:
            fields["published"] = parse_edtf_date(document.date).text
        except DateError:
            pass
    return fields
