"""Agreements: commands that change them, queries that read them, their derived lifecycle
and its cache."""
