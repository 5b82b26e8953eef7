"""Settings from environment variables; tests pass a mapping instead."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any


class ConfigError(RuntimeError):
    """A setting is missing or malformed; the message says which and how to fix it."""


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def _log_format(env: Mapping[str, str], tracker_env: str) -> str:
    value = env.get("TRACKER_LOG_FORMAT", "").strip().lower()
    value = value or ("text" if tracker_env == "development" else "json")
    if value not in {"json", "text"}:
        raise ConfigError(f"TRACKER_LOG_FORMAT must be 'json' or 'text', not {value!r}")
    return value


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None


def _trusted_proxies(env: Mapping[str, str]) -> int:
    hops = _int(env, "TRACKER_TRUSTED_PROXIES", 0)
    if not 0 <= hops <= 10:
        raise ConfigError(
            f"TRACKER_TRUSTED_PROXIES is the number of proxies in front of the app (0 to 10, "
            f"1 behind nginx), not {hops}"
        )
    return hops


def _remember_days(env: Mapping[str, str]) -> int:
    days = _int(env, "TRACKER_REMEMBER_DAYS", 14)
    if not 1 <= days <= 90:
        raise ConfigError(f"TRACKER_REMEMBER_DAYS must be 1 to 90 (days), not {days}")
    return days


def _retention_days(env: Mapping[str, str]) -> int:
    days = _int(env, "TRACKER_INBOX_RETENTION_DAYS", 90)
    if not 1 <= days <= 36500:
        raise ConfigError(f"TRACKER_INBOX_RETENTION_DAYS must be 1 to 36500 (days), not {days}")
    return days


def _read_after_write(env: Mapping[str, str]) -> int:
    seconds = _int(env, "TRACKER_READ_AFTER_WRITE", 10)
    if not 0 <= seconds <= 3600:
        raise ConfigError(
            f"TRACKER_READ_AFTER_WRITE is how long a browser reads the primary after it wrote, "
            f"0 to 3600 seconds, not {seconds}"
        )
    return seconds


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number (seconds), not {raw!r}") from None
    if value != value or value in (float("inf"), float("-inf")):  # nan, inf
        raise ConfigError(f"{name} must be a finite number (seconds), not {raw!r}")
    return value


def _feeds(env: Mapping[str, str]) -> dict[str, Any]:
    """News-feed polling: the gap between two requests to one host, how many feeds are
    fetched at once, after how many failures in a row a feed is paused, and how often the
    scheduler runs a round."""
    gap = _float(env, "TRACKER_FEEDS_HOST_GAP", 2.0)
    if not 0 <= gap <= 600:
        raise ConfigError(
            f"TRACKER_FEEDS_HOST_GAP is the pause between two requests to one host, 0 to 600 "
            f"seconds, not {gap:g}"
        )
    concurrency = _int(env, "TRACKER_FEEDS_CONCURRENCY", 4)
    if not 1 <= concurrency <= 32:
        raise ConfigError(
            f"TRACKER_FEEDS_CONCURRENCY is how many feeds are fetched at once, 1 to 32, "
            f"not {concurrency}"
        )
    pause_after = _int(env, "TRACKER_FEEDS_PAUSE_AFTER", 10)
    if not 1 <= pause_after <= 1000:
        raise ConfigError(
            f"TRACKER_FEEDS_PAUSE_AFTER is the number of failures in a row after which a feed "
            f"is paused, 1 to 1000, not {pause_after}"
        )
    every = _int(env, "TRACKER_FEEDS_EVERY", 5)
    if not 1 <= every <= 24 * 60:
        raise ConfigError(
            f"TRACKER_FEEDS_EVERY is the minutes between the scheduler's polling rounds, "
            f"1 to 1440, not {every}"
        )
    return {
        "FEEDS_HOST_GAP": gap,
        "FEEDS_CONCURRENCY": concurrency,
        "FEEDS_PAUSE_AFTER": pause_after,
        "FEEDS_EVERY": every,
    }


def _development_secret(instance_path: Path) -> str:
    """A random key kept in the instance folder so development sessions survive restarts."""
    path = instance_path / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


def load_config(instance_path: Path, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Read every TRACKER_* setting; raise ConfigError when production lacks a secret key."""
    env = os.environ if environ is None else environ
    tracker_env = env.get("TRACKER_ENV", "production").strip().lower()
    if tracker_env not in {"production", "development"}:
        raise ConfigError(f"TRACKER_ENV must be 'production' or 'development', not {tracker_env!r}")
    secret = env.get("TRACKER_SECRET_KEY", "").strip()
    if not secret:
        if tracker_env != "development":
            raise ConfigError(
                "TRACKER_SECRET_KEY is not set. Set it to a long random string "
                '(python -c "import secrets; print(secrets.token_urlsafe(48))"), '
                "or set TRACKER_ENV=development for a local key kept in the instance folder."
            )
        secret = _development_secret(instance_path)
    default_db = "sqlite:///" + str(instance_path / "tracker.sqlite3")
    return {
        "TRACKER_ENV": tracker_env,
        "SECRET_KEY": secret,
        "DATABASE_URL": env.get("TRACKER_DATABASE_URL", "").strip() or default_db,
        # A read replica for requests that only read (docs/scaling.md); empty: none.
        "READ_DATABASE_URL": env.get("TRACKER_READ_DATABASE_URL", "").strip(),
        # After a write, the browser reads the primary this many seconds (replica lag).
        "READ_AFTER_WRITE": _read_after_write(env),
        "PUBLIC_READ": _flag(env.get("TRACKER_PUBLIC_READ")),
        # List pages each worker keeps to answer the same list again (tracker.api.page_cache):
        # how many (0: none), how many megabytes of JSON in all, and for how long at most.
        "LIST_CACHE_SIZE": _int(env, "TRACKER_LIST_CACHE_SIZE", 256),
        "LIST_CACHE_MB": _int(env, "TRACKER_LIST_CACHE_MB", 32),
        "LIST_CACHE_SECONDS": _int(env, "TRACKER_LIST_CACHE_SECONDS", 60),
        "SMTP_HOST": env.get("TRACKER_SMTP_HOST", "localhost"),
        "SMTP_PORT": _int(env, "TRACKER_SMTP_PORT", 25),
        "MAIL_FROM": env.get("TRACKER_MAIL_FROM", "treaty-tracker@localhost"),
        "SMTP_STARTTLS": _flag(env.get("TRACKER_SMTP_STARTTLS")),
        "SMTP_USER": env.get("TRACKER_SMTP_USER", ""),
        "SMTP_PASSWORD": env.get("TRACKER_SMTP_PASSWORD", ""),
        # Where links in emails and feeds point (the site as its users reach it).
        "BASE_URL": env.get("TRACKER_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        # Reminder rules: days before each one fires.
        "RULE_UNSIGNED_DAYS": _int(env, "TRACKER_RULE_UNSIGNED_DAYS", 90),
        "RULE_RATIFICATION_DAYS": _int(env, "TRACKER_RULE_RATIFICATION_DAYS", 120),
        "STALLED_AFTER_DAYS": _int(env, "TRACKER_STALLED_AFTER_DAYS", 180),
        # Dismissed and off-topic inbox stories are removed this many days after.
        "INBOX_RETENTION_DAYS": _retention_days(env),
        # Fetching articles by URL: networks allowed although not public (comma-separated
        # CIDRs, e.g. 127.0.0.0/8 for a local test server), timeout and size cap.
        "FETCH_ALLOW_NETWORKS": env.get("TRACKER_FETCH_ALLOW_NETWORKS", ""),
        # If set, only these networks are fetched from, and names other than localhost
        # are not looked up at all.
        "FETCH_ONLY_NETWORKS": env.get("TRACKER_FETCH_ONLY_NETWORKS", ""),
        "FETCH_TIMEOUT": _int(env, "TRACKER_FETCH_TIMEOUT", 10),
        "FETCH_MAX_BYTES": _int(env, "TRACKER_FETCH_MAX_BYTES", 5_000_000),
        # Requests with a larger body are refused (413) before being read.
        "MAX_REQUEST_BYTES": _int(env, "TRACKER_MAX_REQUEST_BYTES", 16 * 1024 * 1024),
        # Secure cookies: unset = when BASE_URL is https://.
        "SECURE_COOKIES": (
            _flag(env["TRACKER_SECURE_COOKIES"]) if env.get("TRACKER_SECURE_COOKIES") else None
        ),
        # Proxies in front of the app (nginx: 1) whose X-Forwarded-For/Proto/Host headers
        # are believed; 0 (no proxy) ignores those headers, which anyone can send.
        "TRUSTED_PROXIES": _trusted_proxies(env),
        # How long "remember me" keeps a browser signed in.
        "REMEMBER_DAYS": _remember_days(env),
        "LOG_FORMAT": _log_format(env, tracker_env),
        "LOG_REQUESTS": _flag(env.get("TRACKER_LOG_REQUESTS")),
        # News feeds: politeness per host, bounded concurrency, pausing, the scheduler's round.
        **_feeds(env),
    }
