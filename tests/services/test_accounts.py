"""Accounts at the service: an email is one account, whatever letters it is written in."""

from __future__ import annotations

import pytest

from tracker.services.accounts.users import create_user, find_user
from tracker.services.errors import InvalidInput


@pytest.mark.parametrize("email", ["Õzlem@example.org", "ÕĂ@+", "Ärzte@Example.org"])
def test_an_email_taken_already_is_refused_naming_it(session, email):
    made = create_user(session, email)
    assert find_user(session, email) is made
    with pytest.raises(InvalidInput) as refused:
        create_user(session, email)
    assert refused.value.errors == {"email": [f"a user with email {email!r} already exists"]}


def test_an_email_is_found_in_any_case_of_its_ascii_letters(session):
    made = create_user(session, "Someone@Example.org")
    assert find_user(session, " someone@example.ORG ") is made
