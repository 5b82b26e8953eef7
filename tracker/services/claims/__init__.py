"""Claims about agreements: stage events, statements of principle, and the parties they name."""
