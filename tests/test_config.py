"""Settings: no default secret outside development."""

from __future__ import annotations

import pytest

from tracker.config import ConfigError, load_config


def test_production_without_a_secret_key_refuses_to_start(tmp_path):
    with pytest.raises(ConfigError, match="TRACKER_SECRET_KEY is not set"):
        load_config(tmp_path, {})


def test_development_keeps_a_local_key(tmp_path):
    first = load_config(tmp_path, {"TRACKER_ENV": "development"})["SECRET_KEY"]
    again = load_config(tmp_path, {"TRACKER_ENV": "development"})["SECRET_KEY"]
    assert first == again and len(first) > 40


def test_settings_from_the_environment(tmp_path):
    config = load_config(
        tmp_path,
        {
            "TRACKER_SECRET_KEY": "s",
            "TRACKER_DATABASE_URL": "postgresql+psycopg://db/x",
            "TRACKER_PUBLIC_READ": "1",
            "TRACKER_SMTP_PORT": "2525",
        },
    )
    assert config["DATABASE_URL"] == "postgresql+psycopg://db/x"
    assert config["PUBLIC_READ"] is True and config["SMTP_PORT"] == 2525
    assert load_config(tmp_path, {"TRACKER_SECRET_KEY": "s"})["DATABASE_URL"].startswith(
        "sqlite:///"
    )


def test_a_malformed_number_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="TRACKER_SMTP_PORT must be a whole number"):
        load_config(tmp_path, {"TRACKER_SECRET_KEY": "s", "TRACKER_SMTP_PORT": "smtp"})


def test_trusted_proxies_is_a_small_count_of_hops(tmp_path):
    base = {"TRACKER_SECRET_KEY": "s"}
    assert load_config(tmp_path, base)["TRUSTED_PROXIES"] == 0
    assert load_config(tmp_path, base | {"TRACKER_TRUSTED_PROXIES": "1"})["TRUSTED_PROXIES"] == 1
    for bad in ("-1", "99", "yes"):
        with pytest.raises(ConfigError, match="TRACKER_TRUSTED_PROXIES"):
            load_config(tmp_path, base | {"TRACKER_TRUSTED_PROXIES": bad})
    assert load_config(tmp_path, base | {"TRACKER_REMEMBER_DAYS": "3"})["REMEMBER_DAYS"] == 3
    with pytest.raises(ConfigError, match="TRACKER_REMEMBER_DAYS"):
        load_config(tmp_path, base | {"TRACKER_REMEMBER_DAYS": "365"})


def test_the_read_replica_is_off_unless_named(tmp_path):
    base = {"TRACKER_SECRET_KEY": "s"}
    assert load_config(tmp_path, base)["READ_DATABASE_URL"] == ""
    assert load_config(tmp_path, base)["READ_AFTER_WRITE"] == 10
    named = base | {
        "TRACKER_READ_DATABASE_URL": " postgresql+psycopg://replica/x ",
        "TRACKER_READ_AFTER_WRITE": "0",
    }
    config = load_config(tmp_path, named)
    assert (config["READ_DATABASE_URL"], config["READ_AFTER_WRITE"]) == (
        "postgresql+psycopg://replica/x",
        0,
    )
    for bad in ("-1", "3601", "soon"):
        with pytest.raises(ConfigError, match="TRACKER_READ_AFTER_WRITE"):
            load_config(tmp_path, base | {"TRACKER_READ_AFTER_WRITE": bad})


def test_feed_polling_settings_have_defaults_and_bounds(tmp_path):
    base = {"TRACKER_SECRET_KEY": "s"}
    config = load_config(tmp_path, base)
    assert config["FEEDS_HOST_GAP"] == 2.0
    assert config["FEEDS_CONCURRENCY"] == 4
    assert config["FEEDS_PAUSE_AFTER"] == 10
    assert config["FEEDS_EVERY"] == 5
    config = load_config(
        tmp_path,
        base
        | {
            "TRACKER_FEEDS_HOST_GAP": "0",
            "TRACKER_FEEDS_CONCURRENCY": "32",
            "TRACKER_FEEDS_PAUSE_AFTER": "3",
            "TRACKER_FEEDS_EVERY": "15",
        },
    )
    assert (config["FEEDS_HOST_GAP"], config["FEEDS_CONCURRENCY"]) == (0.0, 32)
    assert (config["FEEDS_PAUSE_AFTER"], config["FEEDS_EVERY"]) == (3, 15)
    assert load_config(tmp_path, base | {"TRACKER_FEEDS_HOST_GAP": "0.5"})["FEEDS_HOST_GAP"] == 0.5
    for name, bad, words in (
        ("TRACKER_FEEDS_HOST_GAP", "-1", "0 to 600 seconds"),
        ("TRACKER_FEEDS_HOST_GAP", "two", "must be a number"),
        ("TRACKER_FEEDS_HOST_GAP", "nan", "finite"),
        ("TRACKER_FEEDS_CONCURRENCY", "0", "1 to 32"),
        ("TRACKER_FEEDS_CONCURRENCY", "33", "1 to 32"),
        ("TRACKER_FEEDS_CONCURRENCY", "2.5", "whole number"),
        ("TRACKER_FEEDS_PAUSE_AFTER", "0", "failures in a row"),
        ("TRACKER_FEEDS_EVERY", "0", "minutes between"),
    ):
        with pytest.raises(ConfigError, match=f"{name}.*{words}"):
            load_config(tmp_path, base | {name: bad})
