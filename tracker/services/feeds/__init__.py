"""News feeds: reading them politely, polling them into articles, managing them (SPEC §2c)."""
