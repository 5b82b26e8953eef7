"""Where the founding article is, for the browser journey."""

from tracker.services.data.seed import DEFAULT_SEED_DIR

SEED_ARTICLE = DEFAULT_SEED_DIR / "articles" / "jamaran-2024-01-15.fa.txt"
