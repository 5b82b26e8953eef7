"""Getting an article's text: from pasted HTML (trafilatura finds the main text) or from a
URL the server fetches, with the guards a server that fetches for its users needs.

Fetching refuses, unless configured: schemes other than http(s), hosts that resolve to
private, loopback, link-local or otherwise non-public addresses (also after each
redirect), bodies over the size cap, content types that are not HTML or plain text, and
pages that take longer than the timeout.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
import trafilatura

from tracker.text.dates import DateError, parse_edtf_date

ACCEPTED_TYPES = {"text/html", "application/xhtml+xml", "text/plain"}
USER_AGENT = "TreatyTracker/0.1 (evidence intake)"


class FetchRefused(Exception):
    """The URL cannot or may not be fetched; the message says why, for the user."""


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
    url: str
    content_type: str
    body: str


def _check_address(host: str, port: int, settings: FetchSettings) -> str:
    """The address to connect to; FetchRefused unless every address of `host` may be fetched.

    The connection then goes to that very address, not to a second lookup of the name: a
    name that answers a public address to the check and a private one to the connection (DNS
    rebinding) cannot reach inside.
    """
    if settings.only_networks and host != "localhost":
        try:
            ipaddress.ip_address(host)
        except ValueError:
            raise FetchRefused(f"fetching from {host!r} is not allowed here") from None
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise FetchRefused(f"the host {host!r} could not be found") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if settings.only_networks:
            if any(address in network for network in settings.only_networks):
                continue
            raise FetchRefused(f"fetching from {address} is not allowed here")
        if address.is_global:
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
    """GET the page, following redirects by hand so that every hop is checked."""
    for _hop in range(settings.max_redirects + 1):
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise FetchRefused("only http:// and https:// addresses can be fetched")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        address = _check_address(parts.hostname, port, settings)
        target, host_header, extensions = _pinned(url, address)
        try:
            with (
                httpx.Client(
                    timeout=settings.timeout,
                    follow_redirects=False,
                    headers={"User-Agent": USER_AGENT},
                    trust_env=False,
                ) as client,
                client.stream(
                    "GET", target, headers=host_header, extensions=extensions
                ) as response,
            ):
                if response.is_redirect and "location" in response.headers:
                    url = urljoin(url, response.headers["location"])
                    continue
                if response.status_code >= 400:
                    raise FetchRefused(f"the page answered {response.status_code}")
                content_type = (
                    response.headers.get("content-type", "").split(";")[0].strip().lower()
                )
                if content_type not in ACCEPTED_TYPES:
                    raise FetchRefused(
                        f"the page is {content_type or 'of no declared type'}, "
                        "not HTML or plain text"
                    )
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > settings.max_bytes:
                    raise FetchRefused(f"the page is larger than {settings.max_bytes:,} bytes")
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > settings.max_bytes:
                        raise FetchRefused(f"the page is larger than {settings.max_bytes:,} bytes")
                encoding = response.encoding or "utf-8"
                return Page(url, content_type, bytes(body).decode(encoding, errors="replace"))
        except httpx.TimeoutException:
            raise FetchRefused(f"the page did not answer within {settings.timeout:g} s") from None
        except httpx.HTTPError as exc:
            raise FetchRefused(f"the page could not be fetched ({type(exc).__name__})") from None
    raise FetchRefused(f"more than {settings.max_redirects} redirects")


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
