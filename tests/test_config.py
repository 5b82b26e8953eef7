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
