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
  reached over HTTPS (TRACKER_BASE_URL starting with https://, or TRACKER_SECURE_COOKIES=1).
- Bodies over TRACKER_MAX_REQUEST_BYTES (16 MiB) are refused with 413 before being read;
  a body sent without a length (chunked) is read up to the limit and refused with 413 as soon
  as it goes over (Werkzeug would cut it at the limit and let a 400 follow).
"""

from __future__ import annotations

import io

from flask import Flask, Response, request
from werkzeug.exceptions import RequestEntityTooLarge

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
        MAX_CONTENT_LENGTH=app.config.get("MAX_REQUEST_BYTES"),
        # Flask caps a form field at 500 kB by default: a pasted article may be longer.
        MAX_FORM_MEMORY_SIZE=app.config.get("MAX_REQUEST_BYTES"),
    )
    app.before_request(limit_chunked_body)
    app.after_request(add_headers)


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
    return response
