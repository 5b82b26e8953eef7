"""The evidence inbox: which agreement a story is about, and the researcher's triage (SPEC §2c)."""
