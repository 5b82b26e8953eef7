"""Odd input to the command line: dates outside years 1000 to 2999 are refused naming the
option or the field, a far-off date already stored does not stop `tracker reminders run`, and
an import line Python cannot read safely is refused on its own."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select

from tests import factories
from tests.services.test_far_off_dates import stored_far_off
from tracker.models import EvidenceArticle, Reminder


def test_reminders_run_refuses_a_far_off_now(runner):
    for now in ("9999-12-31", "0001-01-01T00:00:00+14:00"):
        result = runner.invoke(args=["tracker", "reminders", "run", "--now", now, "--no-mail"])
        assert result.exit_code == 2, result.output
        assert "--now" in result.output and "outside the supported range" in result.output


def test_reminders_run_goes_on_past_a_far_off_agreement_and_says_so(runner, session):
    bad = factories.agreement(session, title="Far off")
    far = factories.event(session, bad.id, "announcement", "2024-01-15")
    stored_far_off(session, far, "9999-12-31", date(9999, 12, 31), date(9999, 12, 31))
    good = factories.agreement(session, title="Ordinary")
    factories.event(session, good.id, "announcement", "2024-01-15")
    result = runner.invoke(args=["tracker", "reminders", "run", "--now", "2024-06-01", "--no-mail"])
    assert result.exit_code == 0, result.output
    assert f"agreement {bad.id}:" in result.output and "skipped" in result.output
    made = session.scalars(select(Reminder.agreement_id).where(Reminder.rule == "unsigned"))
    assert good.id in set(made)


def test_digest_refuses_a_far_off_week(runner):
    result = runner.invoke(args=["tracker", "digest", "--week", "9999-W52"])
    assert result.exit_code == 2
    assert "--week" in result.output and "years 1000 to 2999" in result.output


def test_import_articles_refuses_a_far_off_published_date_naming_the_field(runner, session):
    lines = "\n".join(
        json.dumps({"text": f"Signed, part {n}.", "published": published})
        for n, published in enumerate(["9999-12-01", "2024-01-15"])
    )
    result = runner.invoke(args=["tracker", "import-articles", "--quiet", "-"], input=lines)
    assert result.exit_code == 1
    assert "line 1: published:" in result.output
    assert "outside the supported range" in result.output
    stored = session.scalars(select(EvidenceArticle.published)).all()
    assert "2024-01-15" in stored and "9999-12-01" not in stored


def test_import_articles_refuses_a_line_python_cannot_read_safely(runner, session):
    lines = "\n".join(
        [
            "[" * 100_000 + "]" * 100_000,
            '{"text": "Signed.", "language": ' + "9" * 5000 + "}",
            json.dumps({"text": "Ratified by the Majlis."}),
        ]
    )
    result = runner.invoke(args=["tracker", "import-articles", "--quiet", "-"], input=lines)
    assert result.exit_code == 1, result.output
    assert "line 1: line: is not JSON (it nests more than 64 levels deep)" in result.output
    assert "line 2: line: is not JSON (a number has more than 100 digits)" in result.output
    assert "1 article(s) imported" in result.output
