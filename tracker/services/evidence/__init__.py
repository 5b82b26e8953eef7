"""Evidence: articles and their quotes, reading one article, extraction and review of
suggestions, bulk import."""
