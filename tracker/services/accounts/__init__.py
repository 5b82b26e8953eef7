"""Accounts: users and their API tokens, signing in."""
