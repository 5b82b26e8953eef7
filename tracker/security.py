"""What every answer carries for safety: security headers, cookie flags, a size limit.

- **Content-Security-Policy** without `unsafe-inline` or `unsafe-eval`: scripts, styles and
  images come from the app itself; no plugins; no framing by other sites
  (`frame-ancestors 'none'`); forms post only to the app. The templates hold no inline script
  or style (Swagger UI is served from the app too). One exception: a stored digest's HTML
  (`/api/v1/digests/{id}/html`) is an email body, styled inline for mail clients; it is
  served in a sandbox with no script at all and inline styles only.
- `X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY` (older browsers),
  `Referrer-Policy: same-origin`, a Permissions-Policy that turns off what the app never
  uses, and Strict-Transport-Security on HTTPS.
- Session and remember-me cookies: HttpOnly, SameSite=Lax, and Secure whenever the site is
  reached over HTTPS (TRACKER_BASE_URL starting with https://, or TRACKER_SECURE_COOKIES=1),
  and on every answer to a request that came over HTTPS (directly, or as a trusted proxy's
  `X-Forwarded-Proto: https` says). "Remember me" lasts TRACKER_REMEMBER_DAYS (14) days.
- Behind TRACKER_TRUSTED_PROXIES proxies (nginx: 1), Werkzeug's ProxyFix takes the client's
  address, scheme and host from `X-Forwarded-For/Proto/Host`; with 0 those headers, which
  anyone can send, are ignored.
- Caching: `private, no-cache` (revalidate, e.g. with the ETag) on every answer that does not
  say otherwise; `no-store` on answers that show a secret (see `no_store`). With
  TRACKER_PUBLIC_READ=1 a successful GET by nobody (no Authorization header, no one signed
  in, nothing in the session, no cookie set by the answer) is `public, max-age=60` with
  `Vary: Authorization, Cookie` and a strong ETag, so that a cache in front may keep it for
  a minute (see `cacheable`).
- Bodies over TRACKER_MAX_REQUEST_BYTES (16 MiB) are refused with 413 before being read;
  a body sent without a length (chunked) is read up to the limit and refused with 413 as soon
  as it goes over (Werkzeug would cut it at the limit and let a 400 follow).
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

from flask import Flask, Response, current_app, request, session
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.middleware.proxy_fix import ProxyFix

POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# A mail body shown as a page: no script of any kind, inline styles only, sandboxed.
EMAIL_POLICY = (
    "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


def init_app(app: Flask) -> None:
    secure = app.config.get("SECURE_COOKIES")
    if secure is None:
        secure = str(app.config.get("BASE_URL", "")).startswith("https://")
    # Flask's own defaults are already in app.config: set these outright.
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=bool(secure),
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=bool(secure),
        REMEMBER_COOKIE_DURATION=timedelta(days=int(app.config.get("REMEMBER_DAYS", 14))),
        MAX_CONTENT_LENGTH=app.config.get("MAX_REQUEST_BYTES"),
        # Flask caps a form field at 500 kB by default: a pasted article may be longer.
        MAX_FORM_MEMORY_SIZE=app.config.get("MAX_REQUEST_BYTES"),
    )
    app.before_request(limit_chunked_body)
    app.after_request(add_headers)
    app.wsgi_app = SecureCookiesOverHttps(app.wsgi_app)  # type: ignore[method-assign]
    hops = int(app.config.get("TRUSTED_PROXIES") or 0)
    if hops:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops
        )
    else:
        app.before_request(_warn_of_an_untrusted_proxy)


def _warn_of_an_untrusted_proxy() -> None:
    """Say once per process that a proxy seems to be in front but is not trusted: every
    client then has its address, and the sign-in throttle counts them all as one."""
    if "X-Forwarded-For" in request.headers and not current_app.extensions.get(_WARNED):
        current_app.extensions[_WARNED] = True
        logging.getLogger("tracker.security").warning(
            "requests carry X-Forwarded-For but TRACKER_TRUSTED_PROXIES is 0: every client "
            "behind the proxy is counted as %s; set TRACKER_TRUSTED_PROXIES=1 behind one proxy",
            request.remote_addr,
        )


_WARNED = "tracker.untrusted_proxy_warned"


def _secure(cookie: str) -> str:
    flags = {part.strip().lower() for part in cookie.split(";")[1:]}
    return cookie if "secure" in flags else cookie + "; Secure"


class SecureCookiesOverHttps:
    """Mark every cookie Secure on an answer to a request that came over HTTPS."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        if environ.get("wsgi.url_scheme") != "https":
            return self.app(environ, start_response)

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            headers = [
                (name, _secure(value) if name.lower() == "set-cookie" else value)
                for name, value in headers
            ]
            return start_response(status, headers, exc_info)

        return self.app(environ, start)


def no_store(response: Response) -> Response:
    """Mark an answer that shows a secret (a new token, a feed link): kept by no cache."""
    response.headers["Cache-Control"] = "no-store"
    return response


def limit_chunked_body() -> None:
    """A body of no declared length: read it up to one byte over the limit; over it is a 413,
    under it is handed on as it came (the form and JSON parsers read it as usual). Runs
    before any other hook has read the body."""
    environ = request.environ
    limit = request.max_content_length
    if not limit or request.content_length is not None:
        return
    if "wsgi.input_terminated" not in environ:
        return  # without it the server gives no body of unknown length (Werkzeug reads none)
    stream = environ["wsgi.input"]
    body = bytearray()
    while len(body) <= limit:
        chunk = stream.read(min(64 * 1024, limit + 1 - len(body)))
        if not chunk:
            break
        body += chunk
    if len(body) > limit:
        raise RequestEntityTooLarge()
    environ["wsgi.input"] = io.BytesIO(bytes(body))


def add_headers(response: Response) -> Response:
    email = request.path.startswith("/api/v1/digests/") and request.path.endswith("/html")
    response.headers.setdefault("Content-Security-Policy", EMAIL_POLICY if email else POLICY)
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if "Cache-Control" not in response.headers and request.endpoint != "static":
        if cacheable(response):
            public(response)
        else:
            # Pages and API answers depend on who asks: no shared cache keeps them, and a
            # browser asks again (with If-None-Match where there is an ETag) before reusing one.
            response.headers["Cache-Control"] = "private, no-cache"
    return response


PUBLIC_MAX_AGE = 60
PUBLIC_STATUSES = (200, 304)


def cacheable(response: Response) -> bool:
    """True for an answer anyone would get alike: a public read (TRACKER_PUBLIC_READ=1)
    that succeeded, asked without a token or a signed-in user, with an empty session left
    unchanged (a page with a form holds the session's CSRF token, and its answer sets the
    session cookie after this hook runs) and setting no cookie. Errors, redirects and
    whatever answers a token or a user stay private."""
    return bool(
        current_app.config.get("PUBLIC_READ")
        and request.method in ("GET", "HEAD")
        and response.status_code in PUBLIC_STATUSES
        and "Authorization" not in request.headers
        and "Set-Cookie" not in response.headers
        and not current_user.is_authenticated
        and not session
        and not session.modified
    )


def public(response: Response) -> None:
    """Let shared caches keep the answer for a minute, apart for each Authorization and
    Cookie (a reader with a token or a session gets another answer). An answer without an
    ETag of its own gets one from its body, and a 304 when it matches If-None-Match."""
    response.headers["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
    response.vary.update(("Authorization", "Cookie"))
    if response.status_code == 200 and not response.is_streamed:
        if response.get_etag()[0] is None:
            response.add_etag()
        response.make_conditional(request)
