"""Infrastructure the domain uses: sending mail, fetching pages over HTTP, the health check.

Nothing here knows about agreements, claims or evidence."""
