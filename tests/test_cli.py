"""The command line: seed, users and tokens, migrations."""

from __future__ import annotations

from sqlalchemy import inspect, select

from tracker import create_app
from tracker.models import ApiToken, User
from tracker.services.users import user_for_token, verify_password


def test_create_user_and_token(runner, session):
    result = runner.invoke(
        args=[
            "tracker",
            "create-user",
            "ana@example.org",
            "--role",
            "editor",
            "--password",
            "correct horse battery",
        ]
    )
    assert result.exit_code == 0, result.output
    user = session.scalar(select(User).where(User.email == "ana@example.org"))
    assert user.role == "editor"
    assert verify_password(user, "correct horse battery")
    assert not verify_password(user, "wrong password!")

    result = runner.invoke(
        args=["tracker", "create-token", "ana@example.org"], catch_exceptions=False
    )
    assert result.exit_code == 0
    token = result.stdout.strip()
    assert result.stdout == token + "\n"  # the token alone
    stored = session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    assert token not in (stored.token_hash, stored.prefix)  # only its hash is kept
    assert user_for_token(session, token).id == user.id
    assert user_for_token(session, token + "x") is None


def test_create_user_refuses_bad_input(runner):
    result = runner.invoke(args=["tracker", "create-user", "not-an-email"])
    assert result.exit_code == 1
    assert "email" in result.output and "is not an email address" in result.output
    result = runner.invoke(args=["tracker", "create-user", "b@example.org", "--password", "short"])
    assert result.exit_code == 1 and "at least 10 characters" in result.output
    result = runner.invoke(args=["tracker", "create-user", "b@example.org", "--role", "owner"])
    assert result.exit_code == 2  # click refuses the choice itself


def test_create_token_for_an_unknown_user(runner):
    result = runner.invoke(args=["tracker", "create-token", "nobody@example.org"])
    assert result.exit_code == 1 and "no user" in result.output


def test_seed_command_is_idempotent(runner):
    result = runner.invoke(args=["tracker", "seed"])
    assert result.exit_code == 0
    assert "nothing changed" in result.output  # the suite's database is seeded already


def test_db_upgrade_command(scratch_url):
    app = create_app({"SECRET_KEY": "x", "DATABASE_URL": scratch_url})
    result = app.test_cli_runner().invoke(args=["tracker", "db", "upgrade"])
    assert result.exit_code == 0, result.output
    engine = app.extensions["tracker.engine"]
    assert "agreement" in inspect(engine).get_table_names()
    engine.dispose()


def test_create_user_exists_ok_leaves_the_user_alone(runner, session):
    args = ["tracker", "create-user", "c@example.org", "--password", "first password"]
    assert runner.invoke(args=args).exit_code == 0
    again = runner.invoke(args=[*args[:3], "--password", "other password", "--exists-ok"])
    assert again.exit_code == 0 and "left unchanged" in again.output
    user = session.scalar(select(User).where(User.email == "c@example.org"))
    assert verify_password(user, "first password")
    assert runner.invoke(args=args).exit_code == 1  # without the flag it is an error
